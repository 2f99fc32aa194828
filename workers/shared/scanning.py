"""What the companions `crossdept worker` runs beside its poll loop share (the to-do watcher, the
sharing obligations' scheduler): a scan loop that never stops the worker, and the organisation file
re-read when it changes (the office edits it, the responsibility review rewrites it)."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from workers.runtime.idempotency import OnceStore
from workers.runtime.settings import Settings
from workers.shared.organisation.model import Organisation, load_organisation
from workers.shared.properties import parse_time_zone

LONGEST_PAUSE_S = 300.0


def scan_until(stopping: threading.Event, scan: Callable[[], list[str]], interval_s: float, name: str,
               unfinished: str, log: logging.Logger) -> None:
    """Call `scan` every `interval_s` until `stopping` is set. It returns what it left for the next scan
    (logged as `unfinished`); a scan that raises (the engine, the file) is logged and tried again after
    a pause that doubles up to five minutes, never raised."""
    failures = 0
    while not stopping.is_set():
        try:
            left = scan()
        except Exception as exc:  # the next scan tries again
            failures += 1
            pause = min(LONGEST_PAUSE_S, interval_s * 2 ** failures)
            log.warning("%s: scan failed (%s: %s); next attempt in %.0f s", name, type(exc).__name__, exc, pause)
        else:
            failures, pause = 0, interval_s
            if left:
                log.warning("%s: %d %s, retried on the next scan: %s", name, len(left), unfinished, "; ".join(left))
        stopping.wait(pause)


class ReloadingOrganisation:
    """The organisation file, read again whenever its modification time changes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._loaded: tuple[float, Organisation] | None = None

    def __call__(self) -> Organisation:
        path = self.path.expanduser().resolve()
        changed = path.stat().st_mtime
        if self._loaded is None or self._loaded[0] != changed:
            self._loaded = (changed, load_organisation(path))
        return self._loaded[1]


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


class ScanningCompanion:
    """What a companion holds: the settings, the engine and once store it shares with the worker, its
    clock (a test's fixed one), the company's time zone, its state file and the organisation file."""

    STATE_FILE = ""  # under STATE_DIR: where the scans are

    def __init__(self, settings: Settings, engine: Any, once_store: OnceStore,
                 now: Callable[[], datetime] = _utc_now) -> None:
        self.settings = settings
        self.engine = engine
        self.once_store = once_store
        self.now = now
        self.zone = parse_time_zone(settings.company_time_zone)
        self.state_path = settings.state_root / self.STATE_FILE
        self._organisation = ReloadingOrganisation(settings.organisation_file)

    def organisation(self) -> Organisation:
        """The organisation file, read again when it changes."""
        return self._organisation()
