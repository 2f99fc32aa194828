"""Every to-do reaches its person, in every process, with no service task per user task.

`crossdept worker` runs this watcher beside its poll loop. Every `CROSSDEPT_NOTIFY_SCAN_S` it asks the
engine for
- the open user tasks created or updated (a new assignee, a claim) since its last scan, and tells
  each task's assignee, or its candidates while unassigned (`workers.shared.notify.todo`), by e-mail
  and the configured IM robots, with the Tasklist link;
- the process instances that ended since its last scan, and tells each one's initiator the result.

**Once per task and person.** Each message is an event (`todo:<task>:<person>`, `ended:<instance>:<person>`)
sent through `deliver` under the once store every worker of the deployment shares (the task's process
instance, scope `todo-watch`), so overlapping scans, two worker processes and restarts send nothing
twice; a reassigned task is a new person, hence one message to them.

**Nothing lost.** Each scan looks `CROSSDEPT_NOTIFY_OVERLAP_S` behind the previous one (a commit the
engine made visible late is still found). A message that fails (SMTP down, a robot refusing) is logged
for operators and keeps the scan position at that task, so the next scan sends it again; an engine that
cannot be reached is retried with a growing pause (up to 5 minutes). Nothing here stops the worker.

**Cold start.** The first scan on a state folder records its time in `STATE_DIR/todo-watch.json`
(the floor): tasks created before it are not announced (they were in Tasklist already, and a worker
started on a new state folder next to a busy engine would otherwise mail every open task again);
such a task is announced to whoever becomes its assignee after the floor (the history's
identity-link log says when), not for any other update (a comment, a variable). A kept state folder keeps its floor and position: a restarted worker
announces what was created while it was down, and nothing twice.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

from workers.runtime.idempotency import OnceStore
from workers.runtime.permissions import NOTIFIER_PERMISSIONS
from workers.runtime.settings import Settings
from workers.shared.history import initiator_of
from workers.shared.notify import Bilingual, Notification, deliver
from workers.shared.notify.todo import (
    bilingual_label, ending_notification, engine_time, instance_result, todo_notification, todo_recipients,
)
from workers.shared.organisation.model import Organisation
from workers.shared.scanning import ScanningCompanion, scan_until

log = logging.getLogger("crossdept.notify")
SCOPE = "todo-watch"  # the once store's activity part for the watcher's messages
PAGE = 200


class WatcherMisconfigured(RuntimeError):
    """The workers' user lacks a grant the watcher needs; the message names it and what to run."""


def check_permissions(engine: Any, user: str) -> None:
    """Fail clearly at start: without TASK READ the engine does not refuse the task query, it
    answers an empty list, and nobody would ever be told of anything."""
    missing = [f"{resource.name} {name}" for resource, names in NOTIFIER_PERMISSIONS.items() for name in names
               if not (engine.request("GET", "/authorization/check", params={
                   "permissionName": name, "resourceName": resource.name.lower(),
                   "resourceType": int(resource), "resourceId": "*"}) or {}).get("authorized")]
    if missing:
        raise WatcherMisconfigured(
            f"the workers' user {user!r} lacks {', '.join(missing)}, which the to-do watcher needs to find new "
            "tasks and ended processes: run `crossdept engine start` (it grants the runtime's permissions, "
            "workers/runtime/permissions.py), or set CROSSDEPT_NOTIFY_TODOS=false to run without it")


def engine_param(moment: datetime) -> str:
    """A datetime as the engine's query parameters take it: `2026-12-01T09:30:00.000+0000`."""
    utc = moment.astimezone(timezone.utc)
    return f"{utc:%Y-%m-%dT%H:%M:%S}.{utc.microsecond // 1000:03d}+0000"


@dataclass
class WatchState:
    """Where the watcher is: `floor`, its first scan on this state folder; `tasks_since` and
    `endings_since`, from when the next scan looks (less the overlap, never before the floor)."""

    floor: datetime
    tasks_since: datetime
    endings_since: datetime

    @classmethod
    def load(cls, path: Path, now: datetime) -> "WatchState":
        if not path.is_file():
            state = cls(now, now, now)
            state.save(path)  # the floor holds from this first scan on, whatever happens next
            return state
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(*(datetime.fromisoformat(data[k]) for k in ("floor", "tasksSince", "endingsSince")))
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(
                f"{path} is not the to-do watcher's state ({type(exc).__name__}: {exc}); delete it to start "
                "afresh (tasks created before then are not announced, nothing already sent is sent again)") from exc

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"floor": self.floor.isoformat(), "tasksSince": self.tasks_since.isoformat(),
                                         "endingsSince": self.endings_since.isoformat()}), encoding="utf-8")
        temporary.replace(path)


@dataclass
class ScanReport:
    sent: int = 0
    failed: list[str] = field(default_factory=list)  # the events that did not go out, with why


