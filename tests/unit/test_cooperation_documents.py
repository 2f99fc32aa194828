"""The three documents of project cooperation phases 1–3, run through their handlers as the worker
would: what the PDF says (text extracted), where it is filed, the File variable it is kept in and the
`projectDocuments` entry that lists it."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import datetime, timezone
from pathlib import Path

from pypdf import PdfReader

from tests.unit.test_cooperation_rules import AGREEMENT, APPLICATION, ORG, ROOT
from tests.support.model_properties import element_properties
from workers.processes.project_cooperation import rules
from workers.runtime.settings import Settings
from workers.runtime.testing import Completed, HandlerEnvironment

ORG_FILE = str(ROOT / "org" / "demo-organisation.yaml")
KEY = "PC-test-1"
ARCHIVE_PROPERTIES = element_properties("project-cooperation.bpmn", "Task_ArchiveApplication")
NOW = datetime(2027, 3, 1, 2, 0, tzinfo=timezone.utc)


def _env(tmp_path: Path) -> HandlerEnvironment:
    env = HandlerEnvironment(now=NOW, settings=Settings(worker_id="harness", data_dir=tmp_path,
                                                       archive_dir=tmp_path / "archive"))
    env.engine.answer("PUT", "/process-instance/pi-1/variables/doc_application_1", None)
    env.engine.answer("PUT", "/process-instance/pi-1/variables/doc_feasibility_report_1", None)
    env.engine.answer("PUT", "/process-instance/pi-1/variables/doc_agreement_1", None)
    env.engine.answer("GET", "/history/process-instance/pi-1", {"startUserId": "chen.jing"})
    env.engine.answer("GET", "/history/task", [{"assignee": "luo.fang", "deleteReason": "completed"}])
    return env


def _application() -> dict:
    return rules.check_application(APPLICATION, ORG, "chen.jing")[0].model_dump(mode="json")


def _text(env: HandlerEnvironment, variable: str) -> tuple[str, bytes]:
    put = env.engine.requested("PUT", f"/process-instance/pi-1/variables/{variable}")
    assert len(put) == 1, f"the File variable {variable} is written once"
    assert put[0].json["type"] == "File" and put[0].json["valueInfo"]["mimetype"] == "application/pdf"
    pdf = base64.b64decode(put[0].json["value"])
    return "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(pdf)).pages), pdf


def test_the_application_pdf_is_filed_kept_and_listed(tmp_path: Path) -> None:
    env = _env(tmp_path)
    outcome = env.run("cooperation.archive-application", {
        "organisationFile": ORG_FILE, "application": _application(), "projectDocuments": []},
        process_instance_id="pi-1", business_key=KEY, properties=ARCHIVE_PROPERTIES)
    assert isinstance(outcome, Completed), outcome
    [entry] = outcome.variables["projectDocuments"]
    assert outcome.variables["applicationVersion"] == 1
    text, pdf = _text(env, "doc_application_1")
    for expected in ("项目合作申请表", "智能仓储试点", "市场部", "技术部", "生产部", "黄磊", "方案评审", "2027年2月26日", "陈静"):
        assert expected in text, f"{expected!r} missing from the application PDF"
    filed = tmp_path / "archive" / entry["archive_path"]
    assert entry["archive_path"] == f"project-cooperation/{KEY}/application-v1.pdf"
    assert filed.read_bytes() == pdf and entry["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert entry == {**entry, "kind": "application", "version": 1, "variable": "doc_application_1",
                     "title": "《项目合作申请表》 / Project Cooperation Application"}


def test_a_repeated_delivery_files_the_same_bytes_and_writes_the_variable_once(tmp_path: Path) -> None:
    env = _env(tmp_path)
    variables = {"organisationFile": ORG_FILE, "application": _application(), "projectDocuments": []}
    first = env.run("cooperation.archive-application", variables, process_instance_id="pi-1", business_key=KEY,
                    properties=ARCHIVE_PROPERTIES)
    again = env.run("cooperation.archive-application", variables, process_instance_id="pi-1", business_key=KEY,
                    properties=ARCHIVE_PROPERTIES)
    assert first == again
    assert len(env.engine.requested("PUT", "/process-instance/pi-1/variables/doc_application_1")) == 1


def _scores(department: str, assessor: str, *values: int) -> dict:
    t, e, o = values
    return {"department": department, "assessor": assessor, "technical_score": t, "technical_comment": f"{department} 技术意见",
            "economic_score": e, "economic_comment": f"{department} 经济意见", "operational_score": o,
            "operational_comment": f"{department} 操作意见", "round": 1}


def test_the_feasibility_report_shows_every_departments_scores_comments_and_the_verdict(tmp_path: Path) -> None:
    env = _env(tmp_path)
    assessments = [_scores("marketing", "chen.jing", 4, 4, 5), _scores("engineering", "huang.lei", 5, 3, 4),
                   _scores("production", "zhou.gang", 4, 4, 4)]
    assessments[1]["on_behalf_of"] = "zhang.wei"
    outcome = env.run("cooperation.archive-feasibility-report", {
        "organisationFile": ORG_FILE, "application": _application(), "projectDocuments": [],
        "feasibilityAssessments": assessments, "feasibilityVerdict": "feasible", "feasibilityMinScore": 3,
        "feasibilityAverageScore": 4.11, "feasibilityRound": 1, "assessmentBrief": "请评估产能"},
        process_instance_id="pi-1", business_key=KEY)
    assert isinstance(outcome, Completed), outcome
    text, _ = _text(env, "doc_feasibility_report_1")
    for expected in ("项目可行性评估报告", "市场部", "技术部", "生产部", "黄磊（技术部）（代张伟（技术部））",
                     "engineering经济意见", "可行/Feasible", "4.11", "罗芳", "请评估产能"):
        assert expected in text, f"{expected!r} missing from the feasibility report"


def test_a_verdict_the_table_does_not_know_is_an_incident_naming_the_decision(tmp_path: Path) -> None:
    env = _env(tmp_path)
    outcome = env.run("cooperation.archive-feasibility-report", {
        "organisationFile": ORG_FILE, "application": _application(), "feasibilityAssessments": [],
        "feasibilityVerdict": None, "feasibilityMinScore": 3, "feasibilityAverageScore": 4.0, "feasibilityRound": 1},
        process_instance_id="pi-1", business_key=KEY, retries=1)
    assert outcome.incident and "dmn/feasibility-verdict.dmn" in outcome.message


def _decision(step: str, approver: str, verdict: str, comment: str, at: str, on_behalf_of: str | None = None) -> dict:
    return {"step": step, "approver": approver, "on_behalf_of": on_behalf_of, "verdict": verdict, "comment": comment,
            "transferred_to": None, "decided_at": at}


def test_the_approved_agreement_prints_its_terms_and_every_decision(tmp_path: Path) -> None:
    env = _env(tmp_path)
    agreement = rules.check_agreement(AGREEMENT, rules.check_application(APPLICATION, ORG, "chen.jing")[0], ORG)[0]
    outcome = env.run("cooperation.archive-agreement", {
        "organisationFile": ORG_FILE, "application": _application(), "agreement": agreement.model_dump(mode="json"),
        "agreementApplicant": "chen.jing", "projectDocuments": [],
        "countersignDecisions": [
            _decision("agreement-countersign", "chen.jing", "approved", "同意", "2027-02-01T09:00:00+08:00"),
            _decision("agreement-countersign", "huang.lei", "approved", "技术部同意", "2027-02-01T10:00:00+08:00", "zhang.wei"),
            _decision("agreement-countersign", "zhou.gang", "approved", "", "2027-02-01T11:00:00+08:00")],
        "leadershipDecisions": [
            _decision("agreement-leadership", "hu.bin", "approved", "按计划推进", "2027-02-02T09:30:00+08:00")]},
        process_instance_id="pi-1", business_key=KEY)
    assert isinstance(outcome, Completed), outcome
    text, _ = _text(env, "doc_agreement_1")
    for expected in ("项目合作协议", "各方按分工负责", "150,000.00", "M1", "方案评审", "C3", "production的标准",
                     "各部门负责人会签", "技术部同意", "张伟（技术部）", "公司领导审批", "胡斌（项目管理部）", "按计划推进",
                     "2027年2月2日09:30", "每14天"):
        assert expected in text, f"{expected!r} missing from the agreement PDF"
