"""Project cooperation (项目合作, policy §3.1 steps 1–3 and the main flow) on the real engine, driven
as its people do it: a three-department project from a wrong application to the approved agreement
and on through the called phases; the not-feasible end; the approvers decision through REST, through
the process, and changed by redeploying the table alone."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.support.assertions import has_ended, has_passed, waits_at
from tests.support import implementation
from tests.support.cooperation import (
    APPLICATION,
    HEADS,
    REQUESTER,
    APPROVAL_TOPICS,
    TOPICS,
    Cooperation,
    agreement,
    deploy,
    pdf_text,
    scores,
)
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.staff import ROOT, Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def organisation_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("org") / "organisation.yaml"


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, organisation_file: Path) -> Staff:
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(staff, organisation_file)
    return staff


@pytest.fixture(scope="module")
def settings(engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    folder = tmp_path_factory.mktemp("cooperation")
    return worker_settings_in(engine, folder, archive_dir=folder / "archive", mail_outbox_dir=folder / "outbox")


@pytest.fixture(scope="module")
def worker(settings: Settings, staff: Staff) -> Iterator[None]:
    registry = load_registry()
    called = [t for t in registry.names() if t.startswith(("cooperation-implementation.", "cooperation-acceptance."))]
    with running_worker(registry.subset(TOPICS + APPROVAL_TOPICS + called), settings):
        yield


@dataclass
class Project:
    cooperation: Cooperation
    rejection: str = ""  # the first application's correction message
    assessment_rejection: str = ""
    revision_comments: str = ""
    agreement_rejections: list[str] = field(default_factory=list)
    drafter: str = ""
    draft_shown: dict[str, Any] = field(default_factory=dict)
    countersign_inputs: list[dict[str, Any]] = field(default_factory=list)
    leadership_inputs: list[dict[str, Any]] = field(default_factory=list)
    countersign_key: str | None = None  # the business key the approval block was called with


@pytest.fixture(scope="module")
def project(staff: Staff, worker: None) -> Project:
    """杨帆 (Marketing) applies for a project with Engineering and Production: first with one
    department and an owner from Finance, then corrected; Production's head first submits a score of
    7, then scores 2, so the application is revised and assessed again; the agreement is first
    drafted without Production's criterion, then a head rejects it, then leadership (the PMO head
    alone, for 50,000) rejects it, then the drafter withdraws the countersign of 1,500,000, and at
    last every head and all three leaders in turn approve it."""
    wrong = {**APPLICATION, "departments": ["marketing"], "projectOwner": "guo.hong"}
    run = Cooperation(staff, staff.start(REQUESTER, "project-cooperation", wrong))
    found = Project(run)
    correction = run.only_task("Task_CorrectApplication", "the application back for correction")
    found.rejection = staff.form_variables(REQUESTER, correction["id"])["applicationRejection"]
    staff.complete(REQUESTER, correction["id"], APPLICATION)

    run.organise()
    tasks = run.task("Task_AssessFeasibility", "an assessment task per department", 3)
    production = next(t for t in tasks if t["assignee"] == HEADS["production"])
    staff.complete(HEADS["production"], production["id"], {**scores(4), "technicalScore": 7})
    [again] = wait_until(lambda: [t for t in staff.tasks(run.id, assignee=HEADS["production"])
                                  if t["id"] != production["id"]], 60, "Production's assessment back")
    found.assessment_rejection = staff.form_variables(HEADS["production"], again["id"])["assessmentRejection"]
    staff.complete(HEADS["production"], again["id"], scores(2))
    for task in [t for t in tasks if t["assignee"] != HEADS["production"]]:
        staff.complete(task["assignee"], task["id"], scores(4))

    revision = run.only_task("Task_ReviseApplication", "the application back for revision")
    found.revision_comments = staff.form_variables(REQUESTER, revision["id"])["feasibilityComments"]
    staff.complete(REQUESTER, revision["id"], {**APPLICATION, "content": "需求、方案、试产、产能评估 / with a capacity study"})
    run.organise()
    run.assess({d: 4 for d in HEADS})

    incomplete = agreement(50000)
    incomplete["acceptanceCriteria"] = incomplete["acceptanceCriteria"][:2]
    drafted = run.draft(incomplete)
    found.drafter, found.draft_shown = drafted["assignee"], drafted["shown"]
    found.agreement_rejections.append(_rejection(run))
    run.draft(agreement(50000))
    countersign = run.approval("agreement-countersign")
    found.countersign_inputs.append(countersign.inputs())
    found.countersign_key = countersign.business_key()
    countersign.reject(HEADS["production"], "生产部产能不足 / Production lacks capacity")
    found.agreement_rejections.append(_rejection(run))

    run.draft(agreement(50000))
    run.approval("agreement-countersign", nth=2).approve()
    leadership = run.approval("agreement-leadership")
    found.leadership_inputs.append(leadership.inputs())
    leadership.reject("hu.bin", "预算偏低 / budget too low")
    found.agreement_rejections.append(_rejection(run))

    run.draft(agreement(1500000))
    run.approval("agreement-countersign", nth=3).withdraw("chen.jing", "补充预算说明 / adding the budget's rationale")
    found.agreement_rejections.append(_rejection(run))

    run.draft(agreement(1500000))
    run.approval("agreement-countersign", nth=4).approve()
    leadership = run.approval("agreement-leadership", nth=2)
    found.leadership_inputs.append(leadership.inputs())
    leadership.approve()
    _implement(run)
    _accept(run)
    staff.admin.instance(run.id).settle(60)
    return found


def _called(run: Cooperation, key: str) -> str:
    """The id of the phase `key` the project called (it may have ended)."""
    found = wait_until(lambda: run.admin.get("/history/process-instance", superProcessInstanceId=run.id,
                                             processDefinitionKey=key), 60, f"the call of {key}")
    return found[0]["id"]


def _open(run: Cooperation, instance: str, activity: str, what: str, count: int = 1) -> list[dict[str, Any]]:
    return run.staff.wait_for_tasks(instance, count, what, taskDefinitionKey=activity)


def _implement(run: Cooperation) -> None:
    """Phase 4: the first coordination meeting's invitation timer fired by hand (its date is weeks away),
    the owner's minutes with an action-free record, then every milestone reached and the project done."""
    staff, admin = run.staff, run.admin
    called = _called(run, "project-cooperation-implementation")
    [job] = wait_until(lambda: admin.get("/job", processInstanceId=called, activityId="Event_MeetingInvitationDue"),
                       60, "the first meeting's invitation timer")
    fired = admin.session.post(f"{admin.url}/job/{job['id']}/execute", timeout=30)
    assert fired.ok, fired.text
    [minutes] = _open(run, called, "Task_WriteMinutes", "the minutes of meeting 1")
    staff.complete(minutes["assignee"], minutes["id"], {
        "meetingAttendees": "陈静、张伟、周刚、黄磊", "meetingDiscussion": "仓储方案进度正常 / the design is on track",
        "meetingDecisions": "二月底前完成方案评审 / design review by the end of February", "actionItems": []})
    wait_until(lambda: admin.get("/history/variable-instance", processInstanceId=called, variableName="doc_minutes_1"),
               60, "the minutes filed")
    [progress] = _open(run, called, "Task_RecordProgress", "the owner's progress record")
    reached = (implementation.today() - timedelta(days=1)).isoformat()
    rows = [{**row, "actualDate": reached} for row in staff.form_variables(progress["assignee"], progress["id"])["milestones"]]
    staff.complete(progress["assignee"], progress["id"], {"milestones": rows, "implementationComplete": True})


