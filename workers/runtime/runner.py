"""The worker loop: one multi-topic long poll, handlers in a bounded pool, locks kept alive.

- It fetches only as many tasks as it has free slots, so nothing waits locked in a local queue.
- A handler that runs longer than half its lock gets the lock extended, so no other worker takes it.
- `stop()` (SIGTERM/SIGINT in the CLI) stops fetching, lets running handlers finish and report, and
  unlocks any task a poll returned after the stop, so another worker can take it at once.
- Its life is observable: `on(event, callback)` for logging and metrics (see `EVENTS`).
"""

from __future__ import annotations

import logging
import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Protocol, Sequence

from workers.runtime.client import EngineClient, EngineError, EngineRefused, EngineUnavailable
from workers.runtime.context import TaskContext
from workers.runtime.execution import Completion, Failure, Rejection, failure, run_handler, task_context
from workers.runtime.idempotency import OnceStore
from workers.runtime.registry import Registry, TopicSpec
from workers.runtime.retry_policy import RetryPolicy
from workers.runtime.settings import Settings
from workers.runtime.variables import STRING_COLUMN_CHARS

log = logging.getLogger("crossdept.worker")

EVENTS = (
    "poll.failed",  # engine unreachable or refused the poll
    "poll.recovered",  # first successful poll after failures
    "task.fetched",
    "task.completed",
    "task.bpmn_error",
    "task.failed",  # technical failure reported; data["retries"] == 0 means an incident
    "task.report_failed",  # the engine did not take the outcome; the lock will expire and it returns
    "lock.extended",
    "task.unlocked",
)


class Companion(Protocol):
    """A loop that runs beside the poll for as long as the worker does (the to-do watcher): `run`
    returns soon after `stopping` is set and never raises."""

    def run(self, stopping: threading.Event) -> None: ...


@dataclass
class _InFlight:
    task: dict[str, Any]
    spec: TopicSpec
    lock_duration_ms: int
    lock_expires_at: float
    started_at: float = field(default_factory=time.monotonic)
    extending: bool = False  # an extendLock call is in flight: never a second one for this task


