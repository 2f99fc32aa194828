"""The tests' side of the engine: what an operator or a user does through REST.

Deliberately not the runtime's own client: processes are started with pycamunda, a second,
independent client, so a bug in ours cannot hide itself.
"""

from __future__ import annotations

import contextlib
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

import pycamunda.incident
import pycamunda.processdef
import requests

from workers.runtime.client import EngineClient
from workers.runtime.idempotency import once_store_for
from workers.runtime.registry import Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import Settings
from workers.runtime.variables import from_camunda


def wait_until(predicate: Callable[[], Any], timeout_s: float, what: str, interval_s: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout_s
    while True:
        result = predicate()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        time.sleep(interval_s)


@dataclass
class EngineDriver:
    url: str
    user: str
    password: str

    def __post_init__(self) -> None:
        self.session = requests.Session()
        self.session.auth = (self.user, self.password)

    def get(self, path: str, **params: Any) -> Any:
        response = self.session.get(self.url + path, params=params, timeout=10)
        response.raise_for_status()
        return response.json()

    def deploy_xml(self, name: str, files: dict[str, str]) -> dict[str, Any]:
        parts = [("deployment-name", (None, name))] + [
            (filename, (filename, content.encode(), "application/octet-stream")) for filename, content in files.items()
        ]
        response = self.session.post(self.url + "/deployment/create", files=parts, timeout=30)
        assert response.ok, f"deployment of {list(files)} failed: {response.text}"
        return response.json()

    def start(self, key: str, variables: dict[str, Any] | None = None, business_key: str | None = None) -> str:
        start = pycamunda.processdef.StartInstance(self.url, key=key, business_key=business_key)
        start.auth = (self.user, self.password)
        for name, (value, type_) in (variables or {}).items():
            start.add_variable(name, value, type_)
        return start().id_

    def history_variables(self, process_instance_id: str) -> dict[str, Any]:
        """The instance's variables as plain values (Json ones parsed, as workers see them)."""
        found = self.get("/history/variable-instance", processInstanceId=process_instance_id, deserializeValues="false")
        return from_camunda({v["name"]: v for v in found})

    def active_activities(self, process_instance_id: str) -> list[str]:
        found = self.get("/history/activity-instance", processInstanceId=process_instance_id, unfinished="true")
        return sorted(a["activityId"] for a in found)

    def incidents(self, process_instance_id: str) -> list[Any]:
        query = pycamunda.incident.GetList(self.url, process_instance_id=process_instance_id)
        query.auth = (self.user, self.password)
        return list(query())

    def external_tasks(self, **params: Any) -> list[dict[str, Any]]:
        return self.get("/external-task", **params)

    def instance(self, process_instance_id: str) -> ProcessInstance:
        return ProcessInstance(self, process_instance_id)

    def failure_log(self, process_instance_id: str) -> list[dict[str, Any]]:
        """Every failure reported for the instance's external tasks, oldest first."""
        found = self.get(
            "/history/external-task-log", processInstanceId=process_instance_id, failureLog="true",
            sortBy="timestamp", sortOrder="asc",
        )
        return found


@dataclass(frozen=True)
class ProcessInstance:
    """One process instance as the engine shows it: where it waits, what it passed, its variables.
    What tests expect of it is in tests/support/assertions.py."""

    engine: EngineDriver
    id: str

    def __str__(self) -> str:
        return f"instance {self.id}"

    def state(self) -> str | None:
        """ACTIVE, SUSPENDED, COMPLETED, EXTERNALLY_TERMINATED, INTERNALLY_TERMINATED; None if unknown."""
        found = self.engine.get("/history/process-instance", processInstanceId=self.id)
        return found[0]["state"] if found else None

    def settle(self, timeout_s: float) -> None:
        """Give the instance up to `timeout_s` to end, without failing if it does not: the scenario
        that drove it ends there, and its tests (has_ended and the rest) say what is missing."""
        with contextlib.suppress(AssertionError):
            wait_until(lambda: self.state() not in ("ACTIVE", "SUSPENDED"), timeout_s, f"{self} to end",
                       interval_s=0.2)

    def waiting_at(self) -> list[str]:
        """The activities the instance waits in (user, receive, external tasks, timers, async
        continuations), sorted; empty once it has ended."""
        response = self.engine.session.get(f"{self.engine.url}/process-instance/{self.id}/activity-instances",
                                           timeout=10)
        if response.status_code == 404:
            return []
        response.raise_for_status()
        return sorted(_leaves(response.json()))

    def activities(self, **params: Any) -> list[dict[str, Any]]:
        """Its historic activity instances in the order they started."""
        return self.engine.get("/history/activity-instance", processInstanceId=self.id,
                               sortBy="startTime", sortOrder="asc", **params)

    def passed(self) -> list[str]:
        """The activities it has completed, in the order they started (repeated ones repeat); one
        interrupted by a boundary event or a deletion was cancelled, not passed."""
        return [a["activityId"] for a in self.activities(finished="true") if not a["canceled"]]

    def variables(self) -> dict[str, Any]:
        """Its process variables decoded as workers see them: live while it runs, else from history."""
        if self.state() not in ("ACTIVE", "SUSPENDED"):  # the runtime endpoint answers 500 for an ended one
            return self.engine.history_variables(self.id)
        return from_camunda(self.engine.get(f"/process-instance/{self.id}/variables", deserializeValues="false"))

    def incidents(self) -> list[dict[str, Any]]:
        return self.engine.get("/incident", processInstanceId=self.id)


def _leaves(tree: dict[str, Any]) -> Iterator[str]:
    children = tree.get("childActivityInstances") or []
    transitions = tree.get("childTransitionInstances") or []
    for transition in transitions:  # an asynchronous continuation the job executor has yet to run
        yield transition["activityId"]
    if not children and not transitions and tree.get("activityType") != "processDefinition":
        yield tree["activityId"]
    for child in children:
        yield from _leaves(child)


def worker_settings_in(engine: Settings, folder: Path, **updates: Any) -> Settings:
    """The session engine's settings for a worker of a scenario's own, keeping its state in `folder`
    (for module fixtures; a test's own worker takes the `worker_settings` fixture)."""
    return engine.model_copy(update={"worker_id": f"scenario-worker-{uuid.uuid4().hex[:6]}",
                                     "state_dir": folder / "state", **updates})


@contextlib.contextmanager
def running_worker(registry: Registry, settings: Settings, watch: bool = False) -> Iterator[Worker]:
    """A worker polling in a background thread for the duration of the block; with `watch`, the
    to-do watcher runs beside it as `crossdept worker` runs it."""
    from workers.shared.notify.watch import watcher_for

    user, password = settings.worker_credentials()
    client = EngineClient(settings.engine_url, user, password, timeout_s=settings.http_timeout_s)
    once_store = once_store_for(settings)
    companions = [watcher_for(settings, client, once_store)] if watch else []
    worker = Worker(registry, client, settings, once_store, companions=companions)
    thread = threading.Thread(target=worker.run, name=f"test-worker-{settings.worker_id}", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=60)
        assert not thread.is_alive(), "worker did not stop within 60 s"
        client.close()
