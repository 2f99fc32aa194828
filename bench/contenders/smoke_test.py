#!/usr/bin/env python3
"""Correctness smoke test of the foreign contenders against a running engine (no timing claims).

    .venv/bin/python bench/contenders/smoke_test.py --engine-url http://localhost:18099/engine-rest \
        --user admin --password "$(cat /tmp/helper-engine/secrets/admin-password)" \
        [--worker-user U --worker-password P] [--contenders sync,async,js,java] [--work noop,pickup,realistic] [--tasks 50] [--concurrency 4]

For each contender and work mode: deploy a one-task process on a fresh topic (with an error boundary event
for INVALID_ORDER), start --tasks instances with the five order variables (plus --invalid ones with bad data
in realistic mode), launch the contender as a subprocess, wait until every instance has finished, send
SIGTERM and check the exit status is 0, then check what was written (pickedUpAtMs: Long; total: Double =
quantity*unitPrice and validatedAt: String; invalid orders ended through the error path). Exit status 1 if
any check failed. Needs `requests` (the project's .venv has it).
"""

from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent

CONTENDERS = {
    "sync": [str(HERE / ".venv-community/bin/python"), str(HERE / "community_python_sync.py")],
    "async": [str(HERE / ".venv-community/bin/python"), str(HERE / "community_python_async.py")],
    "js": ["node", str(HERE / "js/worker.js")],
    "java": ["java", "-jar", str(HERE / "java/target/bench-java-client.jar")],
}

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://crossdept/bench">
  <bpmn:error id="invalidOrder" name="invalid order" errorCode="INVALID_ORDER"/>
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="1">
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="{topic}"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="done"/>
    <bpmn:endEvent id="done"/>
    <bpmn:boundaryEvent id="invalid" attachedToRef="work">
      <bpmn:errorEventDefinition errorRef="invalidOrder"/>
    </bpmn:boundaryEvent>
    <bpmn:sequenceFlow id="f3" sourceRef="invalid" targetRef="rejected"/>
    <bpmn:endEvent id="rejected"/>
  </bpmn:process>