def _accept(run: Cooperation) -> None:
    """Phases 5–6: every criterion passes in the first round, then the PMO and the three departments
    assess each other."""
    staff = run.staff
    called = _called(run, "project-cooperation-acceptance")
    [check] = _open(run, called, "Task_CheckCriteria", "the acceptance task")
    rows = staff.form_variables(check["assignee"], check["id"])["acceptanceRows"]
    staff.complete(check["assignee"], check["id"], {"acceptanceRows": [
        {**row, "verdict": "pass", "notes": f"{row['criterionId']} 已达到 / met"} for row in rows]})
    for task in _open(run, called, "Task_AssessDepartments", "the four assessment tasks", 4):
        shown = staff.form_variables(task["assignee"], task["id"])["assessmentRows"]
        staff.complete(task["assignee"], task["id"], {"assessmentRows": [
            {**row, "goal": 4, "quality": 4, "schedule": 3, "cost": 5, "teamwork": 4,
             "comment": f"配合积极 / cooperative ({row['departmentId']})"} for row in shown]})


def _rejection(run: Cooperation) -> str:
    task = run.only_task("Task_DraftAgreement", "the agreement back to drafting")
    return run.staff.form_variables(task["assignee"], task["id"])["agreementRejection"]


# --- initiation ----------------------------------------------------------------------------------
def test_a_wrong_application_comes_back_to_the_requester_naming_each_field(project: Project) -> None:
    assert "涉及部门 / Departments involved: 至少选择 2 个部门" in project.rejection, project.rejection
    assert "项目负责人 / Project owner: 郭红 所在的财务部不是涉及部门" in project.rejection, project.rejection
    assert "第 2 人 所属部门 / person 2 Department" in project.rejection, project.rejection


