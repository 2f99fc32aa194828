#!/usr/bin/env python3
"""Benchmark contender: the asyncio AsyncExternalTaskWorker of camunda-external-task-client-python3 (PyPI).

    bench/contenders/.venv-community/bin/python bench/contenders/community_python_async.py \
        --engine-url http://localhost:8080/engine-rest --user U --password P \
        --topic T --concurrency 4 --work noop|pickup|realistic [--max-tasks M] [--long-poll-ms L]

How the shared contract maps onto this client (4.5.0, `camunda.external_task.async_external_task_worker`):
- --concurrency N sets `maxConcurrentTasks` (client default 10): an asyncio.Semaphore of N, one permit
  held per running task. Its fetch loop takes a permit, sends fetchAndLock with maxTasks hard-coded to 1,
  starts the task in the background and fetches again: so tasks are fetched one per request, and one
  fetch is in flight at a time. --max-tasks cannot change that (the client has no setting for it) and
  is accepted but ignored.
- Polling: client defaults kept (asyncResponseTimeout 30000 ms long polling; sleepSeconds 1 after an
  empty poll or an error; lockDuration 300000 ms); --long-poll-ms L sets asyncResponseTimeout=L.
- Every request opens a new httpx.AsyncClient (that is how the client is written).
- Note: the package declares only `requests` as a dependency but imports `httpx` and `pydantic`;
  they are installed into the venv by hand (see README.md).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys

from _community_common import client_version, exit_on_signals, fetch_variables, handle, parse_args

from camunda.external_task.async_external_task_worker import AsyncExternalTaskWorker


async def run(args) -> None:
    config: dict = {
        "maxConcurrentTasks": args.concurrency,
        "auth_basic": {"username": args.user, "password": args.password},
    }
    if args.long_poll_ms is not None:
        config["asyncResponseTimeout"] = args.long_poll_ms
    worker = AsyncExternalTaskWorker(
        worker_id=f"bench-community-async-{os.getpid()}", base_url=args.engine_url, config=config
    )
    work = args.work

    async def handler(task):
        return handle(task, work)

    print(
        f"ready: camunda-external-task-client-python3 (asyncio AsyncExternalTaskWorker) {client_version()}"
        f" maxConcurrentTasks={args.concurrency} maxTasks-per-fetch=1"
        f" asyncResponseTimeout={worker.client.config['asyncResponseTimeout']}"
        + (" (--max-tasks ignored: not configurable)" if args.max_tasks else ""),
        file=sys.stderr,
        flush=True,
    )
    await worker.subscribe({args.topic: handler}, variables=fetch_variables(work))


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[1], argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s")
    exit_on_signals()
    asyncio.run(run(args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
