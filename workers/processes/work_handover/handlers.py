"""Process `work-handover` (工作交接, policy §3.2): one handler per service task of
bpmn/work-handover.bpmn; docs/work-handover.md describes the steps and variables.

The rules live beside it (rules, checklist, pdf; the calendar and archive in workers/shared), the
topics' input and output models in `variables`; this module asks the engine what it must and says
what goes back into the process.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from workers import BusinessRejection, TaskContext, TaskProperties, topic
from workers.runtime import clock
from workers.runtime.errors import EvidenceMismatch
from workers.processes.work_handover import evidence, rules
from workers.processes.work_handover.labels import NOTICE
from workers.shared.archive import ArchiveRecord
from workers.processes.work_handover.checklist import (
    ChecklistItem,
    CopyHolder,
    HandoverReason,
    ItemCategory,
    Party,
    Signature,
    SIGNATURE_STATEMENT,
    SignatureRole,
    archive_triplicate,
)
from workers.processes.work_handover.document import NamedDepartment, WorkHandoverChecklist
from workers.processes.work_handover.variables import (
    ArchiveChecklistInput,
    ArchiveChecklistOutput,
    CheckChecklistInput,
    CheckChecklistOutput,
    CheckNoticeInput,
    CheckNoticeOutput,
    CheckSupervisorDecisionInput,
    CheckSupervisorDecisionOutput,
    CollectOpenWorkInput,
    CollectOpenWorkOutput,
    Deadlines,
    NotifyNoticeInput,
    ReassignOpenTasksInput,
    ReassignOpenTasksOutput,
    RecordSendBackInput,
    RecordSignaturesInput,
    RecordSignaturesOutput,
    RecordVerificationInput,
    RemindInput,
    RemindOutput,
    ResolvePartiesInput,
    ResolvePartiesOutput,
    ReturnedBy,
    ReturnedByReceiver,
    ReturnedRound,
    ReturnedToGiver,
    Rounds,
    SendCopiesInput,
    SendCopiesOutput,
    SkippedTask,
    VerifiedOutput,
)
from workers.processes.work_handover.pdf import render_checklist_pdf
from workers.shared.calendar import WorkingCalendar, load_calendar
from workers.shared.notify import Attachment, Bilingual, Notification, notify
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.shared.history import initiator_of, started_by
from workers.shared.organisation.lookups import (
    department_head,
    head_of,
    lowest_common_superior,
    role_members,
    superior_chain,
)
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.organisation.model import Organisation, Person
from workers.shared.properties import ClockTime, ElementId, LocalPath, TimeZone, parse_time_zone
from workers.shared.reminders import remind_open_tasks
from workers.shared.text import rejection_message

HANDOVER_INVALID = "HANDOVER_INVALID"
NOTICE_TOO_SHORT = "NOTICE_TOO_SHORT"
CHECKLIST_INCOMPLETE = "CHECKLIST_INCOMPLETE"
VERIFICATION_INCOMPLETE = "VERIFICATION_INCOMPLETE"
SUPERVISOR_UNDECIDED = "SUPERVISOR_UNDECIDED"
ARCHIVE_FOLDER = "work-handover"  # under the archive root
PROCESS_NAME = Bilingual(zh="工作交接", en="hand-over")


# --- step 1: advance notice ----------------------------------------------------------------------
@topic("handover.resolve-parties", errors=[HANDOVER_INVALID], properties=OrganisationFile)
def resolve_parties(notice: ResolvePartiesInput, properties: OrganisationFile, task: TaskContext) -> ResolvePartiesOutput:
    typed = rules.notice_text_problems(notice)
    if typed:
        raise BusinessRejection(HANDOVER_INVALID, rejection_message(typed))  # each line names its field
    path = properties.organisation_file
    org = load(path)
    problems: list[str] = []

    def person(field: str, user_id: str | None):
        if not user_id or not user_id.strip():
            problems.append(f"{NOTICE[field]}: 必填 / is required")
            return None
        try:
            return org.person(user_id.strip())
        except KeyError:
            problems.append(f"{NOTICE[field]}: 没有用户 {user_id!r} / no person with user id {user_id!r}")
            return None

    giver = person("giverId", notice.giver_id)
    receiver = person("receiverId", notice.receiver_id)
    department = None
    if not notice.receiving_department_id:
        problems.append(f"{NOTICE['receivingDepartmentId']}: 必填 / is required")
    else:
        try:
            department = org.department(notice.receiving_department_id.strip())
        except KeyError:
            known = ", ".join(d.id for d in org.departments)
            problems.append(f"{NOTICE['receivingDepartmentId']}: 没有部门 {notice.receiving_department_id!r} / "
                            f"no department {notice.receiving_department_id!r} (known: {known})")
    if giver and receiver and giver.id == receiver.id:
        problems.append(f"{NOTICE['receiverId']}: 接收人不能是交出人本人 / the receiver must be someone else than the giver")
    if receiver and department and receiver.department != department.id:
        problems.append(f"{NOTICE['receiverId']}: {receiver.name} 不在接收部门 {department.name_zh} / "
                        f"{receiver.name} is not in the receiving department {department.name_en}")
    try:
        reason = HandoverReason(notice.reason)
    except ValueError:
        reason = None
        problems.append(f"{NOTICE['reason']}: 请选择交接原因 / choose a reason")
    planned = _parse_date(notice.planned_date, NOTICE["plannedDate"], problems)
    initiator = _announced_by(notice.initiator, task)
    if giver and not (initiator and _may_announce(org, initiator, giver.id)):
        problems.append(f"交接预告发起人 / Who gave notice: {initiator or '(unknown)'} 不是 {giver.name} 的部门负责人或上级 / "
                        f"is neither {giver.name}'s department head nor a superior")
    supervisor = None
    if giver and receiver and giver.id != receiver.id:
        supervisor = lowest_common_superior(org, giver.id, receiver.id)
        if supervisor is None:
            problems.append(f"{NOTICE['receiverId']}: 交出人与接收人没有共同上级担任监交人 / giver and receiver have no common "
                            "superior to supervise the hand-over")
    if problems:
        raise BusinessRejection(HANDOVER_INVALID, "\n".join(problems), field=problems[0].split(":")[0])
    assert giver and receiver and department and reason and planned and supervisor

    names = {p.id: p.name for p in org.people}
    assignment = resolve_assignee(supervisor.id, active_delegations(task.engine))
    supervisor_id = assignment.assignee
    if supervisor_id in (giver.id, receiver.id):  # a delegate cannot supervise their own hand-over
        supervisor_id = supervisor.id
    return ResolvePartiesOutput(
        organisation_file=str(path),
        giver_id=giver.id, giver_name=giver.name, giver_department_id=giver.department,
        giver_post_level=giver.post_level, giver_head_id=head_of(org, giver.id).id,
        receiver_id=receiver.id, receiver_name=receiver.name,
        receiving_department_id=department.id, receiving_department_label=department.label,
        receiving_head_id=department_head(org, department.id).id,
        supervisor_id=supervisor_id, supervisor_name=names[supervisor_id],
        supervisor_note=assignment.note(names) if supervisor_id == assignment.assignee else "",
        reason_label=reason.label, planned_date=planned,
        rejection_message=None,
    )


def _announced_by(named: str | None, task: TaskContext) -> str | None:
    """Who gave the notice: the instance's start user as the engine recorded it, never the `initiator`
    variable, except for the operator account (CROSSDEPT_ADMIN_USER) entering a notice given on paper
    for the head it names. Only administrators may start with start instructions or skip listeners
    (the engine's enforcement), so nobody else can name someone."""
    return initiator_of(started_by(task), named, task.settings.admin_user)


def _parse_date(value: str | None, field: str, problems: list[str]) -> date | None:
    if not value or not str(value).strip():
        problems.append(f"{field}: 日期必填 / is required")
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        problems.append(f"{field}: {value!r} 不是日期，如 2026-12-03 / is not a date like 2026-12-03")
        return None


def _may_announce(org: Organisation, initiator: str, giver_id: str) -> bool:
    """The giver's department head, anyone above the giver, or company leadership (policy §3.2 step 1)."""
    allowed = {head_of(org, giver_id).id} | {p.id for p in superior_chain(org, giver_id)}
    allowed |= {p.id for p in role_members(org, "leadership")}
    return initiator in allowed


class NoticeSettings(TaskProperties):
    time_zone: TimeZone = Field(examples=["Asia/Shanghai"])  # the company's: notice days and deadlines
    deadline_time: ClockTime = Field(examples=["18:00"])  # a deadline ends at this time of its day
    calendar_file: LocalPath = Field(examples=["org/company-calendar.yaml"])  # the company's calendar entries


@topic("handover.check-notice", errors=[NOTICE_TOO_SHORT], properties=NoticeSettings)
def check_notice(check: CheckNoticeInput, properties: NoticeSettings, task: TaskContext) -> CheckNoticeOutput:
    policy = check.handover_policy
    if not policy:  # a gap in the decision table is the process owner's to fix: an incident says so
        raise RuntimeError(f"decision handover-policy has no rule for reason {check.reason!r} and post level "
                           f"{check.giver_post_level}: add one in dmn/handover-policy.dmn and redeploy")
    zone = properties.time_zone
    calendar_file = properties.calendar_file.resolve()
    calendar = load_calendar(calendar_file)
    required = policy.notice_working_days
    notice_day = check.notice_submitted_at.astimezone(zone).date()
    if check.planned_date < notice_day:
        raise BusinessRejection(NOTICE_TOO_SHORT, f"{check.planned_date} 早于预告日期 {notice_day} / "
                                f"is before the notice date {notice_day}", field=NOTICE["plannedDate"],
                                variables={"earliestCompliantDate": None, "calendarNotice": None})
    given = calendar.working_days_between(notice_day, check.planned_date)
    if given < required:
        raise _too_short(calendar, notice_day, check.planned_date, given, required)
    provisional = calendar.provisional_notice(notice_day, check.planned_date)
    if provisional:
        _tell_initiator(check, task, provisional, notice_day, given, required)
    ends_at = properties.deadline_time
    return CheckNoticeOutput(
        **policy.model_dump(), notice_date=notice_day, notice_working_days_given=given,
        company_time_zone=str(zone), deadline_time=ends_at.isoformat("minutes"),
        preparation_due=calendar.deadline(clock.now(), policy.preparation_days, zone, ends_at),
        calendar_file=str(calendar_file), calendar_notice=provisional.line() if provisional else None,
        rejection_message=None, earliest_compliant_date=None,
    )


def _too_short(calendar: WorkingCalendar, notice_day: date, planned: date, given: int,
               required: int) -> BusinessRejection:
    earliest = calendar.earliest_compliant_date(notice_day, required)
    provisional = calendar.provisional_notice(notice_day, max(planned, earliest))
    message = (f"提前通知不足：预告日 {notice_day} 至计划交接日 {planned} 只有 {given} 个工作日，制度要求 {required} 个；"
               f"最早合规交接日期 {earliest}。 / Notice too short: {given} working days from the notice on "
               f"{notice_day} to the planned hand-over on {planned}, the policy requires {required}; the earliest "
               f"compliant hand-over date is {earliest}.")
    return BusinessRejection(NOTICE_TOO_SHORT, message, field=NOTICE["plannedDate"], variables={
        "earliestCompliantDate": earliest.isoformat(),
        "calendarNotice": provisional.line() if provisional else None})


def _tell_initiator(check: CheckNoticeInput, task: TaskContext, provisional: Bilingual, notice_day: date,
                    given: int, required: int) -> None:
    """A notice that passed on a provisional count leaves the initiator no task to read it on: they get
    a message instead (once per notice and planned date)."""
    org = load(Path(check.organisation_file))
    initiator = _announced_by(check.initiator, task)
    if initiator not in org.people_by_id:  # an operator starting it over REST is not staff
        return
    who = f"{check.giver_name} → {check.receiver_name}"
    notify(task, Notification(
        event_key=f"handover:{task.process_instance_id}:provisional-count:{notice_day}:{check.planned_date}",
        recipients=[_recipient(org, initiator)],
        subject=Bilingual(zh=f"交接预告按暂定日历核对：{who}", en=f"Hand-over notice checked by a provisional calendar: {who}"),
        body=Bilingual(
            zh=f"预告日 {notice_day} 至计划交接日 {check.planned_date} 有 {given} 个工作日，制度要求 {required} 个，"
               f"提前通知已通过。\n{provisional.zh}",
            en=f"{given} working days from the notice on {notice_day} to the planned hand-over on "
               f"{check.planned_date}; the policy requires {required}, so the notice was accepted.\n{provisional.en}")))




@topic("handover.collect-open-work")
def collect_open_work(giver: CollectOpenWorkInput, task: TaskContext) -> CollectOpenWorkOutput:
    """The checklist pre-filled with what the engine knows the giver still holds."""
    engine = task.engine
    tasks = engine.request("GET", "/task", params={"assignee": giver.giver_id, "active": "true",
                                                    "sortBy": "created", "sortOrder": "asc"}) or []
    tasks = [t for t in tasks if t.get("processInstanceId") != task.process_instance_id]
    definitions = _definition_names(engine, {t["processDefinitionId"] for t in tasks if t.get("processDefinitionId")})
    rows = [ChecklistItem(
        category=ItemCategory.UNFINISHED_TASKS,
        description=f"{t['name']}（{definitions.get(t.get('processDefinitionId'), '')}）",
        location="待办任务列表「我的待办」 / Tasklist, My tasks",  # the task's id is in camunda_task_id
        camunda_task_id=t["id"],
    ) for t in tasks]
    started = engine.request("GET", "/history/process-instance", params={
        "startedBy": giver.giver_id, "unfinished": "true", "sortBy": "startTime", "sortOrder": "asc"}) or []
    rows += [ChecklistItem(
        category=ItemCategory.PENDING_ITEMS,
        description=f"进行中的流程 / Running process: {p.get('processDefinitionName') or p['processDefinitionKey']}"
                    + (f" ({p['businessKey']})" if p.get("businessKey") else "")
                    + (f"，发起于 / started {p['startTime'][:10]}" if p.get("startTime") else ""),
        location="待办任务列表「我发起的」 / Tasklist, Started by me",
    ) for p in started if p["id"] != task.process_instance_id]
    return CollectOpenWorkOutput(checklist_items=rows, handover_round=1, handover_rounds=[], open_questions=None)


def _definition_names(engine: Any, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    found = engine.request("GET", "/process-definition", params={"processDefinitionIdIn": ",".join(sorted(ids))}) or []
    return {d["id"]: d.get("name") or d["key"] for d in found}


@topic("handover.notify-notice")
def notify_notice(notice: NotifyNoticeInput, task: TaskContext) -> None:
    """The receiving department head, the giver and the receiver learn of the hand-over. The giver's
    checklist task is announced, with its link, by the to-do watcher like every task (the checklist
    task arrives in parallel with this step, so this message cannot be sure to find it): one message
    per to-do, and the notice says only what is coming."""
    org = load(Path(notice.organisation_file))
    giver, receiver = org.person(notice.giver_id), org.person(notice.receiver_id)
    facts_zh = (f"{giver.name} 将于 {notice.planned_date} 向 {receiver.name}（{notice.receiving_department_label}）"
                f"交接工作，原因：{notice.reason_label}，监交人：{org.person(notice.supervisor_id).name}。")
    facts_en = (f"{giver.name} hands over their work to {receiver.name} ({notice.receiving_department_label}) on "
                f"{notice.planned_date}; reason: {notice.reason_label}; supervisor: {org.person(notice.supervisor_id).name}.")
    if notice.arrangements:
        facts_zh += f"\n安排：{notice.arrangements}"
        facts_en += f"\nArrangements: {notice.arrangements}"
    key = f"handover:{task.process_instance_id}:notice"
    notify(task, Notification(
        event_key=f"{key}:receiving-head", recipients=[_recipient(org, notice.receiving_head_id)],
        subject=Bilingual(zh=f"交接预告：{giver.name} → {receiver.name}", en=f"Hand-over notice: {giver.name} → {receiver.name}"),
        body=Bilingual(zh=facts_zh, en=facts_en)))
    notify(task, Notification(
        event_key=f"{key}:giver", recipients=[_recipient(org, giver.id)],
        subject=Bilingual(zh=f"交接预告：请准备向 {receiver.name} 交接工作", en=f"Hand-over notice: prepare to hand over to {receiver.name}"),
        body=Bilingual(zh=facts_zh + "\n《工作交接清单》已列入您的待办，另有待办通知附办理链接。",
                       en=facts_en + "\nThe Work Hand-over Checklist is in your to-dos; its to-do message links to it.")))
    notify(task, Notification(
        event_key=f"{key}:receiver", recipients=[_recipient(org, receiver.id)],
        subject=Bilingual(zh=f"交接预告：{giver.name} 将向您交接工作", en=f"Hand-over notice: {giver.name} hands over to you"),
        body=Bilingual(zh=facts_zh, en=facts_en)))


def _recipient(org: Organisation, person_id: str) -> Person:
    return org.person(person_id)


# --- step 2: preparation -------------------------------------------------------------------------
def _due(deadlines: Deadlines, working_days: int, not_before: date | None = None) -> datetime:
    """The end of the `working_days`-th working day from now, or from `not_before` while that day is
    still ahead: a step that follows the hand-over itself is due after the planned date, never before."""
    zone = parse_time_zone(deadlines.company_time_zone)
    ends_at = rules.parse_clock(deadlines.deadline_time, "deadlineTime")
    calendar = load_calendar(Path(deadlines.calendar_file) if deadlines.calendar_file else None)
    start = clock.now()
    if not_before is not None and start.astimezone(zone).date() < not_before:
        start = datetime.combine(not_before, ends_at, tzinfo=zone)
    return calendar.deadline(start, working_days, zone, ends_at)


@topic("handover.check-checklist", errors=[CHECKLIST_INCOMPLETE])
def check_checklist(submitted: CheckChecklistInput) -> CheckChecklistOutput:
    """The list complete and each of the receiver's questions answered; the receiver then sees which
    rows changed, the questions with their answers, and keeps the verdicts of rows left as they were.
    The hand-over is carried out on the planned date, so verifying it is due from then."""
    asked = rules.open_questions(submitted.handover_rounds)
    problems = rules.checklist_problems(submitted.checklist_items) + rules.answer_problems(asked, submitted.question_answers)
    if problems:
        raise BusinessRejection(CHECKLIST_INCOMPLETE, rejection_message(problems))
    rows = [ChecklistItem.model_validate(row) for row in submitted.checklist_items]  # complete, so valid
    rounds = rules.answered(submitted.handover_rounds, submitted.question_answers or [])
    answers = next((r.questions for r in reversed(rounds) if r.returned_by is ReturnedBy.RECEIVER), None)
    return CheckChecklistOutput(
        verification_items=rules.verification_rows(rows, submitted.verification_items, answers),
        verification_due=_due(submitted, submitted.verification_days, submitted.planned_date),
        handover_rounds=rounds, question_answers=[], conversation=rules.conversation(rounds), checklist_rejection=None)


# --- step 3: verification ------------------------------------------------------------------------
def _returned(rounds: Rounds, record: ReturnedRound) -> dict[str, Any]:
    """The variables that send the checklist back to the giver for another round, saying why."""
    history = [*rounds.handover_rounds, record]
    return dict(handover_rounds=history, handover_round=rounds.handover_round + 1,
                preparation_due=_due(rounds, rounds.preparation_days),
                has_questions=record.returned_by is ReturnedBy.RECEIVER,
                open_questions=rules.returned_because(record), conversation=rules.conversation(history),
                question_answers=record.questions or [])


def _round(rounds: Rounds, by: ReturnedBy, name: str, **what: Any) -> ReturnedRound:
    return ReturnedRound(round=rounds.handover_round, returned_by=by, returned_by_name=name,
                         at=clock.now().replace(microsecond=0), **what)


@topic("handover.record-verification", errors=[VERIFICATION_INCOMPLETE])
def record_verification(verified: RecordVerificationInput) -> ReturnedByReceiver | VerifiedOutput:
    """The receiver's verdicts: a question sends the list back to the giver, who answers it; none
    goes on to the signatures, due after the planned date (signing confirms the hand-over done)."""
    result = rules.verify(verified.checklist_items, verified.verification_items)
    if result.problems:
        raise BusinessRejection(VERIFICATION_INCOMPLETE, rejection_message(result.problems))
    judged = rules.judged_rows(verified.checklist_items, verified.verification_items)
    if result.questions:
        record = _round(verified, ReturnedBy.RECEIVER, verified.receiver_name, questions=result.questions)
        return ReturnedByReceiver(**_returned(verified, record), verification_items=judged)
    return VerifiedOutput(checklist_summary=rules.summary(verified.checklist_items), verification_items=judged,
                          confirmation_due=_due(verified, verified.confirmation_days, verified.planned_date))


# --- step 4: confirmation ------------------------------------------------------------------------
@topic("handover.check-supervisor-decision", errors=[SUPERVISOR_UNDECIDED])
def check_supervisor_decision(decision: CheckSupervisorDecisionInput) -> CheckSupervisorDecisionOutput:
    """The supervisor decides explicitly; a form completed without a verdict, a send-back without its
    reason or a signature not confirmed goes back to them saying which field."""
    problems = rules.supervisor_decision_problems(decision.supervisor_verdict, decision.send_back_reason,
                                                  decision.supervisor_confirmed)
    if problems:
        raise BusinessRejection(SUPERVISOR_UNDECIDED, rejection_message(problems))
    return CheckSupervisorDecisionOutput(supervisor_rejection=None)


@topic("handover.record-sendback")
def record_sendback(sent_back: RecordSendBackInput) -> ReturnedToGiver:
    record = _round(sent_back, ReturnedBy.SUPERVISOR, sent_back.supervisor_name,
                    reason=sent_back.send_back_reason.strip())
    return ReturnedToGiver(**_returned(sent_back, record))


class SigningTasks(TaskProperties):
    """The user task each party completes to sign, keyed by `SignatureRole` value."""

    giver_task: ElementId = Field(examples=["Task_GiverSigns"])
    receiver_task: ElementId = Field(examples=["Task_ReceiverSigns"])
    supervisor_task: ElementId = Field(examples=["Task_SupervisorConfirms"])


@topic("handover.record-signatures", properties=SigningTasks)
def record_signatures(signers: RecordSignaturesInput, properties: SigningTasks, task: TaskContext) -> RecordSignaturesOutput:
    """Who signed when, as the engine recorded the completion of each signing task (not as a form says),
    once the history shows the checks passed in order and each signing task completed by its party."""
    evidence.verified_parties(evidence.load_trail(task.engine, task.process_instance_id), "Task_RecordSignatures")
    org = load(Path(signers.organisation_file))
    by_role = {role: getattr(properties, f"{role.value}_task") for role in SignatureRole}
    names = {p.id: p.name for p in org.people}  # someone outside it (an operator) keeps their id
    unconfirmed = [role.value for role in SignatureRole if getattr(signers, f"{role.value}_confirmed") is not True]
    if unconfirmed:  # the form requires it: a completion without it came past Tasklist
        raise EvidenceMismatch(f"{task.process_instance_id}: the {', '.join(unconfirmed)} completed their signing "
                               f"task without ticking {SIGNATURE_STATEMENT!r}; no signature is assumed")
    signatures = []
    for role, activity in by_role.items():
        done = task.engine.request("GET", "/history/task", params={
            "processInstanceId": task.process_instance_id, "taskDefinitionKey": activity, "finished": "true",
            "sortBy": "endTime", "sortOrder": "desc"}) or []
        completed = [t for t in done if t.get("deleteReason") == "completed"]
        if not completed:
            raise RuntimeError(f"no completed task {activity} for the {role.value}'s signature in the history")
        latest = completed[0]
        signer = Party(id=latest["assignee"], name=names.get(latest["assignee"], latest["assignee"]))
        signatures.append(Signature(signed_by=signer, role=role, statement=SIGNATURE_STATEMENT,
                                    signed_at=datetime.fromisoformat(latest["endTime"])))
    return RecordSignaturesOutput(signatures=signatures)


# --- step 5: archiving ---------------------------------------------------------------------------
def _checklist(signed: ArchiveChecklistInput, process_instance_id: str) -> WorkHandoverChecklist:
    org = load(Path(signed.organisation_file))
    return WorkHandoverChecklist(
        process_instance_id=process_instance_id, company=org.company.label,
        company_time_zone=signed.company_time_zone,
        giver=Party(id=signed.giver_id, name=signed.giver_name),
        giver_department=_named_department(org, signed.giver_department_id),
        receiver=Party(id=signed.receiver_id, name=signed.receiver_name),
        receiving_department=_named_department(org, signed.receiving_department_id),
        supervisor=Party(id=signed.supervisor_id, name=signed.supervisor_name),
        reason=signed.reason, notice_date=signed.notice_date, planned_date=signed.planned_date,
        arrangements=signed.arrangements, items=signed.checklist_items, rounds=signed.handover_rounds,
        signatures=signed.signatures)


def _named_department(org: Organisation, department_id: str) -> NamedDepartment:
    """As the organisation names it now; one dropped since the notice keeps its id, so the record
    is still filed (as a signer outside the organisation keeps theirs)."""
    department = org.departments_by_id.get(department_id)
    name = f"{department.name_zh} / {department.name_en}" if department else department_id
    return NamedDepartment(id=department_id, name=name)


@topic("handover.archive-checklist")
def archive_checklist(signed: ArchiveChecklistInput, task: TaskContext) -> ArchiveChecklistOutput:
    trail = evidence.load_trail(task.engine, task.process_instance_id)
    evidence.verified_parties(trail, "Task_ArchiveChecklist")
    trail.written_by("signatures", "Task_RecordSignatures")  # the record names who the engine says signed
    checklist = _checklist(signed, task.process_instance_id)
    root = task.settings.archive_root / ARCHIVE_FOLDER
    record = archive_triplicate(root, checklist, render_checklist_pdf(checklist))
    return ArchiveChecklistOutput(archive_folder=str(root / record.process_instance_id),
                                  content_sha256=record.content_sha256)


@topic("handover.send-copies")
def send_copies(archived: SendCopiesInput, task: TaskContext) -> SendCopiesOutput:
    """Each of giver and receiver gets their own copy (一式三份) attached; the supervisor, who vouched
    for it, gets the archive's copy (the third one is filed, not theirs to keep, so they receive the
    filed one, and no fourth copy is made)."""
    org = load(Path(archived.organisation_file))
    folder = Path(archived.archive_folder)
    record = ArchiveRecord.model_validate_json((folder / "record.json").read_bytes())
    sent = []
    for holder, person_id in ((CopyHolder.GIVER, archived.giver_id), (CopyHolder.RECEIVER, archived.receiver_id),
                              (CopyHolder.ARCHIVE, archived.supervisor_id)):
        copy = record.copy_path(folder.parent, holder)
        whose_zh, whose_en = ("存档的一份", "the archived copy") if holder is CopyHolder.ARCHIVE else ("您的一份", "your copy")
        notify(task, Notification(
            event_key=f"handover:{task.process_instance_id}:copy:{holder.value}",
            recipients=[_recipient(org, person_id)],
            subject=Bilingual(zh=f"工作交接清单（{archived.giver_name} → {archived.receiver_name}）已签字归档",
                              en=f"Work hand-over checklist ({archived.giver_name} → {archived.receiver_name}) signed and archived"),
            body=Bilingual(zh=f"附件是{whose_zh}已签字《工作交接清单》。内容 SHA-256：{record.content_sha256}",
                           en=f"Attached is {whose_en} of the signed Work Hand-over Checklist. Content SHA-256: {record.content_sha256}"),
            attachments=[Attachment(filename=copy.name, content=copy.read_bytes(), mime_type="application/pdf")]))
        sent.append(person_id)
    return SendCopiesOutput(copies_sent=sent)


@topic("handover.reassign-open-tasks")
def reassign_open_tasks(work: ReassignOpenTasksInput, task: TaskContext) -> ReassignOpenTasksOutput:
    """The giver's open tasks listed in the checklist go to the receiver, each with a comment saying why.
    A task finished or reassigned meanwhile is left as it is and reported, and so is a row whose task
    collect-open-work did not list as the giver's: only the giver's own open tasks are ever moved."""
    engine = task.engine
    trail = evidence.load_trail(engine, task.process_instance_id)
    parties = evidence.verified_parties(trail, "Task_ReassignOpenTasks")
    giver_id, receiver_id = parties["giverId"], parties["receiverId"]
    collected = {row.get("camundaTaskId") for row in
                 trail.last_written_by("checklistItems", evidence.COLLECT_OPEN_WORK) or []} - {None}
    reassigned: list[str] = []
    skipped: list[SkippedTask] = []
    comment = (f"工作交接（流程 {task.process_instance_id}）：由 {work.giver_name} 移交给 {work.receiver_name}。 / "
               f"Work hand-over (process {task.process_instance_id}): moved from {work.giver_name} to {work.receiver_name}.")
    for row in work.checklist_items:
        task_id = row.camunda_task_id
        if not task_id:
            continue
        if task_id not in collected:
            skipped.append(SkippedTask(task_id=task_id, why="not one of the giver's open tasks collect-open-work listed"))
            continue
        found = engine.request("GET", "/task", params={"taskId": task_id}) or []
        if not found:
            skipped.append(SkippedTask(task_id=task_id, why="no longer open"))
            continue
        if found[0].get("assignee") not in (giver_id, receiver_id):  # the receiver's: moved before a retry
            skipped.append(SkippedTask(task_id=task_id, why=f"now assigned to {found[0].get('assignee')}"))
            continue
        # Comment first, then assign: each once, so a retry after a crash finishes without repeating.
        task.once(f"comment:{task_id}", lambda: engine.request(
            "POST", f"/task/{task_id}/comment/create", json={"message": comment}) and None)
        task.once(f"assign:{task_id}", lambda: engine.request(
            "POST", f"/task/{task_id}/assignee", json={"userId": receiver_id}) and None)
        reassigned.append(task_id)
    return ReassignOpenTasksOutput(reassigned_tasks=reassigned, skipped_tasks=skipped)


# --- reminders -----------------------------------------------------------------------------------
@topic("handover.remind")
def remind(state: RemindInput, task: TaskContext) -> RemindOutput:
    """Everyone with an open task of this hand-over past its deadline is reminded (催办), and escalated
    after `escalateAfterReminders` reminders (workers.shared.reminders)."""
    sent = remind_open_tasks(task, load(Path(state.organisation_file)), PROCESS_NAME,
                             escalate_after=state.escalate_after_reminders, sent=state.reminders_sent)
    return RemindOutput(reminders_sent=sent)
