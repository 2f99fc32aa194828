#!/usr/bin/env python3
"""Camunda 7 external-task clients side by side, on the same engine and backlog (issue 5).

    python bench/compare.py                     # N=5000, concurrency 8, H2 and PostgreSQL
    python bench/compare.py --tasks 500 --databases h2 --contenders ours,raw --no-write

Every contender is a program with one command-line contract (bench/README.md), run as a subprocess
so its CPU time and peak RSS can be read from /proc. Per database and contender a fresh engine with
a fresh database runs three phases: drain a backlog of N no-op tasks, drain N realistic ones (five
variables into a model, validated, two written back), then pickup latency on an idle worker with
instances started one by one. Throughput comes from the engine's own end times (first to last
completion), so start-up time does not count; CPU is the contender's process tree while it drained.
Every task must complete exactly once, or the run fails (exit status 1). The results, with the
machine and date, replace the generated part of docs/performance.md unless --no-write.
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import platform
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable, Iterator

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent))  # bench/ is a folder of scripts, not a package
sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # tests.support.postgres, the test server

from handover_load import HandoverLoad, run_handovers  # noqa: E402
from workers.runtime.settings import Settings
from workers.runtime.variables import parse_camunda_date
from workers.engine.lifecycle import start_engine, stop_engine
from tests.support.postgres import postgres_server, recreate_database

ROOT = Path(__file__).resolve().parents[1]
CONTENDER_DIR = ROOT / "bench" / "contenders"
PERFORMANCE_DOC = ROOT / "docs" / "performance.md"
BEGIN, END = "<!-- bench/compare.py: begin -->", "<!-- bench/compare.py: end -->"
STARTERS = 8  # threads creating a backlog
WORKS = ("noop", "realistic")


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


class BenchFailure(Exception):
    """A contender did not do its work correctly; the message says what."""


# --- contenders ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Contender:
    name: str
    label: str
    command: Callable[[], list[str]]
    prepare: Callable[[], None] = lambda: None  # installs or builds what the command needs
    extra: tuple[str, ...] = ()


def _run(command: list[str], what: str, cwd: Path | None = None) -> None:
    log(f"  preparing: {what}")
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        raise RuntimeError(f"{what} failed ({' '.join(command)}):\n{(result.stdout + result.stderr)[-2000:]}")


COMMUNITY_VENV = CONTENDER_DIR / ".venv-community"


def _prepare_community() -> None:
    if not (COMMUNITY_VENV / "bin" / "python").exists():
        _run([sys.executable, "-m", "venv", str(COMMUNITY_VENV)], "a virtualenv for the community client")
        _run([str(COMMUNITY_VENV / "bin" / "pip"), "install", "--quiet", "-r",
              str(CONTENDER_DIR / "requirements-community.txt")], "pip install camunda-external-task-client-python3")


def _prepare_js() -> None:
    if not (CONTENDER_DIR / "js" / "node_modules").is_dir():
        _run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], "npm ci (camunda-external-task-client-js)",
             cwd=CONTENDER_DIR / "js")


JAVA_JAR = CONTENDER_DIR / "java" / "target" / "bench-java-client.jar"


def _prepare_java() -> None:
    if not JAVA_JAR.is_file():
        _run(["mvn", "-q", "-B", "package", "-DskipTests"], "mvn package (camunda-external-task-client)",
             cwd=CONTENDER_DIR / "java")


CONTENDERS = {c.name: c for c in (
    Contender("ours", "crossdept (defaults)", lambda: [sys.executable, str(CONTENDER_DIR / "ours.py")]),
    Contender("ours-tuned", "crossdept (tuned)", lambda: [sys.executable, str(CONTENDER_DIR / "ours.py")],
              extra=("--tuned",)),
    Contender("community-sync", "camunda-external-task-client-python3 (sync)",
              lambda: [str(COMMUNITY_VENV / "bin" / "python"), str(CONTENDER_DIR / "community_python_sync.py")],
              _prepare_community),
    Contender("community-async", "camunda-external-task-client-python3 (async)",
              lambda: [str(COMMUNITY_VENV / "bin" / "python"), str(CONTENDER_DIR / "community_python_async.py")],
              _prepare_community),
    Contender("js", "camunda-external-task-client-js", lambda: ["node", str(CONTENDER_DIR / "js" / "worker.js")],
              _prepare_js),
    Contender("java", "camunda-external-task-client (Java)", lambda: ["java", "-jar", str(JAVA_JAR)], _prepare_java),
    Contender("raw", "raw HTTP loop (the limit)", lambda: [sys.executable, str(CONTENDER_DIR / "raw_http.py")]),
)}


# --- the engine ----------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Engine:
    url: str
    admin: requests.Session
    worker: tuple[str, str]
    pid: int | None = None  # the engine's JVM, when this script started it
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:8])  # one contender's processes and topics

    def key(self, phase: str) -> str:
        return f"bench-{phase}-{self.tag}"

    def topic(self, phase: str) -> str:
        return f"bench.{phase}.{self.tag}"

    def get(self, path: str, **params: object) -> object:
        response = self.admin.get(self.url + path, params=params, timeout=60)
        response.raise_for_status()
        return response.json()


@contextlib.contextmanager
def engine_for(database: str, args: argparse.Namespace, postgres_port: int | None) -> Iterator[Engine]:
    """A fresh engine, or with --engine-url the given one (new process keys each time)."""
    if not args.engine_url:
        with fresh_engine(database, postgres_port) as engine:
            yield engine
        return
    admin = requests.Session()
    admin.auth = (args.user, args.password)
    try:
        yield Engine(args.engine_url, admin, (args.worker_user, args.worker_password))
    finally:
        admin.close()


@contextlib.contextmanager
def fresh_engine(database: str, postgres_port: int | None) -> Iterator[Engine]:
    """An engine on a free port with an empty database (a new H2 folder, or PostgreSQL recreated)."""
    data_dir = Path(tempfile.mkdtemp(prefix="crossdept-bench-"))
    port = _free_port()
    extra: dict[str, object] = {}
    if database == "postgres":
        assert postgres_port is not None
        recreate_database(postgres_port)
        extra = {"jdbc_url": f"jdbc:postgresql://127.0.0.1:{postgres_port}/camunda", "jdbc_user": "camunda",
                 "jdbc_password": "camunda"}
    settings = Settings(engine_port=port, engine_url=f"http://localhost:{port}/engine-rest", data_dir=data_dir, **extra)
    info = start_engine(settings, timeout_s=300)
    admin = requests.Session()
    admin.auth = settings.admin_credentials()
    try:
        yield Engine(settings.engine_url, admin, settings.worker_credentials(), info.pid)
    finally:
        admin.close()
        stop_engine(settings)
        shutil.rmtree(data_dir, ignore_errors=True)


def process_xml(key: str, topic: str) -> str:
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


def deploy(engine: Engine, phases: tuple[str, ...]) -> None:
    files = [(p, (f"{engine.key(p)}.bpmn", process_xml(engine.key(p), engine.topic(p)).encode(), "application/octet-stream"))
             for p in phases]
    response = engine.admin.post(f"{engine.url}/deployment/create", timeout=60,
                                 files=[("deployment-name", (None, f"bench-{engine.tag}"))] + files)
    if not response.ok:
        raise RuntimeError(f"deployment failed ({response.status_code}): {response.text[:500]}")


def order_variables(number: int) -> dict[str, dict[str, object]]:
    """The realistic handler's input: five variables of four types."""
    return {
        "customerName": {"value": f"华东机械有限公司 {number}", "type": "String"},
        "quantity": {"value": 1 + number % 40, "type": "Integer"},
        "unitPrice": {"value": 12.5 + number % 7, "type": "Double"},
        "currency": {"value": "CNY", "type": "String"},
        "orderDate": {"value": date(2026, 11, 1 + number % 28).isoformat(), "type": "String"},
    }


