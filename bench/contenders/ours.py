#!/usr/bin/env python3
"""Contender "ours": crossdept's worker runtime on one topic (contract in bench/README.md).

    python bench/contenders/ours.py --engine-url URL --user U --password P --topic T --concurrency N
        --work noop|pickup|realistic [--long-poll-ms L] [--tuned]

Default settings are what `crossdept worker` runs with; --tuned applies bench/compare.py's TUNED.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
import time
from datetime import date, datetime, timezone
from pathlib import Path
from tempfile import mkdtemp

from pydantic import Field

from workers import ProcessVariables
from workers.runtime.client import EngineClient
from workers.runtime.registry import Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import Settings

# What --tuned changes (docs/performance.md has the figures): fetchAndLock without ordering by
# priority, for deployments that set no camunda:taskPriority. The rest of the defaults already
# fetch only free slots in one long poll, which is what the engine rewards.
TUNED: dict[str, object] = {"use_priority": False}


class Order(ProcessVariables):
    customer_name: str = Field(min_length=1)
    quantity: int = Field(ge=1)
    unit_price: float = Field(gt=0)
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    order_date: date


def registry_for(topic: str, work: str) -> Registry:
    registry = Registry()
    if work == "noop":
        registry.topic(topic)(lambda: None)
    elif work == "pickup":
        registry.topic(topic)(lambda: {"pickedUpAtMs": int(time.time() * 1000)})
    else:
        def realistic(order: Order) -> dict:
            return {"total": order.quantity * order.unit_price,
                    "validatedAt": datetime.now(timezone.utc).isoformat()}
        # An invalid order is the runtime's INVALID_INPUT BPMN error (the contract's INVALID_ORDER).
        registry.topic(topic, errors=["INVALID_INPUT"])(realistic)
    return registry


def main() -> int:
    parser = argparse.ArgumentParser()
    for name in ("--engine-url", "--user", "--password", "--topic", "--work"):
        parser.add_argument(name, required=True)
    parser.add_argument("--concurrency", type=int, required=True)
    parser.add_argument("--long-poll-ms", type=int)
    parser.add_argument("--max-tasks", type=int)  # part of the contract; ours asks for its free slots
    parser.add_argument("--tuned", action="store_true")
    args = parser.parse_args()
    overrides: dict[str, object] = {"concurrency": args.concurrency, "log_level": "WARNING",
                                    "state_dir": Path(mkdtemp(prefix="bench-ours-"))}
    if args.long_poll_ms is not None:
        overrides["long_poll_ms"] = args.long_poll_ms
    if args.tuned:
        overrides.update(TUNED)
    settings = Settings(engine_url=args.engine_url, engine_user=args.user, engine_password=args.password,
                        **overrides)
    client = EngineClient(settings.engine_url, args.user, args.password, timeout_s=settings.http_timeout_s,
                          pool_size=settings.concurrency + 4)
    worker = Worker(registry_for(args.topic, args.work), client, settings)
    stopped = threading.Event()

    def stop(_signum: int, _frame: object) -> None:
        stopped.set()
        worker.stop()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"ready: crossdept worker runtime{' (tuned)' if args.tuned else ''}", file=sys.stderr, flush=True)
    worker.run()
    client.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
