"""Reminders (催办) and escalation for any process: whoever holds an open user task of the instance
is reminded; after `escalate_after` reminders of the same task, their department head hears too
(their superior, when they are the head).

A process's BPMN fires a non-interrupting timer from each step's due date (`R/${due}/PT${hours}H`)
into its reminder topic; the handler calls `remind_open_tasks` and keeps the returned counts
(bpmn/README.md shows the few lines a process needs). A task nobody holds yet reminds its candidates
(the same people the to-do watcher told of it); due dates are given in the company's time zone
(CROSSDEPT_COMPANY_TIME_ZONE).

`reminder_topic` registers that handler for a process in one line; its reminder service task names
the user tasks its timers belong to in the property `remindTasks` (workers.shared.due_dates gives
those tasks their due dates). Where several of the same task are open at once, each with its own due
date (one meeting's minutes among several), `remindTaskVariable` names the task variable a create
listener set and the input parameter `remindTaskValue` gives this timer's value of it.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Annotated

from pydantic import BeforeValidator, Field

from workers.runtime.context import TaskContext
from workers.runtime.registry import ProcessVariables, topic
from workers.shared.notify import Bilingual, Notification, notify
from workers.shared.notify.todo import engine_time, todo_recipients
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.organisation.lookups import head_of, superior
from workers.shared.organisation.model import Organisation, Person
from workers.shared.properties import parse_time_zone


def remind_open_tasks(
    task: TaskContext, org: Organisation, process: Bilingual, *, escalate_after: int, sent: dict[str, int],
    task_definition_keys: list[str] | None = None, task_variables: dict[str, str] | None = None,
) -> dict[str, int]:
    """Remind each holder (or the candidates) of an open task of this instance once more; returns the
    new counts per task id. Each reminder is one event (`<instance>:remind:<task>:<n>`), so a
    redelivered reminder task sends nothing twice. `task_definition_keys` limits it to those user
    tasks (a task that waits by design, like an applicant's withdraw task, is never overdue);
    `task_variables` to those with these task variables (one action item's follow-up among many)."""
    counts = dict(sent)
    zone = parse_time_zone(task.settings.company_time_zone)
    params = {"processInstanceId": task.process_instance_id}
    if task_definition_keys:
        params["taskDefinitionKeyIn"] = ",".join(task_definition_keys)
    if task_variables:
        params["taskVariables"] = ",".join(f"{name}_eq_{value}" for name, value in task_variables.items())
    open_tasks = task.engine.request("GET", "/task", params=params) or []
    for user_task in open_tasks:
        links = [] if user_task.get("assignee") else \
            task.engine.request("GET", f"/task/{user_task['id']}/identity-links") or []
        recipients = todo_recipients(org, user_task, links)
        if not recipients:  # held by someone outside the organisation (an operator)
            continue
        count = counts.get(user_task["id"], 0) + 1
        holder = recipients[0] if user_task.get("assignee") else None
        escalated = count > escalate_after and holder is not None
        if escalated and (boss := _escalation_target(org, holder)) is not None:
            recipients.append(boss)
        notify(task, Notification(
            event_key=f"{task.process_definition_key}:{task.process_instance_id}:remind:{user_task['id']}:{count}",
            recipients=recipients, task_id=user_task["id"],
            subject=_subject(process, user_task["name"], holder, count, escalated),
            body=_body(process, user_task, holder, zone)))
        counts[user_task["id"]] = count
    return counts


def _body(process: Bilingual, user_task: dict, holder: Person | None, zone: tzinfo) -> Bilingual:
    due = engine_time(user_task.get("due"))
    deadline = f"{due.astimezone(zone):%Y-%m-%d %H:%M} ({zone})" if due else ""
    whose_zh, whose_en = (f"{holder.name} 的", f"{holder.name}'s") if holder else ("候选人的", "The candidates'")
    return Bilingual(zh=f"{whose_zh}{process.zh}任务「{user_task['name']}」已超过期限 {deadline}，请尽快处理。",
                     en=f"{whose_en} {process.en} task is past its deadline {deadline}; please complete it.")


def _escalation_target(org: Organisation, holder: Person) -> Person | None:
    head = head_of(org, holder.id)
    return head if head.id != holder.id else superior(org, holder.id)


def _subject(process: Bilingual, task_name: str, holder: Person | None, count: int, escalated: bool) -> Bilingual:
    if escalated and holder is not None:
        return Bilingual(zh=f"{process.zh}逾期升级（第 {count} 次催办）：{task_name}",
                         en=f"{process.en} overdue, escalated (reminder {count}): {holder.name}")
    return Bilingual(zh=f"催办（第 {count} 次）：{task_name}", en=f"Reminder {count}: a {process.en} task is overdue")


def _element_ids(value: object) -> object:
    return [part.strip() for part in value.split(",") if part.strip()] if isinstance(value, str) else value


class RemindSettings(OrganisationFile):
    """The reminder service task's properties: the organisation file, and which user tasks its timers
    remind about (those with a due date; a task that waits by design is never overdue)."""

    remind_tasks: Annotated[list[str], BeforeValidator(_element_ids)] = Field(
        min_length=1, examples=["Task_CheckCriteria,Task_Rectify"])
    remind_task_variable: str | None = Field(None, examples=["meetingId"])  # only the task whose variable …


class RemindInput(ProcessVariables):
    escalate_after_reminders: int  # returned with the due date (workers.shared.due_dates)
    # task id -> reminders so far; None where a subprocess declares it empty (counts per meeting, per item)
    reminders_sent: dict[str, int] | None = None
    remind_task_value: str | None = None  # … has this value (an input parameter of the reminder task)


class RemindOutput(ProcessVariables):
    reminders_sent: dict[str, int]


def reminder_topic(name: str, process: Bilingual) -> None:
    """Serve reminder topic `name` of a process called `process` with `remind_open_tasks`."""

    @topic(name, properties=RemindSettings)
    def remind(state: RemindInput, properties: RemindSettings, task: TaskContext) -> RemindOutput:
        only = None
        if properties.remind_task_variable:
            if state.remind_task_value is None:  # the model is incomplete: an incident says where
                raise RuntimeError(f"{task.activity_id}: property remindTaskVariable={properties.remind_task_variable} "
                                   "needs the input parameter remindTaskValue (this timer's value of it)")
            only = {properties.remind_task_variable: state.remind_task_value}
        sent = remind_open_tasks(task, load(properties.organisation_file), process,
                                 escalate_after=state.escalate_after_reminders, sent=state.reminders_sent or {},
                                 task_definition_keys=properties.remind_tasks, task_variables=only)
        return RemindOutput(reminders_sent=sent)
