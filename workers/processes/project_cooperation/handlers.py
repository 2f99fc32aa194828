"""Process `project-cooperation` (项目合作, policy §3.1 steps 1–3): one handler per service task of
bpmn/project-cooperation.bpmn; docs/project-cooperation.md describes the steps and variables.

Identities come from the engine: the requesting department from the instance's start user, each
assessor and the agreement's drafter from who completed their task (history), never from a form.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

from workers import BusinessRejection, TaskContext, topic
from workers.processes.project_cooperation import (
    AGREEMENT_INVALID,
    APPLICATION_INVALID,
    ASSESSMENT_INVALID,
    BRIEF_INVALID,
    rules,
)
from workers.processes.project_cooperation.documents import (
    TITLES,
    agreement_pdf,
    application_pdf,
    feasibility_pdf,
)
from workers.processes.project_cooperation.records import DocumentKind, FeasibilityScores
from workers.processes.project_cooperation.variables import (
    FEASIBILITY,
    ArchiveAgreementInput,
    ArchiveAgreementOutput,
    ArchiveApplicationInput,
    ArchiveApplicationOutput,
    ArchiveFeasibilityInput,
    ArchiveFeasibilityOutput,
    AssessorItem,
    AssignAssessorsInput,
    AssignAssessorsOutput,
    AssignDrafterInput,
    AssignDrafterOutput,
    RecordAssessmentInput,
    RecordAssessmentOutput,
    ResolveLeadershipInput,
    ResolveLeadershipOutput,
    ReturnAgreementInput,
    ReturnAgreementOutput,
    SummariseFeasibilityInput,
    SummariseFeasibilityOutput,
    ValidateAgreementInput,
    ValidateAgreementOutput,
    ValidateApplicationInput,
    ValidateApplicationOutput,
)
from workers.runtime import clock
from workers.runtime.variables import from_camunda
from workers.shared.approvals.record import ApprovalOutcome, decisions_from
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.shared.due_dates import DueDateSettings, ReminderProperties, reminder_settings
from workers.shared.history import initiator_of, started_by
from workers.shared.notify import Bilingual
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.organisation.lookups import department_head
from workers.shared.project_documents import keep_document
from workers.shared.properties import parse_time_zone
from workers.shared.reminders import reminder_topic
from workers.shared.text import clipped, rejection_message

APPROVAL_KINDS = ("countersign", "any", "sequential")  # contract A
CONTEXT_CHARS = 3000  # contract A: approvalContext at most this long
PROCESS_NAME = Bilingual(zh="项目合作", en="project cooperation")

# 催办: organising and assessing feasibility and drafting the agreement past their due dates, each
# reminder task naming its user tasks (property remindTasks); escalated after escalateAfterReminders.
reminder_topic("cooperation.remind", PROCESS_NAME)


def _applicant(task: TaskContext, named: str | None) -> str | None:
    """Who applied: the instance's start user as the engine recorded it; the `initiator` variable only
    for the operator account entering a paper application for the person it names."""
    return initiator_of(started_by(task), named, task.settings.admin_user)


def _last_completer(task: TaskContext, activity_id: str) -> str | None:
    """Who completed the latest `activity_id` task of this instance, as the history says."""
    done = task.engine.request("GET", "/history/task", params={
        "processInstanceId": task.process_instance_id, "taskDefinitionKey": activity_id, "finished": "true",
        "sortBy": "endTime", "sortOrder": "desc"}) or []
    completed = [t for t in done if t.get("deleteReason") == "completed"]
    return completed[0].get("assignee") if completed else None


# --- step 1: initiation --------------------------------------------------------------------------
@topic("cooperation.validate-application", errors=[APPLICATION_INVALID], properties=OrganisationFile)
def validate_application(submitted: ValidateApplicationInput, properties: OrganisationFile,
                         task: TaskContext) -> ValidateApplicationOutput:
    org = load(properties.organisation_file)
    values = submitted.model_dump(by_alias=True)
    application, problems = rules.check_application(values, org, _applicant(task, submitted.initiator))
    if problems:
        raise BusinessRejection(APPLICATION_INVALID, rejection_message(problems))
    assert application
    return ValidateApplicationOutput(organisation_file=str(properties.organisation_file), application=application,
                                     requesting_department=application.requesting_department,
                                     involved_departments=application.departments)


@topic("cooperation.archive-application", properties=DueDateSettings)
def archive_application(project: ArchiveApplicationInput, due: DueDateSettings,
                        task: TaskContext) -> ArchiveApplicationOutput:
    org = load(Path(project.organisation_file))
    version = project.application_version + 1
    # corrections and revisions are the applicant's own tasks (assignee ${initiator}): one applicant
    submitted_by = _applicant(task, project.initiator) or ""
    pdf = application_pdf(project.application, org, task.business_key or task.process_instance_id, version, submitted_by)
    document = keep_document(task, DocumentKind.APPLICATION.value, TITLES[DocumentKind.APPLICATION], version, pdf)
    return ArchiveApplicationOutput(project_documents=[*project.project_documents, document],
                                    application_version=version, organise_due=due.due(), **reminder_settings(due))


# --- step 2: feasibility assessment --------------------------------------------------------------
@topic("cooperation.assign-assessors", errors=[BRIEF_INVALID], properties=ReminderProperties)
def assign_assessors(project: AssignAssessorsInput, reminders: ReminderProperties,
                     task: TaskContext) -> AssignAssessorsOutput:
    """Each involved department's head, or their delegate (代理), assesses; due at the end of the day
    the PMO set, in the company's time zone, and reminded after it as this task's properties say."""
    zone = parse_time_zone(task.settings.company_time_zone)
    due_day, problems = rules.check_brief(project.model_dump(by_alias=True), clock.now().astimezone(zone).date())
    if problems:
        raise BusinessRejection(BRIEF_INVALID, rejection_message(problems))
    assert due_day
    org = load(Path(project.organisation_file))
    delegations = active_delegations(task.engine)
    names = {p.id: p.name for p in org.people}
    items = []
    for department_id in project.involved_departments:
        department = org.department(department_id)
        assignment = resolve_assignee(department_head(org, department_id).id, delegations)
        items.append(AssessorItem(
            assessing_department=department_id, assessing_department_label=department.label,
            assignee=assignment.assignee, original_assignee=assignment.original_assignee,
            delegation_note=assignment.note(names),
            task_name=f"评估项目可行性 / Assess feasibility：{project.project_name}（{department.name_zh}）"))
    due = datetime.combine(due_day, time(23, 59), tzinfo=zone)
    return AssignAssessorsOutput(feasibility_assessors=items, assessment_due_at=due,
                                 feasibility_round=project.feasibility_round + 1, **reminder_settings(reminders))


@topic("cooperation.record-assessment", errors=[ASSESSMENT_INVALID])
def record_assessment(assessed: RecordAssessmentInput, task: TaskContext) -> RecordAssessmentOutput:
    values = assessed.model_dump(by_alias=True)
    problems = rules.check_assessment(values)
    if problems:
        raise BusinessRejection(ASSESSMENT_INVALID, rejection_message(problems))
    assessor = _assessor(task)
    return RecordAssessmentOutput.recorded(FeasibilityScores(
        department=assessed.assessing_department, assessor=assessor,
        on_behalf_of=assessed.original_assignee if assessor != assessed.original_assignee else None,
        technical_score=int(values["technicalScore"]), technical_comment=values["technicalComment"].strip(),
        economic_score=int(values["economicScore"]), economic_comment=values["economicComment"].strip(),
        operational_score=int(values["operationalScore"]), operational_comment=values["operationalComment"].strip(),
        round=assessed.feasibility_round))


def _assessor(task: TaskContext) -> str:
    """Who completed the assessing task of this department's subprocess instance (the task and this
    step share the subprocess's activity instance as their parent)."""
    engine = task.engine
    own = engine.request("GET", "/history/activity-instance", params={
        "activityInstanceId": task.activity_instance_id}) or []
    if not own:
        raise RuntimeError(f"no history for activity instance {task.activity_instance_id}")
    parent = own[0]["parentActivityInstanceId"]
    done = engine.request("GET", "/history/activity-instance", params={
        "processInstanceId": task.process_instance_id, "activityId": "Task_AssessFeasibility", "finished": "true",
        "sortBy": "endTime", "sortOrder": "desc"}) or []
    mine = [a for a in done if a.get("parentActivityInstanceId") == parent and a.get("assignee")]
    if not mine:
        raise RuntimeError(f"no completed Task_AssessFeasibility in subprocess instance {parent}")
    return mine[0]["assignee"]


