"""The engine goes away mid-run and comes back: the worker reconnects and nothing is lost."""

from __future__ import annotations

import threading
import time
import uuid
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import engine_settings, free_port, started_engine
from tests.support.bpmn import service_task_process
from tests.support.driver import EngineDriver, running_worker, wait_until
from workers.runtime.registry import Registry
from workers.runtime.settings import Settings
from workers.engine.lifecycle import start_engine, stop_engine

pytestmark = pytest.mark.engine
TOPIC = "test.restart.work"


@pytest.fixture
def own_engine(tmp_path: Path) -> Iterator[Settings]:
    settings = engine_settings(tmp_path / "engine", free_port(), state_dir=tmp_path / "state", worker_id="restart-worker")
    with started_engine(settings):
        yield settings


def test_worker_reconnects_after_engine_restart_and_every_task_completes(own_engine: Settings) -> None:
    admin = EngineDriver(own_engine.engine_url, *own_engine.admin_credentials())
    key = "test-restart"
    admin.deploy_xml(key, {f"{key}.bpmn": service_task_process(key, TOPIC)})
    handled: list[str] = []
    lock = threading.Lock()
    registry = Registry()

    @registry.topic(TOPIC)
    def work() -> dict:
        time.sleep(0.2)
        with lock:
            handled.append("x")
        return {"done": True}

    before = [admin.start(key) for _ in range(20)]
    with running_worker(registry, own_engine) as worker:
        recovered = threading.Event()
        worker.on("poll.recovered", lambda _: recovered.set())
        wait_until(lambda: len(handled) >= 3, 30, "the worker to start handling tasks")
        stop_engine(own_engine)
        time.sleep(2)
        start_engine(own_engine, foreground=False, timeout_s=240)
        after = [admin.start(key) for _ in range(10)]
        wait_until(
            lambda: all(admin.active_activities(pid) == ["Task_Wait"] for pid in before + after),
            120, "every instance to pass the service task",
        )

    assert recovered.is_set(), "the worker never reported the engine back"
    assert admin.get("/external-task/count")["count"] == 0
    assert admin.get("/incident/count")["count"] == 0
