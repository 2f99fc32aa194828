"""Process `project-cooperation-acceptance` (项目验收 and 项目考核): one handler per service task of
bpmn/project-cooperation-acceptance.bpmn; docs/project-cooperation-acceptance.md describes the steps.

Who judged, rectified or assessed is always the completer of the user task as the engine's history
records it, never a form field. Rules live in `rules`, the report in `report`.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import ConfigDict

from workers import BusinessRejection, TaskContext, topic
from workers.processes.project_cooperation_acceptance import (
    ACCEPTANCE_INCOMPLETE,
    ASSESSMENT_INCOMPLETE,
    RECTIFICATION_INCOMPLETE,
    rules,
)
from workers.processes.project_cooperation_acceptance.assessment import DOCUMENT_TITLE as ASSESSMENT_TITLE
from workers.processes.project_cooperation_acceptance.assessment import AssessmentSummary, render_assessment_pdf
from workers.processes.project_cooperation_acceptance.report import (
    DOCUMENT_TITLE,
    AcceptanceReport,
    criteria_of,
    render_report_pdf,
)
from workers.processes.project_cooperation_acceptance.variables import (
    ASSESSMENT_BY,
    RECTIFICATION_BY,
    AcceptanceRound,
    AssessmentItem,
    AssessmentRow,
    AssessmentScore,
    CheckVerdictsInput,
    Failed,
    FileAssessmentInput,
    FileAssessmentOutput,
    IssueReportInput,
    IssueReportOutput,
    NextRoundInput,
    NotifyAcceptedInput,
    Passed,
    PrepareAssessmentOutput,
    PrepareInput,
    PrepareOutput,
    Project,
    RecordAssessmentInput,
    RecordRectificationInput,
    Rectification,
    RectificationItem,
    RoundState,
)
from workers.runtime.errors import EvidenceMismatch
from workers.runtime.registry import ProcessVariables
from workers.runtime.variables import from_camunda, parse_camunda_date
from workers.shared.archive import write_once
from workers.shared.delegation import Assignment, active_delegations, resolve_assignee
from workers.shared.due_dates import DueDateSettings, reminder_settings
from workers.shared.notify import Attachment, Bilingual, Notification, notify
from workers.shared.organisation.file import load
from workers.shared.organisation.lookups import department_head
from workers.shared.organisation.model import Organisation
from workers.shared.project_documents import copy_earlier_documents, keep_document, next_version
from workers.shared.reminders import reminder_topic
from workers.shared.text import rejection_message

ASSESSMENT_DATA_FOLDER = "assessments/project-cooperation"  # the periodic assessment reads it
ACCEPTANCE_TASK = "Task_CheckCriteria"
RECTIFICATION_TASK = "Task_Rectify"
ASSESSMENT_TASK = "Task_AssessDepartments"
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
PROCESS_NAME = Bilingual(zh="项目验收与考核", en="project acceptance and assessment")

# 催办: the acceptance check, the rectifications and the assessments past their due dates, each
# reminder task naming its user tasks (property remindTasks); escalated after escalateAfterReminders.
reminder_topic("cooperation-acceptance.remind", PROCESS_NAME)


# --- who did it: the engine's history --------------------------------------------------------------
def _completed_beside(task: TaskContext, user_task: str) -> tuple[str, datetime]:
    """Who completed `user_task` last in the same scope as this service task (the process, or the
    multi-instance subprocess of one department), and when, as the engine's history records it."""
    engine = task.engine
    me = engine.request("GET", f"/history/activity-instance/{task.activity_instance_id}") or {}
    done = engine.request("GET", "/history/activity-instance", params={
        "processInstanceId": task.process_instance_id, "activityId": user_task, "finished": "true",
        "sortBy": "endTime", "sortOrder": "desc"}) or []
    for activity in done:
        if activity.get("parentActivityInstanceId") == me.get("parentActivityInstanceId") and not activity.get("canceled"):
            if activity.get("assignee"):
                return activity["assignee"], parse_camunda_date(activity["endTime"])
    raise EvidenceMismatch(f"{task.process_instance_id}: no completed {user_task} with an assignee beside "
                           f"{task.activity_id} in the history; nobody is recorded as having done it")


def _assign(org: Organisation, task: TaskContext, department_id: str, avoid: set[str] = frozenset()) -> tuple[Assignment, str]:
    """The department's head, or their delegate (代理) while one is registered, unless the delegate
    belongs to a department in `avoid` (an assessor's delegate must not assess their own department)."""
    head = department_head(org, department_id)
    assignment = resolve_assignee(head.id, active_delegations(task.engine))
    delegate = org.people_by_id.get(assignment.assignee)
    if delegate is not None and delegate.department in avoid:
        assignment = Assignment(head.id, head.id)
    return assignment, assignment.note({p.id: p.name for p in org.people})