@topic("cooperation.summarise-feasibility")
def summarise_feasibility(state: SummariseFeasibilityInput, task: TaskContext) -> SummariseFeasibilityOutput:
    org = load(Path(state.organisation_file))
    typed = task.engine.request("GET", f"/process-instance/{task.process_instance_id}/variables",
                                params={"deserializeValues": "false"}) or {}
    values = from_camunda({n: typed[n] for n in typed if n.startswith(FEASIBILITY)})
    found = {d: values.get(FEASIBILITY + d) for d in state.involved_departments}
    assessments = [FeasibilityScores.model_validate(v) for v in found.values() if v]
    stale = [d for d, v in found.items() if not v or v.get("round") != state.feasibility_round]
    if stale:  # every department's subprocess records before this runs: an incident if not
        raise RuntimeError(f"no assessment of round {state.feasibility_round} for department(s) {', '.join(stale)}")
    minimum, average = rules.score_summary(assessments)
    names = {d.id: d.label for d in org.departments}
    return SummariseFeasibilityOutput(feasibility_assessments=assessments, feasibility_min_score=minimum,
                                      feasibility_average_score=average,
                                      feasibility_comments=rules.revision_comments(assessments, names))


@topic("cooperation.archive-feasibility-report")
def archive_feasibility_report(report: ArchiveFeasibilityInput, task: TaskContext) -> ArchiveFeasibilityOutput:
    if report.feasibility_verdict not in ("feasible", "needs-revision", "not-feasible"):
        raise RuntimeError(f"decision feasibility-verdict gave {report.feasibility_verdict!r} for lowest score "
                           f"{report.feasibility_min_score} and average {report.feasibility_average_score}: "
                           "fix dmn/feasibility-verdict.dmn so every score has a rule, and redeploy")
    org = load(Path(report.organisation_file))
    pdf = feasibility_pdf(report.application, report.feasibility_assessments, report.feasibility_verdict,
                          report.feasibility_min_score, report.feasibility_average_score, org,
                          task.business_key or task.process_instance_id, report.feasibility_round,
                          _last_completer(task, "Task_OrganiseFeasibility"), str(report.assessment_brief or ""))
    document = keep_document(task, DocumentKind.FEASIBILITY_REPORT.value, TITLES[DocumentKind.FEASIBILITY_REPORT],
                             report.feasibility_round, pdf)
    return ArchiveFeasibilityOutput(project_documents=[*report.project_documents, document])