def test_the_requesting_department_is_the_requesters_own_from_the_organisation(project: Project) -> None:
    assert project.cooperation.variable("requestingDepartment") == "marketing"
    assert project.cooperation.variable("involvedDepartments") == ["marketing", "engineering", "production"]


def test_the_business_key_is_the_instances_own(project: Project) -> None:
    [instance] = project.cooperation.admin.get("/history/process-instance", processInstanceId=project.cooperation.id)
    assert instance["businessKey"] == f"PC-{project.cooperation.id}"


# --- feasibility ---------------------------------------------------------------------------------
def test_a_score_out_of_range_comes_back_to_the_assessor_naming_the_field(project: Project) -> None:
    assert project.assessment_rejection.startswith("技术可行性评分（1–5） / Technical feasibility score (1–5): 须为 1 至 5 的整数")


def test_a_score_of_two_sends_the_application_back_with_every_departments_comments(project: Project) -> None:
    for department in ("市场部", "技术部", "生产部"):
        assert department in project.revision_comments, project.revision_comments
    assert "scored 2" in project.revision_comments


def test_the_revised_application_is_assessed_again_and_both_reports_are_kept(project: Project) -> None:
    run = project.cooperation
    has_passed(run.admin.instance(run.id), "Task_ArchiveFeasibilityReport", times=2)
    documents = run.variable("projectDocuments")
    kinds = [(d["kind"], d["version"]) for d in documents]
    assert kinds == [("application", 1), ("feasibility-report", 1), ("application", 2), ("feasibility-report", 2),
                     ("agreement", 1), ("minutes", 1), ("acceptance-report", 1), ("assessment", 1)], kinds


def test_the_feasibility_report_names_each_department_its_assessor_scores_and_verdict(project: Project) -> None:
    run = project.cooperation
    first, second = pdf_text(run.file("doc_feasibility_report_1")), pdf_text(run.file("doc_feasibility_report_2"))
    assert "需修改后重新评估/Needsrevision" in first and "可行/Feasible" in second
    for head in ("陈静", "张伟", "周刚"):
        assert head in first, f"{head} missing from the report"
    assert "operational2分/scored2" in first and "operational4分/scored4" in second


# --- agreement -----------------------------------------------------------------------------------
def test_the_requesting_departments_head_drafts_with_a_row_per_department(project: Project) -> None:
    assert project.drafter == "chen.jing"
    assert [r["department"] for r in project.draft_shown["division"]] == list(HEADS)
    assert [m["name"] for m in project.draft_shown["agreementMilestones"]] == [m["name"] for m in APPLICATION["milestones"]]


def test_an_agreement_without_a_departments_criterion_comes_back_naming_it(project: Project) -> None:
    assert project.agreement_rejections[0] == (
        "验收标准 / Acceptance criteria: 涉及部门生产部没有验收标准 / the involved department Production has no acceptance criterion")


