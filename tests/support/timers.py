"""How long the engine and the workers may take, by their configuration, to act on a timer: the bound a
test waits for a timer's effect, instead of a number that happens to be long enough on an idle machine."""

from __future__ import annotations

from datetime import datetime, timezone

from workers.runtime.settings import Settings

# Camunda's job-execution wait-time-in-millis, which we leave at its default: the job executor's first idle
# wait, and how soon a new timer must be due for its creation to wake the executor at once.
ACQUISITION_BASE_WAIT_S = 5.0


def timer_fired_within(settings: Settings, due: datetime) -> float:
    """Seconds from now by which a timer due at `due` has fired. A timer due more than the base wait
    after it was created does not wake the job executor, and an idle executor backs off between
    acquisitions up to max-wait: it acquires the timer at most max-wait after it is due. One more base
    wait covers that acquisition's query and the job's own transaction on a loaded machine."""
    until_due = max(0.0, (due - datetime.now(timezone.utc)).total_seconds())
    return until_due + settings.job_acquisition_max_wait_ms / 1000 + ACQUISITION_BASE_WAIT_S


def external_task_done_within(settings: Settings) -> float:
    """Seconds from an external task's creation by which a running worker has finished it: fetched
    within one long poll (the engine wakes a waiting poll at once, a busy worker polls again after
    it) and completed within one lock duration, the time a handler is given before its lock needs
    extending."""
    return (settings.long_poll_ms + settings.lock_duration_ms) / 1000