def _instance_values(task: TaskContext, prefix: str, names: list[str]) -> dict[str, Any]:
    typed = task.engine.request("GET", f"/process-instance/{task.process_instance_id}/variables",
                                params={"deserializeValues": "false"}) or {}
    missing = [prefix + n for n in names if prefix + n not in typed]
    if missing:  # every parallel task ends by writing its variable: an incident says if one did not
        raise RuntimeError(f"{task.process_instance_id}: no variable {', '.join(missing)} on the instance")
    return from_camunda({prefix + n: typed[prefix + n] for n in names})


def _business_key(task: TaskContext) -> str:
    key = task.business_key or ""
    if not _SAFE_KEY.fullmatch(key) or ".." in key:
        raise RuntimeError(f"business key {task.business_key!r} cannot name an archive folder: the root process "
                           "passes its business key to this call activity (camunda:in businessKey)")
    return key


# --- step 5: acceptance (项目验收) ----------------------------------------------------------------
@topic("cooperation-acceptance.prepare", properties=DueDateSettings)
def prepare(project: PrepareInput, due: DueDateSettings, task: TaskContext) -> PrepareOutput:
    """The initiating department's head (or their delegate) judges every criterion of the agreement:
    the policy gives acceptance to the requesting department, and its head answers for it, as they
    answer for the department's share of the agreement (the initiator may be any member of staff)."""
    org = load(Path(project.organisation_file))
    assignment, note = _assign(org, task, project.requesting_department)
    copied = copy_earlier_documents(task.engine, task.process_instance_id, project.project_documents)
    return PrepareOutput(
        acceptance_round=1, acceptance_due=due.due(), **reminder_settings(due),
        acceptance_task_name=rules.acceptance_task_name(1, project.project_name),
        acceptance_rows=rules.first_rows(project.agreement, org), acceptance_history=[], acceptance_rejection=None,
        acceptance_assignee=assignment.assignee, acceptance_delegation_note=note, copied_documents=copied)


@topic("cooperation-acceptance.check-verdicts", errors=[ACCEPTANCE_INCOMPLETE], properties=DueDateSettings)
def check_verdicts(check: CheckVerdictsInput, due: DueDateSettings, task: TaskContext) -> Passed | Failed:
    """Every criterion has a verdict and every failed one a note; then the round is recorded and each
    department responsible for a failed criterion gets a rectification task."""
    judgements, problems = rules.judge(check.agreement, check.acceptance_rows)
    if problems:
        raise BusinessRejection(ACCEPTANCE_INCOMPLETE, rejection_message(problems))
    org = load(Path(check.organisation_file))
    by, at = _completed_beside(task, ACCEPTANCE_TASK)
    history = [*check.acceptance_history, AcceptanceRound(round=check.acceptance_round, checked_by=by, checked_at=at,
                                                          judgements=judgements)]
    rows = rules.judged_rows(rules.first_rows(check.agreement, org), judgements)
    failed = rules.failed_by_department(check.agreement, judgements)
    if not failed:
        return Passed(acceptance_history=history, acceptance_rows=rows)
    items = []
    for department, criteria in failed.items():
        assignment, note = _assign(org, task, department)
        items.append(RectificationItem(
            department_id=department, department_label=rules.department_label(org, department),
            assignee=assignment.assignee, delegation_note=note,
            task_name=rules.rectification_task_name(check.acceptance_round, check.project_name),
            failed_criteria=rules.failed_criteria_text(criteria)))
    return Failed(acceptance_history=history, acceptance_rows=rows, rectification_items=items,
                  rectification_due=due.due(), **reminder_settings(due))


class RecordRectificationOutput(ProcessVariables):
    """`rectificationBy_<department>`: one name per department, so parallel completions never
    overwrite each other; next-round reads them all."""

    model_config = ConfigDict(extra="allow")
    rectification_rejection: str | None = None


@topic("cooperation-acceptance.record-rectification", errors=[RECTIFICATION_INCOMPLETE])
def record_rectification(done: RecordRectificationInput, task: TaskContext) -> RecordRectificationOutput:
    problems = rules.rectification_problems(done.rectification_report)
    if problems:
        raise BusinessRejection(RECTIFICATION_INCOMPLETE, rejection_message(problems))
    by, at = _completed_beside(task, RECTIFICATION_TASK)
    record = Rectification(round=done.acceptance_round, department=done.rectification_department, by=by, at=at,
                           report=done.rectification_report.strip())
    return RecordRectificationOutput(**{RECTIFICATION_BY + done.rectification_department: record.model_dump(
        mode="json", by_alias=True)})


