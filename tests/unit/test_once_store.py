"""task.once: the key is claimed atomically before the effect, in a store every worker shares.

Real worker processes race one key on one SQLite file here; the same checks run on PostgreSQL in
tests/integration/test_once_store_postgres.py."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.support.once_race import (
    KEY,
    StoreSpec,
    check_a_dead_workers_claim_is_taken_over_after_its_lease,
    check_racing_workers_run_the_effect_once,
)
from workers.runtime.idempotency import OnceStoreUnavailable, SqliteOnceStore, libpq_conninfo, once_store_for
from workers.runtime.settings import Settings


def test_worker_processes_racing_one_key_on_one_sqlite_file_run_the_effect_once(tmp_path: Path) -> None:
    check_racing_workers_run_the_effect_once(StoreSpec(sqlite=tmp_path / "state.sqlite"), tmp_path / "effects")


def test_a_claim_left_by_a_killed_worker_is_taken_over_once_its_lease_ends(tmp_path: Path) -> None:
    spec = StoreSpec(sqlite=tmp_path / "state.sqlite", lease_s=1.0)
    check_a_dead_workers_claim_is_taken_over_after_its_lease(spec, tmp_path / "effects")


def test_a_failed_effect_releases_its_claim_so_the_retry_runs_it(tmp_path: Path) -> None:
    store = SqliteOnceStore(tmp_path / "state.sqlite", owner="w1")

    def refused() -> str:
        raise ConnectionRefusedError("smtp down")

    with pytest.raises(ConnectionRefusedError):
        store.once(*KEY, refused)
    assert store.lookup(*KEY) is None
    assert SqliteOnceStore(tmp_path / "state.sqlite", owner="w2").once(*KEY, lambda: "sent") == "sent"


def test_threads_of_one_worker_delivered_the_same_task_run_the_effect_once(tmp_path: Path) -> None:
    store = SqliteOnceStore(tmp_path / "state.sqlite", owner="w1")
    inside, release, runs = threading.Event(), threading.Event(), []

    def slow_mail() -> str:
        runs.append("mail")
        inside.set()
        release.wait(10)
        return "sent"

    first = threading.Thread(target=store.once, args=(*KEY, slow_mail))
    first.start()
    assert inside.wait(10)
    second: list[str] = []
    redelivery = threading.Thread(target=lambda: second.append(store.once(*KEY, slow_mail)))
    redelivery.start()
    release.set()
    first.join(10)
    redelivery.join(10)
    assert runs == ["mail"] and second == ["sent"]


def test_effects_recorded_by_the_earlier_store_stay_done(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "side-effects.sqlite"
    with sqlite3.connect(path) as db:  # the table the store before claims wrote, one done effect
        db.execute("CREATE TABLE side_effects (process_instance_id TEXT, activity_id TEXT, effect_key TEXT,"
                   " result_json TEXT, PRIMARY KEY (process_instance_id, activity_id, effect_key))")
        db.execute("INSERT INTO side_effects VALUES (?, ?, ?, ?)", (*KEY, '"sent before"'))
    assert SqliteOnceStore(path).once(*KEY, lambda: "sent again") == "sent before"


@pytest.mark.parametrize(("jdbc", "libpq"), [
    ("jdbc:postgresql://db/camunda", "postgresql://db/camunda"),
    ("jdbc:postgresql://10.0.0.5:5433/camunda?sslmode=require&currentSchema=x",
     "postgresql://10.0.0.5:5433/camunda?sslmode=require"),
    ("jdbc:postgresql:camunda", "postgresql://localhost/camunda"),
])
def test_the_engines_jdbc_url_becomes_a_libpq_connection(jdbc: str, libpq: str) -> None:
    assert libpq_conninfo(jdbc) == libpq


def test_the_store_is_sqlite_on_this_host_unless_the_engine_runs_on_postgresql(tmp_path: Path) -> None:
    on_h2 = once_store_for(Settings(data_dir=tmp_path, worker_id="w1"))
    assert isinstance(on_h2, SqliteOnceStore) and on_h2.path == tmp_path / "state" / "side-effects.sqlite"
    with pytest.raises(OnceStoreUnavailable, match='CROSSDEPT_JDBC_URL.*"127.0.0.1", port 1'):  # it connects
        once_store_for(Settings(data_dir=tmp_path, jdbc_url="jdbc:postgresql://127.0.0.1:1/camunda",
                                jdbc_user="camunda", jdbc_password=SecretStr("x")))
