"""The tests' side of the engine: what an operator or a user does through REST.

Deliberately not the runtime's own client: processes are started with pycamunda, a second,
independent client, so a bug in ours cannot hide itself.
"""

from __future__ import annotations

import contextlib
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator

import pycamunda.incident
import pycamunda.processdef
import requests

from workers.runtime.client import EngineClient
from workers.runtime.idempotency import OnceStore
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

    def failure_log(self, process_instance_id: str) -> list[dict[str, Any]]:
        """Every failure reported for the instance's external tasks, oldest first."""
        found = self.get(
            "/history/external-task-log", processInstanceId=process_instance_id, failureLog="true",
            sortBy="timestamp", sortOrder="asc",
        )
        return found


@contextlib.contextmanager
def running_worker(registry: Registry, settings: Settings) -> Iterator[Worker]:
    """A worker polling in a background thread for the duration of the block."""
    user, password = settings.worker_credentials()
    client = EngineClient(settings.engine_url, user, password, timeout_s=settings.http_timeout_s)
    worker = Worker(registry, client, settings, OnceStore(settings.state_root / "side-effects.sqlite"))
    thread = threading.Thread(target=worker.run, name=f"test-worker-{settings.worker_id}", daemon=True)
    thread.start()
    try:
        yield worker
    finally:
        worker.stop()
        thread.join(timeout=60)
        assert not thread.is_alive(), "worker did not stop within 60 s"
        client.close()