def test_every_involved_head_countersigns_and_the_drafter_is_the_applicant(project: Project) -> None:
    inputs = project.countersign_inputs[0]
    assert inputs["approvalKind"] == "countersign"
    assert inputs["approvalApprovers"] == ["chen.jing", "zhang.wei", "zhou.gang"]
    assert inputs["approvalApplicant"] == "chen.jing"
    assert inputs["approvalCopyTo"] == ["huang.lei"]  # the project owner, for information
    assert inputs["approvalSubject"] == "合作协议会签 / Agreement countersign：智能仓储试点 / Smart warehouse pilot"
    assert project.countersign_key == f"PC-{project.cooperation.id}"


def test_a_heads_rejection_returns_the_agreement_to_drafting_with_the_reason(project: Project) -> None:
    assert project.agreement_rejections[1] == (
        "会签被驳回：生产部产能不足 / Production lacks capacity / A department head rejected the agreement: "
        "生产部产能不足 / Production lacks capacity")


def test_a_small_budget_goes_to_the_pmo_head_alone_and_a_large_one_to_all_three_in_turn(project: Project) -> None:
    small, large = project.leadership_inputs
    assert (small["approvalApprovers"], small["approvalKind"]) == (["hu.bin"], "any")
    assert (large["approvalApprovers"], large["approvalKind"]) == (["hu.bin", "liu.min", "wang.jianguo"], "sequential")


def test_leaderships_rejection_also_returns_to_drafting_with_the_reason(project: Project) -> None:
    assert project.agreement_rejections[2].startswith("公司领导驳回：预算偏低 / budget too low")


def test_a_withdrawn_countersign_returns_to_drafting_saying_so(project: Project) -> None:
    assert project.agreement_rejections[3] == (
        "会签已撤回：补充预算说明 / adding the budget's rationale / The countersign was withdrawn: "
        "补充预算说明 / adding the budget's rationale")


def test_the_approved_agreement_prints_its_terms_and_every_decision(project: Project) -> None:
    text = pdf_text(project.cooperation.file("doc_agreement_1"))
    for expected in ("项目合作协议", "1,500,000.00", "M2", "试产", "C3", "各部门负责人会签", "公司领导审批", "胡斌",
                     "刘敏", "王建国", "陈静（市场部）"):
        assert expected in text, f"{expected!r} missing from the agreement PDF"


def test_every_document_is_filed_write_once_under_the_business_key(project: Project, settings: Settings) -> None:
    run = project.cooperation
    for document in run.variable("projectDocuments"):
        filed = settings.archive_root / document["archive_path"]
        assert document["archive_path"].startswith(f"project-cooperation/PC-{run.id}/")
        assert filed.read_bytes() == run.file(document["variable"]), document


def test_the_project_owner_is_copied_on_the_countersign_as_mailed(project: Project, settings: Settings) -> None:
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
             for p in sorted(settings.mail_outbox_dir.glob("*.eml"))]
    to_owner = [m["Subject"] for m in mails if m["To"].addresses[0].username == "huang.lei"]
    assert any("合作协议会签 / Agreement countersign：智能仓储试点" in subject for subject in to_owner), to_owner


