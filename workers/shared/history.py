"""Facts about an instance taken from the engine's history, which no task completion or start
variable can write (unlike `initiator`, which start instructions or a skipped listener can forge)."""

from __future__ import annotations

from workers.runtime.context import TaskContext


def started_by(task: TaskContext) -> str | None:
    """Who started this instance, as the engine recorded the authenticated user."""
    found = task.engine.request("GET", f"/history/process-instance/{task.process_instance_id}") or {}
    return found.get("startUserId")


def initiator_of(start_user: str | None, initiator_variable: str | None, admin_user: str) -> str | None:
    """Who a process was started by or for: the start user the engine recorded, except that the
    operator account (CROSSDEPT_ADMIN_USER) entering a notice given on paper acts for the person its
    `initiator` variable names (only administrators may skip the start listener that sets it)."""
    return initiator_variable if start_user == admin_user and initiator_variable else start_user