def start_instances(engine: Engine, phase: str, count: int) -> None:
    url = f"{engine.url}/process-definition/key/{engine.key(phase)}/start"
    local = threading.local()

    def start_one(number: int) -> None:
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.auth = engine.admin.auth
        body = {"variables": order_variables(number)} if phase == "realistic" else {}
        local.session.post(url, json=body, timeout=60).raise_for_status()

    with ThreadPoolExecutor(STARTERS) as pool:
        list(pool.map(start_one, range(count)))


def finished(engine: Engine, phase: str) -> int:
    return engine.get("/history/process-instance/count", processDefinitionKey=engine.key(phase),
                      finished="true")["count"]  # type: ignore[index]


def end_time_span(engine: Engine, phase: str) -> float:
    """Seconds from the first completed instance to the last, by the engine's clock."""
    def one(order: str) -> datetime:
        [instance] = engine.get("/history/process-instance", processDefinitionKey=engine.key(phase), finished="true",
                                sortBy="endTime", sortOrder=order, maxResults=1)  # type: ignore[misc]
        return parse_camunda_date(instance["endTime"])
    return (one("desc") - one("asc")).total_seconds()


def check_exactly_once(engine: Engine, phase: str, expected: int) -> None:
    done = finished(engine, phase)
    completions = engine.get("/history/external-task-log/count", processDefinitionKey=engine.key(phase),
                             successLog="true")["count"]  # type: ignore[index]
    failures = engine.get("/history/external-task-log/count", processDefinitionKey=engine.key(phase),
                          failureLog="true")["count"]  # type: ignore[index]
    problems = []
    if done != expected:
        problems.append(f"{done} of {expected} instances finished")
    if completions != expected:
        problems.append(f"{completions} successful completions recorded for {expected} tasks")
    if failures:
        problems.append(f"{failures} failures reported")
    if phase == "realistic":
        written = engine.get("/history/variable-instance/count", processDefinitionKey=engine.key("realistic"),
                             variableName="total")["count"]  # type: ignore[index]
        if written != expected:
            problems.append(f"`total` written for {written} of {expected} instances")
    if problems:
        raise BenchFailure(f"{phase}: " + "; ".join(problems))


