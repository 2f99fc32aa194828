"""Do a side effect once per process instance + activity + key, however often a task is delivered.

Camunda delivers an external task at least once: a crash after sending an e-mail but before
`complete` means the task comes back. `OnceStore.once()` records each successful side effect with
its result in SQLite (durable, shared by every worker process on the host); a repeated delivery gets
the stored result without repeating the effect. A side effect that crashes midway is not recorded,
so it runs again: make the effect itself restartable (write to a temp file, then rename).
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any, Callable, TypeVar

T = TypeVar("T")

_SCHEMA = """
CREATE TABLE IF NOT EXISTS side_effects (
    process_instance_id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    effect_key TEXT NOT NULL,
    result_json TEXT,
    done_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    PRIMARY KEY (process_instance_id, activity_id, effect_key)
)
"""


class OnceStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        # Two deliveries of one task can run at once (a lock that expired): this lock makes the second
        # wait for the first inside one process; SQLite's write lock does the same across processes.
        self._key_locks: dict[tuple[str, str, str], threading.Lock] = {}
        self._guard = threading.Lock()
        with self._connection() as db:
            db.execute(_SCHEMA)

    def _connection(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    def _lock_for(self, key: tuple[str, str, str]) -> threading.Lock:
        with self._guard:
            return self._key_locks.setdefault(key, threading.Lock())

    def once(self, process_instance_id: str, activity_id: str, key: str, action: Callable[[], T]) -> T:
        ident = (process_instance_id, activity_id, key)
        with self._lock_for(ident):
            found = self.lookup(*ident)
            if found is not None:
                return found[1]
            result = action()
            self._connection().execute(
                "INSERT OR IGNORE INTO side_effects (process_instance_id, activity_id, effect_key, result_json)"
                " VALUES (?, ?, ?, ?)",
                (*ident, json.dumps(result, default=str)),
            )
            return result

    def lookup(self, process_instance_id: str, activity_id: str, key: str) -> tuple[bool, Any] | None:
        row = self._connection().execute(
            "SELECT result_json FROM side_effects WHERE process_instance_id=? AND activity_id=? AND effect_key=?",
            (process_instance_id, activity_id, key),
        ).fetchone()
        return None if row is None else (True, json.loads(row[0]) if row[0] is not None else None)