</bpmn:definitions>
"""


def order(i: int, valid: bool = True) -> dict:
    variables = {
        "customerName": {"value": f"Customer {i}", "type": "String"},
        "quantity": {"value": 1 + i % 7, "type": "Integer"},
        "unitPrice": {"value": 2.5 + i, "type": "Double"},
        "currency": {"value": "EUR", "type": "String"},
        "orderDate": {"value": "2025-03-%02d" % (1 + i % 28), "type": "String"},
    }
    if not valid:
        variables["currency"] = {"value": "euro", "type": "String"}
    return variables


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--engine-url", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--worker-user", help="user the contenders poll as (default: --user)")
    parser.add_argument("--worker-password")
    parser.add_argument("--contenders", default="sync,async,js,java")
    parser.add_argument("--work", default="noop,pickup,realistic")
    parser.add_argument("--tasks", type=int, default=50)
    parser.add_argument("--invalid", type=int, default=2, help="extra invalid orders in realistic mode")
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--long-poll-ms", type=int)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    base = args.engine_url.rstrip("/")
    http = requests.Session()
    http.auth = (args.user, args.password)
    failures: list[str] = []
    rows = []

    for name in args.contenders.split(","):
        for work in args.work.split(","):
            run_id = uuid.uuid4().hex[:8]
            key, topic = f"benchSmoke_{name}_{work}_{run_id}", f"bench-smoke-{name}-{work}-{run_id}"
            deployed = http.post(
                f"{base}/deployment/create",
                data={"deployment-name": key},
                files={"process.bpmn": ("process.bpmn", BPMN.format(key=key, topic=topic), "text/xml")},
            )
            deployed.raise_for_status()
            invalid = args.invalid if work == "realistic" else 0
            specs = [(i, True) for i in range(args.tasks)] + [(args.tasks + i, False) for i in range(invalid)]

            def start(spec):
                i, valid = spec
                r = http.post(f"{base}/process-definition/key/{key}/start", json={"variables": order(i, valid)})
                r.raise_for_status()
                return r.json()["id"], i, valid

            with ThreadPoolExecutor(8) as pool:
                started = list(pool.map(start, specs))
            expected = len(started)
            started_at_ms = time.time() * 1000

            command = CONTENDERS[name] + [
                "--engine-url", base, "--user", args.worker_user or args.user,
                "--password", args.worker_password or args.password, "--topic", topic,
                "--concurrency", str(args.concurrency), "--work", work,
            ]
            if args.long_poll_ms is not None:
                command += ["--long-poll-ms", str(args.long_poll_ms)]
            t0 = time.monotonic()
            proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            finished = 0
            while time.monotonic() - t0 < args.timeout and proc.poll() is None:
                finished = http.get(
                    f"{base}/history/process-instance/count",
                    params={"processDefinitionKey": key, "finished": "true"},
                ).json()["count"]
                if finished >= expected:
                    break
                time.sleep(0.05)
            seconds = time.monotonic() - t0
            proc.send_signal(signal.SIGTERM)
            try:
                _, stderr = proc.communicate(timeout=10)
                rc = proc.returncode
            except subprocess.TimeoutExpired:
                proc.kill()
                _, stderr = proc.communicate()
                rc = "hung"
            problems = []
            if finished != expected:
                problems.append(f"{finished}/{expected} finished")
            if rc != 0:
                problems.append(f"exit status {rc} after SIGTERM")
            ready = [line for line in stderr.splitlines() if line.startswith("ready:")]
            others = [line for line in stderr.splitlines() if not line.startswith("ready:")]
            if not ready:
                problems.append("no ready line")
            if others:
                problems.append(f"{len(others)} other stderr lines, first: {others[0][:200]}")

            ids = [pid for pid, _, _ in started]
            success_logs = http.get(
                f"{base}/history/external-task-log/count",
                params={"topicName": topic, "successLog": "true"},
            ).json()["count"]
            if success_logs != args.tasks:
                problems.append(f"{success_logs} successful completions, expected {args.tasks}")

            def variables(name_):
                r = http.post(
                    f"{base}/history/variable-instance",
                    json={"processInstanceIdIn": ids, "variableName": name_},
                    params={"deserializeValues": "false"},
                )
                r.raise_for_status()
                return {v["processInstanceId"]: v for v in r.json()}

            if work == "pickup":
                picked = variables("pickedUpAtMs")
                bad = [v for v in picked.values() if v["type"] != "Long" or not (started_at_ms - 60000 < v["value"] < time.time() * 1000 + 1000)]
                if len(picked) != args.tasks or bad:
                    problems.append(f"pickedUpAtMs: {len(picked)} written, {len(bad)} wrong, e.g. {(bad or [None])[0]}")
            if work == "realistic":
                totals, stamps = variables("total"), variables("validatedAt")
                wrong = []
                for pid, i, valid in started:
                    if not valid:
                        if pid in totals:
                            wrong.append(f"invalid order {pid} got a total")
                        continue
                    v = totals.get(pid)
                    expected_total = (1 + i % 7) * (2.5 + i)
                    if v is None or v["type"] != "Double" or abs(v["value"] - expected_total) > 1e-9:
                        wrong.append(f"total of #{i}: {v}")
                    s = stamps.get(pid)
                    if s is None or s["type"] != "String" or "T" not in s["value"]:
                        wrong.append(f"validatedAt of #{i}: {s}")
                if wrong:
                    problems.append(f"{len(wrong)} wrong variables, e.g. {wrong[0]}")
                definition_id = http.get(f"{base}/process-definition/key/{key}").json()["id"]
                rejected = http.get(
                    f"{base}/history/activity-instance/count",
                    params={"processDefinitionId": definition_id, "activityId": "rejected"},
                ).json()["count"]
                if rejected != invalid:
                    problems.append(f"{rejected} instances ended through INVALID_ORDER, expected {invalid}")
            if work == "noop":
                extra = variables("total")
                if extra:
                    problems.append("noop wrote variables")

            rows.append((name, work, expected, f"{seconds:.2f}", f"{args.tasks / seconds:.1f}", rc, "; ".join(problems) or "ok"))
            print(f"{name:6} {work:9} {ready[0] if ready else ''}", file=sys.stderr, flush=True)
            if problems:
                failures.append(f"{name}/{work}: " + "; ".join(problems))

    print("| contender | work | instances | seconds (incl. start-up) | tasks/s | exit | checks |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    for failure in failures:
        print("FAILED " + failure, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