@topic("cooperation-acceptance.next-round", properties=DueDateSettings)
def next_round(state: NextRoundInput, due: DueDateSettings, task: TaskContext) -> RoundState:
    """Every responsible department has reported: the round's record gets their rectifications and
    acceptance repeats, the failed criteria to be judged again."""
    departments = [item.department_id for item in state.rectification_items]
    values = _instance_values(task, RECTIFICATION_BY, departments)
    done = [Rectification.model_validate(values[RECTIFICATION_BY + d]) for d in departments]
    stale = [r.department for r in done if r.round != state.acceptance_round]
    if stale:
        raise EvidenceMismatch(f"{task.process_instance_id}: the rectification of {', '.join(stale)} is not of round "
                               f"{state.acceptance_round}")
    last = state.acceptance_history[-1].model_copy(update={"rectifications": done})
    round_ = state.acceptance_round + 1
    return RoundState(
        acceptance_round=round_, acceptance_due=due.due(), **reminder_settings(due),
        acceptance_task_name=rules.acceptance_task_name(round_, state.project_name),
        acceptance_rows=rules.next_round_rows(state.agreement, state.acceptance_rows, done, last),
        acceptance_history=[*state.acceptance_history[:-1], last], acceptance_rejection=None)


def _report(issued: IssueReportInput, task: TaskContext, org: Organisation) -> AcceptanceReport:
    departments = {d.id: f"{d.name_zh} / {d.name_en}" for d in org.departments}
    return AcceptanceReport(
        process_instance_id=task.process_instance_id, business_key=_business_key(task),
        company=org.company.label, company_time_zone=task.settings.company_time_zone,
        project_name=issued.project_name,
        requesting_department=departments.get(issued.requesting_department, issued.requesting_department),
        project_owner=_named(org, issued.project_owner),
        involved_departments=[departments.get(d, d) for d in issued.involved_departments],
        criteria=criteria_of(issued.agreement, departments), rounds=issued.acceptance_history,
        names={p.id: p.name for p in org.people}, departments=departments)


def _named(org: Organisation, person_id: str) -> str:
    person = org.people_by_id.get(person_id)
    return f"{person.name} ({person_id})" if person else person_id


@topic("cooperation-acceptance.issue-report")
def issue_report(issued: IssueReportInput, task: TaskContext) -> IssueReportOutput:
    """The 《项目验收报告》: archived write-once under the project's business key, kept as the File
    variable `doc_acceptance_report_<n>` and listed in `projectDocuments`."""
    org = load(Path(issued.organisation_file))
    report = _report(issued, task, org)
    if not report.rounds or not report.final.passed:
        raise EvidenceMismatch(f"{task.process_instance_id}: issue-report reached without a passed last round")
    entry = keep_document(task, "acceptance-report", DOCUMENT_TITLE,
                          next_version(issued.project_documents, "acceptance-report"), render_report_pdf(report))
    return IssueReportOutput(project_documents=[*issued.project_documents, entry], acceptance_report_variable=entry.variable,
                             acceptance_report_path=entry.archive_path, acceptance_rounds=len(report.rounds),
                             acceptance_result="passed")


def _involved_people(org: Organisation, project: Project) -> list[Any]:
    """Heads of the involved departments, the project owner and the initiator, each once."""
    ids = [department_head(org, d).id for d in project.involved_departments]
    ids += [project.project_owner, project.initiator or ""]
    return [org.people_by_id[i] for i in dict.fromkeys(ids) if i in org.people_by_id]


@topic("cooperation-acceptance.notify-accepted")
def notify_accepted(accepted: NotifyAcceptedInput, task: TaskContext) -> None:
    org = load(Path(accepted.organisation_file))
    pdf = (task.settings.archive_root / accepted.acceptance_report_path).read_bytes()
    name, rounds = accepted.project_name, accepted.acceptance_rounds
    notify(task, Notification(
        event_key=f"cooperation-acceptance:{task.process_instance_id}:accepted",
        recipients=_involved_people(org, accepted),
        subject=Bilingual(zh=f"项目验收通过：{name}", en=f"Project accepted: {name}"),
        body=Bilingual(zh=f"项目「{name}」经 {rounds} 轮验收，全部验收标准通过。附件是《项目验收报告》。接下来各参与部门将收到项目考核待办。",
                       en=f"Project \"{name}\" passed every acceptance criterion after {rounds} round(s). The Acceptance "
                          "Report is attached. The involved departments will next receive their project assessment to-dos."),
        attachments=[Attachment(filename=Path(accepted.acceptance_report_path).name, content=pdf,
                                mime_type="application/pdf")]))


