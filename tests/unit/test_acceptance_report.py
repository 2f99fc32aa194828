"""The 《项目验收报告》 as staff read it (text extracted from the PDF), and check-verdicts through the
handler harness: who judged comes from the engine's history, failed criteria become one
rectification task per responsible department."""

from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader

from workers.processes.project_cooperation_acceptance.assessment import AssessmentSummary, means, render_assessment_pdf
from workers.processes.project_cooperation_acceptance.report import AcceptanceReport, render_report_pdf
from workers.processes.project_cooperation_acceptance.variables import (
    AcceptanceRound,
    Judgement,
    AssessmentScore,
    Rectification,
    Verdict,
)
from tests.unit.test_handover_parties import NOW, delegations
from tests.support.model_properties import element_properties
from workers.runtime.testing import BpmnError, Completed, HandlerEnvironment

ROOT = Path(__file__).resolve().parents[2]
MODEL = "project-cooperation-acceptance.bpmn"
AT = datetime(2026, 12, 1, 1, 30, tzinfo=timezone.utc)  # 09:30 in Shanghai
LATER = datetime(2026, 12, 3, 6, 5, tzinfo=timezone.utc)  # 14:05 in Shanghai
CRITERIA = [{"id": "C1", "department": "engineering", "criterion": "系统通过压力测试 / The system passes the load test"},
            {"id": "C2", "department": "production", "criterion": "首批设备按期安装 / First units installed on time"}]


def report() -> AcceptanceReport:
    first = AcceptanceRound(round=1, checked_by="li.qiang", checked_at=AT, judgements=[
        Judgement(criterion_id="C1", verdict=Verdict.PASS),
        Judgement(criterion_id="C2", verdict=Verdict.FAIL, notes="缺 20 套支架 / 20 brackets missing")],
        rectifications=[Rectification(round=1, department="production", by="zhou.gang", at=AT,
                                      report="支架已补齐 / brackets supplied")])
    second = AcceptanceRound(round=2, checked_by="sun.li", checked_at=LATER, judgements=[
        Judgement(criterion_id="C1", verdict=Verdict.PASS), Judgement(criterion_id="C2", verdict=Verdict.PASS)])
    return AcceptanceReport(
        process_instance_id="pi-1", business_key="PC-1", company="示例科技有限公司 / Example Technology Co., Ltd.",
        company_time_zone="Asia/Shanghai", project_name="智能仓储试点 / Smart warehouse pilot",
        requesting_department="销售部 / Sales", project_owner="黄磊 (huang.lei)",
        involved_departments=["销售部 / Sales", "技术部 / Engineering", "生产部 / Production"],
        criteria=[("C1", CRITERIA[0]["criterion"], "技术部 / Engineering"),
                  ("C2", CRITERIA[1]["criterion"], "生产部 / Production")],
        rounds=[first, second], names={"li.qiang": "李强", "sun.li": "孙丽", "zhou.gang": "周刚"},
        departments={"production": "生产部 / Production"})


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_report_says_which_round_passed_who_accepted_and_when_in_company_time():
    text = text_of(render_report_pdf(report()))
    assert "项目验收报告 / Acceptance Report" in text
    assert "全部验收标准于第 2 轮验收通过，验收人 孙丽 (sun.li)，时间 2026年12月3日 14:05" in text
    assert "北京时间 Asia/Shanghai (UTC+08:00)" in text


def test_the_report_keeps_each_rounds_failures_and_rectifications():
    text = text_of(render_report_pdf(report()))
    assert "第 1 轮：李强 (li.qiang) 于 2026年12月1日 09:30 验收，1 项不通过" in text
    assert "缺 20 套支架" in text and "支架已补齐" in text and "周刚 (zhou.gang)" in text
    assert "第 2 轮：孙丽 (sun.li) 于 2026年12月3日 14:05 验收，全部通过" in text


def test_the_same_report_renders_the_same_bytes():
    assert render_report_pdf(report()) == render_report_pdf(report())  # a retried archive step stores the same file


def check_environment(completer: str) -> HandlerEnvironment:
    env = HandlerEnvironment()
    env.engine.answer("GET", "/history/activity-instance/Task_UnderTest:1", {"parentActivityInstanceId": "pi:1"})
    env.engine.answer("GET", "/history/activity-instance", [
        {"parentActivityInstanceId": "pi:1", "canceled": False, "assignee": completer,
         "endTime": "2026-12-01T01:30:00.000+0000"}])
    env.engine.answer("GET", "/process-instance", [])  # no delegations registered
    return env


def verdicts(**given: tuple[str, str]) -> dict:
    return {"organisationFile": str(ROOT / "org" / "demo-organisation.yaml"), "projectName": "试点 / Pilot",
            "requestingDepartment": "sales", "involvedDepartments": ["sales", "engineering", "production"],
            "projectOwner": "huang.lei", "agreement": {"acceptance_criteria": CRITERIA}, "acceptanceRound": 1,
            "acceptanceHistory": [],
            "acceptanceRows": [{"criterionId": cid, "verdict": v, "notes": n} for cid, (v, n) in given.items()]}


