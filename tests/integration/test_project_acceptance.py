"""Acceptance (项目验收) and project assessment (项目考核) on the real engine, with the real SMTP
receiver: the called process started directly as the root process calls it (contract B: three
departments, three criteria), driven by the people through REST as Tasklist does.

Sales asked for the project; Engineering, Production and Sales are each responsible for one
criterion. Round 1: Sales' head first forgets the note on a failed criterion, then fails
Production's; Production rectifies; round 2 passes. Then the PMO and the three departments assess
each other, one assessor first giving a score out of range.
"""

from __future__ import annotations

import hashlib
import io
import json
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import pytest
from pypdf import PdfReader

from tests.support.acceptance import (
    APPLICATION_DOC,
    DEPARTMENTS,
    HEADS,
    INITIATOR,
    OWNER,
    contract_inputs,
    deploy,
    start,
    start_through_root,
)
from tests.support.assertions import has_ended
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
from tests.support.receivers import smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

TOPICS = [name for name in load_registry().names() if name.startswith("cooperation-acceptance.")]
BUSINESS_KEY = "PC-2026-0042"
FAILED_NOTE = "只安装了 80 台，另 20 台缺少支架 / only 80 units installed, 20 lack brackets"
RECTIFIED = "补齐 20 套支架，12 月 3 日全部安装完毕 / 20 brackets supplied, all units installed by 3 December"


@dataclass
class Accepted:
    instance: ProcessInstance
    first_task: dict[str, Any]  # round 1's acceptance task
    first_rows: list[dict[str, Any]]  # as its form showed them
    forged: Any  # the engine's answer to a completion that rewrote a criterion's text
    correction: dict[str, Any]  # the acceptance form after the note was forgotten
    rectification_tasks: list[dict[str, Any]]
    rectification_form: dict[str, Any]
    second_task: dict[str, Any]
    second_rows: list[dict[str, Any]]
    assessment_forms: dict[str, dict[str, Any]]  # assignee -> their assessment form
    assessment_back: dict[str, Any]  # the form the out-of-range score came back to
    mails: list[EmailMessage]
    archive: Path
    variables: dict[str, Any]


def _next(staff: Staff, instance: str, key: str, after: set[str], what: str, count: int = 1) -> list[dict[str, Any]]:
    return wait_until(lambda: (found := [t for t in staff.tasks(instance, taskDefinitionKey=key) if t["id"] not in after])
                      and len(found) >= count and found, 60, what, interval_s=0.3)


def _judged(rows: list[dict[str, Any]], verdicts: dict[str, tuple[str, str]]) -> list[dict[str, Any]]:
    return [{**row, "verdict": verdicts[row["criterionId"]][0], "notes": verdicts[row["criterionId"]][1]} for row in rows]


def _scored(rows: list[dict[str, Any]], goal: int = 4) -> list[dict[str, Any]]:
    return [{**row, "goal": goal, "quality": 4, "schedule": 3, "cost": 5, "teamwork": 4,
             "comment": f"配合积极 / cooperative ({row['departmentId']})"} for row in rows]


@dataclass
class Project:
    folder: Path
    organisation_file: Path
    staff: Staff


