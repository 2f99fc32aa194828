"""Worker processes racing `task.once` for one key: real processes, each with a store of its own,
every effect recorded as a line in a file so a test counts how often it really ran."""

from __future__ import annotations

import multiprocessing
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workers.runtime.idempotency import OnceStore, PostgresOnceStore, SqliteOnceStore

KEY = ("pi-1", "Task_Notify", "mail:giver")
_context = multiprocessing.get_context("spawn")  # a clean interpreter, as a second worker would be


@dataclass(frozen=True)
class StoreSpec:
    """How a worker process opens the shared store: a SQLite file or a PostgreSQL conninfo."""

    sqlite: Path | None = None
    conninfo: str | None = None
    user: str | None = None
    password: str | None = None
    lease_s: float = 300.0

    def open(self, owner: str) -> OnceStore:
        if self.sqlite is not None:
            return SqliteOnceStore(self.sqlite, owner=owner, lease_s=self.lease_s)
        return PostgresOnceStore(self.conninfo or "", self.user, self.password, owner=owner, lease_s=self.lease_s)


def effect_runs(effects: Path) -> list[str]:
    return effects.read_text(encoding="utf-8").splitlines() if effects.exists() else []


def _record(effects: Path, who: str) -> None:
    with effects.open("a", encoding="utf-8") as file:
        file.write(who + "\n")


def _racer(spec: StoreSpec, effects: Path, start: Any, results: Any, name: str) -> None:
    store = spec.open(name)

    def send_mail() -> str:
        _record(effects, name)
        time.sleep(0.5)  # the effect takes a while: the other worker arrives while it runs
        return f"sent by {name}"

    start.wait()
    results.put((name, store.once(*KEY, send_mail)))


def race(spec: StoreSpec, effects: Path, workers: int = 2) -> dict[str, Any]:
    """Every worker process calls once() for KEY at the same moment; returns each one's result."""
    start = _context.Barrier(workers)
    results = _context.Queue()
    processes = [_context.Process(target=_racer, args=(spec, effects, start, results, f"worker-{n}"))
                 for n in range(workers)]
    for process in processes:
        process.start()
    found = dict(results.get(timeout=60) for _ in processes)
    for process in processes:
        process.join(30)
    return found


def _dies_inside(spec: StoreSpec, effects: Path, inside: Any) -> None:
    store = spec.open("doomed-worker")

    def send_mail() -> str:
        _record(effects, "doomed-worker")
        inside.set()
        time.sleep(120)  # killed here, mid-effect
        return "never"

    store.once(*KEY, send_mail)


def worker_killed_inside_the_effect(spec: StoreSpec, effects: Path) -> None:
    """A worker process claims KEY, starts the effect and is SIGKILLed in it, leaving its claim."""
    inside = _context.Event()
    process = _context.Process(target=_dies_inside, args=(spec, effects, inside))
    process.start()
    assert inside.wait(60), "the doomed worker never started its effect"
    process.kill()
    process.join(30)
    assert process.exitcode == -9, f"the worker was not killed (exit code {process.exitcode}, pid {os.getpid()})"


# --- the behaviours, checked the same way on every store ---------------------------------------


def check_racing_workers_run_the_effect_once(spec: StoreSpec, effects: Path) -> None:
    results = race(spec, effects, workers=3)
    runs = effect_runs(effects)
    assert len(runs) == 1, f"the effect ran {len(runs)} times ({runs}), expected once"
    assert set(results.values()) == {f"sent by {runs[0]}"}, f"every worker gets the one run's result: {results}"


def check_a_dead_workers_claim_is_taken_over_after_its_lease(spec: StoreSpec, effects: Path) -> None:
    worker_killed_inside_the_effect(spec, effects)
    survivor = spec.open("survivor")
    claimed_at = time.monotonic()

    result = survivor.once(*KEY, lambda: _record(effects, "survivor") or "sent by survivor")

    assert result == "sent by survivor"
    assert effect_runs(effects) == ["doomed-worker", "survivor"], "interrupted effects run again: at-least-once"
    assert time.monotonic() - claimed_at >= spec.lease_s * 0.5, "the survivor did not wait for the dead claim's lease"
    assert spec.open("third").once(*KEY, lambda: "again") == "sent by survivor", "done now: never again"