def test_a_failed_criterion_gives_its_departments_head_a_rectification_task_recorded_as_the_engine_says():
    outcome = check_environment("li.qiang").run("cooperation-acceptance.check-verdicts",
                                                verdicts(C1=("pass", ""), C2=("fail", "缺支架 / brackets missing")),
                                                properties=element_properties(MODEL, "Task_RecordVerdicts"))
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["acceptancePassed"] is False
    [item] = outcome.variables["rectificationItems"]
    assert (item["departmentId"], item["assignee"]) == ("production", "zhou.gang")
    assert "缺支架" in item["failedCriteria"] and "第 1 轮" in item["taskName"]
    [round_] = outcome.variables["acceptanceHistory"]
    assert round_["checkedBy"] == "li.qiang"


def test_every_criterion_passed_goes_on_to_the_report():
    outcome = check_environment("li.qiang").run("cooperation-acceptance.check-verdicts",
                                                verdicts(C1=("pass", ""), C2=("pass", "")),
                                                properties=element_properties(MODEL, "Task_RecordVerdicts"))
    assert isinstance(outcome, Completed) and outcome.variables["acceptancePassed"] is True


def test_missing_verdicts_go_back_to_the_form_as_a_bpmn_error():
    outcome = check_environment("li.qiang").run("cooperation-acceptance.check-verdicts",
                                                verdicts(C1=("pass", ""), C2=("", "")),
                                                properties=element_properties(MODEL, "Task_RecordVerdicts"))
    assert isinstance(outcome, BpmnError) and outcome.code == "ACCEPTANCE_INCOMPLETE"
    assert outcome.message == "第 2 行 验收结论 / row 2 Verdict: 请选择通过或不通过（C2） / choose passed or failed (C2)"


def score(department: str, assessor: str, goal: int) -> AssessmentScore:
    return AssessmentScore(department=department, assessor=assessor, assessor_department="x", goal=goal, quality=4,
                           schedule=3, cost=5, teamwork=2, comment="", assessed_at=AT)


def test_a_departments_means_are_over_its_assessors_only():
    scores = [score("sales", "hu.bin", 5), score("sales", "zhang.wei", 2), score("production", "hu.bin", 1)]
    found = means(scores, "sales")
    assert found["goal"] == 3.5 and found["teamwork"] == 2
    assert found["overall"] == (3.5 + 4 + 3 + 5 + 2) / 5
    assert means(scores, "finance") == {}


def test_the_assessment_summary_prints_the_means_and_each_assessor():
    summary = AssessmentSummary(
        business_key="PC-1", company="示例科技有限公司 / Example Technology Co., Ltd.", company_time_zone="Asia/Shanghai",
        project_name="试点 / Pilot", departments=["sales"], department_names={"sales": "销售部 / Sales"},
        names={"hu.bin": "胡斌", "zhang.wei": "张伟"},
        scores=[score("sales", "hu.bin", 5), score("sales", "zhang.wei", 2)])
    text = text_of(render_assessment_pdf(summary))
    assert "项目考核汇总 / Project Assessment Summary" in text
    assert "3.5" in text and "3.50" in text  # goal mean, overall mean
    assert "胡斌 (hu.bin)" in text and "张伟 (zhang.wei)" in text and "2026年12月1日" in text


# --- delegation (代理): acceptance and assessment reach the delegate, never a self-assessor ------------
def project_variables() -> dict:
    return {"organisationFile": str(ROOT / "org" / "demo-organisation.yaml"), "projectName": "试点 / Pilot",
            "requestingDepartment": "sales", "involvedDepartments": ["sales", "engineering", "production"],
            "projectOwner": "huang.lei", "agreement": {"acceptance_criteria": CRITERIA}, "projectDocuments": []}


def test_acceptance_goes_to_the_delegate_of_an_absent_requesting_head():
    engine = delegations("li.qiang", "sun.li").answer("GET", "/process-instance/pi-1/variables", {})
    outcome = HandlerEnvironment(engine=engine, now=NOW).run(
        "cooperation-acceptance.prepare", project_variables(), process_instance_id="pi-1",
        properties=element_properties(MODEL, "Task_PrepareAcceptance"))
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["acceptanceAssignee"] == "sun.li"
    assert outcome.variables["acceptanceDelegationNote"] == "代理 / delegate for 李强 (li.qiang)"
    assert outcome.variables["acceptanceTaskName"] == "项目验收（第 1 轮） / Acceptance (round 1)：试点 / Pilot"


def test_a_delegate_from_an_assessed_department_is_passed_over_for_the_head():
    outcome = HandlerEnvironment(engine=delegations("hu.bin", "zhou.gang"), now=NOW).run(
        "cooperation-acceptance.prepare-assessment", project_variables(),
        properties=element_properties(MODEL, "Task_PrepareAssessment"))
    assert isinstance(outcome, Completed), outcome
    pmo = next(i for i in outcome.variables["assessmentItems"] if i["assessorDepartment"] == "projectoffice")
    assert pmo["assignee"] == "hu.bin" and pmo["delegationNote"] == ""
    assert [r["departmentId"] for r in pmo["rows"]] == ["sales", "engineering", "production"]
