#!/usr/bin/env python3
"""Contender "raw": the limit. N threads, each a bare loop of fetchAndLock (one task, long poll)
and complete, over keep-alive sessions; nothing else (contract in bench/README.md)."""

from __future__ import annotations

import argparse
import re
import signal
import sys
import threading
import time
from datetime import date, datetime, timezone

import requests

ORDER = ("customerName", "quantity", "unitPrice", "currency", "orderDate")
CURRENCY = re.compile(r"[A-Z]{3}")


def handle(work: str, variables: dict) -> tuple[dict, str | None]:
    """(variables to complete with, or a BPMN error code)."""
    if work == "noop":
        return {}, None
    if work == "pickup":
        return {"pickedUpAtMs": {"value": int(time.time() * 1000), "type": "Long"}}, None
    v = {name: (variables.get(name) or {}).get("value") for name in ORDER}
    try:
        date.fromisoformat(v["orderDate"])
        valid = bool(v["customerName"]) and v["quantity"] >= 1 and v["unitPrice"] > 0 and bool(CURRENCY.fullmatch(v["currency"]))
    except (TypeError, ValueError):
        valid = False
    if not valid:
        return {}, "INVALID_ORDER"
    return {"total": {"value": v["quantity"] * v["unitPrice"], "type": "Double"},
            "validatedAt": {"value": datetime.now(timezone.utc).isoformat(), "type": "String"}}, None


def loop(args: argparse.Namespace, number: int, stop: threading.Event) -> None:
    session = requests.Session()
    session.auth = (args.user, args.password)
    worker_id = f"raw-{number}"
    body = {"workerId": worker_id, "maxTasks": args.max_tasks, "usePriority": False,
            "asyncResponseTimeout": args.long_poll_ms,
            "topics": [{"topicName": args.topic, "lockDuration": 30000,
                        "variables": list(ORDER) if args.work == "realistic" else []}]}
    while not stop.is_set():
        try:
            tasks = session.post(f"{args.engine_url}/external-task/fetchAndLock", json=body,
                                 timeout=args.long_poll_ms / 1000 + 30).json()
            for task in tasks:
                variables, error = handle(args.work, task.get("variables") or {})
                if error:
                    session.post(f"{args.engine_url}/external-task/{task['id']}/bpmnError",
                                 json={"workerId": worker_id, "errorCode": error}, timeout=30)
                else:
                    session.post(f"{args.engine_url}/external-task/{task['id']}/complete",
                                 json={"workerId": worker_id, "variables": variables}, timeout=30)
        except requests.RequestException:
            time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("--engine-url", "--user", "--password", "--topic", "--work"):
        parser.add_argument(name, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--long-poll-ms", type=int, default=10_000)
    parser.add_argument("--max-tasks", type=int, default=1)
    args = parser.parse_args()
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    threads = [threading.Thread(target=loop, args=(args, n, stop), daemon=True) for n in range(args.concurrency)]
    for thread in threads:
        thread.start()
    print("ready: raw HTTP loop", file=sys.stderr, flush=True)
    while not stop.wait(0.2):
        pass
    return 0  # daemon threads end with the process; a long poll in flight is simply dropped


if __name__ == "__main__":
    sys.exit(main())