# --- a contender's process -------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def process_tree(pid: int) -> list[int]:
    tree, todo = [], [pid]
    while todo:
        current = todo.pop()
        tree.append(current)
        todo.extend(_children(current))
    return tree


def cpu_seconds(pid: int) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for member in process_tree(pid):
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def peak_rss_mb(pid: int) -> float:
    total_kb = 0
    for member in process_tree(pid):
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total_kb += int(line.split()[1])
    return total_kb / 1024


@contextlib.contextmanager
def running(contender: Contender, engine: Engine, phase: str, concurrency: int, log_dir: Path,
            long_poll_ms: int | None) -> Iterator[subprocess.Popen[bytes]]:
    user, password = engine.worker
    command = contender.command() + [
        "--engine-url", engine.url, "--user", user, "--password", password, "--topic", engine.topic(phase),
        "--concurrency", str(concurrency), "--work", "pickup" if phase == "pickup" else phase, *contender.extra]
    if long_poll_ms is not None:
        command += ["--long-poll-ms", str(long_poll_ms)]
    stderr_path = log_dir / f"{contender.name}-{phase}.log"
    with stderr_path.open("wb") as stderr:
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=stderr, cwd=ROOT,
                                   env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        yield process
        if process.poll() is not None:
            raise BenchFailure(f"{contender.name} exited with {process.returncode}: {_tail(stderr_path)}")
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _tail(path: Path) -> str:
    return path.read_text(errors="replace")[-1500:] if path.exists() else "(no output)"


# --- the phases ----------------------------------------------------------------------------------


@dataclass
class Drain:
    tasks_per_s: float
    cpu_s_per_1000: float
    peak_rss_mb: float
    engine_cpu_s_per_1000: float = math.nan  # the engine's JVM over the same stretch


