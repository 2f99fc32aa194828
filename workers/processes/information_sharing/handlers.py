"""Process `information-sharing` (信息共享, policy §3.3): one handler per service task of
bpmn/information-sharing.bpmn; docs/information-sharing.md describes the steps and variables.

The rules live in `rules`, the words in `labels`, the delivery in workers.shared.notify; this module
asks the engine who did what and says what goes back into the process.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from pydantic import Field

from workers import BusinessRejection, TaskContext, TaskProperties, topic
from workers.processes.information_sharing import (
    PROCESS_KEY, SHARING_ANSWER_INVALID, SHARING_FEEDBACK_INVALID, SHARING_REQUEST_INVALID, rules,
)
from workers.processes.information_sharing.labels import CATEGORY, FIELD, PROCESS_NAME, SENSITIVITY, Category, Channel
from workers.processes.information_sharing.variables import (
    Acknowledgement,
    AcknowledgementsInput,
    AcknowledgementsOutput,
    AnswerFeedbackInput,
    AnswerFeedbackOutput,
    CheckRequestInput,
    CheckRequestOutput,
    PublishInput,
    PublishOutput,
    RecordAcknowledgementInput,
    RecordAcknowledgementOutput,
    RemindOutput,
    Share,
)
from workers.processes.sharing_obligation import PROCESS_KEY as OBLIGATION_PROCESS
from workers.runtime import clock
from workers.runtime.errors import EvidenceMismatch
from workers.runtime.variables import decode_value, to_camunda
from workers.shared.calendar import load_calendar
from workers.shared.history import initiator_of, started_by
from workers.shared.notify import Bilingual, Notification, notify
from workers.shared.notify.interface import post_signed
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.organisation.lookups import department_members
from workers.shared.organisation.model import Organisation, Person
from workers.shared.organisation.obligations import SharingObligation
from workers.shared.properties import ClockTime, LocalPath, TimeZone
from workers.shared.received import Acknowledgement as Received, ReceivedShare, record_acknowledgement as register_receipt
from workers.shared.received import record_delivery
from workers.shared.reminders import remind_open_tasks
from workers.shared.text import clipped, rejection_message

APPROVAL_CONTEXT_MAX = 3000  # contract A: what approvers read in their decision form
INTERFACE_SECRET = "interface-secret"  # CROSSDEPT_INTERFACE_SECRET, else DATA_DIR/secrets/interface-secret


# --- steps 1-2: classification, method and permissions ---------------------------------------------
@topic("sharing.check-request", errors=[SHARING_REQUEST_INVALID], properties=OrganisationFile)
def check_request(request: CheckRequestInput, properties: OrganisationFile, task: TaskContext) -> CheckRequestOutput:
    """The request against decision sharing-permissions: every field, target and channel that is not
    allowed goes back to the publisher, named; then who may see the instance (the allowed targets'
    groups and the publisher) and who approves."""
    org = load(properties.organisation_file)
    publisher = _publisher(request, task, org)
    department = publisher.department
    submitted = rules.Request(**request.model_dump(exclude={"sharing_permissions", "initiator", "share_version",
                                                            "previous_share_instance"}))
    classified = not rules.classification_problems(submitted)
    permissions = request.sharing_permissions
    if classified and permissions is None:  # a gap in the table is the process owner's to fix
        raise RuntimeError(f"decision sharing-permissions has no rule for category {submitted.category!r} and "
                           f"sensitivity {submitted.sensitivity!r}: add one in dmn/sharing-permissions.dmn and redeploy")
    obligation = _obligation_of(request, task, org)
    changed = rules.obligation_problems(submitted, obligation, org) if obligation else []
    problems = changed + rules.classification_problems(submitted) + rules.text_problems(submitted)
    if classified and permissions is not None:
        problems += rules.target_problems(submitted, permissions, org, department)
        problems += rules.channel_problems(submitted, permissions)
    if problems:  # sharingObligation travels with the rejection: it chooses the correction form
        variables = {"publisher": publisher.id, "publisherDepartment": department,
                     "sharingObligation": obligation.id if obligation else None}
        if obligation and changed:  # the read-only correction form could not undo the change itself
            variables |= rules.obligation_fields(obligation)
        raise BusinessRejection(SHARING_REQUEST_INVALID, rejection_message(problems), variables=variables)
    assert permissions is not None
    targets = list(dict.fromkeys(request.target_departments))
    category = Category(submitted.category)
    approvers = rules.approvers(permissions.approval, org, category, department)
    return CheckRequestOutput(
        organisation_file=str(properties.organisation_file), publisher=publisher.id, publisher_department=department,
        share_version=request.share_version or 1, receiving_departments=targets,
        delivery_channels=rules.delivery_channels(request.channels),
        sharing_audience_groups=targets, sharing_audience_users=[publisher.id],
        approval_needed=permissions.approval,
        approval_subject=f"信息共享审批 / Sharing approval：{submitted.title.strip()}",
        approval_kind="any" if len(approvers) == 1 else "sequential",
        approval_approvers=approvers, approval_copy_to=[], approval_applicant=publisher.id,
        approval_context=_approval_context(submitted, org, targets, request.share_version or 1),
        acknowledgement_required=permissions.acknowledgement_required,
        reminder_interval_hours=permissions.reminder_interval_hours,
        escalate_after_reminders=permissions.escalate_after_reminders,
        retention_days=permissions.retention_days,
        sharing_obligation=obligation.id if obligation else None, rejection_message=None,
    )


def _publisher(request: CheckRequestInput, task: TaskContext, org: Organisation) -> Person:
    """Who publishes, from the engine: the start user; for a corrected version the workers start, the
    publisher of the version it corrects. A version number or predecessor from anyone else is forged."""
    start_user = started_by(task)
    correction = request.share_version is not None or request.previous_share_instance is not None
    if correction and start_user != task.settings.engine_user:
        raise EvidenceMismatch(f"{task.process_instance_id}: started by {start_user} with shareVersion/"
                               "previousShareInstance, which only the workers set when they publish a correction")
    if correction:
        if not request.previous_share_instance:
            raise EvidenceMismatch(f"{task.process_instance_id}: a corrected version without previousShareInstance")
        person_id = _history_variable(task, request.previous_share_instance, "publisher")
    else:
        person_id = initiator_of(start_user, request.initiator, task.settings.admin_user)
    if person_id not in org.people_by_id:
        raise RuntimeError(f"{task.process_instance_id}: the publisher {person_id!r} is not a person of the organisation "
                           "file, so no department can be found to publish for")
    return org.person(person_id)


def _obligation_of(request: CheckRequestInput, task: TaskContext, org: Organisation) -> SharingObligation | None:
    """The regular sharing obligation (定期共享) this share publishes, found through the engine and never
    from a variable a person can write: the sharing-obligation instance whose call activity started it
    (its `obligationId`, which the workers' assignment wrote), or, for a corrected version the workers
    started, the obligation its previous version was checked against. None for a free share."""
    caller = _history_instance(task, task.process_instance_id).get("superProcessInstanceId")
    if caller:
        if _history_instance(task, caller).get("processDefinitionKey") != OBLIGATION_PROCESS:
            return None
        obligation_id = _history_variable(task, caller, "obligationId")
    elif request.previous_share_instance:
        obligation_id = _history_variable(task, request.previous_share_instance, "sharingObligation", required=False)
    else:
        return None
    if not obligation_id:
        return None
    for obligation in org.sharing_obligations:
        if obligation.id == obligation_id:
            return obligation
    raise RuntimeError(f"{task.process_instance_id} publishes obligation {obligation_id!r}, which is no longer in the "
                       "organisation file's sharing_obligations, so its fixed fields cannot be checked: restore it, "
                       "or let the preparer withdraw the share")


def _history_instance(task: TaskContext, process_instance_id: str) -> dict[str, Any]:
    return task.engine.request("GET", f"/history/process-instance/{process_instance_id}") or {}


def _history_variable(task: TaskContext, process_instance_id: str, name: str, *, required: bool = True) -> Any:
    found = task.engine.request("GET", "/history/variable-instance", params={
        "processInstanceId": process_instance_id, "variableName": name, "deserializeValues": "false"}) or []
    if not found:
        if not required:
            return None
        raise EvidenceMismatch(f"{task.process_instance_id}: instance {process_instance_id} has no variable {name!r}")
    return decode_value(name, found[0])


def _approval_context(share: rules.Request, org: Organisation, targets: list[str], version: int) -> str:
    kind = f"{CATEGORY[Category(share.category)].line()}，{SENSITIVITY[rules.Sensitivity(share.sensitivity)].line()}"
    names = "、".join(org.department(t).name_zh for t in targets)
    lines = [f"{FIELD['title']}：{share.title.strip()}（第 {version} 版 / version {version}）",
             f"{FIELD['category']} · {FIELD['sensitivity']}：{kind}", f"{FIELD['targetDepartments']}：{names}"]
    lines += [f"{FIELD[key]}：{value.strip()}" for key, value in
              (("summary", share.summary), ("content", share.content), ("contentLink", share.content_link))
              if isinstance(value, str) and value.strip()]
    return clipped("\n".join(lines), APPROVAL_CONTEXT_MAX)


# --- step 4: publish and receive ------------------------------------------------------------------
class PublishSettings(OrganisationFile):
    time_zone: TimeZone = Field(examples=["Asia/Shanghai"])  # the company's: which day it is published
    deadline_time: ClockTime = Field(examples=["18:00"])  # an acknowledgement is due at this time of its day
    calendar_file: LocalPath = Field(examples=["org/company-calendar.yaml"])


@topic("sharing.publish", properties=PublishSettings)
def publish(share: PublishInput, properties: PublishSettings, task: TaskContext) -> PublishOutput:
    """The record is this instance (the audience reads it on their acknowledgement task); e-mail and IM
    go to every member of each receiving department, the system interface gets the signed document,
    each only where the decision allowed and the publisher chose it."""
    org = load(Path(share.organisation_file))
    now = clock.now().replace(microsecond=0)
    calendar = load_calendar(properties.calendar_file.resolve())
    due = calendar.deadline(now, share.sharing_permissions.acknowledgement_days, properties.time_zone,
                            properties.deadline_time)
    for department in share.receiving_departments:  # the department's register (本部门收到的信息)
        task.once(f"received:{department}", lambda: record_delivery(task.settings.archive_root, ReceivedShare(
            department=department, process_instance_id=task.process_instance_id, title=share.title,
            category=share.category.value, sensitivity=share.sensitivity.value, share_version=share.share_version,
            publisher_department=share.publisher_department, previous_share_instance=share.previous_share_instance,
            delivered_at=now)) and None)
    mail, im = Channel.EMAIL in share.delivery_channels, Channel.IM in share.delivery_channels
    if mail or im:
        for department in share.receiving_departments:
            notify(task, Notification(
                event_key=f"sharing:{task.process_instance_id}:publish:{department}",
                recipients=department_members(org, department),
                subject=_subject(share), body=_published_body(share, org, due, task.settings.tasklist_url)),
                mail=mail, im=im)
    if Channel.INTERFACE in share.delivery_channels:
        document = _interface_document(share, task, now, due)
        task.once("interface", lambda: _post_to_interface(task, document))
    return PublishOutput(published_at=now, acknowledgement_due=due)


def _subject(share: Share) -> Bilingual:
    version = "" if share.share_version == 1 else f"【更正·第 {share.share_version} 版】"
    version_en = "" if share.share_version == 1 else f"[Correction, version {share.share_version}] "
    return Bilingual(zh=f"{version}信息共享：{share.title}", en=f"{version_en}Information shared: {share.title}")


def _published_body(share: Share, org: Organisation, due: datetime, tasklist_url: str | None) -> Bilingual:
    """Sensitive information (机密、绝密) travels as its title and a link only: the content stays in the
    record, readable by the audience in Tasklist."""
    where = tasklist_url or "待办任务列表 / Tasklist"
    publisher = org.department(share.publisher_department)
    category, sensitivity = CATEGORY[share.category], SENSITIVITY[share.sensitivity]
    zh = [f"{publisher.name_zh}发布《{share.title}》（{category.zh}，{sensitivity.zh}）。"]
    en = [f"{publisher.name_en} published “{share.title}” ({category.en}, {sensitivity.en.lower()})."]
    if share.previous_share_instance:
        version, previous = share.share_version, share.share_version - 1
        zh.append(f"本版为第 {version} 版，更正第 {previous} 版（流程 {share.previous_share_instance}）。")
        en.append(f"This is version {share.share_version}; it corrects version {share.share_version - 1} "
                  f"(process {share.previous_share_instance}).")
    if not share.sensitivity.sensitive:  # once, in the publisher's words, between the two languages
        texts = [text for text in (share.summary, share.content, share.content_link) if text]
        zh += texts
        if texts:
            en.append("(The content is above, as the publisher wrote it.)")
    deadline = f"{due:%Y-%m-%d %H:%M} ({due.tzinfo})"
    zh.append(f"请在待办任务「签收确认」中阅读并确认收到（截止 {deadline}）：{where}")
    en.append(f"Read it and acknowledge receipt in your task “签收确认 / Acknowledge receipt” (due {deadline}): {where}")
    return Bilingual(zh="\n".join(zh), en="\n".join(en))


def _interface_document(share: PublishInput, task: TaskContext, now: datetime, due: datetime) -> dict[str, Any]:
    return {
        "event": "information-shared", "processInstanceId": task.process_instance_id,
        "businessKey": task.business_key, "version": share.share_version,
        "previousProcessInstanceId": share.previous_share_instance, "title": share.title,
        "category": share.category.value, "sensitivity": share.sensitivity.value,
        "publisherDepartment": share.publisher_department, "receivingDepartments": share.receiving_departments,
        "summary": share.summary, "content": share.content, "contentLink": share.content_link,
        "publishedAt": now.isoformat(), "acknowledgementDue": due.isoformat(),
    }


def _post_to_interface(task: TaskContext, document: dict[str, Any]) -> None:
    """Signed with HMAC-SHA256 over timestamp and body (contract C), to CROSSDEPT_INTERFACE_URL."""
    post_signed(task.settings, None, INTERFACE_SECRET, document, f"sharing:{task.process_instance_id}:interface")


@topic("sharing.record-acknowledgement", errors=[SHARING_FEEDBACK_INVALID])
def record_acknowledgement(receipt: RecordAcknowledgementInput, task: TaskContext) -> RecordAcknowledgementOutput:
    """One department's receipt, with the identity the engine authenticated for the completion (the
    task listener's `acknowledgedBy`, which no form can write), also in the department's register.
    Feedback the form would not have sent goes back to the department first, named."""
    problems = rules.feedback_problems(receipt.feedback_kind, receipt.feedback_text)
    if problems:
        raise BusinessRejection(SHARING_FEEDBACK_INVALID, rejection_message(problems))
    register_receipt(task.settings.archive_root, Received(
        department=receipt.receiving_department, process_instance_id=task.process_instance_id,
        acknowledged_by=receipt.acknowledged_by, acknowledged_at=receipt.acknowledged_at))
    feedback = receipt.feedback_kind if receipt.feedback_kind in rules.FEEDBACK_KINDS else None
    return RecordAcknowledgementOutput(acknowledgement=Acknowledgement(
        department=receipt.receiving_department, by=receipt.acknowledged_by, at=receipt.acknowledged_at,
        due=receipt.acknowledgement_due, late=rules.is_late(receipt.acknowledged_at, receipt.acknowledgement_due),
        feedback=feedback))


def _acknowledgements(task: TaskContext, state: AcknowledgementsInput) -> list[Acknowledgement]:
    """Every receiving department's receipt as the engine's history holds it; a missing one is late
    once its due date has passed."""
    found = task.engine.request("GET", "/history/variable-instance", params={
        "processInstanceId": task.process_instance_id, "variableName": "acknowledgement",
        "deserializeValues": "false"}) or []
    recorded = {}
    for variable in found:
        value = decode_value("acknowledgement", variable)
        if value:
            receipt = Acknowledgement.model_validate(value)
            recorded[receipt.department] = receipt
    overdue = clock.now() > state.acknowledgement_due
    return [recorded.get(d) or Acknowledgement(department=d, due=state.acknowledgement_due, late=overdue)
            for d in state.receiving_departments]


@topic("sharing.remind")
def remind(state: AcknowledgementsInput, task: TaskContext) -> RemindOutput:
    """Every open task of this share past its due date is reminded (催办) and escalated (shared
    reminders); the receipts so far are recorded, with the missing ones."""
    sent = remind_open_tasks(task, load(Path(state.organisation_file)), PROCESS_NAME,
                             escalate_after=state.escalate_after_reminders, sent=state.reminders_sent)
    return RemindOutput(reminders_sent=sent, acknowledgements=_acknowledgements(task, state))


@topic("sharing.record-acknowledgements")
def record_acknowledgements(state: AcknowledgementsInput, task: TaskContext) -> AcknowledgementsOutput:
    """All receipts, late ones marked, recorded and sent to the publisher."""
    org = load(Path(state.organisation_file))
    receipts = _acknowledgements(task, state)
    notify(task, Notification(
        event_key=f"sharing:{task.process_instance_id}:acknowledgements", recipients=[org.person(state.publisher)],
        subject=Bilingual(zh=f"签收情况：{state.title}（第 {state.share_version} 版）",
                          en=f"Acknowledgements: {state.title} (version {state.share_version})"),
        body=_receipts_table(receipts, org)))
    return AcknowledgementsOutput(acknowledgements=receipts)


def _receipts_table(receipts: list[Acknowledgement], org: Organisation) -> Bilingual:
    names = {p.id: p.name for p in org.people}
    zh, en = [], []
    for r in receipts:
        department = org.departments_by_id.get(r.department)
        when = f"{r.at:%Y-%m-%d %H:%M}" if r.at else ""
        late_zh, late_en = ("，逾期", ", late") if r.late else ("", "")
        who = names.get(r.by or "", r.by or "")
        zh.append(f"{department.name_zh if department else r.department}：" +
                  (f"{who} 于 {when} 签收{late_zh}" if r.by else f"未签收{late_zh}"))
        en.append(f"{department.name_en if department else r.department}: " +
                  (f"acknowledged by {who} at {when}{late_en}" if r.by else f"not acknowledged{late_en}"))
    return Bilingual(zh="\n".join(zh), en="\n".join(en))


# --- step 5: feedback ------------------------------------------------------------------------------
@topic("sharing.answer-feedback", errors=[SHARING_ANSWER_INVALID])
def answer_feedback(answered: AnswerFeedbackInput, task: TaskContext) -> AnswerFeedbackOutput:
    """The publisher's answer goes back to the asker's department; a correction is published as the
    next version, a new instance of this process with the same audience, whose delivery tells every
    receiver which version it corrects. An answer the form would not have sent goes back to the
    publisher, named, before anything is sent or started."""
    problems = rules.answer_problems(answered.feedback_answer, answered.correction_needed,
                                     answered.corrected_summary, answered.corrected_content)
    if problems:
        raise BusinessRejection(SHARING_ANSWER_INVALID, rejection_message(problems))
    org = load(Path(answered.organisation_file))
    correction = None
    if answered.correction_needed:
        correction = task.once("correction", lambda: _start_correction(answered, task))
    department = answered.receiving_department
    notify(task, Notification(
        event_key=f"sharing:{task.process_instance_id}:answer:{department}",
        recipients=department_members(org, department),
        subject=Bilingual(zh=f"反馈答复：{answered.title}", en=f"Answer to your feedback: {answered.title}"),
        body=_answer_body(answered, correction)))
    return AnswerFeedbackOutput(correction_instance=correction)


def _answer_body(answered: AnswerFeedbackInput, correction: str | None) -> Bilingual:
    """The exchange itself may quote sensitive content: for 机密、绝密 it stays in the record."""
    version = answered.share_version + 1
    zh = [f"发布部门已答复您部门对《{answered.title}》的反馈。"]
    en = [f"The publisher answered your department's feedback on “{answered.title}”."]
    if not answered.sensitivity.sensitive:
        zh += [f"反馈：{answered.feedback_text or ''}", f"答复：{answered.feedback_answer or ''}"]
        en += [f"Feedback: {answered.feedback_text or ''}", f"Answer: {answered.feedback_answer or ''}"]
    if correction:
        zh.append(f"更正内容将作为第 {version} 版发布给全部接收部门（流程 {correction}）。")
        en.append(f"The correction is published to every receiving department as version {version} (process {correction}).")
    return Bilingual(zh="\n".join(zh), en="\n".join(en))


def _corrected(corrected: Any, original: str | None) -> str | None:
    """The publisher's corrected text, or the original where they left the field empty."""
    return corrected if isinstance(corrected, str) and corrected.strip() else original


def _start_correction(answered: AnswerFeedbackInput, task: TaskContext) -> str:
    variables = {
        "title": answered.title, "category": answered.category.value, "sensitivity": answered.sensitivity.value,
        "summary": _corrected(answered.corrected_summary, answered.summary),
        "content": _corrected(answered.corrected_content, answered.content), "contentLink": answered.content_link,
        "targetDepartments": answered.receiving_departments,
        "channels": [c.value for c in answered.delivery_channels if c is not Channel.RECORD],
        "shareVersion": answered.share_version + 1, "previousShareInstance": task.process_instance_id,
    }
    body: dict[str, Any] = {"variables": to_camunda({k: v for k, v in variables.items() if v is not None})}
    if task.business_key:
        body["businessKey"] = task.business_key
    started = task.engine.request("POST", f"/process-definition/key/{PROCESS_KEY}/start", json=body)
    return started["id"]
