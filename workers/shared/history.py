"""Facts about an instance taken from the engine's history, which no task completion or start
variable can write (unlike `initiator`, which start instructions or a skipped listener can forge)."""

from __future__ import annotations

from workers.runtime.context import TaskContext


def started_by(task: TaskContext) -> str | None:
    """Who started this instance, as the engine recorded the authenticated user."""
    found = task.engine.request("GET", f"/history/process-instance/{task.process_instance_id}") or {}
    return found.get("startUserId")
