"""What the to-do watcher says, and to whom: pure functions over the engine's task and history
records and the organisation (the loop that asks the engine is `workers.shared.notify.watch`).

- A new user task: its assignee, or, while nobody is assigned, each candidate user and each member
  of a candidate group (as provisioning made the groups from the organisation file). One message per
  task and person, so each person's mailbox holds exactly their own to-dos.
- An ended process instance: the person who started it (or for whom the operator started it), with
  its result: the name of the end event it reached last, or cancelled / terminated.
"""

from __future__ import annotations

from datetime import datetime, tzinfo
from typing import Any, Iterable

from workers.shared.notify import Bilingual, Notification
from workers.shared.organisation.lookups import group_members
from workers.shared.organisation.model import Organisation, Person

CANCELLED = Bilingual(zh="已取消", en="cancelled")
TERMINATED = Bilingual(zh="已终止", en="terminated")
ENDED = Bilingual(zh="已结束", en="ended")


def bilingual_label(label: str | None, fallback: str) -> Bilingual:
    """A model's label `中文 / English` as its two halves; a one-language label stands for both."""
    text = (label or "").strip() or fallback
    zh, separator, en = text.partition(" / ")
    return Bilingual(zh=zh.strip() or text, en=en.strip() or zh.strip() or text) if separator else \
        Bilingual(zh=text, en=text)


def engine_time(value: str | None) -> datetime | None:
    """The engine's `2026-12-01T09:30:00.000+0800` as an aware datetime."""
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z") if value else None


def todo_recipients(org: Organisation, task: dict[str, Any], links: Iterable[dict[str, Any]]) -> list[Person]:
    """Who must hear of this task: its assignee, else its candidates; people outside the
    organisation (an operator, the admin) have no mailbox here and are left out."""
    if task.get("assignee"):
        ids = [task["assignee"]]
    else:
        candidates = [link for link in links if link.get("type") == "candidate"]
        ids = [link["userId"] for link in candidates if link.get("userId")]
        ids += [p.id for link in candidates if link.get("groupId") for p in group_members(org, link["groupId"])]
    return [org.people_by_id[i] for i in dict.fromkeys(ids) if i in org.people_by_id]


def todo_event_key(task: dict[str, Any], person: Person) -> str:
    """The event a to-do message is: one per task and person, however often either is seen."""
    return f"todo:{task['id']}:{person.id}"


def todo_notification(person: Person, task: dict[str, Any], process: Bilingual, zone: tzinfo) -> Notification:
    step = bilingual_label(task.get("name"), task.get("taskDefinitionKey") or task["id"])
    due = engine_time(task.get("due"))
    zh = f"{person.name}，您有一项新的待办：{process.zh}「{step.zh}」。"
    en = f"{person.name}, you have a new to-do in {process.en}: {step.en}."
    if due is not None:
        when = f"{due.astimezone(zone):%Y-%m-%d %H:%M} ({zone})"
        zh += f"\n办理期限：{when}。"
        en += f"\nDue: {when}."
    if not task.get("assignee"):  # offered to a group: someone has to take it first
        zh += "\n此任务同时发给了其他候选人：请先在 Tasklist 中认领，再办理。"
        en += "\nIt is offered to other candidates too: claim it in Tasklist first, then complete it."
    return Notification(
        event_key=todo_event_key(task, person), recipients=[person], task_id=task["id"],
        subject=Bilingual(zh=f"新待办：{step.zh}（{process.zh}）", en=f"New to-do: {step.en} ({process.en})"),
        body=Bilingual(zh=zh, en=en))


def instance_result(instance: dict[str, Any], activities: Iterable[dict[str, Any]]) -> Bilingual:
    """How an instance ended: the end event it reached last (an earlier one may have ended a
    parallel branch), or cancelled (deleted through REST or Cockpit) / terminated."""
    state = instance.get("state")
    if state == "EXTERNALLY_TERMINATED":
        return CANCELLED
    if state == "INTERNALLY_TERMINATED":
        return TERMINATED
    ends = [a for a in activities if (a.get("activityType") or "").endswith("EndEvent") and a.get("endTime")]
    if not ends:
        return ENDED
    last = max(ends, key=lambda a: engine_time(a["endTime"]) or datetime.min)
    return bilingual_label(last.get("activityName"), last["activityId"])


def ending_notification(person: Person, instance: dict[str, Any], process: Bilingual, result: Bilingual,
                        zone: tzinfo) -> Notification:
    started, ended = (engine_time(instance.get(k)) for k in ("startTime", "endTime"))
    since = f"{started.astimezone(zone):%Y-%m-%d %H:%M}" if started else ""
    until = f"{ended.astimezone(zone):%Y-%m-%d %H:%M}" if ended else ""
    reference = f"{instance['id']}" + (f", {instance['businessKey']}" if instance.get("businessKey") else "")
    return Notification(
        event_key=f"ended:{instance['id']}:{person.id}", recipients=[person],
        subject=Bilingual(zh=f"流程已结束：{process.zh}（{result.zh}）", en=f"Process ended: {process.en} ({result.en})"),
        body=Bilingual(
            zh=f"{person.name}，您于 {since} 发起的{process.zh}已于 {until} 结束，结果：{result.zh}。\n流程实例：{reference}",
            en=f"{person.name}, the {process.en} you started on {since} ended on {until}: {result.en}.\n"
               f"Process instance: {reference}"))