# --- the called phases ---------------------------------------------------------------------------
def test_implementation_and_acceptance_get_the_project_and_the_process_ends_completed(project: Project) -> None:
    run = project.cooperation
    has_ended(run.admin.instance(run.id), at="EndEvent_ProjectCompleted")
    assert run.variable("acceptanceResult") == "passed"
    report = run.variable("implementationReport")
    assert report["completed_on"] == implementation.today().isoformat()
    assert (report["meetings"], report["open_action_items"]) == (1, 0)
    assert [m["id"] for m in report["milestones"]] == ["M1", "M2"]
    assert run.variable("acceptanceRounds") == 1
    scored = run.variable("assessmentScores")
    assert sorted({s["department"] for s in scored}) == sorted(HEADS), scored
    [called] = run.admin.get("/history/process-instance", superProcessInstanceId=run.id,
                             processDefinitionKey="project-cooperation-implementation")
    assert called["businessKey"] == f"PC-{run.id}"
    passed = {v["name"] for v in run.admin.get("/history/variable-instance", processInstanceId=called["id"])}
    assert {"initiator", "projectName", "projectOwner", "requestingDepartment", "involvedDepartments", "application",
            "agreement", "projectDocuments", "organisationFile"} <= passed
    assert not [n for n in passed if n.startswith("feasibility_")], "only the contract's variables"
    # the earlier phases' documents copied onto it (its tasks' documents panel offers them), and its minutes
    assert sorted(n for n in passed if n.startswith("doc_")) == [
        "doc_agreement_1", "doc_application_1", "doc_application_2", "doc_feasibility_report_1",
        "doc_feasibility_report_2", "doc_minutes_1"]
    assert run.admin.instance(called["id"]).variables()["doc_agreement_1"].filename == f"PC-{run.id}-agreement-v1.pdf"


def test_the_minutes_record_the_meeting_as_the_owner_wrote_it(project: Project) -> None:
    text = pdf_text(project.cooperation.file("doc_minutes_1"))
    for expected in ("会议纪要", "第1次项目协调会", "智能仓储试点", "陈静、张伟、周刚、黄磊", "仓储方案进度正常", "二月底前完成方案评审"):
        assert expected in text, f"{expected!r} missing from the minutes PDF"


def test_the_acceptance_report_passes_every_departments_criterion_in_one_round(project: Project) -> None:
    text = pdf_text(project.cooperation.file("doc_acceptance_report_1"))
    for expected in ("项目验收报告", "智能仓储试点", "C1", "C2", "C3", "marketing的验收标准", "production的验收标准",
                     "C3已达到/met", "通过"):
        assert expected in text, f"{expected!r} missing from the acceptance report PDF"


def test_the_application_pdf_prints_the_corrected_and_revised_application(project: Project) -> None:
    first, second = pdf_text(project.cooperation.file("doc_application_1")), pdf_text(project.cooperation.file("doc_application_2"))
    for expected in ("项目合作申请表", "智能仓储试点", "黄磊", "方案评审", "2027年2月26日", "市场部", "技术部", "生产部"):
        assert expected in first, f"{expected!r} missing from the application PDF"
    assert "产能评估" in second and "产能评估" not in first


# --- not feasible --------------------------------------------------------------------------------
def test_an_infeasible_project_ends_with_its_report_and_no_agreement(staff: Staff, worker: None) -> None:
    run = Cooperation(staff, staff.start(REQUESTER, "project-cooperation", APPLICATION))
    run.organise()
    run.assess({"marketing": 3, "engineering": 1, "production": 3})
    instance = run.admin.instance(run.id)
    has_ended(instance, at="EndEvent_NotFeasible")
    assert "Task_DraftAgreement" not in instance.passed()
    assert "不可行/Notfeasible" in pdf_text(run.file("doc_feasibility_report_1"))


# --- cooperation-approvers ------------------------------------------------------------------------
def _evaluate(admin: EngineDriver, budget: float, departments: int, risk: str) -> dict[str, Any]:
    response = admin.session.post(f"{admin.url}/decision-definition/key/cooperation-approvers/evaluate", json={
        "variables": {"agreementBudget": {"value": budget, "type": "Double"},
                      "departmentCount": {"value": departments, "type": "Integer"},
                      "agreementRisk": {"value": risk, "type": "String"}}}, timeout=30)
    assert response.ok, response.text
    [result] = response.json()
    return {name: value["value"] for name, value in result.items()}


@pytest.mark.parametrize(("budget", "departments", "risk", "approvers", "kind"), [
    (199999.99, 3, "low", "pmo-head", "any"),
    (200000, 3, "low", "pmo-head,vice-president", "sequential"),
    (999999.99, 3, "low", "pmo-head,vice-president", "sequential"),
    (1000000, 3, "low", "pmo-head,vice-president,general-manager", "sequential"),
    (50000, 4, "low", "pmo-head,vice-president", "sequential"),
    (50000, 2, "medium", "pmo-head,vice-president", "sequential"),
    (50000, 2, "high", "pmo-head,vice-president,general-manager", "sequential"),
])
def test_the_approvers_decision_at_each_threshold(staff: Staff, budget: float, departments: int, risk: str,
                                                  approvers: str, kind: str) -> None:
    assert _evaluate(staff.admin, budget, departments, risk) == {"approvers": approvers, "kind": kind}


