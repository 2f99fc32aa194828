"""The lock keeper: one extendLock call the engine does not answer holds back no other task's lock."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from workers.runtime.registry import Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import Settings

FAST = ("t-fast-1", "t-fast-2")


class EngineSlowForOneTask:
    """Hands out three tasks once; never answers extendLock for task "t-slow" (until released)."""

    def __init__(self) -> None:
        self.tasks = [{"id": task_id, "topicName": "t.long", "processInstanceId": "p1", "variables": {}}
                      for task_id in ("t-slow", *FAST)]
        self.extended: Counter[str] = Counter()
        self.changed = threading.Condition()
        self.release = threading.Event()

    def fetch_and_lock(self, *_: Any, **__: Any) -> list[dict[str, Any]]:
        handed_out, self.tasks = self.tasks, []
        if not handed_out:
            self.release.wait(0.1)  # an idle long poll
        return handed_out

    def extend_lock(self, task_id: str, *_: Any, **__: Any) -> None:
        with self.changed:
            self.extended[task_id] += 1
            self.changed.notify_all()
        if task_id == "t-slow":
            self.release.wait()  # the engine does not answer

    def fast_locks_extended(self, times: int) -> bool:
        return all(self.extended[task_id] >= times for task_id in FAST)

    def complete(self, *_: Any) -> None: ...

    def unlock(self, *_: Any) -> None: ...


def test_a_hanging_extension_of_one_lock_does_not_hold_back_the_others() -> None:
    engine = EngineSlowForOneTask()
    registry = Registry()
    registry.topic("t.long")(lambda: engine.release.wait() and {})  # handlers outlast their locks
    worker = Worker(registry, engine, Settings(worker_id="w1", lock_duration_ms=1_000, concurrency=4))  # type: ignore[arg-type]
    thread = threading.Thread(target=worker.run, daemon=True)
    thread.start()
    try:
        with engine.changed:
            extended = engine.changed.wait_for(lambda: engine.fast_locks_extended(3), timeout=30)
        assert extended, f"the other tasks' locks were not kept while one extension hung: {dict(engine.extended)}"
        assert engine.extended["t-slow"] == 1, "a second extension of a task whose first is still in flight"
    finally:
        engine.release.set()
        worker.stop()
        thread.join(30)
    assert not thread.is_alive()
