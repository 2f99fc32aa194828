"""The embedded H2 loses no completion the engine acknowledged, even when the engine is SIGKILLed.

A client drains a backlog of external tasks and records every completion the engine answered 204
for; the engine JVM is killed mid-drain and restarted on the same H2 file; every acknowledged task
must then be completed in history and not be fetchable again.

`CROSSDEPT_KILL_TEST_H2_WRITE_DELAY_MS=500` (H2's own default) runs the same test against the old
configuration, to see it find the losses (it then fails, naming them).
"""

from __future__ import annotations

import os
import signal
import threading
from pathlib import Path
from typing import Iterator

import pytest
import requests

from tests.conftest import engine_settings, free_port, started_engine
from tests.support.bpmn import service_task_process
from tests.support.driver import EngineDriver, wait_until
from workers.engine.lifecycle import pid_path, start_engine
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine
TOPIC = "test.durability.drain"
KEY = "test-durability"
BACKLOG = 400
KILL_AFTER = 150  # acknowledged completions before the kill: the drain is in full swing
DRAINERS = 3


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Settings]:
    delay = int(os.environ.get("CROSSDEPT_KILL_TEST_H2_WRITE_DELAY_MS", "0"))
    settings = engine_settings(tmp_path / "engine", free_port(), h2_write_delay_ms=delay)
    with started_engine(settings):
        yield settings


class Drain:
    """Fetches and completes tasks as fast as the engine answers, recording each 204."""

    def __init__(self, settings: Settings) -> None:
        self.url = settings.engine_url
        self.auth = settings.admin_credentials()
        self.acknowledged: set[str] = set()
        self.lock = threading.Lock()
        self.enough = threading.Event()
        self.engine_gone = threading.Event()

    def run(self, name: str) -> None:
        with requests.Session() as session:
            session.auth = self.auth
            while not self.engine_gone.is_set():
                try:
                    self._round(session, name)
                except requests.RequestException:
                    self.engine_gone.set()  # killed: whatever was in flight has no answer

    def _round(self, session: requests.Session, name: str) -> None:
        fetched = session.post(f"{self.url}/external-task/fetchAndLock", timeout=10, json={
            "workerId": name, "maxTasks": 10, "usePriority": False,
            "topics": [{"topicName": TOPIC, "lockDuration": 600_000}],
        })
        fetched.raise_for_status()
        for task in fetched.json():
            answer = session.post(f"{self.url}/external-task/{task['id']}/complete", timeout=10,
                                  json={"workerId": name})
            if answer.status_code == 204:
                with self.lock:
                    self.acknowledged.add(task["id"])
                    if len(self.acknowledged) >= KILL_AFTER:
                        self.enough.set()


def _kill_engine(settings: Settings) -> None:
    pid = int(pid_path(settings).read_text(encoding="utf-8"))
    os.killpg(pid, signal.SIGKILL)  # the engine we started runs in a session of its own
    wait_until(lambda: not Path(f"/proc/{pid}").exists() or _is_zombie(pid), 30, "the killed engine to exit")
    try:
        os.waitpid(pid, 0)  # our child: reap it
    except ChildProcessError:
        pass


def _is_zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def _completed_in_history(admin: EngineDriver) -> set[str]:
    logs = admin.get("/history/external-task-log", successLog="true", processDefinitionKey=KEY,
                     maxResults=BACKLOG * 2)
    return {entry["externalTaskId"] for entry in logs}


def _still_open(admin: EngineDriver) -> set[str]:
    return {task["id"] for task in admin.get("/external-task", topicName=TOPIC, maxResults=BACKLOG * 2)}


def test_no_acknowledged_completion_is_lost_when_the_engine_is_killed_mid_drain(own_engine: Settings) -> None:
    admin = EngineDriver(own_engine.engine_url, *own_engine.admin_credentials())
    admin.deploy_xml(KEY, {f"{KEY}.bpmn": service_task_process(KEY, TOPIC, then_wait=False)})
    for _ in range(BACKLOG):
        admin.start(KEY)

    drain = Drain(own_engine)
    threads = [threading.Thread(target=drain.run, args=(f"drainer-{n}",), daemon=True) for n in range(DRAINERS)]
    for thread in threads:
        thread.start()
    assert drain.enough.wait(120), f"only {len(drain.acknowledged)} completions acknowledged in 120 s"
    _kill_engine(own_engine)
    drain.engine_gone.set()
    for thread in threads:
        thread.join(30)
    acknowledged = set(drain.acknowledged)
    assert len(acknowledged) < BACKLOG, "the drain finished before the kill: nothing was in flight"

    start_engine(own_engine, foreground=False, timeout_s=240)
    lost = acknowledged - _completed_in_history(admin)
    delivered_again = acknowledged & _still_open(admin)
    print(f"H2 WRITE_DELAY={own_engine.h2_write_delay_ms}: {len(acknowledged)} of {BACKLOG} completions "
          f"acknowledged before the kill, {len(lost)} lost")  # the figures, with pytest -s
    assert len(lost) == 0 and len(delivered_again) == 0, (
        f"{len(lost)} of {len(acknowledged)} acknowledged completions were lost by the kill "
        f"({len(delivered_again)} of them fetchable again), with H2 WRITE_DELAY={own_engine.h2_write_delay_ms}"
    )