class ToDoWatcher(ScanningCompanion):
    STATE_FILE = "todo-watch.json"

    def __init__(self, settings: Settings, engine: Any, once_store: OnceStore,
                 now: Callable[[], datetime] = lambda: datetime.now(timezone.utc)) -> None:
        super().__init__(settings, engine, once_store, now)
        self._state: WatchState | None = None
        self._names: dict[str, Bilingual] = {}
        self._delivered: set[str] = set()  # events done: later scans skip even the store's lookup

    # --- the loop
    def run(self, stopping: threading.Event) -> None:
        """Scan until `stopping` is set; a failed scan is logged and tried again later, never raised."""
        scan_until(stopping, lambda: self.scan().failed, self.settings.notify_scan_s, "to-do watcher",
                   "message(s) not sent", log)

    def scan(self) -> ScanReport:
        """One pass over new tasks and ended instances; returns what was sent and what failed."""
        started = self.now()
        if self._state is None:
            self._state = WatchState.load(self.state_path, started)
        state, report, org = self._state, ScanReport(), self.organisation()
        state.tasks_since = self._tasks(org, state, started, report)
        state.endings_since = self._endings(org, state, started, report)
        state.save(self.state_path)
        return report

    # --- new tasks
    def _tasks(self, org: Organisation, state: WatchState, started: datetime, report: ScanReport) -> datetime:
        since = engine_param(max(state.floor, state.tasks_since - timedelta(seconds=self.settings.notify_overlap_s)))
        seen: dict[str, dict[str, Any]] = {}
        for query in ({"createdAfter": since}, {"updatedAfter": since}):
            seen.update((t["id"], t) for t in self._pages("/task", {**query, "sortBy": "created", "sortOrder": "asc"}))
        retry_from = started
        for task in seen.values():
            if not self._new_to_its_holder(task, state.floor):
                continue
            links = [] if task.get("assignee") else self.engine.request("GET", f"/task/{task['id']}/identity-links") or []
            process = self.process_name(task.get("processDefinitionId"))
            for person in todo_recipients(org, task, links):
                if not self._send(task.get("processInstanceId"), todo_notification(person, task, process, self.zone),
                                  report):
                    retry_from = min(retry_from, _last_change(task))
        return retry_from

    def _new_to_its_holder(self, task: dict[str, Any], floor: datetime) -> bool:
        """A task from before the floor counts only once someone new holds it: an update may be a
        comment or a variable (the hand-over comments on a task before moving it), which tells its
        holder nothing new. Who became the assignee when is the history's identity-link log."""
        if (engine_time(task.get("created")) or floor) > floor:
            return True
        if not task.get("assignee"):
            return False
        log_entries = self.engine.request("GET", "/history/identity-link-log", params={
            "taskId": task["id"], "type": "assignee", "operationType": "add", "userId": task["assignee"]}) or []
        return any((engine_time(e.get("time")) or floor) > floor for e in log_entries)

    # --- ended instances
    def _endings(self, org: Organisation, state: WatchState, started: datetime, report: ScanReport) -> datetime:
        since = max(state.floor, state.endings_since - timedelta(seconds=self.settings.notify_overlap_s))
        finished = self._pages("/history/process-instance", {
            "finishedAfter": engine_param(since), "sortBy": "endTime", "sortOrder": "asc"})
        retry_from = started
        for instance in finished:
            if instance.get("superProcessInstanceId"):  # a called sub-process: its caller's end counts
                continue
            person = org.people_by_id.get(self._initiator(instance) or "")
            if person is None:  # a timer start, or an operator who is not staff: nobody to tell
                continue
            activities = [] if instance.get("state") != "COMPLETED" else self.engine.request(
                "GET", "/history/activity-instance", params={"processInstanceId": instance["id"]}) or []
            notification = ending_notification(person, instance, self.process_name(instance.get("processDefinitionId")),
                                               instance_result(instance, activities), self.zone)
            if not self._send(instance["id"], notification, report):
                retry_from = min(retry_from, engine_time(instance.get("endTime")) or since)
        return retry_from

    def _initiator(self, instance: dict[str, Any]) -> str | None:
        start_user = instance.get("startUserId")
        named = None
        if start_user == self.settings.admin_user:
            found = self.engine.request("GET", "/history/variable-instance", params={
                "processInstanceId": instance["id"], "variableName": "initiator"}) or []
            named = found[0].get("value") if found else None
        return initiator_of(start_user, named, self.settings.admin_user)

    # --- plumbing
    def _send(self, process_instance_id: str | None, notification: Notification, report: ScanReport) -> bool:
        key = notification.event_key
        if key in self._delivered:
            return True
        scope = process_instance_id or "standalone-task"
        try:
            deliver(self.settings, lambda once_key, action: self.once_store.once(scope, SCOPE, once_key, action),
                    notification)
        except Exception as exc:  # one person's failed message must not hold back anyone else's
            report.failed.append(f"{key}: {exc}")
            return False
        if len(self._delivered) > 100_000:  # only a shortcut: the once store is the record
            self._delivered.clear()
        self._delivered.add(key)
        report.sent += 1
        return True

    def _pages(self, path: str, params: dict[str, Any]) -> Iterator[dict[str, Any]]:
        first = 0
        while True:
            page = self.engine.request("GET", path, params={**params, "firstResult": first, "maxResults": PAGE}) or []
            yield from page
            if len(page) < PAGE:
                return
            first += PAGE

    def process_name(self, definition_id: str | None) -> Bilingual:
        if not definition_id:
            return Bilingual(zh="任务", en="task")
        if definition_id not in self._names:
            found = self.engine.request("GET", f"/process-definition/{definition_id}") or {}
            self._names[definition_id] = bilingual_label(found.get("name"), found.get("key") or definition_id)
        return self._names[definition_id]



def _last_change(task: dict[str, Any]) -> datetime:
    times = [t for t in (engine_time(task.get("created")), engine_time(task.get("lastUpdated"))) if t]
    return max(times)


def watcher_for(settings: Settings, engine: Any, once_store: OnceStore) -> ToDoWatcher:
    """The watcher `crossdept worker` runs, once it is sure to work: the grants it needs and the
    organisation file it names people from (WatcherMisconfigured says which is missing)."""
    check_permissions(engine, settings.engine_user)
    watcher = ToDoWatcher(settings, engine, once_store)
    try:
        watcher.organisation()
    except (OSError, ValueError) as exc:
        raise WatcherMisconfigured(
            f"the to-do watcher names people from CROSSDEPT_ORGANISATION_FILE ({settings.organisation_file}, "
            f"relative to the worker's folder) and cannot read it: {exc}") from exc
    return watcher
