"""What the engine records for how long an instance's history is kept (engine/.../retention):
every history entry under a root instance, by kind, with the removal time the engine gave it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tests.support.driver import EngineDriver

# Each kind of history under an instance, as REST lists it by process instance id.
HISTORY = {
    "process instance": "/history/process-instance",
    "tasks": "/history/task",
    "variables": "/history/variable-instance",
    "details": "/history/detail",
    "activity instances": "/history/activity-instance",
    "decision instances": "/history/decision-instance",
    "user operations": "/history/user-operation",
    "incidents": "/history/incident",
    "external-task log": "/history/external-task-log",
    "job log": "/history/job-log",
}


def instant(text: str) -> datetime:
    """A REST date such as 2026-12-02T03:45:00.123+0000."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def instance_tree(admin: EngineDriver, root: str) -> list[str]:
    """The root instance and every instance it called, however deep."""
    found, pending = [], [root]
    while pending:
        current = pending.pop()
        found.append(current)
        pending += [child["id"] for child in admin.get("/history/process-instance", superProcessInstanceId=current)]
    return found


def history_under(admin: EngineDriver, root: str) -> dict[str, list[dict[str, Any]]]:
    """Every history entry of the root instance and its called instances, by kind."""
    return {kind: [entry for instance in instance_tree(admin, root)
                   for entry in admin.get(path, processInstanceId=instance)]
            for kind, path in HISTORY.items()}


def ended_at(admin: EngineDriver, root: str) -> datetime:
    [instance] = admin.get("/history/process-instance", processInstanceId=root)
    assert instance["endTime"], f"instance {root} has not ended: {instance['state']}"
    return instant(instance["endTime"])


def removal_times(admin: EngineDriver, root: str) -> dict[str, set[datetime | None]]:
    """The removal times the entries of each kind carry (a kind with no entries is left out)."""
    return {kind: {instant(e["removalTime"]) if e.get("removalTime") else None for e in entries}
            for kind, entries in history_under(admin, root).items() if entries}


def assert_kept_for(admin: EngineDriver, root: str, days: int, kinds: tuple[str, ...]) -> None:
    """Every history entry under `root` is removed `days` after the root's end, and each of `kinds` has entries."""
    expected = ended_at(admin, root) + timedelta(days=days)
    found = removal_times(admin, root)
    missing = [kind for kind in kinds if kind not in found]
    assert not missing, f"instance {root} has no history of {missing} to check"
    wrong = {kind: times for kind, times in found.items() if times != {expected}}
    assert not wrong, f"instance {root}: expected removal time {expected} (end + {days} days) everywhere, got {wrong}"
