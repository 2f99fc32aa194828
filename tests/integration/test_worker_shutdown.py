"""`crossdept worker` as a process, stopped with SIGTERM as a service manager would."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.support.bpmn import service_task_process
from tests.support.driver import EngineDriver, wait_until
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine
REPO = Path(__file__).resolve().parents[2]
# Served by tests/support/shutdown_topics.py, which only the worker process imports: importing it here
# would register its topic in this process's default registry, which `crossdept lint` checks.
SLOW_TOPIC = "test.shutdown.slow"


@pytest.fixture(scope="module")
def slow_process(admin: EngineDriver) -> str:
    key = "test-shutdown-" + uuid.uuid4().hex[:8]
    admin.deploy_xml(key, {f"{key}.bpmn": service_task_process(key, SLOW_TOPIC)})
    return key


def start_worker(engine: Settings, tmp_path: Path, worker_id: str, long_poll_ms: int) -> subprocess.Popen[str]:
    env = dict(
        os.environ,
        CROSSDEPT_ENGINE_URL=engine.engine_url,
        CROSSDEPT_DATA_DIR=str(engine.data_dir),
        CROSSDEPT_STATE_DIR=str(tmp_path / "state"),
        CROSSDEPT_WORKER_ID=worker_id,
        CROSSDEPT_CONCURRENCY="2",
        CROSSDEPT_LONG_POLL_MS=str(long_poll_ms),
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "workers", "worker", "--import", "tests.support.shutdown_topics", "--topics", SLOW_TOPIC],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    return process


def locked_by(admin: EngineDriver, worker_id: str) -> list[dict]:
    return admin.external_tasks(workerId=worker_id, locked="true")


def test_sigterm_lets_tasks_in_flight_finish_before_the_worker_exits(
    engine: Settings, admin: EngineDriver, slow_process: str, tmp_path: Path
) -> None:
    worker_id = "shutdown-" + uuid.uuid4().hex[:6]
    worker = start_worker(engine, tmp_path, worker_id, long_poll_ms=2_000)
    try:
        pids = [admin.start(slow_process, {"sleepSeconds": (3, "Double")}) for _ in range(2)]
        wait_until(lambda: len(locked_by(admin, worker_id)) == 2, 30, "both tasks locked by the worker")
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=60)
    finally:
        worker.kill()

    assert worker.returncode == 0, output
    for pid in pids:
        assert admin.active_activities(pid) == ["Task_Wait"], f"{pid} did not complete before exit:\n{output}"
        assert admin.history_variables(pid)["done"] is True


def test_tasks_a_poll_returns_after_sigterm_are_unlocked_not_run(
    engine: Settings, admin: EngineDriver, slow_process: str, tmp_path: Path
) -> None:
    worker_id = "shutdown-" + uuid.uuid4().hex[:6]
    worker = start_worker(engine, tmp_path, worker_id, long_poll_ms=20_000)
    try:
        # The worker prints its banner just before its first long poll; give the poll time to reach the engine.
        assert "worker" in worker.stdout.readline()
        time.sleep(2)
        worker.send_signal(signal.SIGTERM)
        pids = [admin.start(slow_process) for _ in range(2)]  # wakes the long poll, which hands them over
        output, _ = worker.communicate(timeout=60)
    finally:
        worker.kill()

    assert worker.returncode == 0, output
    assert "unlocked" in output, f"the poll did not return the new tasks after SIGTERM:\n{output}"
    tasks = [task for pid in pids for task in admin.external_tasks(processInstanceId=pid)]
    assert len(tasks) == 2
    assert all(task["lockExpirationTime"] is None and task["workerId"] is None for task in tasks), tasks
    assert all("done" not in admin.history_variables(pid) for pid in pids)