@pytest.fixture(scope="module")
def project(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Project:
    folder = tmp_path_factory.mktemp("acceptance")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(admin, organisation_file, "project-acceptance-test")
    return Project(folder, organisation_file, staff)


@pytest.fixture(scope="module")
def accepted(engine: Settings, admin: EngineDriver, project: Project) -> Iterator[Accepted]:
    folder, organisation_file, staff = project.folder, project.organisation_file, project.staff
    with smtp_server() as (box, port):
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", archive_dir=folder / "archive")
        with running_worker(load_registry().subset(TOPICS), settings):
            instance_id = start(admin, "project-cooperation-acceptance", BUSINESS_KEY, contract_inputs(organisation_file))
            instance = admin.instance(instance_id)
            try:
                seen: set[str] = set()
                first = _next(staff, instance_id, "Task_CheckCriteria", seen, "round 1's acceptance task")[0]
                seen.add(first["id"])
                first_rows = staff.form_variables(first["assignee"], first["id"])["acceptanceRows"]
                easier = [{**row, "verdict": "pass", "criterion": "随便看看 / a quick look"} for row in first_rows]
                forged = staff.session(first["assignee"]).post(
                    f"{engine.engine_url}/task/{first['id']}/complete", timeout=30,
                    json={"variables": {"acceptanceRows": {"type": "Json", "value": json.dumps(easier)}}})
                staff.complete(first["assignee"], first["id"], {"acceptanceRows": _judged(
                    first_rows, {"C1": ("pass", ""), "C2": ("fail", ""), "C3": ("pass", "")})})
                back = _next(staff, instance_id, "Task_CheckCriteria", seen, "the acceptance form back for the note")[0]
                seen.add(back["id"])
                correction = staff.form_variables(back["assignee"], back["id"])
                staff.complete(back["assignee"], back["id"], {"acceptanceRows": _judged(
                    correction["acceptanceRows"], {"C1": ("pass", ""), "C2": ("fail", FAILED_NOTE), "C3": ("pass", "")})})

                # the multi-instance creates every department's task in one transaction: all or none are seen
                rectification = _next(staff, instance_id, "Task_Rectify", set(), "the rectification task")
                rect = rectification[0]
                rect_form = staff.form_variables(rect["assignee"], rect["id"])
                staff.complete(rect["assignee"], rect["id"], {"rectificationReport": RECTIFIED})

                second = _next(staff, instance_id, "Task_CheckCriteria", seen, "round 2's acceptance task")[0]
                second_rows = staff.form_variables(second["assignee"], second["id"])["acceptanceRows"]
                staff.complete(second["assignee"], second["id"], {"acceptanceRows": _judged(
                    second_rows, {"C1": ("pass", ""), "C2": ("pass", "全部安装 / all installed"), "C3": ("pass", "")})})

                tasks = _next(staff, instance_id, "Task_AssessDepartments", set(), "the four assessment tasks", count=4)
                forms = {t["assignee"]: staff.form_variables(t["assignee"], t["id"]) for t in tasks}
                pmo_task = next(t for t in tasks if t["assignee"] == HEADS["projectoffice"])
                staff.complete(pmo_task["assignee"], pmo_task["id"],
                               {"assessmentRows": _scored(forms[pmo_task["assignee"]]["assessmentRows"], goal=6)})
                again = _next(staff, instance_id, "Task_AssessDepartments", {t["id"] for t in tasks},
                              "the PMO's assessment back for the score")[0]
                back_form = staff.form_variables(again["assignee"], again["id"])
                for task in [again, *(t for t in tasks if t is not pmo_task)]:
                    shown = back_form if task is again else forms[task["assignee"]]
                    staff.complete(task["assignee"], task["id"], {"assessmentRows": _scored(shown["assessmentRows"])})
                instance.settle(60)
                wait_until(lambda: box.messages, 30, "the acceptance mail")
                yield Accepted(instance, first, first_rows, forged, correction, rectification, rect_form, second, second_rows,
                               forms, back_form, list(box.messages), folder / "archive", instance.variables())
            finally:
                staff.delete(instance_id)


def test_acceptance_goes_to_the_requesting_departments_head_with_every_criterion(accepted: Accepted):
    assert accepted.first_task["assignee"] == HEADS["sales"]
    assert "第 1 轮" in accepted.first_task["name"] and "round 1" in accepted.first_task["name"]
    assert [(r["criterionId"], r["department"]) for r in accepted.first_rows] == [
        ("C1", "技术部 / Engineering"), ("C2", "生产部 / Production"), ("C3", "销售部 / Sales")]


def test_the_engine_refuses_a_completion_that_rewrites_a_criterion(accepted: Accepted):
    assert accepted.forged.status_code == 400, accepted.forged.text
    assert "ENGINE-CROSSDEPT" in accepted.forged.text and "acceptanceRows" in accepted.forged.text


def test_a_failed_criterion_without_a_note_comes_back_naming_the_field(accepted: Accepted):
    assert accepted.correction["acceptanceRejection"] == (
        "第 2 行 说明 / row 2 Notes: 不通过须说明原因（C2） / a failed criterion needs a note saying why (C2)")


def test_only_the_department_responsible_for_the_failed_criterion_rectifies(accepted: Accepted):
    assert [t["assignee"] for t in accepted.rectification_tasks] == [HEADS["production"]]
    form = accepted.rectification_form
    assert form["rectificationDepartmentLabel"] == "生产部 / Production"
    assert "C2" in form["failedCriteria"] and FAILED_NOTE in form["failedCriteria"]
    assert "C1" not in form["failedCriteria"]


def test_acceptance_repeats_as_round_two_with_the_rectification_shown(accepted: Accepted):
    assert "第 2 轮" in accepted.second_task["name"]
    rows = {r["criterionId"]: r for r in accepted.second_rows}
    assert rows["C2"]["verdict"] is None and rows["C2"]["rectification"] == RECTIFIED
    assert rows["C1"]["verdict"] == "pass"


def test_the_process_ends_accepted_after_two_rounds(accepted: Accepted):
    has_ended(accepted.instance, at="EndEvent_Accepted")
    assert accepted.variables["acceptanceRounds"] == 2
    assert accepted.variables["acceptanceResult"] == "passed"


def _report_text(accepted: Accepted) -> str:
    pdf = (accepted.archive / "project-cooperation" / BUSINESS_KEY / "acceptance-report-v1.pdf").read_bytes()
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_report_records_the_project_every_criterion_and_each_round(accepted: Accepted):
    text = _report_text(accepted)
    for expected in ["项目验收报告", "智能仓储试点", BUSINESS_KEY, "C1", "C2", "C3", "第 1 轮", "第 2 轮",
                     "李强 (li.qiang)", "周刚 (zhou.gang)", "黄磊 (huang.lei)", "北京时间"]:
        assert expected in text, f"{expected!r} missing from the report:\n{text}"
    assert "只安装了 80 台" in text and "补齐 20 套支架" in text
    assert "全部验收标准于第 2 轮验收通过" in text


def test_the_report_is_listed_in_project_documents_and_kept_as_a_file_variable(accepted: Accepted):
    path = accepted.archive / "project-cooperation" / BUSINESS_KEY / "acceptance-report-v1.pdf"
    entry = accepted.variables["projectDocuments"][0]
    assert entry == {"kind": "acceptance-report", "title": "《项目验收报告》 / Acceptance Report", "version": 1,
                     "variable": "doc_acceptance_report_1",
                     "archive_path": f"project-cooperation/{BUSINESS_KEY}/acceptance-report-v1.pdf",
                     "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}
    found = accepted.instance.engine.get("/history/variable-instance", processInstanceId=accepted.instance.id,
                                         variableName="doc_acceptance_report_1")
    assert [v["type"] for v in found] == ["File"]


def test_everyone_involved_is_mailed_the_report(accepted: Accepted):
    mails = [m for m in accepted.mails if "项目验收通过" in str(m["Subject"])]
    assert len(mails) == 1, [str(m["Subject"]) for m in accepted.mails]
    to = str(mails[0]["To"])
    for person in [HEADS["sales"], HEADS["engineering"], HEADS["production"], OWNER, INITIATOR]:
        assert f"{person}@example.com" in to, to
    assert HEADS["projectoffice"] not in to
    [attachment] = [part for part in mails[0].iter_attachments()]
    assert attachment.get_content_type() == "application/pdf" and attachment.get_content().startswith(b"%PDF")


def test_the_pmo_and_each_department_assess_every_other_department(accepted: Accepted):
    shown = {who: [r["departmentId"] for r in form["assessmentRows"]] for who, form in accepted.assessment_forms.items()}
    assert shown == {"hu.bin": DEPARTMENTS, "li.qiang": ["engineering", "production"],
                     "zhang.wei": ["sales", "production"], "zhou.gang": ["sales", "engineering"]}


def test_an_out_of_range_score_comes_back_naming_the_field(accepted: Accepted):
    assert "第 1 行 目标完成 / row 1 Goal completion: 请打 1 至 5 分 / give a score from 1 to 5" in (
        accepted.assessment_back["assessmentRejection"])


def test_assessment_scores_name_the_assessor_from_the_engine_and_nobody_scores_their_own(accepted: Accepted):
    scores = accepted.variables["assessmentScores"]
    assert len(scores) == 3 + 2 * 3
    assert {(s["assessor"], s["assessor_department"]) for s in scores} == {
        ("hu.bin", "projectoffice"), ("li.qiang", "sales"), ("zhang.wei", "engineering"), ("zhou.gang", "production")}
    assert all(s["department"] != s["assessor_department"] for s in scores)
    assert all(s["goal"] == 4 and s["cost"] == 5 for s in scores)


def test_the_scores_are_filed_as_the_data_file_the_periodic_assessment_reads(accepted: Accepted):
    path = accepted.archive / "assessments" / "project-cooperation" / f"{BUSINESS_KEY}.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["business_key"] == BUSINESS_KEY and data["involved_departments"] == DEPARTMENTS
    assert data["scores"] == accepted.variables["assessmentScores"]
    assert not path.stat().st_mode & 0o222, "the data file is write-once (read-only)"


def test_earlier_phases_documents_are_offered_on_the_acceptance_task_to_its_assignee_only(
        engine: Settings, admin: EngineDriver, project: Project, tmp_path: Path):
    """The root keeps the application as its File variable; acceptance copies it onto its own
    instance, so its acceptance task offers it through the task's variables, which the engine lets
    the assignee read and nobody outside the task."""
    pdf = b"%PDF-1.4 application of the project\n%%EOF\n"
    settings = worker_settings_in(engine, tmp_path, archive_dir=tmp_path / "archive")
    with running_worker(load_registry().subset(["cooperation-acceptance.prepare"]), settings):
        called = start_through_root(admin, project.organisation_file, "PC-DOCS", pdf)
        try:
            [task] = _next(project.staff, called, "Task_CheckCriteria", set(), "the acceptance task")
            path = f"/task/{task['id']}/variables/{APPLICATION_DOC}/data"
            assert task["assignee"] == HEADS["sales"]
            response = project.staff.session(task["assignee"]).get(engine.engine_url + path, timeout=30)
            assert response.status_code == 200 and response.content == pdf
            outsider = project.staff.session("xu.ming").get(engine.engine_url + path, timeout=30)
            assert outsider.status_code in (403, 404) and not outsider.content.startswith(b"%PDF"), outsider.text
        finally:
            root = admin.get("/process-instance", subProcessInstance=called)
            project.staff.delete(root[0]["id"] if root else called)


def test_the_assessment_summary_is_filed_after_the_report_with_each_departments_means(accepted: Accepted):
    documents = accepted.variables["projectDocuments"]
    assert [(d["kind"], d["variable"]) for d in documents] == [
        ("acceptance-report", "doc_acceptance_report_1"), ("assessment", "doc_assessment_1")]
    pdf = (accepted.archive / documents[1]["archive_path"]).read_bytes()
    assert hashlib.sha256(pdf).hexdigest() == documents[1]["sha256"]
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "项目考核汇总 / Project Assessment Summary" in text and "智能仓储试点" in text
    assert "胡斌 (hu.bin)" in text and "4.00" in text  # every score 4, 4, 3, 5, 4: overall 4.00
