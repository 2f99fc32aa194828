"""PostgreSQL, the production option: the engine runs on it and keeps its data across restarts."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import engine_settings, free_port
from tests.support.bpmn import service_task_process
from tests.support.driver import EngineDriver, running_worker, wait_until
from tests.support.postgres import postgres_server
from workers.runtime.registry import Registry
from workers.engine.lifecycle import start_engine, stop_engine

pytestmark = pytest.mark.engine


def test_engine_on_postgresql_runs_a_process_and_keeps_it_across_a_restart(tmp_path: Path) -> None:
    with postgres_server(free_port()) as jdbc_url:
        settings = engine_settings(
            tmp_path / "engine", free_port(), jdbc_url=jdbc_url, jdbc_user="camunda", jdbc_password="camunda",
            state_dir=tmp_path / "state",
        )
        assert "jdbc:postgresql" in settings.jdbc_url
        registry = Registry()
        registry.topic("test.pg.echo")(lambda: {"storedIn": "postgresql"})
        start_engine(settings, timeout_s=240)
        try:
            admin = EngineDriver(settings.engine_url, *settings.admin_credentials())
            admin.deploy_xml("test-pg", {"test-pg.bpmn": service_task_process("test-pg", "test.pg.echo")})
            pid = admin.start("test-pg")
            with running_worker(registry, settings):
                wait_until(lambda: admin.active_activities(pid) == ["Task_Wait"], 60, "the task to complete")
            stop_engine(settings)
            assert not (settings.data_dir / "h2").exists(), "the engine wrote an H2 database instead"
            start_engine(settings, timeout_s=240)
            assert admin.active_activities(pid) == ["Task_Wait"]
            assert admin.history_variables(pid)["storedIn"] == "postgresql"
        finally:
            stop_engine(settings)
