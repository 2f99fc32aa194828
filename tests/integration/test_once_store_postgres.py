"""task.once on PostgreSQL, the engine's database in production: worker processes on any host share
the claims (table crossdept_once_claims), with the same guarantee as on SQLite (tests/unit/test_once_store.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import free_port
from tests.support.once_race import (
    StoreSpec,
    check_a_dead_workers_claim_is_taken_over_after_its_lease,
    check_racing_workers_run_the_effect_once,
)
from tests.support.postgres import postgres_server, recreate_database
from workers.runtime.idempotency import libpq_conninfo

pytestmark = pytest.mark.engine  # a real database server, like the engine tests


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[int, str]]:
    port = free_port()
    with postgres_server(port) as jdbc_url:
        yield port, libpq_conninfo(jdbc_url)


@pytest.fixture
def database(server: tuple[int, str]) -> str:
    port, conninfo = server
    recreate_database(port)
    return conninfo


def test_worker_processes_racing_one_key_on_postgresql_run_the_effect_once(database: str, tmp_path: Path) -> None:
    spec = StoreSpec(conninfo=database, user="camunda", password="camunda")
    check_racing_workers_run_the_effect_once(spec, tmp_path / "effects")


def test_a_claim_left_by_a_killed_worker_on_postgresql_is_taken_over_once_its_lease_ends(
    database: str, tmp_path: Path
) -> None:
    spec = StoreSpec(conninfo=database, user="camunda", password="camunda", lease_s=1.0)
    check_a_dead_workers_claim_is_taken_over_after_its_lease(spec, tmp_path / "effects")
