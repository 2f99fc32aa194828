"""A throwaway PostgreSQL server from Debian's packages: for the tests that claim PostgreSQL works
and for the benchmark's PostgreSQL runs. Not for production (trust authentication, no tuning)."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Iterator


class PostgresError(RuntimeError):
    """The server could not be set up; the message has the command's output."""


def _bin_dir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise PostgresError("PostgreSQL server binaries not found: apt-get install postgresql (.ci/run does)")
    return found[-1].parent


def _as_postgres(args: list[str]) -> None:
    # PostgreSQL refuses to run as root; Debian's package creates the `postgres` user.
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    result = subprocess.run(prefix + args, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    if result.returncode:
        raise PostgresError(f"{' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


@contextlib.contextmanager
def postgres_server(port: int) -> Iterator[str]:
    """Yields a JDBC URL of database `camunda` (user `camunda`, password `camunda`)."""
    bin_dir = _bin_dir()
    # Not under pytest's tmp_path: its parents are private to root, and the server runs as postgres.
    folder = Path(tempfile.mkdtemp(prefix="crossdept-pg-"))
    data = folder / "pgdata"
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    _as_postgres([str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1"
    # -l: the server must not inherit our pipes, or waiting for their end would wait for the server.
    _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "server.log"), "-w", "start"])
    try:
        _psql(port, "CREATE USER camunda PASSWORD 'camunda'")
        _psql(port, "CREATE DATABASE camunda OWNER camunda")
        yield f"jdbc:postgresql://127.0.0.1:{port}/camunda"
    finally:
        _as_postgres([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"])
        shutil.rmtree(folder, ignore_errors=True)


def recreate_database(port: int) -> None:
    """An empty database `camunda` again on the server at `port` (no engine may be connected)."""
    _psql(port, "DROP DATABASE camunda WITH (FORCE)")
    _psql(port, "CREATE DATABASE camunda OWNER camunda")


def _psql(port: int, statement: str) -> None:
    _as_postgres([str(_bin_dir() / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-c", statement])