# --- step 6: project assessment (项目考核) --------------------------------------------------------
def _pmo_departments(org: Organisation) -> list[str]:
    """The PMO role as departments: a department named in it, or the department of a person named."""
    return list(dict.fromkeys(e if e in org.departments_by_id else org.person(e).department for e in org.roles.pmo))


@topic("cooperation-acceptance.prepare-assessment", properties=DueDateSettings)
def prepare_assessment(project: Project, due: DueDateSettings, task: TaskContext) -> PrepareAssessmentOutput:
    org = load(Path(project.organisation_file))
    items = []
    for assessor, assessed in rules.assessment_plan(project.involved_departments, _pmo_departments(org)).items():
        assignment, note = _assign(org, task, assessor, avoid=set(assessed))
        items.append(AssessmentItem(
            assessor_department=assessor, assessor_department_label=rules.department_label(org, assessor),
            assignee=assignment.assignee, delegation_note=note, task_name=rules.assessment_task_name(project.project_name),
            rows=[AssessmentRow(department_id=d, department=rules.department_label(org, d)) for d in assessed]))
    return PrepareAssessmentOutput(assessment_items=items, assessment_due=due.due(), **reminder_settings(due))


class RecordAssessmentOutput(ProcessVariables):
    """`assessmentBy_<assessing department>`, one name per assessor as for rectifications."""

    model_config = ConfigDict(extra="allow")
    assessment_rejection: str | None = None


@topic("cooperation-acceptance.record-assessment", errors=[ASSESSMENT_INCOMPLETE])
def record_assessment(assessed: RecordAssessmentInput, task: TaskContext) -> RecordAssessmentOutput:
    expected = [row.department_id for row in assessed.assessment_item.rows]
    rows, problems = rules.assessment_problems(expected, assessed.assessment_rows)
    if problems:
        raise BusinessRejection(ASSESSMENT_INCOMPLETE, rejection_message(problems))
    by, at = _completed_beside(task, ASSESSMENT_TASK)
    org = load(Path(assessed.organisation_file))
    own = org.people_by_id[by].department if by in org.people_by_id else None
    if own in expected:  # reassigned to someone of an assessed department: no self-assessment is kept
        raise EvidenceMismatch(f"{task.process_instance_id}: {by} of department {own} completed an assessment of "
                               f"their own department; reassign the task to someone outside {', '.join(expected)}")
    scores = [AssessmentScore(department=r.department_id, assessor=by, assessor_department=assessed.assessor_department,
                              goal=r.goal, quality=r.quality, schedule=r.schedule, cost=r.cost, teamwork=r.teamwork,
                              comment=r.comment.strip(), assessed_at=at).model_dump(mode="json") for r in rows]
    return RecordAssessmentOutput(**{ASSESSMENT_BY + assessed.assessor_department: scores})


@topic("cooperation-acceptance.file-assessment")
def file_assessment(project: FileAssessmentInput, task: TaskContext) -> FileAssessmentOutput:
    """`assessmentScores`, the same scores as the write-once data file the periodic assessment
    reads (its schema: docs/project-cooperation-acceptance.md), and the 《项目考核汇总》 for people."""
    assessors = [item.assessor_department for item in project.assessment_items]
    values = _instance_values(task, ASSESSMENT_BY, assessors)
    scores = [AssessmentScore.model_validate(s) for a in assessors for s in values[ASSESSMENT_BY + a]]
    key = _business_key(task)
    relative = f"{ASSESSMENT_DATA_FOLDER}/{key}.json"
    data = {"schema": "crossdept.project-assessment/1", "process": "project-cooperation", "business_key": key,
            "project_name": project.project_name, "acceptance_instance_id": task.process_instance_id,
            "involved_departments": project.involved_departments,
            "scores": [s.model_dump(mode="json") for s in scores]}
    write_once(task.settings.archive_root / relative,
               (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode())
    org = load(Path(project.organisation_file))
    summary = AssessmentSummary(
        business_key=key, company=org.company.label, company_time_zone=task.settings.company_time_zone,
        project_name=project.project_name, departments=project.involved_departments,
        department_names={d.id: f"{d.name_zh} / {d.name_en}" for d in org.departments},
        names={p.id: p.name for p in org.people}, scores=scores)
    entry = keep_document(task, "assessment", ASSESSMENT_TITLE, next_version(project.project_documents, "assessment"),
                          render_assessment_pdf(summary))
    return FileAssessmentOutput(assessment_scores=scores, assessment_data_path=relative,
                                project_documents=[*project.project_documents, entry])