# --- step 3: cooperation agreement ---------------------------------------------------------------
@topic("cooperation.assign-drafter", properties=DueDateSettings)
def assign_drafter(project: AssignDrafterInput, due: DueDateSettings, task: TaskContext) -> AssignDrafterOutput:
    """The requesting department drafts: its head, or the head's delegate; the form comes with a row
    per involved department and the application's milestones."""
    org = load(Path(project.organisation_file))
    assignment = resolve_assignee(department_head(org, project.requesting_department).id, active_delegations(task.engine))
    names = {p.id: p.name for p in org.people}
    return AssignDrafterOutput(
        agreement_drafter=assignment.assignee, agreement_drafter_note=assignment.note(names),
        drafting_due=due.due(), **reminder_settings(due),
        division=[{"department": d, "work": ""} for d in project.involved_departments],
        agreement_milestones=[{"name": m.name, "dueDate": m.due_date.isoformat()} for m in project.application.milestones],
        acceptance_criteria=[{"department": d, "criterion": ""} for d in project.involved_departments])


@topic("cooperation.validate-agreement", errors=[AGREEMENT_INVALID])
def validate_agreement(drafted: ValidateAgreementInput, task: TaskContext) -> ValidateAgreementOutput:
    org = load(Path(drafted.organisation_file))
    agreement, problems = rules.check_agreement(drafted.model_dump(by_alias=True), drafted.application, org)
    if problems:
        raise BusinessRejection(AGREEMENT_INVALID, rejection_message(problems))
    assert agreement
    drafter = _last_completer(task, "Task_DraftAgreement")
    if not drafter:
        raise RuntimeError("no completed Task_DraftAgreement in the history: who drafted is unknown")
    heads = list(dict.fromkeys(department_head(org, d).id for d in drafted.involved_departments))
    owner = drafted.application.project_owner
    return ValidateAgreementOutput(
        agreement=agreement, agreement_budget=agreement.budget, agreement_risk=agreement.risk.value,
        department_count=len(drafted.involved_departments), agreement_applicant=drafter,
        countersign_approvers=heads,
        countersign_subject=f"合作协议会签 / Agreement countersign：{drafted.project_name}",
        approval_copy_to=[owner] if owner not in heads else [],
        agreement_summary=_summary(agreement, drafted.project_name, org))


