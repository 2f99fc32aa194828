"""Process `work-handover` (工作交接, policy §3.2): one handler per service task of
bpmn/work-handover.bpmn; docs/work-handover.md describes the steps and variables.

The rules live in workers/handover (calendar, checklist, PDF, archive, rules); this module reads the
variables, asks the engine what it must, and says what goes back into the process.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from workers import BusinessRejection, ProcessVariables, TaskContext, TaskProperties, topic
from workers.runtime import clock
from workers.processes.work_handover import rules
from workers.shared.archive import ArchiveRecord
from workers.processes.work_handover.checklist import (
    ChecklistItem,
    CopyHolder,
    HandoverReason,
    Party,
    Signature,
    SignatureRole,
    WorkHandoverChecklist,
    archive_triplicate,
)
from workers.processes.work_handover.pdf import render_checklist_pdf
from workers.shared.calendar import WorkingCalendar, load_calendar
from workers.shared.notify import Attachment, Bilingual, Notification, notify
from workers.shared.delegation import active_delegations, resolve_assignee
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

HANDOVER_INVALID = "HANDOVER_INVALID"
NOTICE_TOO_SHORT = "NOTICE_TOO_SHORT"
CHECKLIST_INCOMPLETE = "CHECKLIST_INCOMPLETE"
VERIFICATION_INCOMPLETE = "VERIFICATION_INCOMPLETE"
ARCHIVE_FOLDER = "work-handover"  # under the archive root
PROCESS_NAME = Bilingual(zh="工作交接", en="hand-over")


# --- step 1: advance notice ----------------------------------------------------------------------
class Notice(ProcessVariables):
    giver_id: str | None = None
    receiver_id: str | None = None
    receiving_department_id: str | None = None
    reason: str | None = None
    planned_date: str | None = None
    initiator: str | None = None


@topic("handover.resolve-parties", errors=[HANDOVER_INVALID], properties=OrganisationFile)
def resolve_parties(notice: Notice, properties: OrganisationFile, task: TaskContext) -> dict:
    path = properties.organisation_file
    org = load(path)
    problems: list[str] = []

    def person(field: str, user_id: str | None, label: str):
        if not user_id or not user_id.strip():
            problems.append(f"{field}: {label}必填 / is required")
            return None
        try:
            return org.person(user_id.strip())
        except KeyError:
            problems.append(f"{field}: 没有用户 {user_id!r} / no person with user id {user_id!r}")
            return None

    giver = person("giverId", notice.giver_id, "交出人")
    receiver = person("receiverId", notice.receiver_id, "接收人")
    department = None
    if not notice.receiving_department_id:
        problems.append("receivingDepartmentId: 接收部门必填 / is required")
    else:
        try:
            department = org.department(notice.receiving_department_id.strip())
        except KeyError:
            known = ", ".join(d.id for d in org.departments)
            problems.append(f"receivingDepartmentId: 没有部门 {notice.receiving_department_id!r} / "
                            f"no department {notice.receiving_department_id!r} (known: {known})")
    if giver and receiver and giver.id == receiver.id:
        problems.append("receiverId: 接收人不能是交出人本人 / the receiver must be someone else than the giver")
    if receiver and department and receiver.department != department.id:
        problems.append(f"receiverId: {receiver.name} 不在接收部门 {department.name_zh} / "
                        f"{receiver.name} is not in the receiving department {department.name_en}")
    try:
        reason = HandoverReason(notice.reason)
    except ValueError:
        reason = None
        problems.append("reason: 请选择交接原因 / choose postChange, resignation or projectEnd")
    planned = _parse_date(notice.planned_date, "plannedDate", problems)
    if giver and notice.initiator and not _may_announce(org, notice.initiator, giver.id):
        problems.append(f"initiator: {notice.initiator} 不是 {giver.name} 的部门负责人或上级 / "
                        f"is neither {giver.name}'s department head nor a superior")
    supervisor = None
    if giver and receiver and giver.id != receiver.id:
        supervisor = lowest_common_superior(org, giver.id, receiver.id)
        if supervisor is None:
            problems.append("receiverId: 交出人与接收人没有共同上级担任监交人 / giver and receiver have no common "
                            "superior to supervise the hand-over")
    if problems:
        raise BusinessRejection(HANDOVER_INVALID, "\n".join(problems), field=problems[0].split(":")[0])
    assert giver and receiver and department and reason and planned and supervisor

    names = {p.id: p.name for p in org.people}
    assignment = resolve_assignee(supervisor.id, active_delegations(task.engine))
    supervisor_id = assignment.assignee
    if supervisor_id in (giver.id, receiver.id):  # a delegate cannot supervise their own hand-over
        supervisor_id = supervisor.id
    return {
        "organisationFile": str(path),
        "giverId": giver.id, "giverName": giver.name, "giverDepartmentId": giver.department,
        "giverPostLevel": giver.post_level, "giverHeadId": head_of(org, giver.id).id,
        "receiverId": receiver.id, "receiverName": receiver.name,
        "receivingDepartmentId": department.id, "receivingDepartmentLabel": department.label,
        "receivingHeadId": department_head(org, department.id).id,
        "supervisorId": supervisor_id, "supervisorName": names[supervisor_id],
        "supervisorNote": assignment.note(names) if supervisor_id == assignment.assignee else "",
        "reasonLabel": reason.label, "plannedDate": planned.isoformat(),
        "rejectionMessage": None,
    }


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


class NoticeCheck(ProcessVariables):
    planned_date: date
    notice_submitted_at: datetime
    reason: str
    giver_post_level: int
    handover_policy: dict[str, Any] | None = None
    organisation_file: str
    initiator: str | None = None
    giver_name: str | None = None
    receiver_name: str | None = None


class NoticeSettings(TaskProperties):
    time_zone: TimeZone = Field(examples=["Asia/Shanghai"])  # the company's: notice days and deadlines
    deadline_time: ClockTime = Field(examples=["18:00"])  # a deadline ends at this time of its day
    calendar_file: LocalPath = Field(examples=["org/company-calendar.yaml"])  # the company's calendar entries


@topic("handover.check-notice", errors=[NOTICE_TOO_SHORT], properties=NoticeSettings)
def check_notice(check: NoticeCheck, properties: NoticeSettings, task: TaskContext) -> dict:
    policy = check.handover_policy
    if not policy:  # a gap in the decision table is the process owner's to fix: an incident says so
        raise RuntimeError(f"decision handover-policy has no rule for reason {check.reason!r} and post level "
                           f"{check.giver_post_level}: add one in dmn/handover-policy.dmn and redeploy")
    zone = properties.time_zone
    calendar_file = properties.calendar_file.resolve()
    calendar = load_calendar(calendar_file)
    required = int(policy["noticeWorkingDays"])
    notice_day = check.notice_submitted_at.astimezone(zone).date()
    if check.planned_date < notice_day:
        raise BusinessRejection(NOTICE_TOO_SHORT, f"计划交接日期 {check.planned_date} 早于预告日期 {notice_day} / "
                                f"the planned date is before the notice date", field="plannedDate",
                                variables={"earliestCompliantDate": None, "calendarNotice": None})
    given = calendar.working_days_between(notice_day, check.planned_date)
    if given < required:
        raise _too_short(calendar, notice_day, check.planned_date, given, required)
    provisional = calendar.provisional_notice(notice_day, check.planned_date)
    if provisional:
        _tell_initiator(check, task, provisional, notice_day, given, required)
    ends_at = properties.deadline_time
    now = clock.now()
    return {
        "noticeDate": notice_day.isoformat(), "noticeWorkingDaysGiven": given,
        "companyTimeZone": str(zone), "deadlineTime": ends_at.isoformat("minutes"),
        **{name: int(policy[name]) for name in ("noticeWorkingDays", "preparationDays", "verificationDays",
                                                 "confirmationDays", "archivingDays", "reminderIntervalHours",
                                                 "escalateAfterReminders")},
        "preparationDue": calendar.deadline(now, int(policy["preparationDays"]), zone, ends_at).isoformat(),
        "calendarFile": str(calendar_file), "calendarNotice": provisional.line() if provisional else None,
        "rejectionMessage": None, "earliestCompliantDate": None,
    }


def _too_short(calendar: WorkingCalendar, notice_day: date, planned: date, given: int,
               required: int) -> BusinessRejection:
    earliest = calendar.earliest_compliant_date(notice_day, required)
    provisional = calendar.provisional_notice(notice_day, max(planned, earliest))
    message = (f"提前通知不足：预告日 {notice_day} 至计划交接日 {planned} 只有 {given} 个工作日，制度要求 {required} 个；"
               f"最早合规交接日期 {earliest}。 / Notice too short: {given} working days from the notice on "
               f"{notice_day} to the planned hand-over on {planned}, the policy requires {required}; the earliest "
               f"compliant hand-over date is {earliest}.")
    return BusinessRejection(NOTICE_TOO_SHORT, message, field="plannedDate", variables={
        "earliestCompliantDate": earliest.isoformat(),
        "calendarNotice": provisional.line() if provisional else None})


def _tell_initiator(check: NoticeCheck, task: TaskContext, provisional: Bilingual, notice_day: date,
                    given: int, required: int) -> None:
    """A notice that passed on a provisional count leaves the initiator no task to read it on: they get
    a message instead (once per notice and planned date)."""
    org = load(Path(check.organisation_file))
    if check.initiator not in org.people_by_id:  # an operator starting it over REST is not staff
        return
    who = f"{check.giver_name} → {check.receiver_name}"
    notify(task, Notification(
        event_key=f"handover:{task.process_instance_id}:provisional-count:{notice_day}:{check.planned_date}",
        recipients=[_recipient(org, check.initiator)],
        subject=Bilingual(zh=f"交接预告按暂定日历核对：{who}", en=f"Hand-over notice checked by a provisional calendar: {who}"),
        body=Bilingual(
            zh=f"预告日 {notice_day} 至计划交接日 {check.planned_date} 有 {given} 个工作日，制度要求 {required} 个，"
               f"提前通知已通过。\n{provisional.zh}",
            en=f"{given} working days from the notice on {notice_day} to the planned hand-over on "
               f"{check.planned_date}; the policy requires {required}, so the notice was accepted.\n{provisional.en}")))


class Giver(ProcessVariables):
    giver_id: str


@topic("handover.collect-open-work")
def collect_open_work(giver: Giver, task: TaskContext) -> dict:
    """The checklist pre-filled with what the engine knows the giver still holds."""
    engine = task.engine
    tasks = engine.request("GET", "/task", params={"assignee": giver.giver_id, "active": "true",
                                                    "sortBy": "created", "sortOrder": "asc"}) or []
    tasks = [t for t in tasks if t.get("processInstanceId") != task.process_instance_id]
    definitions = _definition_names(engine, {t["processDefinitionId"] for t in tasks if t.get("processDefinitionId")})
    rows = [{
        "category": "unfinishedTasks",
        "description": f"{t['name']}（{definitions.get(t.get('processDefinitionId'), '')}）",
        "location": f"Camunda Tasklist, task {t['id']}",
        "camundaTaskId": t["id"],
    } for t in tasks]
    started = engine.request("GET", "/history/process-instance", params={
        "startedBy": giver.giver_id, "unfinished": "true", "sortBy": "startTime", "sortOrder": "asc"}) or []
    rows += [{
        "category": "pendingItems",
        "description": f"进行中的流程 / Running process: {p.get('processDefinitionName') or p['processDefinitionKey']}"
                       + (f" ({p['businessKey']})" if p.get("businessKey") else ""),
        "location": f"Camunda Cockpit, process instance {p['id']}",
    } for p in started if p["id"] != task.process_instance_id]
    return {"checklistItems": rows, "handoverRound": 1, "handoverRounds": [], "openQuestions": None}


def _definition_names(engine: Any, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    found = engine.request("GET", "/process-definition", params={"processDefinitionIdIn": ",".join(sorted(ids))}) or []
    return {d["id"]: d.get("name") or d["key"] for d in found}


class NoticeNotification(ProcessVariables):
    organisation_file: str
    giver_id: str
    receiver_id: str
    receiving_head_id: str
    supervisor_id: str
    planned_date: str
    reason_label: str
    receiving_department_label: str
    arrangements: str | None = None


class ChecklistTask(TaskProperties):
    giver_task: ElementId = Field(examples=["Task_FillChecklist"])  # the user task the giver's link opens


@topic("handover.notify-notice", properties=ChecklistTask)
def notify_notice(notice: NoticeNotification, properties: ChecklistTask, task: TaskContext) -> dict:
    """The receiving department head learns of the hand-over; the giver gets the link to the checklist."""
    org = load(Path(notice.organisation_file))
    giver, receiver = org.person(notice.giver_id), org.person(notice.receiver_id)
    facts_zh = (f"{giver.name} 将于 {notice.planned_date} 向 {receiver.name}（{notice.receiving_department_label}）"
                f"交接工作，原因：{notice.reason_label}，监交人：{org.person(notice.supervisor_id).name}。")
    facts_en = (f"{giver.name} hands over their work to {receiver.name} ({notice.receiving_department_label}) on "
                f"{notice.planned_date}; reason: {notice.reason_label}; supervisor: {org.person(notice.supervisor_id).name}.")
    if notice.arrangements:
        facts_zh += f"\n安排：{notice.arrangements}"
        facts_en += f"\nArrangements: {notice.arrangements}"
    checklist_task = _open_task(task, properties.giver_task)
    key = f"handover:{task.process_instance_id}:notice"
    notify(task, Notification(
        event_key=f"{key}:receiving-head", recipients=[_recipient(org, notice.receiving_head_id)],
        subject=Bilingual(zh=f"交接预告：{giver.name} → {receiver.name}", en=f"Hand-over notice: {giver.name} → {receiver.name}"),
        body=Bilingual(zh=facts_zh, en=facts_en)))
    notify(task, Notification(
        event_key=f"{key}:giver", recipients=[_recipient(org, giver.id)], task_id=checklist_task,
        subject=Bilingual(zh="请填写工作交接清单", en="Please fill in the work hand-over checklist"),
        body=Bilingual(zh=facts_zh + "\n请在 Tasklist 中填写《工作交接清单》。",
                       en=facts_en + "\nPlease fill in the Work Hand-over Checklist in Tasklist.")))
    notify(task, Notification(
        event_key=f"{key}:receiver", recipients=[_recipient(org, receiver.id)],
        subject=Bilingual(zh=f"交接预告：{giver.name} 将向您交接工作", en=f"Hand-over notice: {giver.name} hands over to you"),
        body=Bilingual(zh=facts_zh, en=facts_en)))
    return {}


def _open_task(task: TaskContext, activity_id: str) -> str | None:
    found = task.engine.request("GET", "/task", params={"processInstanceId": task.process_instance_id,
                                                         "taskDefinitionKey": activity_id}) or []
    return found[0]["id"] if found else None


def _recipient(org: Organisation, person_id: str) -> Person:
    return org.person(person_id)


# --- step 2: preparation -------------------------------------------------------------------------
class Deadlines(ProcessVariables):
    company_time_zone: str
    deadline_time: str
    calendar_file: str | None = None  # None in instances whose notice was checked before the company calendar

    def due(self, working_days: int) -> str:
        zone, ends_at = parse_time_zone(self.company_time_zone), rules.parse_clock(self.deadline_time, "deadlineTime")
        calendar = load_calendar(Path(self.calendar_file) if self.calendar_file else None)
        return calendar.deadline(clock.now(), working_days, zone, ends_at).isoformat()


class SubmittedChecklist(Deadlines):
    checklist_items: Any = None
    verification_days: int


@topic("handover.check-checklist", errors=[CHECKLIST_INCOMPLETE])
def check_checklist(submitted: SubmittedChecklist) -> dict:
    problems = rules.checklist_problems(submitted.checklist_items)
    if problems:
        raise BusinessRejection(CHECKLIST_INCOMPLETE, "\n".join(problems), field="checklistItems")
    return {"verificationItems": rules.verification_rows(submitted.checklist_items),
            "verificationDue": submitted.due(submitted.verification_days), "rejectionMessage": None}


# --- step 3: verification ------------------------------------------------------------------------
class Rounds(Deadlines):
    handover_round: int = 1
    handover_rounds: list[dict[str, Any]] = []
    preparation_days: int

    def returned(self, by: str, **what: Any) -> dict[str, Any]:
        """The variables that send the checklist back to the giver for another round."""
        record = {"round": self.handover_round, "returnedBy": by,
                  "at": clock.now().isoformat(timespec="seconds"), **what}
        return {"handoverRounds": [*self.handover_rounds, record], "handoverRound": self.handover_round + 1,
                "preparationDue": self.due(self.preparation_days)}


class VerifiedChecklist(Rounds):
    checklist_items: list[dict[str, Any]]
    verification_items: Any = None
    confirmation_days: int


@topic("handover.record-verification", errors=[VERIFICATION_INCOMPLETE])
def record_verification(verified: VerifiedChecklist) -> dict:
    result = rules.verify(verified.checklist_items, verified.verification_items)
    if result.problems:
        raise BusinessRejection(VERIFICATION_INCOMPLETE, "\n".join(result.problems), field="verificationItems")
    if result.questions:
        return {**verified.returned("receiver", questions=result.questions), "hasQuestions": True,
                "openQuestions": "接收人的疑问 / The receiver's questions:\n" + result.questions_text()}
    return {"hasQuestions": False, "openQuestions": None, "rejectionMessage": None,
            "checklistSummary": rules.summary(verified.checklist_items),
            "confirmationDue": verified.due(verified.confirmation_days),
            "supervisorVerdict": None, "sendBackReason": None}


# --- step 4: confirmation ------------------------------------------------------------------------
class SendBack(Rounds):
    send_back_reason: str | None = None


@topic("handover.record-sendback")
def record_sendback(sent_back: SendBack) -> dict:
    reason = (sent_back.send_back_reason or "").strip() or "未说明原因 / no reason given"
    return {**sent_back.returned("supervisor", reason=reason), "hasQuestions": False,
            "openQuestions": f"监交人退回 / Sent back by the supervisor: {reason}",
            "supervisorVerdict": None, "sendBackReason": None}


class Signers(ProcessVariables):
    organisation_file: str


class SigningTasks(TaskProperties):
    """The user task each party completes to sign, keyed by `SignatureRole` value."""

    giver_task: ElementId = Field(examples=["Task_GiverSigns"])
    receiver_task: ElementId = Field(examples=["Task_ReceiverSigns"])
    supervisor_task: ElementId = Field(examples=["Task_SupervisorConfirms"])


@topic("handover.record-signatures", properties=SigningTasks)
def record_signatures(signers: Signers, properties: SigningTasks, task: TaskContext) -> dict:
    """Who signed when, as the engine recorded the completion of each signing task (not as a form says)."""
    org = load(Path(signers.organisation_file))
    by_role = {role: getattr(properties, f"{role.value}_task") for role in SignatureRole}
    names = {p.id: p.name for p in org.people}  # someone outside it (an operator) keeps their id
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
        signatures.append(Signature(signed_by=signer, role=role,
                                    signed_at=datetime.fromisoformat(latest["endTime"])))
    return {"signatures": [s.model_dump(mode="json", by_alias=True) for s in signatures]}


# --- step 5: archiving ---------------------------------------------------------------------------
class SignedChecklist(ProcessVariables):
    giver_id: str
    giver_name: str
    receiver_id: str
    receiver_name: str
    supervisor_id: str
    supervisor_name: str
    reason: HandoverReason
    planned_date: date
    checklist_items: list[dict[str, Any]]
    signatures: list[Signature]

    def checklist(self, process_instance_id: str) -> WorkHandoverChecklist:
        return WorkHandoverChecklist(
            process_instance_id=process_instance_id,
            giver=Party(id=self.giver_id, name=self.giver_name),
            receiver=Party(id=self.receiver_id, name=self.receiver_name),
            supervisor=Party(id=self.supervisor_id, name=self.supervisor_name),
            reason=self.reason, planned_date=self.planned_date,
            items=[ChecklistItem.model_validate({k: v for k, v in row.items() if v not in (None, "")})
                   for row in self.checklist_items],
            signatures=self.signatures)


@topic("handover.archive-checklist")
def archive_checklist(signed: SignedChecklist, task: TaskContext) -> dict:
    checklist = signed.checklist(task.process_instance_id)
    root = task.settings.archive_root / ARCHIVE_FOLDER
    record = archive_triplicate(root, checklist, render_checklist_pdf(checklist))
    return {"archiveFolder": str(root / record.process_instance_id), "contentSha256": record.content_sha256}


class Archived(ProcessVariables):
    organisation_file: str
    archive_folder: str
    giver_id: str
    receiver_id: str
    giver_name: str
    receiver_name: str


@topic("handover.send-copies")
def send_copies(archived: Archived, task: TaskContext) -> dict:
    """Each of giver and receiver gets their own copy (一式三份) attached."""
    org = load(Path(archived.organisation_file))
    folder = Path(archived.archive_folder)
    record = ArchiveRecord.model_validate_json((folder / "record.json").read_bytes())
    sent = []
    for holder, person_id in ((CopyHolder.GIVER, archived.giver_id), (CopyHolder.RECEIVER, archived.receiver_id)):
        copy = record.copy_path(folder.parent, holder)
        notify(task, Notification(
            event_key=f"handover:{task.process_instance_id}:copy:{holder.value}",
            recipients=[_recipient(org, person_id)],
            subject=Bilingual(zh=f"工作交接清单（{archived.giver_name} → {archived.receiver_name}）已签字归档",
                              en=f"Work hand-over checklist ({archived.giver_name} → {archived.receiver_name}) signed and archived"),
            body=Bilingual(zh=f"附件是您的一份已签字《工作交接清单》。内容 SHA-256：{record.content_sha256}",
                           en=f"Attached is your copy of the signed Work Hand-over Checklist. Content SHA-256: {record.content_sha256}"),
            attachments=[Attachment(filename=copy.name, content=copy.read_bytes(), mime_type="application/pdf")]))
        sent.append(person_id)
    return {"copiesSent": sent}


class OpenWork(ProcessVariables):
    giver_id: str
    giver_name: str
    receiver_id: str
    receiver_name: str
    checklist_items: list[dict[str, Any]]


@topic("handover.reassign-open-tasks")
def reassign_open_tasks(work: OpenWork, task: TaskContext) -> dict:
    """The giver's open tasks listed in the checklist go to the receiver, each with a comment saying why.
    A task finished or reassigned meanwhile is left as it is and reported."""
    engine = task.engine
    reassigned, skipped = [], []
    comment = (f"工作交接（流程 {task.process_instance_id}）：由 {work.giver_name} 移交给 {work.receiver_name}。 / "
               f"Work hand-over (process {task.process_instance_id}): moved from {work.giver_name} to {work.receiver_name}.")
    for row in work.checklist_items:
        task_id = row.get("camundaTaskId")
        if not task_id:
            continue
        found = engine.request("GET", "/task", params={"taskId": task_id}) or []
        if not found:
            skipped.append({"taskId": task_id, "why": "no longer open"})
            continue
        if found[0].get("assignee") not in (work.giver_id, work.receiver_id):
            skipped.append({"taskId": task_id, "why": f"now assigned to {found[0].get('assignee')}"})
            continue
        # Comment first, then assign: each once, so a retry after a crash finishes without repeating.
        task.once(f"comment:{task_id}", lambda: engine.request(
            "POST", f"/task/{task_id}/comment/create", json={"message": comment}) and None)
        task.once(f"assign:{task_id}", lambda: engine.request(
            "POST", f"/task/{task_id}/assignee", json={"userId": work.receiver_id}) and None)
        reassigned.append(task_id)
    return {"reassignedTasks": reassigned, "skippedTasks": skipped}


# --- reminders -----------------------------------------------------------------------------------
class Reminders(ProcessVariables):
    organisation_file: str
    escalate_after_reminders: int
    reminders_sent: dict[str, int] = {}


@topic("handover.remind")
def remind(state: Reminders, task: TaskContext) -> dict:
    """Everyone with an open task of this hand-over past its deadline is reminded (催办), and escalated
    after `escalateAfterReminders` reminders (workers.shared.reminders)."""
    sent = remind_open_tasks(task, load(Path(state.organisation_file)), PROCESS_NAME,
                             escalate_after=state.escalate_after_reminders, sent=state.reminders_sent)
    return {"remindersSent": sent}
