"""bench/worker_throughput.py runs end to end against the session engine; its figures are not judged here."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType

import pytest

from workers.runtime.settings import Settings

BENCH = Path(__file__).resolve().parents[2] / "bench" / "worker_throughput.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    # bench/ is a folder of scripts, not a package: load the file itself.
    spec = importlib.util.spec_from_file_location("worker_throughput", BENCH)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.mark.engine
def test_bench_completes_every_task_once_and_prints_one_row_per_concurrency(
    bench: ModuleType, engine: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    admin_user, admin_password = engine.admin_credentials()
    worker_user, worker_password = engine.worker_credentials()
    status = bench.main([
        "--engine-url", engine.engine_url, "--user", admin_user, "--password", admin_password,
        "--worker-user", worker_user, "--worker-password", worker_password,
        "--tasks", "20", "--concurrency", "2", "--concurrency", "1", "--pickup-samples", "3", "--pickup-gap-ms", "10",
    ])
    out, err = capsys.readouterr()

    assert status == 0, f"the benchmark reported a failure:\n{err}"
    assert "FAILED" not in err
    lines = out.strip().splitlines()
    assert lines[0] == "| concurrency | tasks | seconds | tasks/s | CPU s/1000 | pickup p50 ms | pickup p99 ms | peak RSS MB |"
    rows = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]
    assert [(row[0], row[1]) for row in rows] == [("2", "20"), ("1", "20")]
    assert all(len(row) == 8 for row in rows)


def test_correctness_check_names_duplicates_missing_tasks_and_unfinished_instances(bench: ModuleType) -> None:
    assert bench.check_counts("c1", 2, Counter(a=1, b=1), completed=2, finished=2) == []

    problems = bench.check_counts("c1", 3, Counter(a=2, b=1), completed=3, finished=2)

    assert "c1: 1 task(s) ran more than once, e.g. a" in problems
    assert "c1: the handler saw 2 distinct task(s), expected 3" in problems
    assert "c1: the engine's history has 2 finished instance(s), expected 3" in problems
    assert not any("completion" in p for p in problems)


def test_concurrency_is_repeatable_and_comma_separated(bench: ModuleType) -> None:
    assert bench.parse_args([]).concurrency == [8]
    assert bench.parse_args(["--concurrency", "1,8", "--concurrency", "32"]).concurrency == [1, 8, 32]
    with pytest.raises(SystemExit):
        bench.parse_args(["--concurrency", "eight"])
