#!/usr/bin/env python3
"""Benchmark contender: the synchronous ExternalTaskWorker of camunda-external-task-client-python3 (PyPI).

    bench/contenders/.venv-community/bin/python bench/contenders/community_python_sync.py \
        --engine-url http://localhost:8080/engine-rest --user U --password P \
        --topic T --concurrency 4 --work noop|pickup|realistic [--max-tasks M] [--long-poll-ms L]

How the shared contract maps onto this client (4.5.0):
- It has no parallelism: `ExternalTaskWorker.subscribe` loops fetchAndLock -> run each fetched task's
  handler and its complete call one after another in the calling thread. So at most ONE task is
  handled at a time whatever --concurrency says; --concurrency only sets `maxTasks` (tasks locked per
  fetchAndLock, client default 1), --max-tasks overrides that. One process, as the benchmark requires.
- Polling: the client's defaults are kept (asyncResponseTimeout 30000 ms long polling, i.e. no sleep
  between polls when the engine has work; sleepSeconds 300 only after an error; lockDuration 300000 ms);
  --long-poll-ms L sets asyncResponseTimeout=L.
- Basic auth through the client's `auth_basic` config, sent on every request.
- Nothing is printed per task: the client logs through the root `logging` functions, left at WARNING.
"""

from __future__ import annotations

import logging
import os
import sys

from _community_common import client_version, exit_on_signals, fetch_variables, handle, parse_args

from camunda.external_task.external_task_worker import ExternalTaskWorker


def main(argv: list[str] | None = None) -> int:
    args = parse_args(__doc__.splitlines()[1], argv)
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(levelname)s %(message)s")
    exit_on_signals()

    config: dict = {
        "maxTasks": args.max_tasks or args.concurrency,
        "auth_basic": {"username": args.user, "password": args.password},
    }
    if args.long_poll_ms is not None:
        config["asyncResponseTimeout"] = args.long_poll_ms

    worker = ExternalTaskWorker(worker_id=f"bench-community-sync-{os.getpid()}", base_url=args.engine_url, config=config)
    work = args.work
    print(
        f"ready: camunda-external-task-client-python3 (sync ExternalTaskWorker) {client_version()}"
        f" maxTasks={config['maxTasks']} handled-at-once=1"
        f" asyncResponseTimeout={worker.client.config['asyncResponseTimeout']}",
        file=sys.stderr,
        flush=True,
    )
    # Never returns: the worker loops until the process is signalled (see exit_on_signals).
    worker.subscribe(args.topic, lambda task: handle(task, work), variables=fetch_variables(work))
    return 0


if __name__ == "__main__":
    sys.exit(main())
