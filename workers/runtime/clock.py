"""The one clock of the runtime: handlers ask `clock.now()` instead of `datetime.now()`.

A test pins it (`with pinned(moment):`, which the handler harness does) so deadlines and "is it
already past?" checks are reproducible. The pin lives in a context variable, so it holds only for
the code running in that thread and leaves the worker's other handlers on the real time.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Iterator

_pinned: ContextVar[datetime | None] = ContextVar("crossdept_clock_pinned", default=None)


def now() -> datetime:
    """The current moment, time-zone aware (UTC), or the pinned one."""
    return _pinned.get() or datetime.now(timezone.utc)


@contextmanager
def pinned(moment: datetime) -> Iterator[datetime]:
    if moment.tzinfo is None:
        raise ValueError(f"pin the clock to an aware moment, not the naive {moment.isoformat()}")
    token = _pinned.set(moment.astimezone(timezone.utc))  # callers may rely on now() being UTC
    try:
        yield moment
    finally:
        _pinned.reset(token)
