"""Reminders (催办) and escalation for any process: whoever holds an open user task of the instance
is reminded; after `escalate_after` reminders of the same task, their department head hears too
(their superior, when they are the head).

A process's BPMN fires a non-interrupting timer from each step's due date (`R/${due}/PT${hours}H`)
into its reminder topic; the handler calls `remind_open_tasks` and keeps the returned counts.
"""

from __future__ import annotations

from workers.runtime.context import TaskContext
from workers.shared.notify import Bilingual, Notification, notify
from workers.shared.organisation.lookups import head_of, superior
from workers.shared.organisation.model import Organisation, Person


def remind_open_tasks(
    task: TaskContext, org: Organisation, process: Bilingual, *, escalate_after: int, sent: dict[str, int]
) -> dict[str, int]:
    """Remind each assignee of an open task of this instance once more; returns the new counts per
    task id. Each reminder is one event (`<instance>:remind:<task>:<n>`), so a redelivered reminder
    task sends nothing twice."""
    counts = dict(sent)
    open_tasks = task.engine.request("GET", "/task", params={"processInstanceId": task.process_instance_id}) or []
    for user_task in open_tasks:
        assignee = user_task.get("assignee")
        if not assignee:
            continue
        count = counts.get(user_task["id"], 0) + 1
        holder = org.person(assignee)
        recipients = [holder]
        escalated = count > escalate_after
        if escalated and (boss := _escalation_target(org, holder)) is not None:
            recipients.append(boss)
        notify(task, Notification(
            event_key=f"{task.process_definition_key}:{task.process_instance_id}:remind:{user_task['id']}:{count}",
            recipients=recipients, task_id=user_task["id"],
            subject=_subject(process, user_task["name"], holder, count, escalated),
            body=Bilingual(
                zh=f"{holder.name} 的{process.zh}任务「{user_task['name']}」已超过期限 {user_task.get('due') or ''}，请尽快处理。",
                en=f"{holder.name}'s {process.en} task is past its deadline {user_task.get('due') or ''}; "
                   "please complete it.")))
        counts[user_task["id"]] = count
    return counts


def _escalation_target(org: Organisation, holder: Person) -> Person | None:
    head = head_of(org, holder.id)
    return head if head.id != holder.id else superior(org, holder.id)


def _subject(process: Bilingual, task_name: str, holder: Person, count: int, escalated: bool) -> Bilingual:
    if escalated:
        return Bilingual(zh=f"{process.zh}逾期升级（第 {count} 次催办）：{task_name}",
                         en=f"{process.en} overdue, escalated (reminder {count}): {holder.name}")
    return Bilingual(zh=f"催办（第 {count} 次）：{task_name}", en=f"Reminder {count}: a {process.en} task is overdue")