def drain(engine: Engine, contender: Contender, phase: str, args: argparse.Namespace, log_dir: Path) -> Drain:
    start_instances(engine, phase, args.tasks)
    with running(contender, engine, phase, args.concurrency, log_dir, args.long_poll_ms) as process:
        deadline = time.monotonic() + args.timeout
        first: tuple[int, float, float] | None = None  # (finished, CPU, engine CPU) at the first completions
        while True:
            done, cpu = finished(engine, phase), cpu_seconds(process.pid)
            engine_cpu = cpu_seconds(engine.pid) if engine.pid else math.nan
            if first is None and done > 0:
                first = (done, cpu, engine_cpu)
            if done >= args.tasks:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise BenchFailure(f"{contender.name}, {phase}: {done} of {args.tasks} done after "
                                   f"{args.timeout:.0f} s or exit; its log: {_tail(log_dir / f'{contender.name}-{phase}.log')}")
            time.sleep(0.25)
        rss = peak_rss_mb(process.pid)
    assert first is not None
    check_exactly_once(engine, phase, args.tasks)
    span = end_time_span(engine, phase)
    counted = args.tasks - first[0]
    per_1000 = (lambda used: used / counted * 1000) if counted else (lambda used: math.nan)
    return Drain(tasks_per_s=(args.tasks - 1) / span if span > 0 else math.inf,
                 cpu_s_per_1000=per_1000(cpu - first[1]), peak_rss_mb=rss,
                 engine_cpu_s_per_1000=per_1000(engine_cpu - first[2]))


