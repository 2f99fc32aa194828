#!/usr/bin/env python3
"""How fast our `Worker` drains a backlog of external tasks, and how quickly an idle one picks up a new task.

    python bench/worker_throughput.py --tasks 2000 --concurrency 1,8,32
    python bench/worker_throughput.py --engine-url http://localhost:8080/engine-rest --user admin --password ...

For each concurrency: deploy two one-task processes on fresh topics, start N instances of the first
(the backlog), run the Worker in a thread with a no-op handler until all N are completed, then start
--pickup-samples instances of the second one by one and time how long each waits for its handler.
Figures only, no speed assertions. Exit status 1 when a task was not completed or completed twice.

The worker's per-task INFO log line is not written (logging is left unconfigured), as with a CLI
worker at CROSSDEPT_LOG_LEVEL=WARNING. Peak RSS is this process's high-water mark so far, so it never
falls from one row to the next. Progress goes to stderr, the table (Markdown) to stdout.
"""

from __future__ import annotations

import argparse
import math
import resource
import shutil
import socket
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import requests

from workers.runtime.client import EngineClient
from workers.runtime.context import TaskContext
from workers.runtime.registry import Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import MissingSecret, Settings

COLUMNS = ("concurrency", "tasks", "seconds", "tasks/s", "CPU s/1000", "pickup p50 ms", "pickup p99 ms", "peak RSS MB")
STARTERS = 8  # threads creating the backlog


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchFailure(Exception):
    """A correctness check failed; the message says which."""


# --- the engine ------------------------------------------------------------------------------


@dataclass
class Target:
    settings: Settings
    admin: tuple[str, str]  # deploys and starts instances, reads history
    worker: tuple[str, str]  # what the Worker logs in as (least privilege, like in production)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=2000, help="backlog size per concurrency (default 2000)")
    parser.add_argument("--concurrency", action="append", help="handlers at once; repeat or comma-separate (default 8)")
    parser.add_argument("--pickup-samples", type=int, default=50, help="instances started one by one on an idle worker")
    parser.add_argument("--pickup-gap-ms", type=int, default=50, help="pause between those starts")
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait for a phase before failing")
    parser.add_argument("--engine-url", help="use this running engine instead of starting one")
    parser.add_argument("--user", help="admin user of --engine-url (default: the settings' admin)")
    parser.add_argument("--password", help="its password (default: the settings' admin password)")
    parser.add_argument("--worker-user", help="user the worker polls as (default: the settings' worker, else --user)")
    parser.add_argument("--worker-password")
    args = parser.parse_args(argv)
    try:
        args.concurrency = [int(c) for value in (args.concurrency or ["8"]) for c in value.split(",") if c.strip()]
    except ValueError:
        parser.error("--concurrency takes integers, e.g. 1,8,32")
    if args.tasks < 1 or args.pickup_samples < 1 or min(args.concurrency) < 1:
        parser.error("--tasks, --pickup-samples and --concurrency must be at least 1")
    return args


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


_last_progress = {"kind": "", "at": 0.0}


def _engine_progress(text: str) -> None:
    # start_engine reports "waiting for the engine (N s)" twice a second; show it every 10 s only.
    kind = text.split("(")[0]
    if kind != _last_progress["kind"] or time.monotonic() - _last_progress["at"] >= 10:
        log(f"engine: {text}")
        _last_progress.update(kind=kind, at=time.monotonic())


@contextmanager
def own_engine() -> Iterator[Target]:
    """A throwaway engine on a free port; its data folder is kept (for the log) only if it fails to start."""
    from workers.tooling.engine import start_engine, stop_engine

    data_dir = Path(tempfile.mkdtemp(prefix="crossdept-bench-"))
    port = _free_port()
    settings = Settings(engine_port=port, engine_url=f"http://localhost:{port}/engine-rest", data_dir=data_dir)
    log(f"starting an engine on port {port} (data in {data_dir})")
    start_engine(settings, timeout_s=300, progress_callback=_engine_progress)
    try:
        yield Target(settings, settings.admin_credentials(), settings.worker_credentials())
    finally:
        log("stopping the engine")
        stop_engine(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


@contextmanager
def running_engine(args: argparse.Namespace) -> Iterator[Target]:
    settings = Settings(engine_url=args.engine_url)
    admin = (args.user, args.password or "") if args.user else settings.admin_credentials()
    if args.worker_user:
        worker = (args.worker_user, args.worker_password or "")
    else:
        try:
            worker = settings.worker_credentials()
        except MissingSecret:
            worker = admin
    yield Target(settings, admin, worker)


# --- one concurrency -------------------------------------------------------------------------


def _process_xml(key: str, topic: str) -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://crossdept.bench" id="Defs_{key}">
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Task_Service"/>
    <bpmn:serviceTask id="Task_Service" camunda:type="external" camunda:topic="{topic}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Service" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""


@dataclass
class Run:
    """One concurrency's processes and what the handler and the worker's events saw."""

    concurrency: int
    tasks: int
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])
    handled: dict[str, Counter] = field(default_factory=lambda: {"backlog": Counter(), "pickup": Counter()})
    picked_up: dict[str, float] = field(default_factory=dict)  # business key -> time.time() in the handler
    completed: Counter = field(default_factory=Counter)  # phase -> completions the worker reported
    all_completed: threading.Event = field(default_factory=threading.Event)
    finished_at: float = 0.0
    poll_error: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def key(self, phase: str) -> str:
        return f"bench-{phase}-{self.tag}"

    def topic(self, phase: str) -> str:
        return f"bench.{phase}.{self.tag}"


