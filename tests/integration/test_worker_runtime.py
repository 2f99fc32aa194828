"""The worker runtime against the real engine: outcomes, rejections, retries, locks, idempotency."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime, timezone

import pytest

from tests.support.bpmn import service_task_process
from tests.support.driver import EngineDriver, running_worker, wait_until
from workers.runtime.errors import BusinessRejection
from workers.runtime.registry import ProcessVariables, Registry
from workers.runtime.context import TaskContext
from workers.runtime.metrics import WorkerMetrics
from workers.runtime.properties import TaskProperties
from workers.runtime.settings import Settings
from workers.shared.properties import TimeZone

pytestmark = pytest.mark.engine


def deploy_one(admin: EngineDriver, topic: str, **kwargs: object) -> str:
    key = "test-" + uuid.uuid4().hex[:10]
    admin.deploy_xml(key, {f"{key}.bpmn": service_task_process(key, topic, **kwargs)})
    return key


def unique_topic(name: str) -> str:
    return f"test.{name}.{uuid.uuid4().hex[:6]}"


class Order(ProcessVariables):
    quantity: int
    unit_price: float
    customer_name: str


class OnlyQuantity(ProcessVariables):
    quantity: int


def test_completed_task_writes_its_output_variables_into_the_process(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("price")
    registry = Registry()

    @registry.topic(topic)
    def price(order: Order) -> dict:
        return {"total": order.quantity * order.unit_price, "pricedFor": order.customer_name, "pricedAt": datetime(2026, 11, 28, 9, 30)}

    key = deploy_one(admin, topic)
    pid = admin.start(key, {"quantity": (3, "Integer"), "unitPrice": (2.5, "Double"), "customerName": ("华为", "String")})
    with running_worker(registry, worker_settings):
        wait_until(lambda: admin.active_activities(pid) == ["Task_Wait"], 30, "the process to reach Task_Wait")

    variables = admin.history_variables(pid)
    assert variables["total"] == 7.5
    assert variables["pricedFor"] == "华为"
    assert variables["pricedAt"] == datetime(2026, 11, 28, 9, 30, tzinfo=timezone.utc), "a naive time is UTC"


def test_metrics_count_fetched_and_completed_tasks_per_topic(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("metered")
    registry = Registry()
    registry.topic(topic)(lambda: {"ok": True})
    metrics = WorkerMetrics()
    key = deploy_one(admin, topic)
    with running_worker(registry, worker_settings) as worker:
        metrics.attach(worker)
        pids = [admin.start(key) for _ in range(3)]
        wait_until(lambda: all(admin.active_activities(p) == ["Task_Wait"] for p in pids), 30, "three completions")

    sample = metrics.registry.get_sample_value
    assert sample("crossdept_tasks_fetched_total", {"topic": topic}) == 3
    assert sample("crossdept_tasks_completed_total", {"topic": topic}) == 3
    assert sample("crossdept_handler_seconds_count", {"topic": topic}) == 3
    assert sample("crossdept_tasks_failed_total", {"topic": topic}) is None


def test_worker_fetches_only_the_variables_its_input_model_declares(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("narrow")
    seen: list[dict] = []
    registry = Registry()

    @registry.topic(topic)
    def narrow(data: OnlyQuantity) -> None:
        seen.append(data.model_dump())

    key = deploy_one(admin, topic)
    with running_worker(registry, worker_settings) as worker:
        captured: list[dict] = []
        worker.on("task.fetched", lambda d: captured.append(d["task"]["variables"]))
        pid = admin.start(key, {"quantity": (1, "Integer"), "secretSalary": (99999, "Integer")})
        wait_until(lambda: admin.active_activities(pid) == ["Task_Wait"], 30, "the task to complete")

    assert seen == [{"quantity": 1}]
    assert captured and set(captured[0]) == {"quantity"}, f"fetched more than declared: {captured}"


def test_business_rejection_lands_on_the_boundary_event_with_its_message(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("validate")
    registry = Registry()

    @registry.topic(topic, errors=["ORDER_INVALID"])
    def validate(order: Order) -> None:
        if order.quantity <= 0:
            raise BusinessRejection("ORDER_INVALID", "must be at least 1 / 数量至少为 1", field="quantity")

    key = deploy_one(admin, topic, catch_error="ORDER_INVALID")
    pid = admin.start(key, {"quantity": (0, "Integer"), "unitPrice": (1.0, "Double"), "customerName": ("x", "String")})
    with running_worker(registry, worker_settings):
        wait_until(lambda: admin.active_activities(pid) == ["Task_FixInput"], 30, "the rejection to reach Task_FixInput")

    assert admin.history_variables(pid)["rejectionMessage"] == "quantity: must be at least 1 / 数量至少为 1"
    assert admin.incidents(pid) == []


def test_technical_failure_is_retried_with_backoff_then_becomes_an_incident_naming_the_cause(
    admin: EngineDriver, worker_settings: Settings
) -> None:
    topic = unique_topic("flaky")
    attempts: list[float] = []
    registry = Registry()

    @registry.topic(topic, retries=2, retry_backoff_s=0.5)
    def always_fails() -> None:
        attempts.append(time.monotonic())
        raise ConnectionRefusedError("archive server archive.local:445 refused the connection")

    key = deploy_one(admin, topic)
    pid = admin.start(key)
    with running_worker(registry, worker_settings):
        incidents = wait_until(lambda: admin.incidents(pid), 30, "an incident")

    assert len(attempts) == 3, "one attempt plus two retries"
    gaps = [later - earlier for earlier, later in zip(attempts, attempts[1:])]
    assert gaps[0] >= 0.5 * 0.9 and gaps[1] >= 1.0 * 0.9, f"backoff not honoured (0.5 s, then 1 s): {gaps}"
    assert incidents[0].incident_type.value == "failedExternalTask"
    assert "ConnectionRefusedError: archive server archive.local:445 refused the connection" in incidents[0].incident_message


def test_retries_property_on_the_service_task_overrides_the_topic_default(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("tuned")
    attempts: list[float] = []
    registry = Registry()

    @registry.topic(topic, retries=5, retry_backoff_s=0.1)
    def always_fails() -> None:
        attempts.append(time.monotonic())
        raise TimeoutError("mail server did not answer")

    key = deploy_one(admin, topic, properties={"retries": "1", "retryBackoff": "PT0.2S"})
    pid = admin.start(key)
    with running_worker(registry, worker_settings):
        wait_until(lambda: admin.incidents(pid), 30, "an incident")
        time.sleep(1)  # a wrong retry count would show as further attempts here

    assert len(attempts) == 2, f"the diagram says 1 retry, so 2 attempts; saw {len(attempts)}"


def test_invalid_variables_become_an_incident_that_names_the_variable_and_rule(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("strict")
    registry = Registry()

    @registry.topic(topic)
    def strict(order: Order) -> None:
        raise AssertionError("must not run with invalid input")

    key = deploy_one(admin, topic)
    pid = admin.start(key, {"quantity": ("three", "String"), "unitPrice": (1.0, "Double")})
    with running_worker(registry, worker_settings):
        incidents = wait_until(lambda: admin.incidents(pid), 30, "an incident")

    message = incidents[0].incident_message
    assert "variable 'quantity'" in message and "valid integer" in message, message
    assert "variable 'customerName': Field required" in message, message


class OfficeHours(TaskProperties):
    time_zone: TimeZone


def test_a_wrong_property_on_the_service_task_is_an_incident_at_once_naming_element_and_property(
    admin: EngineDriver, worker_settings: Settings
) -> None:
    topic = unique_topic("office")
    calls: list[OfficeHours] = []
    failures: list[dict] = []
    registry = Registry()

    @registry.topic(topic, properties=OfficeHours, retries=3, retry_backoff_s=0.1)
    def office(hours: OfficeHours) -> None:
        calls.append(hours)

    key = deploy_one(admin, topic, properties={"timeZone": "Mars/Base", "retries": "3"})
    with running_worker(registry, worker_settings) as worker:
        worker.on("task.failed", failures.append)
        pid = admin.start(key)  # after the listener is on, so it sees the first failure
        incidents = wait_until(lambda: admin.incidents(pid), 30, "an incident")
        time.sleep(0.5)  # a retried failure would show as a further attempt here

    message = incidents[0].incident_message
    assert "Task_Service: camunda:property timeZone='Mars/Base': not a known time zone (e.g. Asia/Shanghai)" in message
    assert "set it on this task in Camunda Modeler" in message
    assert calls == [], "the handler must not run with a wrong property"
    assert [f["retries"] for f in failures] == [0], "retrying cannot fix the diagram: no retries"


def test_handler_slower_than_its_lock_has_the_lock_extended_and_runs_once(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("slow")
    runs: list[str] = []
    registry = Registry()

    @registry.topic(topic, lock_duration_ms=2_000)
    def slow(task: TaskContext) -> dict:
        runs.append(task.worker_id)
        time.sleep(6)  # three times the lock
        return {"done": True}

    key = deploy_one(admin, topic)
    rival_settings = worker_settings.model_copy(update={"worker_id": worker_settings.worker_id + "-rival"})
    extended = threading.Event()
    # A second worker polls the same topic the whole time: had the lock lapsed, it would run the task too.
    with running_worker(registry, worker_settings) as first, running_worker(registry, rival_settings) as rival:
        for worker in (first, rival):
            worker.on("lock.extended", lambda _: extended.set())
        pid = admin.start(key)
        wait_until(lambda: admin.active_activities(pid) == ["Task_Wait"], 30, "the slow task to complete")

    assert len(runs) == 1, f"handler ran {len(runs)} times: {runs}"
    assert extended.is_set()
    assert admin.history_variables(pid)["done"] is True


def test_side_effect_done_once_although_the_task_is_delivered_again(admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("notify")
    sent: list[str] = []
    deliveries: list[int] = []
    registry = Registry()

    @registry.topic(topic, retries=1, retry_backoff_s=0)
    def notify(task: TaskContext) -> dict:
        deliveries.append(1)
        receipt = task.once("mail:giver", lambda: sent.append("mail to giver") or f"receipt-{len(sent)}")
        if len(deliveries) == 1:
            raise OSError("crashed after sending, before completing")
        return {"receipt": receipt}

    key = deploy_one(admin, topic)
    pid = admin.start(key)
    with running_worker(registry, worker_settings):
        wait_until(lambda: admin.active_activities(pid) == ["Task_Wait"], 30, "the second delivery to complete")

    assert len(deliveries) == 2
    assert sent == ["mail to giver"]
    assert admin.history_variables(pid)["receipt"] == "receipt-1"


def test_a_str_longer_than_a_string_column_is_completed_as_json_and_read_back_whole(
        admin: EngineDriver, worker_settings: Settings) -> None:
    topic = unique_topic("long-text")
    registry = Registry()
    registry.topic(topic)(lambda: {"report": "交接" * 2500})
    key = deploy_one(admin, topic)
    pid = admin.start(key)
    with running_worker(registry, worker_settings):
        wait_until(lambda: admin.active_activities(pid) == ["Task_Wait"], 30, "the process to reach Task_Wait")
    assert admin.history_variables(pid)["report"] == "交接" * 2500


def test_a_completion_the_engine_cannot_store_ends_as_an_incident_naming_the_cause_within_the_retries(
        admin: EngineDriver, worker_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.runtime import variables

    # Forced: a 5,000-character value sent as a String, which no String column holds.
    monkeypatch.setattr(variables, "STRING_COLUMN_CHARS", 10**9)
    topic = unique_topic("unstorable")
    attempts: list[float] = []
    registry = Registry()

    @registry.topic(topic, retries=2, retry_backoff_s=0.5)
    def too_long() -> dict:
        attempts.append(time.monotonic())
        return {"report": "x" * 5000}

    key = deploy_one(admin, topic)
    pid = admin.start(key)
    with running_worker(registry, worker_settings):
        incidents = wait_until(lambda: admin.incidents(pid), 60, "an incident")
        time.sleep(1.5)  # long enough for a further delivery, if one were coming
    assert len(attempts) == 3, "one attempt plus two retries, then no more deliveries"
    message = incidents[0].incident_message
    assert message.startswith("RefusedOutcome: POST /external-task/") and "/complete -> 500" in message, message
    assert "String variable(s) longer than the engine's 4000-character column: report (5000 characters)" in message