def test_a_threshold_changed_in_the_table_and_redeployed_changes_the_routing(staff: Staff, worker: None) -> None:
    original = (ROOT / "dmn" / "cooperation-approvers.dmn").read_text(encoding="utf-8")
    assert "&gt;= 200000" in original
    staff.admin.deploy_xml("cooperation-approvers-lower", {"cooperation-approvers.dmn": original.replace("&gt;= 200000", "&gt;= 40000")})
    try:
        assert _evaluate(staff.admin, 50000, 3, "low")["approvers"] == "pmo-head,vice-president"
        run = Cooperation(staff, staff.start(REQUESTER, "project-cooperation", APPLICATION))
        run.organise()
        run.assess({d: 5 for d in HEADS})
        run.draft(agreement(50000))
        run.approval("agreement-countersign").approve()
        leadership = run.approval("agreement-leadership")
        assert leadership.inputs()["approvalApprovers"] == ["hu.bin", "liu.min"]
        waits_at(run.admin.instance(leadership.id), "Task_Decide")
    finally:
        staff.admin.deploy_xml("cooperation-approvers-restored", {"cooperation-approvers.dmn": original})
        if "run" in locals():
            staff.delete(run.id)
    assert _evaluate(staff.admin, 50000, 3, "low")["approvers"] == "pmo-head"


# --- trust: no forged starts, no foreign variables -------------------------------------------------
def _start_as(staff: Staff, who: str, **body: Any) -> requests.Response:
    return staff.session(who).post(f"{staff.engine.engine_url}/process-definition/key/project-cooperation/start",
                                   json=body, timeout=30)


def _projects_started_by(staff: Staff, who: str) -> int:
    return len(staff.admin.get("/history/process-instance", processDefinitionKey="project-cooperation", startedBy=who))


@pytest.mark.parametrize("forged", ["requestingDepartment", "initiator", "application", "agreementApplicant"])
def test_a_start_carries_only_the_application_forms_fields(staff: Staff, forged: str) -> None:
    before = _projects_started_by(staff, "wu.hao")
    response = _start_as(staff, "wu.hao", variables=to_camunda({**APPLICATION, forged: "finance"}))
    assert response.status_code == 400 and "ENGINE-CROSSDEPT-08" in response.text and forged in response.text, response.text
    assert _projects_started_by(staff, "wu.hao") == before, "nothing was started"


def test_nobody_starts_a_project_at_its_agreement_filing(staff: Staff) -> None:
    before = _projects_started_by(staff, "wu.hao")
    response = _start_as(staff, "wu.hao", variables=to_camunda(APPLICATION), startInstructions=[
        {"type": "startBeforeActivity", "activityId": "Task_ArchiveAgreement"}])
    assert response.status_code == 403 and "ENGINE-CROSSDEPT-01" in response.text, response.text
    assert _projects_started_by(staff, "wu.hao") == before, "nothing was started"


def test_an_assessor_cannot_write_another_departments_scores(staff: Staff, worker: None) -> None:
    run = Cooperation(staff, staff.start(REQUESTER, "project-cooperation", APPLICATION))
    try:
        run.organise()
        task = next(t for t in run.task("Task_AssessFeasibility", "the assessments", 3) if t["assignee"] == "zhang.wei")
        forged = {**scores(5), "feasibility_production": {"department": "production", "technical_score": 5}}
        typed = to_camunda(forged)
        response = staff.session("zhang.wei").post(f"{staff.engine.engine_url}/task/{task['id']}/complete",
                                                   json={"variables": typed}, timeout=30)
        assert response.status_code == 400 and "'feasibility_production'" in response.text, response.text
    finally:
        staff.delete(run.id)
