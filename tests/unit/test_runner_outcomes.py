"""What the runtime reports to the engine for each way a handler can end (engine mocked: our logic only)."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from typing import Any

import pytest
from pytest_mock import MockerFixture

from workers.runtime.client import EngineError
from workers.runtime.errors import BusinessRejection
from workers.runtime.registry import ProcessVariables, Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import Settings


class Amount(ProcessVariables):
    amount: int


def make_worker(mocker: MockerFixture, registry: Registry) -> tuple[Worker, Any]:
    client = mocker.Mock()
    settings = Settings(worker_id="w1", retries=2, retry_backoff_s=1)
    return Worker(registry, client, settings), client


def run(worker: Worker, topic: str, variables: dict | None = None, retries: int | None = None) -> None:
    task = {"id": "t1", "topicName": topic, "processInstanceId": "p1", "variables": variables or {}, "retries": retries}
    worker._run_and_report(task, worker.registry[topic], time.monotonic())


def test_output_model_is_completed_as_camunda_typed_variables(mocker: MockerFixture) -> None:
    registry = Registry()

    @registry.topic("t.double")
    def double(data: Amount) -> Amount:
        return Amount(amount=data.amount * 2)

    worker, client = make_worker(mocker, registry)
    run(worker, "t.double", {"amount": {"type": "Integer", "value": 21}})
    client.complete.assert_called_once_with("t1", "w1", {"amount": {"type": "Integer", "value": 42}})


class Row(ProcessVariables):
    item_name: str


class Written(ProcessVariables):
    message: str | None
    planned_date: date
    noticed_at: datetime
    rows: list[Row]


def test_output_model_writes_none_dates_and_rows_as_forms_and_the_engine_read_them(mocker: MockerFixture) -> None:
    registry = Registry()

    @registry.topic("t.write")
    def write() -> Written:
        return Written(message=None, planned_date=date(2026, 12, 3),
                       noticed_at=datetime(2026, 12, 1, 8, 30, tzinfo=timezone.utc), rows=[Row(item_name="Laptop")])

    worker, client = make_worker(mocker, registry)
    run(worker, "t.write")
    assert registry["t.write"].output_model is Written
    assert client.complete.call_args.args[2] == {
        "message": {"type": "Null", "value": None},  # written, so a message shown earlier is cleared
        "plannedDate": {"type": "String", "value": "2026-12-03"},
        "noticedAt": {"type": "Date", "value": "2026-12-01T08:30:00.000+0000"},
        "rows": {"type": "Json", "value": '[{"itemName": "Laptop"}]'},
    }


def test_a_handler_returning_a_dict_has_no_output_model() -> None:
    registry = Registry()
    registry.topic("t.dict")(lambda: {})
    assert registry["t.dict"].output_model is None


def test_rejection_with_an_undeclared_code_is_a_technical_failure_that_says_so(mocker: MockerFixture) -> None:
    registry = Registry()

    @registry.topic("t.reject", errors=["KNOWN"])
    def reject() -> None:
        raise BusinessRejection("UNKNOWN", "nope")

    worker, client = make_worker(mocker, registry)
    run(worker, "t.reject")
    client.bpmn_error.assert_not_called()
    message = client.failure.call_args.args[2]
    assert "BPMN error 'UNKNOWN'" in message and "[KNOWN]" in message


def test_invalid_input_is_a_bpmn_error_when_the_topic_declares_INVALID_INPUT(mocker: MockerFixture) -> None:
    registry = Registry()

    @registry.topic("t.form", errors=["INVALID_INPUT"])
    def form(data: Amount) -> None:
        raise AssertionError("must not run")

    worker, client = make_worker(mocker, registry)
    run(worker, "t.form", {"amount": {"type": "String", "value": "lots"}})
    code, message = client.bpmn_error.call_args.args[2:4]
    assert code == "INVALID_INPUT" and "variable 'amount'" in message


def test_handler_returning_an_unsupported_type_fails_with_a_clear_message(mocker: MockerFixture) -> None:
    registry = Registry()
    registry.topic("t.bad")(lambda: 42)
    worker, client = make_worker(mocker, registry)
    run(worker, "t.bad")
    assert "returned int; return a pydantic model, a dict or None" in client.failure.call_args.args[2]


@pytest.mark.parametrize(("engine_retries", "reported"), [(None, 2), (2, 1), (1, 0)])
def test_failure_reports_remaining_retries(mocker: MockerFixture, engine_retries: int | None, reported: int) -> None:
    registry = Registry()

    @registry.topic("t.fail")
    def fail() -> None:
        raise RuntimeError("disk full")

    worker, client = make_worker(mocker, registry)
    run(worker, "t.fail", retries=engine_retries)
    args = client.failure.call_args.args
    assert args[2] == "RuntimeError: disk full" and args[4] == reported
    assert "Traceback" in args[3]


def test_engine_refusing_a_completion_is_logged_not_raised(mocker: MockerFixture) -> None:
    registry = Registry()
    registry.topic("t.gone")(lambda: None)
    worker, client = make_worker(mocker, registry)
    client.complete.side_effect = EngineError(404, "POST", "/external-task/t1/complete", {"message": "not found"})
    events: list[dict] = []
    worker.on("task.report_failed", events.append)
    run(worker, "t.gone")
    assert events and events[0]["what"] == "complete"


@pytest.mark.parametrize("use_priority", [True, False])
def test_polls_with_the_configured_priority_ordering(mocker: MockerFixture, use_priority: bool) -> None:
    registry = Registry()
    registry.topic("t.poll")(lambda: None)
    client = mocker.Mock()
    worker = Worker(registry, client, Settings(worker_id="w1", use_priority=use_priority, long_poll_ms=0))

    def stop_after_one_poll(*_args: Any, **_kwargs: Any) -> list:
        worker.stop()
        return []

    client.fetch_and_lock.side_effect = stop_after_one_poll
    worker.run()
    assert client.fetch_and_lock.call_args.kwargs["use_priority"] is use_priority


def _too_long_refusal() -> Exception:
    from workers.runtime.client import EngineRefused
    return EngineRefused(500, "POST", "/external-task/t1/complete", {
        "type": "ProcessEngineException",
        "message": "ENGINE-03083 Exception while executing Batch Database Operations: Value too long for column TEXT_"})


def test_a_completion_the_engine_refuses_to_store_counts_as_a_failed_attempt_naming_its_message(
        mocker: MockerFixture) -> None:
    registry = Registry()
    registry.topic("t.long")(lambda: {"text": "x" * 5000})
    worker, client = make_worker(mocker, registry)
    client.complete.side_effect = _too_long_refusal()
    run(worker, "t.long")
    failure = client.failure.call_args.args
    assert "500 ProcessEngineException: ENGINE-03083" in failure[2] and failure[4] == 2, "two retries left of 2"
    run(worker, "t.long", retries=1)
    assert client.failure.call_args.args[4] == 0, "the last retry raises an incident instead of another delivery"


def test_a_refused_bpmn_error_counts_as_a_failed_attempt_too(mocker: MockerFixture) -> None:
    registry = Registry()

    @registry.topic("t.reject", errors=["BAD"])
    def reject() -> None:
        raise BusinessRejection("BAD", "no")

    worker, client = make_worker(mocker, registry)
    client.bpmn_error.side_effect = _too_long_refusal()
    run(worker, "t.reject", retries=1)
    assert client.failure.call_args.args[4] == 0


def test_a_rejection_names_its_field_once() -> None:
    from workers.runtime.errors import BusinessRejection

    assert str(BusinessRejection("X", "必填 / is required", field="giverId")) == "giverId: 必填 / is required"
    listed = "giverId: 没有用户 '马琳' / no person\nreceiverId: 必填 / is required"
    assert str(BusinessRejection("X", listed, field="giverId")) == listed
