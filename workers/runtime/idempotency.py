"""Do a side effect once per process instance + activity + key, however often a task is delivered.

Camunda delivers an external task at least once: a crash after sending an e-mail but before
`complete` means the task comes back, possibly to another worker process or host. `once()` therefore
claims its key in a store every worker of the deployment shares *before* the effect, and stores the
effect's result after it:

- the engine's PostgreSQL database when the engine runs on PostgreSQL (`CROSSDEPT_JDBC_URL`
  `jdbc:postgresql://...`: table `crossdept_once_claims`), so workers on every host share it;
- otherwise SQLite under `DATA_DIR/state` (every worker process of one host).

The exact guarantee, for one key:
- the first worker to claim it runs the effect; every later delivery returns the stored result;
- a worker finding a live claim of another (its effect still running) waits until it is done and
  returns that result, or until the claim's lease (`CROSSDEPT_ONCE_LEASE_S`, 300 s) ends;
- an effect that raises releases its claim, so the runtime's retry runs it again;
- a worker that dies inside the effect leaves its claim; once its lease has ended, the next delivery
  takes the claim over and runs the effect again. So an effect interrupted mid-way (or running
  longer than the lease) may happen twice: at-least-once for those, exactly-once otherwise. Mails
  carry a Message-ID derived from their event, the same on every send, so a receiver can drop such a
  repeat; an effect that must never repeat has to be restartable itself (temp file, then rename).
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator, TypeVar
from urllib.parse import parse_qs, urlsplit

if TYPE_CHECKING:
    from workers.runtime.settings import Settings

log = logging.getLogger("crossdept.worker")
T = TypeVar("T")
Key = tuple[str, str, str]
DEFAULT_LEASE_S = 300.0
_POLL_S = (0.05, 1.0)  # waiting for another worker's effect: first and longest pause


@dataclass(frozen=True)
class Claim:
    """What the store holds for a key that someone else claimed first."""

    done: bool
    result_json: str | None
    owner: str
    lease_left_s: float


class OnceStoreUnavailable(RuntimeError):
    """The shared store cannot be opened; the message says which one and what to check."""


class OnceStore(ABC):
    """The claim protocol; subclasses say how one database runs its three statements atomically."""

    def __init__(self, owner: str | None = None, lease_s: float = DEFAULT_LEASE_S) -> None:
        # A fresh token per store: a restarted worker with the same worker id is another owner, so it
        # cannot mistake the claim of its dead predecessor for its own running effect.
        self.owner = f"{owner or 'worker'}/{uuid.uuid4().hex[:8]}"
        self.lease_s = lease_s
        # Two deliveries of one task within this process (a lock that expired) wait here rather than
        # polling the database; across processes and hosts the claim row does it.
        self._key_locks: dict[Key, threading.Lock] = {}
        self._guard = threading.Lock()

    def once(self, process_instance_id: str, activity_id: str, key: str, action: Callable[[], T]) -> T:
        ident = (process_instance_id, activity_id, key)
        pause = _POLL_S[0]
        with self._lock_for(ident):
            while (found := self._claim(ident)) is not None:
                if found.done:
                    return _decode(found.result_json)
                # Another worker's effect is running: its result, or its lease's end, is coming.
                if pause == _POLL_S[0]:
                    log.info("side effect %s is being done by %s; waiting for its result (lease ends in %.0f s)",
                             "/".join(ident), found.owner, found.lease_left_s)
                time.sleep(min(pause, max(found.lease_left_s, 0.0) + 0.01))
                pause = min(pause * 2, _POLL_S[1])
            return self._run(ident, action)

    def lookup(self, process_instance_id: str, activity_id: str, key: str) -> tuple[bool, Any] | None:
        """(True, result) for a key whose effect is done; None for one not done (claimed or not)."""
        found = self._row((process_instance_id, activity_id, key))
        if found is None or not found.done:
            return None
        return True, _decode(found.result_json)

    def _lock_for(self, ident: Key) -> threading.Lock:
        with self._guard:
            return self._key_locks.setdefault(ident, threading.Lock())

    def _run(self, ident: Key, action: Callable[[], T]) -> T:
        try:
            result = action()
        except BaseException:
            self._release(ident)
            raise
        self._finish(ident, json.dumps(result, default=str))
        return result

    @abstractmethod
    def _claim(self, ident: Key) -> Claim | None:
        """Atomically: insert our claim, or take over one whose lease ended (None: ours now), or
        report the claim found."""

    @abstractmethod
    def _finish(self, ident: Key, result_json: str) -> None: ...

    @abstractmethod
    def _release(self, ident: Key) -> None: ...

    @abstractmethod
    def _row(self, ident: Key) -> Claim | None: ...


def _decode(result_json: str | None) -> Any:
    return json.loads(result_json) if result_json is not None else None


# The statements, in the SQL SQLite (3.35+) and PostgreSQL share; {now} is the database's clock in
# epoch seconds, so workers on hosts with skewed clocks still agree on when a lease ends.
_INSERT = ("INSERT INTO {table} (process_instance_id, activity_id, effect_key, owner, lease_until)"
           " VALUES ({p}, {p}, {p}, {p}, {now} + {p}) ON CONFLICT DO NOTHING RETURNING owner")
_TAKE_OVER = ("UPDATE {table} SET owner = {p}, lease_until = {now} + {p}"
              " WHERE process_instance_id = {p} AND activity_id = {p} AND effect_key = {p}"
              " AND NOT done AND lease_until < {now} RETURNING owner")
_SELECT = ("SELECT done, result_json, owner, lease_until - {now} FROM {table}"
           " WHERE process_instance_id = {p} AND activity_id = {p} AND effect_key = {p}")
_FINISH = ("UPDATE {table} SET done = TRUE, result_json = {p}, done_at = {now}"
           " WHERE process_instance_id = {p} AND activity_id = {p} AND effect_key = {p} AND owner = {p}")
_RELEASE = ("DELETE FROM {table} WHERE process_instance_id = {p} AND activity_id = {p} AND effect_key = {p}"
            " AND owner = {p} AND NOT done")
_SCHEMA = """CREATE TABLE IF NOT EXISTS {table} (
    process_instance_id TEXT NOT NULL,
    activity_id TEXT NOT NULL,
    effect_key TEXT NOT NULL,
    owner TEXT NOT NULL,
    lease_until {real} NOT NULL,
    done BOOLEAN NOT NULL DEFAULT FALSE,
    result_json TEXT,
    done_at {real},
    PRIMARY KEY (process_instance_id, activity_id, effect_key)
)"""


class _SqlOnceStore(OnceStore):
    table = "crossdept_once_claims"
    placeholder: str
    now: str  # the database's clock in epoch seconds
    real: str

    def sql(self, template: str) -> str:
        return template.format(table=self.table, p=self.placeholder, now=self.now, real=self.real)

    @abstractmethod
    def _transaction(self) -> contextlib.AbstractContextManager[Any]:
        """A cursor inside one write transaction, committed at the end of the block."""

    def _claim(self, ident: Key) -> Claim | None:
        with self._transaction() as cursor:
            if cursor.execute(self.sql(_INSERT), (*ident, self.owner, self.lease_s)).fetchone():
                return None
            taken = cursor.execute(self.sql(_TAKE_OVER), (self.owner, self.lease_s, *ident)).fetchone()
            if taken:
                return None
            return _claim_of(cursor.execute(self.sql(_SELECT), ident).fetchone())

    def _finish(self, ident: Key, result_json: str) -> None:
        with self._transaction() as cursor:
            cursor.execute(self.sql(_FINISH), (result_json, *ident, self.owner))

    def _release(self, ident: Key) -> None:
        with self._transaction() as cursor:
            cursor.execute(self.sql(_RELEASE), (*ident, self.owner))

    def _row(self, ident: Key) -> Claim | None:
        with self._transaction() as cursor:
            return _claim_of(cursor.execute(self.sql(_SELECT), ident).fetchone())


def _claim_of(row: tuple[Any, ...] | None) -> Claim | None:
    if row is None:
        return None
    done, result_json, owner, lease_left_s = row
    return Claim(bool(done), result_json, owner, float(lease_left_s))


class SqliteOnceStore(_SqlOnceStore):
    """Every worker process of one host, through one SQLite file (`:memory:` for tests)."""

    placeholder = "?"
    real = "REAL"
    now = "((julianday('now') - 2440587.5) * 86400.0)"

    def __init__(self, path: Path, owner: str | None = None, lease_s: float = DEFAULT_LEASE_S) -> None:
        super().__init__(owner, lease_s)
        if str(path) != ":memory:":
            path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._local = threading.local()
        self._shared_memory_db = sqlite3.connect(":memory:", check_same_thread=False, isolation_level=None) \
            if str(path) == ":memory:" else None
        self._memory_lock = threading.Lock()
        with self._transaction() as cursor:
            cursor.execute(self.sql(_SCHEMA))
            _adopt_old_records(cursor, self.sql)

    def _connection(self) -> sqlite3.Connection:
        if self._shared_memory_db is not None:
            return self._shared_memory_db
        db = getattr(self._local, "db", None)
        if db is None:
            db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            self._local.db = db
        return db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        # One connection serves every thread of an in-memory store: its lock keeps them apart.
        guard = self._memory_lock if self._shared_memory_db is not None else contextlib.nullcontext()
        with guard:
            cursor = self._connection().cursor()
            # IMMEDIATE takes the write lock at once: two processes cannot both find no claim.
            cursor.execute("BEGIN IMMEDIATE")
            try:
                yield cursor
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT")


def _adopt_old_records(cursor: sqlite3.Cursor, sql: Callable[[str], str]) -> None:
    """Effects recorded by the earlier store (table side_effects, done rows only) stay done."""
    if cursor.execute("SELECT 1 FROM sqlite_master WHERE type='table' AND name='side_effects'").fetchone():
        cursor.execute(sql(
            "INSERT OR IGNORE INTO {table} (process_instance_id, activity_id, effect_key, owner, lease_until,"
            " done, result_json) SELECT process_instance_id, activity_id, effect_key, 'earlier store', 0, TRUE,"
            " result_json FROM side_effects"))


class PostgresOnceStore(_SqlOnceStore):
    """Every worker of the deployment, on any host, through a table in the engine's database."""

    placeholder = "%s"
    now = "extract(epoch from clock_timestamp())::double precision"
    real = "DOUBLE PRECISION"

    def __init__(self, conninfo: str, user: str | None, password: str | None, owner: str | None = None,
                 lease_s: float = DEFAULT_LEASE_S) -> None:
        import psycopg  # only deployments on PostgreSQL need it

        super().__init__(owner, lease_s)
        self._connect = lambda: psycopg.connect(conninfo, user=user, password=password, autocommit=True)
        self._local = threading.local()
        try:
            self._create_table()
        except psycopg.OperationalError as exc:
            raise OnceStoreUnavailable(
                f"task.once keeps its claims in the engine's PostgreSQL database ({conninfo}, from "
                f"CROSSDEPT_JDBC_URL) and cannot reach it ({' '.join(str(exc).split())}); check "
                "CROSSDEPT_JDBC_URL, _USER and _PASSWORD, and that this worker's host reaches the database") from exc

    def _create_table(self) -> None:
        with self._transaction() as cursor:
            # Workers starting together would race CREATE TABLE IF NOT EXISTS (a unique violation in
            # pg_type): one at a time, for this transaction.
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.table,))
            cursor.execute(self.sql(_SCHEMA))

    def _connection(self) -> Any:
        db = getattr(self._local, "db", None)
        if db is None or db.closed:
            db = self._local.db = self._connect()
        return db

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[Any]:
        db = self._connection()
        with db.transaction(), db.cursor() as cursor:
            yield cursor