class Worker:
    def __init__(
        self,
        registry: Registry,
        client: EngineClient,
        settings: Settings,
        once_store: OnceStore | None = None,
        companions: Sequence[Companion] = (),
    ) -> None:
        if len(registry) == 0:
            raise ValueError("no topics to work on: the registry is empty")
        self.registry = registry
        self.client = client
        self.settings = settings
        self.worker_id = settings.worker_id
        self.once_store = once_store
        self.companions = list(companions)
        self.retry_policy = RetryPolicy.from_settings(settings)
        self._pool = ThreadPoolExecutor(settings.concurrency, thread_name_prefix="crossdept-handler")
        self._in_flight: dict[str, _InFlight] = {}
        self._changed = threading.Condition()
        self._stopping = threading.Event()
        self._listeners: dict[str, list[Callable[[dict[str, Any]], None]]] = {}

    # --- observability
    def on(self, event: str, callback: Callable[[dict[str, Any]], None]) -> None:
        if event not in EVENTS:
            raise ValueError(f"unknown event {event!r}; known: {', '.join(EVENTS)}")
        self._listeners.setdefault(event, []).append(callback)

    def _emit(self, event: str, **data: Any) -> None:
        for callback in self._listeners.get(event, ()):
            try:
                callback(data)
            except Exception:  # an observer must never break the loop
                log.exception("listener for %s failed", event)

    # --- lifecycle
    def stop(self) -> None:
        self._stopping.set()
        with self._changed:
            self._changed.notify_all()

    @property
    def in_flight(self) -> int:
        return len(self._in_flight)

    def run(self) -> None:
        """Work until `stop()`; then drain and return."""
        keeper = threading.Thread(target=self._keep_locks, name="crossdept-lock-keeper", daemon=True)
        keeper.start()
        beside = [threading.Thread(target=c.run, args=(self._stopping,), name=f"crossdept-{type(c).__name__}",
                                   daemon=True) for c in self.companions]
        for thread in beside:
            thread.start()
        try:
            self._poll_until_stopped()
        finally:
            self._pool.shutdown(wait=True)
            self._stopping.set()
            keeper.join()
            for thread in beside:
                thread.join()
            log.info("worker %s stopped", self.worker_id)

    def _poll_until_stopped(self) -> None:
        failures = 0
        topics = [self._topic_request(spec) for spec in self.registry]
        while not self._stopping.is_set():
            free = self._wait_for_free_slot()
            if free == 0:
                continue
            try:
                tasks = self.client.fetch_and_lock(
                    self.worker_id, free, topics, self.settings.long_poll_ms, retry_for_s=0,
                    use_priority=self.settings.use_priority,
                )
            except (EngineUnavailable, EngineError, OSError) as exc:
                failures += 1
                delay = min(5.0, 0.1 * 2**failures) * random.uniform(0.5, 1.0)
                if failures == 1 or failures % 20 == 0:
                    log.warning("cannot fetch tasks (%s); retrying every few seconds", exc)
                self._emit("poll.failed", error=str(exc), failures=failures)
                self._stopping.wait(delay)
                continue
            if failures:
                log.info("engine reachable again after %d failed polls", failures)
                self._emit("poll.recovered", failures=failures)
                failures = 0
            if self._stopping.is_set():
                self._unlock_all(tasks)
                return
            for task in tasks:
                self._start(task)

    def _wait_for_free_slot(self) -> int:
        with self._changed:
            while len(self._in_flight) >= self.settings.concurrency and not self._stopping.is_set():
                self._changed.wait()
            return 0 if self._stopping.is_set() else self.settings.concurrency - len(self._in_flight)

    def _topic_request(self, spec: TopicSpec) -> dict[str, Any]:
        return {
            "topicName": spec.name,
            "lockDuration": spec.lock_duration_ms or self.settings.lock_duration_ms,
            "variables": spec.variable_names,
            "includeExtensionProperties": True,
            "deserializeValues": False,
        }

    def _start(self, task: dict[str, Any]) -> None:
        spec = self.registry[task["topicName"]]
        lock_ms = spec.lock_duration_ms or self.settings.lock_duration_ms
        with self._changed:
            self._in_flight[task["id"]] = _InFlight(task, spec, lock_ms, time.monotonic() + lock_ms / 1000)
        self._emit("task.fetched", task=task)
        self._pool.submit(self._handle, task, spec)

    def _unlock_all(self, tasks: list[dict[str, Any]]) -> None:
        for task in tasks:
            try:
                self.client.unlock(task["id"])
                self._emit("task.unlocked", task=task)
            except Exception as exc:  # the lock will expire by itself; say so
                log.warning("could not unlock task %s (%s); it is free again when its lock expires", task["id"], exc)
        if tasks:
            log.info("unlocked %d task(s) fetched after the stop was requested", len(tasks))

    # --- one task
    def _handle(self, task: dict[str, Any], spec: TopicSpec) -> None:
        started = time.monotonic()
        try:
            self._run_and_report(task, spec, started)
        finally:
            with self._changed:
                self._in_flight.pop(task["id"], None)
                self._changed.notify_all()

    def _run_and_report(self, task: dict[str, Any], spec: TopicSpec, started: float) -> None:
        outcome = run_handler(spec, task, self._context(task), self.retry_policy)
        if isinstance(outcome, Completion):
            self._report_completion(task, spec, outcome, started)
        elif isinstance(outcome, Rejection):
            self._report_bpmn_error(task, outcome, started)
        else:
            self._report_failure(task, spec, outcome, started)

    def _context(self, task: dict[str, Any]) -> TaskContext:
        return task_context(task, worker_id=self.worker_id, once_store=self.once_store, settings=self.settings,
                            engine=self.client)

    def _report_completion(self, task: dict[str, Any], spec: TopicSpec, outcome: Completion, started: float) -> None:
        if self._report(task, "complete", self.client.complete, task["id"], self.worker_id, outcome.variables):
            log.info("completed %s", spec.name, extra=_log_fields(task))
            self._emit("task.completed", task=task, seconds=time.monotonic() - started)

    def _report_bpmn_error(self, task: dict[str, Any], outcome: Rejection, started: float) -> None:
        sent = self._report(
            task, "bpmnError", self.client.bpmn_error, task["id"], self.worker_id, outcome.code, outcome.message,
            outcome.variables,
        )
        if sent:
            log.info("business rejection %s: %s", outcome.code, outcome.message, extra=_log_fields(task))
            self._emit("task.bpmn_error", task=task, code=outcome.code, message=outcome.message,
                       seconds=time.monotonic() - started)

    def _report_failure(self, task: dict[str, Any], spec: TopicSpec, outcome: Failure, started: float) -> None:
        sent = self._report(
            task, "failure", self.client.failure, task["id"], self.worker_id, outcome.message, outcome.details,
            outcome.retries, outcome.retry_timeout_ms,
        )
        if sent:
            level = logging.ERROR if outcome.incident else logging.WARNING
            state = ("incident raised" if outcome.incident
                     else f"{outcome.retries} retries left, next in {outcome.retry_timeout_ms} ms")
            log.log(level, "failed %s: %s (%s)", spec.name, outcome.message, state, extra=_log_fields(task))
            self._emit("task.failed", task=task, error=outcome.message, retries=outcome.retries,
                       seconds=time.monotonic() - started)

    def _report(self, task: dict[str, Any], what: str, call: Callable[..., None], *args: Any) -> bool:
        try:
            call(*args)
            return True
        except EngineRefused as exc:
            if what != "failure":
                self._emit("task.report_failed", task=task, what=what)
                self._report_refused(task, what, exc, args[-1])
                return False
            log.error("engine refused the failure report of task %s: %s", task["id"], exc, extra=_log_fields(task))
        except EngineError as exc:
            # 404: the task is gone (instance cancelled, or an earlier report did arrive); 400: the lock was
            # lost to another worker. Either way, nothing of ours is left to do.
            log.warning("engine refused %s of task %s: %s", what, task["id"], exc, extra=_log_fields(task))
        except Exception as exc:
            log.error(
                "could not report %s of task %s (%s); it returns when its lock expires", what, task["id"], exc,
                extra=_log_fields(task),
            )
        self._emit("task.report_failed", task=task, what=what)
        return False

    def _report_refused(self, task: dict[str, Any], what: str, exc: EngineRefused,
                        variables: dict[str, dict[str, Any]]) -> None:
        """The engine will not store this outcome (a value too long for its column, a SQL error):
        delivering the task again would meet the same refusal for ever, so it counts as a failed
        attempt, retried by the policy, and the last one raises an incident naming the engine's message
        and any variable too long for its column."""
        spec = self.registry[task["topicName"]]
        cause = RefusedOutcome(f"{exc}{_too_long(variables)}")
        log.error("engine refused %s of task %s: %s", what, task["id"], cause, extra=_log_fields(task))
        self._report_failure(task, spec, failure(spec, task, cause, self.retry_policy), time.monotonic())

    # --- locks
    def _keep_locks(self) -> None:
        # Each extension runs on its own thread (one per handler slot, so one per task in flight at
        # most): an engine slow to answer for one task cannot hold back the others' extensions.
        extenders = ThreadPoolExecutor(self.settings.concurrency, thread_name_prefix="crossdept-lock-extend")
        try:
            while not (self._stopping.is_set() and not self._in_flight):
                now = time.monotonic()
                for entry in list(self._in_flight.values()):
                    if not entry.extending and entry.lock_expires_at - now < entry.lock_duration_ms / 2000:
                        entry.extending = True
                        extenders.submit(self._extend, entry)
                shortest = min((e.lock_duration_ms for e in self._in_flight.values()),
                               default=self.settings.lock_duration_ms)
                time.sleep(min(1.0, shortest / 4000))  # a topic may lock for less than the default
        finally:
            extenders.shutdown(wait=False)  # a hanging call ends by its own timeout

    def _extend(self, entry: _InFlight) -> None:
        task_id = entry.task["id"]
        # An answer after the lock has expired is worth nothing: wait no longer than the lock lasts.
        left_s = max(entry.lock_expires_at - time.monotonic(), 0.5)
        try:
            self.client.extend_lock(task_id, self.worker_id, entry.lock_duration_ms,
                                    timeout_s=min(left_s, self.settings.http_timeout_s), retry_for_s=left_s)
        except Exception as exc:
            log.warning("could not extend the lock of task %s: %s", task_id, exc, extra=_log_fields(entry.task))
        else:
            entry.lock_expires_at = time.monotonic() + entry.lock_duration_ms / 1000
            self._emit("lock.extended", task=entry.task)
        finally:
            entry.extending = False


class RefusedOutcome(RuntimeError):
    """The engine refused to store a task's outcome."""


def _too_long(variables: dict[str, dict[str, Any]]) -> str:
    names = [f"{name} ({len(typed['value'])} characters)" for name, typed in variables.items()
             if typed.get("type") == "String" and len(typed.get("value") or "") > STRING_COLUMN_CHARS]
    return (f"; String variable(s) longer than the engine's {STRING_COLUMN_CHARS}-character column: "
            + ", ".join(names)) if names else ""


def _log_fields(task: dict[str, Any]) -> dict[str, Any]:
    return {
        "topic": task.get("topicName"),
        "process_instance_id": task.get("processInstanceId"),
        "business_key": task.get("businessKey"),
        "task_id": task.get("id"),
    }
