"""What the approval's workers read from the engine's history, which no form can write: who
completed a task (the user-operation log of its completion), and the decisions recorded so far."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workers.runtime import clock
from workers.runtime.context import TaskContext
from workers.runtime.errors import EvidenceMismatch
from workers.runtime.variables import parse_camunda_date
from workers.shared.approvals import rules
from workers.shared.approvals.record import ApprovalDecision, Verdict, decisions_from

DECIDE_TASK = "Task_Decide"
WITHDRAW_TASK = "Task_Withdraw"
RECORD_VARIABLE = "approvalRecord"  # local to each approver's instance of SubProcess_Approver
ON_BEHALF_OF_VARIABLE = "approvalOnBehalfOf"


@dataclass(frozen=True)
class Completion:
    """A user task as the engine completed it: its id, who completed it, when."""

    task_id: str
    completer: str
    at: datetime


def completed_before(task: TaskContext, activity_id: str) -> Completion:
    """The last completed `activity_id` (a user task) in the same scope as this external task: the
    instance of the approver's subprocess (or the pending subprocess) it follows."""
    engine = task.engine
    this = engine.request("GET", f"/history/activity-instance/{task.activity_instance_id}") or {}
    scope = this.get("parentActivityInstanceId")
    done = [a for a in _activities(task, activity_id, finished=True)
            if a.get("parentActivityInstanceId") == scope and not a.get("canceled")]
    if not done:
        raise EvidenceMismatch(f"{task.process_instance_id}: no completed {activity_id} precedes "
                               f"{task.activity_id} in scope {scope}")
    last = max(done, key=lambda a: a["endTime"])
    return Completion(last["taskId"], completer_of(task, last["taskId"]), parse_camunda_date(last["endTime"]))


def completer_of(task: TaskContext, task_id: str) -> str:
    """Who completed the user task, as the engine logged the authenticated user."""
    entries = task.engine.request("GET", "/history/user-operation", params={
        "taskId": task_id, "operationType": "Complete", "sortBy": "timestamp", "sortOrder": "desc"}) or []
    users = [e["userId"] for e in entries if e.get("userId")]
    if not users:
        raise EvidenceMismatch(f"task {task_id} has no completion by an authenticated user in the operation log")
    return users[0]


def recorded_decisions(task: TaskContext, step: str, *, unrecorded_completions: bool = False) -> list[ApprovalDecision]:
    """Every decision recorded so far (each approver instance's `approvalRecord`, ended ones
    included), and each decision task that ended without one (cancelled by the outcome, or still
    open when the approval ends now) as `cancelled`.

    With `unrecorded_completions`, a decision task a person completed whose recording step has not
    run yet counts as the approval or rejection they submitted (the applicant's withdrawal can come
    between an approver's completion and its recording, and must not erase that decision)."""
    records = [v for v in _variables(task, RECORD_VARIABLE) if v.get("value")]
    decisions = [d for v in records for d in decisions_from(v["value"])]
    # An approver's local variables live on the execution of their subprocess instance, which is
    # also the execution of its decision task (their activityInstanceId is the multi-instance body's).
    recorded_in = {v.get("executionId") for v in records}
    whose = {v.get("executionId"): v.get("value") for v in _variables(task, ON_BEHALF_OF_VARIABLE)}
    submitted = _submitted(task) if unrecorded_completions else {}
    for activity in _activities(task, DECIDE_TASK):
        if not _overtaken(activity, recorded_in):
            continue
        on_behalf_of = whose.get(activity.get("executionId"))
        made = _as_submitted(task, step, activity, on_behalf_of, submitted) if submitted else None
        decisions.append(made or _cancelled(step, activity, on_behalf_of))
    return decisions


def _submitted(task: TaskContext) -> dict[str | None, dict[str, Any]]:
    """The decision form's fields as each approver's execution holds them, by execution."""
    fields: dict[str | None, dict[str, Any]] = {}
    for name in ("approvalVerdict", "approvalComment"):
        for v in _variables(task, name):
            fields.setdefault(v.get("executionId"), {})[name] = v.get("value")
    return fields


def _as_submitted(task: TaskContext, step: str, activity: dict[str, Any], on_behalf_of: str | None,
                  submitted: dict[str | None, dict[str, Any]]) -> ApprovalDecision | None:
    """A completed, unrecorded decision task as the approval or rejection its completer submitted;
    None when it was not completed by a person or its verdict is none of those two."""
    if activity.get("canceled") or not activity.get("endTime") or not activity.get("taskId"):
        return None
    fields = submitted.get(activity.get("executionId"), {})
    try:
        verdict = rules.form_verdict(fields.get("approvalVerdict")).verdict
    except ValueError:
        return None
    if verdict not in (Verdict.APPROVED, Verdict.REJECTED):  # a transfer never took effect
        return None
    try:
        completer = completer_of(task, activity["taskId"])
    except EvidenceMismatch:
        return None
    comment = fields.get("approvalComment")
    return ApprovalDecision(step=step, approver=completer,
                            on_behalf_of=on_behalf_of if on_behalf_of and on_behalf_of != completer else None,
                            verdict=verdict, comment=comment.strip() if isinstance(comment, str) else "",
                            decided_at=parse_camunda_date(activity["endTime"]))


def _overtaken(activity: dict[str, Any], recorded_in: set[str | None]) -> bool:
    """A decision task the outcome made moot: cancelled, still open, or completed in the same instant
    as the decisive one, whose recording step the end then cancelled (nothing recorded in its scope)."""
    if activity.get("canceled") or not activity.get("endTime"):
        return True
    return activity.get("executionId") not in recorded_in


def _cancelled(step: str, activity: dict[str, Any], on_behalf_of: str | None) -> ApprovalDecision:
    holder = activity.get("assignee") or ""
    ended = parse_camunda_date(activity["endTime"]) if activity.get("endTime") else clock.now()
    return ApprovalDecision(step=step, approver=holder, on_behalf_of=on_behalf_of if on_behalf_of != holder else None,
                            verdict=Verdict.CANCELLED, decided_at=ended)


def _activities(task: TaskContext, activity_id: str, *, finished: bool | None = None) -> list[dict[str, Any]]:
    params = {"processInstanceId": task.process_instance_id, "activityId": activity_id}
    if finished:
        params["finished"] = "true"
    return task.engine.request("GET", "/history/activity-instance", params=params) or []


def _variables(task: TaskContext, name: str) -> list[dict[str, Any]]:
    """Every value of a variable in this instance, those of ended scopes included."""
    return task.engine.request("GET", "/history/variable-instance", params={
        "processInstanceId": task.process_instance_id, "variableName": name,
        "includeDeleted": "true", "deserializeValues": "false"}) or []