def _summary(agreement: Any, project_name: str, org: Any) -> str:
    """What the approvers read in their decision form (contract A: at most 3,000 characters)."""
    lines = [f"项目 / Project：{project_name}",
             f"预算 / Budget：{agreement.budget:,.2f} 元 / CNY；风险 / Risk：{agreement.risk.label}",
             "分工 / Division:"]
    lines += [f"- {org.department(w.department).name_zh}: {w.work}" for w in agreement.division]
    lines += ["里程碑 / Milestones:"] + [f"- {m.id} {m.name} {m.due_date}" for m in agreement.milestones]
    lines += ["验收标准 / Acceptance criteria:"]
    lines += [f"- {c.id} {org.department(c.department).name_zh}: {c.criterion}" for c in agreement.acceptance_criteria]
    return clipped("\n".join(lines), CONTEXT_CHARS)


RETURNED = {
    ("agreement-countersign", "rejected"): ("会签被驳回", "A department head rejected the agreement"),
    ("agreement-countersign", "withdrawn"): ("会签已撤回", "The countersign was withdrawn"),
    ("agreement-leadership", "rejected"): ("公司领导驳回", "Leadership rejected the agreement"),
    ("agreement-leadership", "withdrawn"): ("领导审批已撤回", "The leadership approval was withdrawn"),
}


@topic("cooperation.return-agreement", properties=DueDateSettings)
def return_agreement(returned: ReturnAgreementInput, due: DueDateSettings) -> ReturnAgreementOutput:
    """A rejection or a withdrawal sends the agreement back to drafting, saying which and why
    (withdrawn too: the drafter withdrew it to change it)."""
    outcome = ApprovalOutcome(returned.returned_outcome)
    zh, en = RETURNED[(returned.returned_step, outcome.value)]
    reason = (returned.returned_reason or "").strip() or "（未写明 / none given）"
    return ReturnAgreementOutput(agreement_rejection=f"{zh}：{reason} / {en}: {reason}",
                                 drafting_due=due.due(), **reminder_settings(due))


@topic("cooperation.resolve-leadership")
def resolve_leadership(routing: ResolveLeadershipInput) -> ResolveLeadershipOutput:
    decided = routing.leadership_routing or {}
    kind = decided.get("kind")
    if kind not in APPROVAL_KINDS:
        raise RuntimeError(f"decision cooperation-approvers gave the kind {kind!r}; it must be one of "
                           f"{', '.join(APPROVAL_KINDS)}: fix dmn/cooperation-approvers.dmn and redeploy")
    approvers = rules.leadership_approvers(load(Path(routing.organisation_file)), str(decided.get("approvers") or ""))
    return ResolveLeadershipOutput(leadership_approvers=approvers, leadership_approval_kind=kind,
                                   leadership_subject=f"合作协议审批 / Agreement approval：{routing.project_name}")


@topic("cooperation.archive-agreement")
def archive_agreement(approved: ArchiveAgreementInput, task: TaskContext) -> ArchiveAgreementOutput:
    org = load(Path(approved.organisation_file))
    version = approved.agreement_version + 1
    countersign = decisions_from(approved.countersign_decisions)
    leadership = decisions_from(approved.leadership_decisions)
    decided = [d.decided_at for d in countersign + leadership]
    pdf = agreement_pdf(approved.application, approved.agreement, countersign, leadership, org,
                        parse_time_zone(task.settings.company_time_zone), task.business_key or task.process_instance_id,
                        version, approved.agreement_applicant, max(decided) if decided else clock.now())
    document = keep_document(task, DocumentKind.AGREEMENT.value, TITLES[DocumentKind.AGREEMENT], version, pdf)
    return ArchiveAgreementOutput(project_documents=[*approved.project_documents, document], agreement_version=version)
