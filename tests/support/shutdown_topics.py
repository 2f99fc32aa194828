"""A worker module loaded with `crossdept worker --import tests.support.shutdown_topics`."""

from __future__ import annotations

import time

from workers.runtime.registry import ProcessVariables, topic

SLOW_TOPIC = "test.shutdown.slow"


class SlowInput(ProcessVariables):
    sleep_seconds: float = 0


@topic(SLOW_TOPIC)
def slow(data: SlowInput) -> dict:
    time.sleep(data.sleep_seconds)
    return {"done": True}
