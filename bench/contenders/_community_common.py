"""Shared by the two camunda-external-task-client-python3 contenders: the command line and the handler work.

Runs under bench/contenders/.venv-community (see README.md beside this file), never under the project's .venv.
Only the standard library is used here; the client package is imported by the contender scripts.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import sys
import time
from datetime import date, datetime, timezone

REALISTIC_VARIABLES = ["customerName", "quantity", "unitPrice", "currency", "orderDate"]
_CURRENCY = re.compile(r"^[A-Z]{3}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
DIST_NAME = "camunda-external-task-client-python3"


def parse_args(description: str, argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--engine-url", required=True, help="e.g. http://localhost:8080/engine-rest")
    parser.add_argument("--user", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--concurrency", type=int, required=True, help="at most this many tasks handled at once")
    parser.add_argument("--work", choices=("noop", "pickup", "realistic"), required=True)
    parser.add_argument("--max-tasks", type=int, help="tasks per fetchAndLock (default: --concurrency)")
    parser.add_argument("--long-poll-ms", type=int, help="asyncResponseTimeout; default: the client's own")
    args = parser.parse_args(argv)
    if args.concurrency < 1 or (args.max_tasks is not None and args.max_tasks < 1):
        parser.error("--concurrency and --max-tasks must be at least 1")
    if args.long_poll_ms is not None and args.long_poll_ms < 0:
        parser.error("--long-poll-ms must not be negative")
    args.engine_url = args.engine_url.rstrip("/")
    return args


def client_version() -> str:
    from importlib.metadata import version

    return version(DIST_NAME)


def exit_on_signals() -> None:
    """SIGTERM/SIGINT end the process at once with status 0.

    The sync worker catches BaseException around every fetch (so SystemExit and KeyboardInterrupt
    would only make it sleep `sleepSeconds`, 300 s by default), and a long poll can block for up to
    asyncResponseTimeout: neither is prompt, so the handler leaves through os._exit.
    """

    def _exit(signum, frame):  # noqa: ARG001
        try:
            sys.stderr.flush()
            sys.stdout.flush()
        finally:
            os._exit(0)

    signal.signal(signal.SIGTERM, _exit)
    signal.signal(signal.SIGINT, _exit)


def fetch_variables(work: str) -> list[str]:
    """What fetchAndLock asks for: the five order variables for `realistic`, none otherwise."""
    return list(REALISTIC_VARIABLES) if work == "realistic" else []


def validation_error(task) -> str | None:
    """None when the five variables are valid, else a message. `task` is the client's ExternalTask."""
    name = task.get_variable("customerName")
    quantity = task.get_variable("quantity")
    unit_price = task.get_variable("unitPrice")
    currency = task.get_variable("currency")
    order_date = task.get_variable("orderDate")
    if not isinstance(name, str) or not name.strip():
        return "customerName must be a non-empty string"
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        return "quantity must be an integer >= 1"
    if isinstance(unit_price, bool) or not isinstance(unit_price, (int, float)) or not unit_price > 0:
        return "unitPrice must be a number > 0"
    if not isinstance(currency, str) or not _CURRENCY.match(currency):
        return "currency must be three upper-case letters"
    if not isinstance(order_date, str) or not _ISO_DATE.match(order_date):
        return "orderDate must be an ISO date YYYY-MM-DD"
    try:
        date.fromisoformat(order_date)
    except ValueError:
        return "orderDate is not a valid date"
    return None


def handle(task, work: str):
    """The handler body shared by the sync and async contenders; returns the client's TaskResult."""
    if work == "noop":
        return task.complete({})
    if work == "pickup":
        picked_up_at_ms = time.time_ns() // 1_000_000
        return task.complete({"pickedUpAtMs": {"value": picked_up_at_ms, "type": "Long"}})
    error = validation_error(task)
    if error is not None:
        return task.bpmn_error("INVALID_ORDER", error)
    total = float(task.get_variable("quantity") * task.get_variable("unitPrice"))
    return task.complete(
        {
            "total": {"value": total, "type": "Double"},
            "validatedAt": {"value": datetime.now(timezone.utc).isoformat(), "type": "String"},
        }
    )
