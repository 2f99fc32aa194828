"""Process `sharing-obligation`: one deadline of a regular share (see the package's docstring).

assign: which obligation and deadline (the business key the scheduler gave), who prepares it (the
owning department's head, or their delegate), the labels the form shows;
overdue: the first firing after the deadline records the miss (data file, task comment, variable)
and escalates at once to the holder's head (their superior, for a head); later firings remind again;
record-fulfilment: who completed the task (from the engine) and whether on time, as a data file, with the
information-sharing instance that published it (the call activity after the task; it checks the share).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

from pydantic import Field

from workers import TaskContext, topic
from workers.processes.sharing_obligation.records import write_record
from workers.processes.sharing_obligation.variables import (
    AssignOutput, OverdueInput, OverdueOutput, RecordFulfilmentInput, RecordFulfilmentOutput,
)
from workers.runtime import clock
from workers.runtime.errors import EvidenceMismatch
from workers.runtime.properties import DurationSeconds, WholeNumber
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.shared.history import started_by
from workers.shared.notify import Bilingual
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.organisation.lookups import department_head
from workers.shared.organisation.model import Organisation
from workers.shared.organisation.obligations import SharingObligation, parse_occurrence_key
from workers.shared.properties import parse_time_zone
from workers.shared.reminders import remind_open_tasks

PROCESS_NAME = Bilingual(zh="定期信息共享", en="regular information sharing")
CATEGORY_LABELS = {"policy": "政策制度 / Policy", "business-data": "业务数据 / Business data",
                   "project-progress": "项目进展 / Project progress", "customer": "客户信息 / Customer information",
                   "finance": "财务信息 / Financial information", "other": "其他 / Other"}
SENSITIVITY_LABELS = {"public": "公开 / Public", "internal": "内部 / Internal",
                      "confidential": "敏感 / Confidential", "secret": "机密 / Secret"}


class AssignSettings(OrganisationFile):
    reminder_interval: str = Field("PT24H", pattern=r"^PT?\d")  # between reminders after the deadline
    escalate_after_reminders: WholeNumber = 0  # the policy: a missed share goes up at once
    catch_up_notice_after: DurationSeconds = 600.0  # later than this, the task says it is a catch-up


@topic("sharing-obligation.assign", properties=AssignSettings)
def assign(properties: AssignSettings, task: TaskContext) -> AssignOutput:
    _check_started_by_scheduler(task)
    obligation_id, deadline = parse_occurrence_key(task.business_key or "")
    org = load(properties.organisation_file)
    obligation = _obligation(org, obligation_id)
    zone = parse_time_zone(task.settings.company_time_zone)
    head = department_head(org, obligation.owner)
    assignment = resolve_assignee(head.id, active_delegations(task.engine))
    names = {p.id: p.name for p in org.people}
    appears = deadline - obligation.lead
    late = clock.now() - appears > timedelta(seconds=properties.catch_up_notice_after)
    return AssignOutput(
        obligation_id=obligation.id, deadline=deadline.astimezone(zone), organisation_file=str(properties.organisation_file),
        obligation_title=obligation.title, owner_department=obligation.owner,
        owner_department_label=org.department(obligation.owner).label,
        target_departments=obligation.targets,
        target_departments_label="、".join(org.department(t).label for t in obligation.targets),
        category=obligation.category, sensitivity=obligation.sensitivity,
        deadline_label=f"{deadline.astimezone(zone):%Y-%m-%d %H:%M} ({zone})",
        preparer=assignment.assignee, original_preparer=assignment.original_assignee,
        delegation_note=assignment.note(names),
        catch_up_note=(f"补发：本任务应于 {appears.astimezone(zone):%Y-%m-%d %H:%M} 出现（系统当时停机） / Catch-up: this "
                       f"task was due to appear at {appears.astimezone(zone):%Y-%m-%d %H:%M} (the workers were down)"
                       if late else ""),
        reminder_interval=properties.reminder_interval, escalate_after_reminders=properties.escalate_after_reminders,
    )


def _check_started_by_scheduler(task: TaskContext) -> None:
    """Only the scheduler (the workers' user) starts occurrences; anyone else's start is not an obligation."""
    starter = started_by(task)
    if starter != task.settings.engine_user:
        raise EvidenceMismatch(f"{task.process_instance_id}: sharing-obligation instances are started by the "
                               f"workers' scheduler ({task.settings.engine_user}), this one by {starter!r}")


def _obligation(org: Organisation, obligation_id: str) -> SharingObligation:
    for obligation in org.sharing_obligations:
        if obligation.id == obligation_id:
            return obligation
    raise RuntimeError(f"obligation {obligation_id!r} is no longer in the organisation file's sharing_obligations: "
                       "restore it, or cancel this instance in Cockpit")


@topic("sharing-obligation.overdue")
def overdue(state: OverdueInput, task: TaskContext) -> OverdueOutput:
    org = load(Path(state.organisation_file))
    first = not state.reminders_sent
    record = task.once("missed-record", lambda: _record_missed(state, task))
    if first:
        task.once("missed-comment", lambda: _comment_open_tasks(task, state))
    sent = remind_open_tasks(task, org, PROCESS_NAME, escalate_after=state.escalate_after_reminders,
                             sent=state.reminders_sent)
    return OverdueOutput(reminders_sent=sent, deadline_missed=True, missed_record=record)


def _record_missed(state: OverdueInput, task: TaskContext) -> str:
    holders = [t.get("assignee") for t in _open_tasks(task)]
    return write_record(task.settings.archive_root, state.obligation_id, state.deadline, "missed", {
        "obligation": state.obligation_id, "deadline": state.deadline.isoformat(),
        "recorded_at": clock.now().isoformat(), "process_instance": task.process_instance_id,
        "business_key": task.business_key, "held_by": holders,
    })


def _comment_open_tasks(task: TaskContext, state: OverdueInput) -> None:
    """The miss, where its holder and Cockpit's history show it: a comment on the open task."""
    for user_task in _open_tasks(task):
        task.engine.request("POST", f"/task/{user_task['id']}/comment/create", json={
            "message": f"已逾期：截止时间 {state.deadline:%Y-%m-%d %H:%M %z} 已过，已记录并升级至上级 / Overdue: the "
                       f"deadline {state.deadline:%Y-%m-%d %H:%M %z} has passed; recorded and escalated"})


def _open_tasks(task: TaskContext) -> list[dict]:
    return task.engine.request("GET", "/task", params={"processInstanceId": task.process_instance_id}) or []


@topic("sharing-obligation.record-fulfilment")
def record_fulfilment(done: RecordFulfilmentInput, task: TaskContext) -> RecordFulfilmentOutput:
    completed = task.engine.request("GET", "/history/task", params={
        "processInstanceId": task.process_instance_id, "taskDefinitionKey": "Task_PreparePublish",
        "finished": "true", "sortBy": "endTime", "sortOrder": "desc"}) or []
    completed = [t for t in completed if t.get("deleteReason") == "completed"]
    if not completed:
        raise EvidenceMismatch(f"{task.process_instance_id}: no completed 准备并发布 task in the history")
    latest = completed[0]
    prepared_at = datetime.fromisoformat(latest["endTime"])
    # on time means shared by the deadline: a share sent back by information-sharing's check and
    # published later is late although its task was done in time; a withdrawn one was never shared
    published = done.share_published_at
    on_time = published is not None and published <= done.deadline
    path = task.once("fulfilment-record", lambda: write_record(
        task.settings.archive_root, done.obligation_id, done.deadline, "fulfilled", {
            "obligation": done.obligation_id, "title": done.obligation_title, "deadline": done.deadline.isoformat(),
            "owner": done.owner_department, "targets": done.target_departments, "category": done.category,
            "sensitivity": done.sensitivity, "prepared_by": latest["assignee"], "prepared_at": prepared_at.isoformat(),
            "on_time": on_time, "summary": done.summary, "content": done.content, "content_link": done.content_link,
            "channels": done.channels, "process_instance": task.process_instance_id,
            # the share as information-sharing published it; no published_at: withdrawn by its publisher
            "share_instance": done.published_share_instance, "share_version": done.published_share_version,
            "published_at": published.isoformat() if published else None}))
    return RecordFulfilmentOutput(prepared_by=latest["assignee"], prepared_at=prepared_at, on_time=on_time,
                                  fulfilment_record=path)