def libpq_conninfo(jdbc_url: str) -> str:
    """`jdbc:postgresql://host:port/db?sslmode=require` -> `postgresql://host:port/db?sslmode=require`.

    Only libpq's ssl parameters are kept: the others of a JDBC URL are the driver's own."""
    if not jdbc_url.startswith("jdbc:postgresql:"):
        raise ValueError(f"not a PostgreSQL JDBC URL: {jdbc_url!r}")
    rest = jdbc_url[len("jdbc:postgresql:"):]
    if not rest.startswith("//"):
        rest = "///" + rest  # jdbc:postgresql:db names a database on localhost
    parts = urlsplit("postgresql:" + rest)
    kept = {name: values[-1] for name, values in parse_qs(parts.query).items() if name.startswith("ssl")}
    query = "&".join(f"{name}={value}" for name, value in kept.items())
    host = parts.netloc or "localhost"
    return f"postgresql://{host}{parts.path}" + (f"?{query}" if query else "")


def once_store_for(settings: "Settings") -> OnceStore:
    """The engine's PostgreSQL database when that is the engine's database, else SQLite on this host."""
    if settings.jdbc_url and settings.jdbc_url.startswith("jdbc:postgresql:"):
        password = settings.jdbc_password.get_secret_value() if settings.jdbc_password else None
        return PostgresOnceStore(libpq_conninfo(settings.jdbc_url), settings.jdbc_user, password,
                                 owner=settings.worker_id, lease_s=settings.once_lease_s)
    return SqliteOnceStore(settings.state_root / "side-effects.sqlite", owner=settings.worker_id,
                           lease_s=settings.once_lease_s)