def pickup(engine: Engine, contender: Contender, args: argparse.Namespace, log_dir: Path) -> list[float]:
    """Milliseconds from each instance's start (engine clock) to its handler's first line, idle worker."""
    url = f"{engine.url}/process-definition/key/{engine.key('pickup')}/start"
    with running(contender, engine, "pickup", args.concurrency, log_dir, args.long_poll_ms):
        time.sleep(args.idle_s)  # started and sitting in its poll
        for _ in range(args.pickup_samples):
            engine.admin.post(url, json={}, timeout=60).raise_for_status()
            time.sleep(args.pickup_gap_ms / 1000)
        deadline = time.monotonic() + args.timeout
        while finished(engine, "pickup") < args.pickup_samples:
            if time.monotonic() > deadline:
                raise BenchFailure(f"{contender.name}: pickup samples not all handled")
            time.sleep(0.2)
    check_exactly_once(engine, "pickup", args.pickup_samples)
    instances = engine.get("/history/process-instance", processDefinitionKey=engine.key("pickup"), finished="true")
    started = {i["id"]: parse_camunda_date(i["startTime"]).timestamp() * 1000 for i in instances}  # type: ignore[union-attr]
    picked = engine.get("/history/variable-instance", processDefinitionKey=engine.key("pickup"), variableName="pickedUpAtMs")
    return sorted(v["value"] - started[v["processInstanceId"]] for v in picked)  # type: ignore[union-attr]


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: with 50 samples p99 is the slowest."""
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


@dataclass
class Result:
    database: str
    contender: Contender
    drains: dict[str, Drain] = field(default_factory=dict)
    pickup_ms: list[float] = field(default_factory=list)
    error: str | None = None


def run_contender(database: str, contender: Contender, args: argparse.Namespace, postgres_port: int | None,
                  log_dir: Path) -> Result:
    result = Result(database, contender)
    log(f"[{database}] {contender.label}")
    try:
        contender.prepare()
        with engine_for(database, args, postgres_port) as engine:
            deploy(engine, (*WORKS, "pickup"))
            for phase in WORKS:
                result.drains[phase] = drain(engine, contender, phase, args, log_dir)
                log(f"  {phase}: {result.drains[phase].tasks_per_s:.0f} tasks/s")
            result.pickup_ms = pickup(engine, contender, args, log_dir)
            log(f"  pickup p50 {percentile(result.pickup_ms, 50):.0f} ms, p99 {percentile(result.pickup_ms, 99):.0f} ms")
    except (BenchFailure, RuntimeError, FileNotFoundError, requests.RequestException) as exc:
        result.error = f"{type(exc).__name__}: {exc}"
        log(f"  FAILED: {result.error}")
    return result


def run_handover_load(database: str, args: argparse.Namespace, postgres_port: int | None,
                      log_dir: Path) -> HandoverLoad | str:
    log(f"[{database}] {args.handovers} work hand-overs through every step")
    try:
        with engine_for(database, args, postgres_port) as engine:
            load = run_handovers(engine.url, engine.admin.auth, engine.worker, args.handovers,  # type: ignore[arg-type]
                                 _free_port(), log_dir / f"handover-worker-{database}.log", args.timeout,
                                 args.concurrency)
        log(f"  {load.per_minute:.1f} hand-overs per minute")
        return load
    except (RuntimeError, requests.RequestException) as exc:
        log(f"  FAILED: {exc}")
        return f"{type(exc).__name__}: {exc}"


def handover_lines(loads: dict[str, HandoverLoad | str]) -> list[str]:
    lines = ["| database | hand-overs | minutes | per minute | driver REST s (user tasks, engine) | "
             "notification s | PDF and archive s | other workers s | conflicts retried |", "|---|---|---|---|---|---|---|---|---|"]
    for database, load in loads.items():
        if isinstance(load, str):
            lines.append(f"| {database} | failed: {load.splitlines()[0][:150]} | | | | | | | |")
            continue
        h = load.handler_s
        lines.append(f"| {database} | {load.instances} | {load.seconds / 60:.1f} | {load.per_minute:.1f} | "
                     f"{load.driver_rest_s:.0f} | {h['notification']:.0f} | {h['PDF and archive']:.0f} | "
                     f"{h['other workers']:.0f} | {load.conflicts} |")
    return lines


# --- the report ----------------------------------------------------------------------------------

COLUMNS = ("contender", "no-op tasks/s", "% of raw", "realistic tasks/s", "% of raw", "pickup p50 ms",
           "pickup p99 ms", "CPU s/1000 no-op", "CPU s/1000 realistic", "peak RSS MB", "engine CPU s/1000 no-op")


def table(results: list[Result]) -> list[str]:
    raw = next((r for r in results if r.contender.name == "raw" and not r.error), None)
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "|".join("---" for _ in COLUMNS) + "|"]
    for r in results:
        if r.error:
            lines.append(f"| {r.contender.label} | failed: {r.error.splitlines()[0][:120]} |" + " |" * (len(COLUMNS) - 2))
            continue
        cells = [r.contender.label]
        for phase in WORKS:
            rate = r.drains[phase].tasks_per_s
            cells += [f"{rate:.0f}", f"{100 * rate / raw.drains[phase].tasks_per_s:.0f} %" if raw else "–"]
        cells += [f"{percentile(r.pickup_ms, 50):.0f}", f"{percentile(r.pickup_ms, 99):.0f}",
                  f"{r.drains['noop'].cpu_s_per_1000:.2f}", f"{r.drains['realistic'].cpu_s_per_1000:.2f}",
                  f"{max(d.peak_rss_mb for d in r.drains.values()):.0f}",
                  "–" if math.isnan(r.drains["noop"].engine_cpu_s_per_1000) else f"{r.drains['noop'].engine_cpu_s_per_1000:.1f}"]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown CPU")
    memory_gib = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 1024**3
    versions = []
    for command in (["java", "-version"], ["node", "--version"]):
        with contextlib.suppress(OSError):
            out = subprocess.run(command, capture_output=True, text=True)
            versions.append((out.stdout or out.stderr).splitlines()[0].strip())
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} × {cpu}, {memory_gib:.0f} GiB, {platform.platform()}; Python "
            f"{platform.python_version()}; {'; '.join(versions)}; load average at the end {load}")


def report(results: list[Result], loads: dict[str, HandoverLoad | str], args: argparse.Namespace) -> str:
    lines = [BEGIN, f"## {datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC: `python bench/compare.py "
             f"{' '.join(args.argv)}`".rstrip() + "", "",
             f"Machine: {machine()}.", "",
             f"Backlog {args.tasks} tasks per phase, concurrency {args.concurrency} for every contender, "
             f"{args.pickup_samples} pickup samples {args.pickup_gap_ms} ms apart; workers poll as the "
             "least-privilege worker user; a fresh engine and database per database and contender.", ""]
    for database in args.databases:
        title = {"h2": "H2 (embedded)", "postgres": "PostgreSQL (Debian server)"}.get(database, database)
        lines += [f"### {title}", ""]
        lines += table([r for r in results if r.database == database]) + [""]
    if loads:
        lines += ["### Process level: work hand-overs", "",
                  f"Each hand-over through every step (notice, checklist, verification, three signatures, PDF "
                  f"archived in triplicate, two e-mails with it to an outbox folder); the driver completes the "
                  f"user tasks through REST with {args.concurrency} threads, `crossdept worker` runs every "
                  "topic at the same concurrency. Seconds are summed over all tasks (they overlap), so they "
                  "show the shares, not the wall time.", ""]
        lines += handover_lines(loads) + [""]
    lines.append(END)
    return "\n".join(lines) + "\n"


def write_report(text: str) -> None:
    current = PERFORMANCE_DOC.read_text(encoding="utf-8") if PERFORMANCE_DOC.exists() else "# Performance\n\n"
    if BEGIN in current and END in current:
        before, rest = current.split(BEGIN, 1)
        updated = before + text.rstrip("\n") + rest.split(END, 1)[1]
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    PERFORMANCE_DOC.write_text(updated, encoding="utf-8")


# --- main ----------------------------------------------------------------------------------------


SECRET_OPTIONS = ("--password", "--worker-password")


def redacted(argv: list[str]) -> list[str]:
    """The command line as the report shows it: passwords replaced, since the report is committed."""
    shown, hide_next = [], False
    for arg in argv:
        option = arg.split("=", 1)[0]
        if hide_next:
            shown.append("***")
        elif option in SECRET_OPTIONS and "=" in arg:
            shown.append(f"{option}=***")
        else:
            shown.append(arg)
        hide_next = arg in SECRET_OPTIONS
    return shown


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, default=5000, help="backlog per phase (default 5000)")
    parser.add_argument("--concurrency", type=int, default=8, help="tasks at once, for every contender (default 8)")
    parser.add_argument("--contenders", default=",".join(CONTENDERS), help=f"comma-separated, of {', '.join(CONTENDERS)}")
    parser.add_argument("--databases", default="h2,postgres", help="h2, postgres or both (default)")
    parser.add_argument("--pickup-samples", type=int, default=50)
    parser.add_argument("--pickup-gap-ms", type=int, default=200)
    parser.add_argument("--idle-s", type=float, default=3.0, help="idle time before the first pickup sample")
    parser.add_argument("--handovers", type=int, default=500, help="work hand-overs in the process-level run (0: none)")
    parser.add_argument("--long-poll-ms", type=int, help="long polling for every contender (default: each its own)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds a phase may take before it fails")
    parser.add_argument("--engine-url", help="use this running engine instead of fresh ones (no fresh database)")
    parser.add_argument("--user", help="its admin user")
    parser.add_argument("--password", help="its admin password")
    parser.add_argument("--worker-user", help="the user contenders poll as")
    parser.add_argument("--worker-password")
    parser.add_argument("--no-write", action="store_true", help=f"print only; leave {PERFORMANCE_DOC.name} alone")
    args = parser.parse_args(argv)
    args.argv = redacted(list(argv if argv is not None else sys.argv[1:]))
    args.contenders = [c.strip() for c in args.contenders.split(",") if c.strip()]
    args.databases = [d.strip() for d in args.databases.split(",") if d.strip()]
    unknown = [c for c in args.contenders if c not in CONTENDERS] + [d for d in args.databases if d not in ("h2", "postgres")]
    if unknown:
        parser.error(f"unknown contender or database: {', '.join(unknown)}")
    if args.engine_url:
        if not (args.user and args.password and args.worker_user and args.worker_password):
            parser.error("--engine-url needs --user, --password, --worker-user and --worker-password")
        args.databases = ["given engine"]
    if min(args.tasks, args.concurrency, args.pickup_samples) < 1:
        parser.error("--tasks, --concurrency and --pickup-samples must be at least 1")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    log_dir = Path(tempfile.mkdtemp(prefix="crossdept-bench-logs-"))
    log(f"contender logs in {log_dir}")
    results: list[Result] = []
    with contextlib.ExitStack() as stack:
        postgres_port = None
        if "postgres" in args.databases and not args.engine_url:
            postgres_port = _free_port()
            stack.enter_context(postgres_server(postgres_port))
        loads: dict[str, HandoverLoad | str] = {}
        for database in args.databases:
            for name in args.contenders:
                results.append(run_contender(database, CONTENDERS[name], args, postgres_port, log_dir))
            if args.handovers:
                loads[database] = run_handover_load(database, args, postgres_port, log_dir)
    text = report(results, loads, args)
    print(text)
    if not args.no_write:
        write_report(text)
        log(f"written to {PERFORMANCE_DOC}")
    return 1 if any(r.error for r in results) or any(isinstance(v, str) for v in loads.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
