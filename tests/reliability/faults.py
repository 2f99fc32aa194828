"""Each fault the suite injects: a function that applies it, holds it for the given seconds and
removes it, whatever happens meanwhile, so every fault stops by itself.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path
from typing import Callable

from tests.reliability.rig import Rig
from tests.support.driver import wait_until


def _held(apply: Callable[[], None], undo: Callable[[], None], seconds: float) -> None:
    apply()
    try:
        time.sleep(seconds)
    finally:
        undo()


def engine_killed(rig: Rig, seconds: float) -> None:
    _held(rig.kill_engine, rig.start_engine, seconds)


def worker_killed_mid_handler(rig: Rig, seconds: float) -> None:
    # Locked by our worker means a handler has it now (the worker keeps no prefetched tasks).
    wait_until(lambda: rig.admin.external_tasks(locked="true", workerId=f"reliability-{rig.worker.starts}"),
               60, "a handler of the worker to be running", interval_s=0.05)
    _held(rig.worker.kill, rig.worker.start, seconds)


def smtp_down(rig: Rig, seconds: float) -> None:
    _held(rig.mailbox.down, rig.mailbox.up, seconds)


def webhook_slow_then_500(rig: Rig, seconds: float) -> None:
    rig.webhook.delay_s = 3.0  # slow, within the workers' 5 s HTTP timeout
    try:
        time.sleep(seconds / 2)
        rig.webhook.delay_s, rig.webhook.status = 0.0, 500
        time.sleep(seconds / 2)
    finally:
        rig.webhook.delay_s, rig.webhook.status = 0.0, 200


def archive_read_only(rig: Rig, seconds: float) -> None:
    rig.archive.mkdir(parents=True, exist_ok=True)
    _held(lambda: _read_only(rig.archive, True), lambda: _read_only(rig.archive, False), seconds)


def _read_only(folder: Path, on: bool) -> None:
    if os.geteuid() == 0:  # root writes through permission bits; the immutable flag stops it too
        subprocess.run(["chattr", "-R", "+i" if on else "-i", str(folder)], check=True, timeout=30)
    else:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir():
                path.chmod(0o555 if on else 0o755)


def _proxy(mode: str) -> Callable[[Rig, float], None]:
    def fault(rig: Rig, seconds: float) -> None:
        _held(lambda: rig.proxy.set_mode(mode), lambda: rig.proxy.set_mode("pass"), seconds)
    return fault


FAULTS: dict[str, Callable[[Rig, float], None]] = {
    "engine SIGKILL and restart": engine_killed,
    "worker SIGKILL mid-handler": worker_killed_mid_handler,
    "SMTP down then back": smtp_down,
    "webhook slow and answering 500": webhook_slow_then_500,
    "archive folder read-only": archive_read_only,
    "long poll cut: proxy closes connections": _proxy("close"),
    "long poll cut: proxy stalls connections": _proxy("stall"),
}
