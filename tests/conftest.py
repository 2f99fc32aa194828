"""One real engine for the whole test session, on a free port with a throwaway H2 database."""

from __future__ import annotations

import contextlib
import itertools
import socket
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.driver import EngineDriver
from workers.runtime.settings import Settings

_worker_ids = itertools.count(1)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def engine_settings(data_dir: Path, port: int, **overrides: object) -> Settings:
    values: dict[str, object] = dict(
        engine_port=port,
        engine_url=f"http://localhost:{port}/engine-rest",
        data_dir=data_dir,
        long_poll_ms=1_000,
        lock_duration_ms=10_000,
        retry_backoff_s=0.2,
        concurrency=4,
        job_acquisition_max_wait_ms=10_000,  # timers due in seconds fire within 10 s, not a minute
    )
    values.update(overrides)
    return Settings(**values)


@contextlib.contextmanager
def started_engine(settings: Settings) -> Iterator[Settings]:
    """An engine of our own for the block (start_engine also creates the workers' user)."""
    from workers.engine.lifecycle import start_engine, stop_engine

    start_engine(settings, foreground=False, timeout_s=240)
    try:
        yield settings
    finally:
        stop_engine(settings)


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at a running engine whose worker user exists; stopped after the session."""
    with started_engine(engine_settings(tmp_path_factory.mktemp("engine"), free_port())) as settings:
        yield settings


@pytest.fixture
def worker_settings(engine: Settings, tmp_path: Path) -> Settings:
    """The session engine, a fresh worker id and state folder for one test."""
    return engine.model_copy(update={"worker_id": f"test-worker-{next(_worker_ids)}", "state_dir": tmp_path / "state"})


@pytest.fixture(scope="session")
def admin(engine: Settings) -> EngineDriver:
    user, password = engine.admin_credentials()
    return EngineDriver(engine.engine_url, user, password)