def deploy(target: Target, run: Run) -> None:
    files = [
        (name, (f"{run.key(name)}.bpmn", _process_xml(run.key(name), run.topic(name)).encode(), "application/octet-stream"))
        for name in ("backlog", "pickup")
    ]
    response = requests.post(
        f"{target.settings.engine_url}/deployment/create", auth=target.admin, timeout=60,
        files=[("deployment-name", (None, f"bench-{run.tag}"))] + files,
    )
    if not response.ok:
        raise RuntimeError(f"deployment failed ({response.status_code}): {response.text[:500]}")


def start_backlog(target: Target, key: str, count: int) -> None:
    url = f"{target.settings.engine_url}/process-definition/key/{key}/start"
    local = threading.local()  # one keep-alive session per starter thread

    def start_one(_: int) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.auth = target.admin
        local.session.post(url, json={}, timeout=30).raise_for_status()

    step = max(1, count // 10)
    with ThreadPoolExecutor(STARTERS, thread_name_prefix="bench-starter") as pool:
        for done, future in enumerate(as_completed([pool.submit(start_one, i) for i in range(count)]), 1):
            future.result()
            if done % step == 0 or done == count:
                log(f"  backlog: {done}/{count} instances started")


def make_worker(target: Target, run: Run) -> tuple[Worker, EngineClient]:
    registry = Registry()

    @registry.topic(run.topic("backlog"))
    def backlog(task: TaskContext) -> None:
        with run.lock:
            run.handled["backlog"][task.task_id] += 1  # task id -> handler calls

    @registry.topic(run.topic("pickup"))
    def pickup(task: TaskContext) -> None:
        now = time.time()
        with run.lock:
            run.handled["pickup"][task.task_id] += 1
            run.picked_up.setdefault(task.business_key or "", now)

    def on_completed(data: dict) -> None:
        phase = "backlog" if data["task"]["topicName"] == run.topic("backlog") else "pickup"
        with run.lock:
            run.completed[phase] += 1
            if phase == "backlog" and run.completed[phase] == run.tasks:
                run.finished_at = time.perf_counter()
                run.all_completed.set()

    def on_poll_failed(data: dict) -> None:
        run.poll_error = data["error"]

    settings = target.settings.model_copy(
        update={"concurrency": run.concurrency, "worker_id": f"bench-{run.tag}-c{run.concurrency}"}
    )
    client = EngineClient(
        settings.engine_url, *target.worker, timeout_s=settings.http_timeout_s, pool_size=run.concurrency + 4
    )  # the pool size `crossdept worker` uses
    worker = Worker(registry, client, settings)
    worker.on("task.completed", on_completed)
    worker.on("poll.failed", on_poll_failed)
    return worker, client


def wait_for(condition: Callable[[], object], timeout_s: float, run: Run, what: str) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            hint = f"; last poll error: {run.poll_error}" if run.poll_error else ""
            raise BenchFailure(f"concurrency {run.concurrency}: timed out after {timeout_s:.0f} s waiting for {what}{hint}")
        time.sleep(0.01)


def measure_pickup(target: Target, run: Run, samples: int, gap_s: float, timeout_s: float) -> list[float]:
    """Milliseconds from just before each start request until its handler ran, on an idle worker."""
    session = requests.Session()
    session.auth = target.admin
    url = f"{target.settings.engine_url}/process-definition/key/{run.key('pickup')}/start"
    sent: dict[str, float] = {}
    for i in range(samples):
        business_key = f"pickup-{i}"
        sent[business_key] = time.time()
        session.post(url, json={"businessKey": business_key}, timeout=30).raise_for_status()
        time.sleep(gap_s)
    # Wait for the completions, not the handler calls: the history check follows.
    wait_for(lambda: run.completed["pickup"] >= samples, timeout_s, run, f"{samples} pickup samples")
    return sorted((run.picked_up[bk] - sent[bk]) * 1000 for bk in sent)


def finished_in_history(target: Target, key: str) -> int:
    response = requests.get(
        f"{target.settings.engine_url}/history/process-instance/count",
        params={"processDefinitionKey": key, "finished": "true"}, auth=target.admin, timeout=30,
    )
    response.raise_for_status()
    return response.json()["count"]


def check_counts(what: str, expected: int, handled: Counter, completed: int, finished: int) -> list[str]:
    """Every task handled and completed exactly once, every instance finished; one message per problem."""
    problems = []
    if completed != expected:
        problems.append(f"{what}: the worker reported {completed} completion(s), expected {expected}")
    twice = [task_id for task_id, calls in handled.items() if calls > 1]
    if twice:
        problems.append(f"{what}: {len(twice)} task(s) ran more than once, e.g. {twice[0]}")
    if len(handled) != expected:
        problems.append(f"{what}: the handler saw {len(handled)} distinct task(s), expected {expected}")
    if finished != expected:
        problems.append(f"{what}: the engine's history has {finished} finished instance(s), expected {expected}")
    return problems


def percentile(sorted_values: list[float], p: float) -> float:
    """Nearest-rank percentile (with 50 samples, p99 is the slowest one)."""
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 1024**2 if sys.platform == "darwin" else peak / 1024  # bytes on macOS, KiB on Linux


def bench_one(target: Target, concurrency: int, args: argparse.Namespace) -> list[str]:
    run = Run(concurrency, args.tasks)
    log(f"concurrency {concurrency}: deploying and starting {args.tasks} instances")
    deploy(target, run)
    start_backlog(target, run.key("backlog"), args.tasks)
    worker, client = make_worker(target, run)
    thread = threading.Thread(target=worker.run, name="bench-worker", daemon=True)
    cpu_before = _cpu_seconds()
    started = time.perf_counter()
    thread.start()
    try:
        wait_for(run.all_completed.is_set, args.timeout, run, f"{args.tasks} completed tasks")
        cpu = _cpu_seconds() - cpu_before
        seconds = run.finished_at - started
        log(f"  {args.tasks} tasks in {seconds:.1f} s; measuring pickup latency with {args.pickup_samples} samples")
        latencies = measure_pickup(target, run, args.pickup_samples, args.pickup_gap_ms / 1000, args.timeout)
    finally:
        worker.stop()  # returns once the current long poll does
        thread.join(timeout=args.timeout)
        client.close()
    print_row(
        concurrency, args.tasks, seconds, args.tasks / seconds, cpu / args.tasks * 1000,
        percentile(latencies, 50), percentile(latencies, 99), peak_rss_mb(),
    )
    expected = {"backlog": args.tasks, "pickup": args.pickup_samples}
    return [
        problem
        for phase, count in expected.items()
        for problem in check_counts(
            f"concurrency {concurrency}, {phase}", count, run.handled[phase], run.completed[phase],
            finished_in_history(target, run.key(phase)),
        )
    ]


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def print_header() -> None:
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "|".join("-" * (len(c) + 2) for c in COLUMNS) + "|", flush=True)


def print_row(concurrency: int, tasks: int, seconds: float, rate: float, cpu_per_1000: float,
              p50: float, p99: float, rss_mb: float) -> None:
    cells = (f"{concurrency}", f"{tasks}", f"{seconds:.1f}", f"{rate:.0f}", f"{cpu_per_1000:.2f}",
             f"{p50:.0f}", f"{p99:.0f}", f"{rss_mb:.0f}")
    print("| " + " | ".join(cell.rjust(len(col)) for cell, col in zip(cells, COLUMNS)) + " |", flush=True)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    problems: list[str] = []
    try:
        with (running_engine(args) if args.engine_url else own_engine()) as target:
            log(f"worker polls as {target.worker[0]!r}, long poll {target.settings.long_poll_ms} ms")
            print_header()
            for concurrency in args.concurrency:
                try:
                    problems += bench_one(target, concurrency, args)
                except BenchFailure as failure:
                    problems.append(str(failure))
    except Exception as exc:  # engine start, deployment, credentials: not a benchmark figure
        log(f"error: {type(exc).__name__}: {exc}")
        return 2
    for problem in problems:
        log(f"FAILED: {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
