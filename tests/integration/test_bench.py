"""bench/compare.py runs end to end on a tiny backlog against the session engine; its figures are not judged here."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from workers.runtime.settings import Settings

COMPARE = Path(__file__).resolve().parents[2] / "bench" / "compare.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the file itself.
    spec = importlib.util.spec_from_file_location("bench_compare", COMPARE)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.engine
def test_every_task_completes_once_and_each_contender_and_the_handover_run_get_a_row(
    bench: ModuleType, engine: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    admin_user, admin_password = engine.admin_credentials()
    worker_user, worker_password = engine.worker_credentials()
    status = bench.main([
        "--engine-url", engine.engine_url, "--user", admin_user, "--password", admin_password,
        "--worker-user", worker_user, "--worker-password", worker_password,
        "--contenders", "ours,raw", "--tasks", "6", "--concurrency", "2", "--pickup-samples", "3",
        "--pickup-gap-ms", "20", "--idle-s", "1", "--handovers", "2", "--no-write",
    ])
    out, err = capsys.readouterr()

    assert status == 0, f"the benchmark reported a failure:\n{err}"
    assert admin_password not in out and worker_password not in out, "the report (committed to docs/) shows a password"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in out.splitlines() if line.startswith("| ")]
    contenders = {row[0]: row for row in rows if row[0] in ("crossdept (defaults)", "raw HTTP loop (the limit)")}
    assert set(contenders) == {"crossdept (defaults)", "raw HTTP loop (the limit)"}
    assert all(len(row) == len(bench.COLUMNS) and float(row[1]) > 0 for row in contenders.values())
    assert contenders["raw HTTP loop (the limit)"][2] == "100 %"
    [handovers] = [row for row in rows if row[0] == "given engine" and row[1] == "2"]
    assert float(handovers[3]) > 0, "hand-overs per minute"


def test_a_contender_that_loses_a_task_fails_the_run(bench: ModuleType, mocker) -> None:
    engine = mocker.Mock(key=lambda phase: f"bench-{phase}-t")
    counts = {"/history/process-instance/count": {"count": 3}, "/history/external-task-log/count": {"count": 3}}
    engine.get.side_effect = lambda path, **params: (
        {"count": 0} if params.get("failureLog") else counts[path])

    bench.check_exactly_once(engine, "noop", 3)  # all there: no error
    with pytest.raises(bench.BenchFailure, match="3 of 4 instances finished; 3 successful completions recorded for 4"):
        bench.check_exactly_once(engine, "noop", 4)


def test_unknown_contenders_are_refused_and_a_given_engine_needs_its_users(bench: ModuleType) -> None:
    assert bench.parse_args([]).contenders == list(bench.CONTENDERS)
    with pytest.raises(SystemExit):
        bench.parse_args(["--contenders", "ours,go"])
    with pytest.raises(SystemExit):
        bench.parse_args(["--engine-url", "http://localhost:8080/engine-rest", "--user", "admin"])


def test_the_reports_command_line_never_shows_a_password(bench: ModuleType) -> None:
    args = bench.parse_args(["--engine-url", "http://localhost:8080/engine-rest", "--user", "admin",
                             "--password", "s3cret", "--worker-user", "w", "--worker-password=t0ken"])
    assert args.argv == ["--engine-url", "http://localhost:8080/engine-rest", "--user", "admin",
                         "--password", "***", "--worker-user", "w", "--worker-password=***"]
    assert args.password == "s3cret", "the benchmark itself still gets the password"
