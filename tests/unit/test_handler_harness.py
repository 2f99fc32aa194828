"""The handler harness (workers.runtime.testing): a handler's outcome exactly as the worker reports it."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from typing import Any

import pytest
from pydantic import ConfigDict
from pytest_mock import MockerFixture

from workers import BusinessRejection, ProcessVariables, TaskContext
from workers.runtime import clock
from workers.runtime.registry import Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import Settings
from workers.runtime.testing import (
    BpmnError,
    Completed,
    Failed,
    FakeEngine,
    HandlerEnvironment,
    Typed,
    UnexpectedRequest,
)
from workers.shared.delegation import now_utc

NOW = datetime(2026, 12, 1, 9, 30, tzinfo=timezone.utc)


class Order(ProcessVariables):
    quantity: int
    lines: list[dict[str, Any]] = []


class Priced(ProcessVariables):
    total: float
    priced_on: date
    priced_at: datetime
    order: Order


def registry_with(name: str, handler: Any, **options: Any) -> Registry:
    registry = Registry()
    registry.topic(name, **options)(handler)
    return registry


def price(order: Order) -> Priced:
    return Priced(total=order.quantity * 2.5, priced_on=clock.now().date(), priced_at=clock.now(), order=order)


# --- outcomes --------------------------------------------------------------------------------------
def test_completion_gives_the_output_variables_as_the_engine_receives_them_decoded() -> None:
    env = HandlerEnvironment(registry=registry_with("t.price", price), now=NOW)
    outcome = env.run("t.price", {"quantity": 4, "lines": [{"sku": "A-1"}]})
    assert outcome == Completed({"total": 10.0, "pricedOn": "2026-12-01", "pricedAt": NOW,
                                 "order": {"quantity": 4, "lines": [{"sku": "A-1"}]}})


def test_the_harness_and_the_worker_report_the_same_variables(mocker: MockerFixture) -> None:
    registry = registry_with("t.price", price)
    client = mocker.Mock()
    worker = Worker(registry, client, Settings(worker_id="w1"))
    task = {"id": "t1", "topicName": "t.price", "processInstanceId": "p1", "retries": None,
            "variables": {"quantity": {"type": "Integer", "value": 4}}}
    with clock.pinned(NOW):
        worker._run_and_report(task, registry["t.price"], time.monotonic())
    sent = client.complete.call_args.args[2]
    env = HandlerEnvironment(registry=registry, now=NOW)
    assert env.run("t.price", {"quantity": 4}) == Completed(
        {"total": 10.0, "pricedOn": "2026-12-01", "pricedAt": NOW, "order": {"quantity": 4, "lines": []}})
    assert sent["pricedAt"] == {"type": "Date", "value": "2026-12-01T09:30:00.000+0000"}
    assert sent["order"]["type"] == "Json" and sent["total"] == {"type": "Double", "value": 10.0}


def test_a_declared_rejection_is_a_bpmn_error_with_code_message_and_variables() -> None:
    def refuse(order: Order) -> None:
        raise BusinessRejection("ORDER_TOO_SMALL", "at least 10", field="quantity", variables={"minimum": 10})

    env = HandlerEnvironment(registry=registry_with("t.refuse", refuse, errors=["ORDER_TOO_SMALL"]))
    assert env.run("t.refuse", {"quantity": 3}) == BpmnError("ORDER_TOO_SMALL", "quantity: at least 10", {"minimum": 10})


def test_an_undeclared_rejection_is_a_technical_failure_retried_as_configured() -> None:
    def refuse() -> None:
        raise BusinessRejection("SURPRISE", "not in the diagram")

    env = HandlerEnvironment(registry=registry_with("t.refuse", refuse),
                             settings=Settings(worker_id="harness", retries=2))
    outcome = env.run("t.refuse")
    assert isinstance(outcome, Failed) and not outcome.incident and outcome.retries == 2
    assert "BPMN error 'SURPRISE'" in outcome.message and "declares only [none]" in outcome.message


def test_a_technical_failure_on_the_last_retry_is_an_incident() -> None:
    def broken() -> None:
        raise ConnectionError("archive share unreachable")

    env = HandlerEnvironment(registry=registry_with("t.broken", broken))
    outcome = env.run("t.broken", retries=1)
    assert isinstance(outcome, Failed) and outcome.incident
    assert outcome.message == "ConnectionError: archive share unreachable"
    assert "raise ConnectionError" in outcome.details, "the traceback goes to Cockpit's incident details"


def test_invalid_variables_are_an_incident_naming_the_variable_or_INVALID_INPUT_when_declared() -> None:
    def never(order: Order) -> None:
        raise AssertionError("must not run with invalid input")

    incident = HandlerEnvironment(registry=registry_with("t.strict", never)).run("t.strict", {"quantity": "three"})
    assert isinstance(incident, Failed) and incident.incident and "variable 'quantity'" in incident.message
    declared = HandlerEnvironment(registry=registry_with("t.form", never, errors=["INVALID_INPUT"]))
    outcome = declared.run("t.form", {"quantity": "three"})
    assert isinstance(outcome, BpmnError) and outcome.code == "INVALID_INPUT" and "variable 'quantity'" in outcome.message


def test_variables_can_be_given_typed_exactly_as_the_engine_sends_them() -> None:
    def count(order: Order) -> dict:
        return {"lineCount": len(order.lines)}

    env = HandlerEnvironment(registry=registry_with("t.count", count))
    lines = Typed("Object", '[{"sku": "A-1"}, {"sku": "B-2"}]', {"serializationDataFormat": "application/json"})
    assert env.run("t.count", {"quantity": 1, "lines": lines}) == Completed({"lineCount": 2})


class Anything(ProcessVariables):
    model_config = ConfigDict(extra="allow")  # would keep any variable it is given
    quantity: int


def test_only_the_variables_the_input_model_reads_are_delivered() -> None:
    def echo(given: Anything) -> dict:
        return {"extra": sorted(given.model_extra or {})}

    env = HandlerEnvironment(registry=registry_with("t.echo", echo))
    assert env.run("t.echo", {"quantity": 1, "unrelated": "x"}) == Completed({"extra": []})


# --- the clock, task.once, settings ----------------------------------------------------------------
def test_the_clock_is_pinned_for_the_handler_and_only_there() -> None:
    def moment() -> dict:
        return {"now": clock.now(), "delegationNow": now_utc()}

    env = HandlerEnvironment(registry=registry_with("t.now", moment), now=NOW)
    assert env.run("t.now") == Completed({"now": NOW, "delegationNow": NOW})
    assert clock.now() != NOW


def test_task_once_runs_a_side_effect_once_across_deliveries_of_one_task() -> None:
    sent: list[str] = []

    def mail(task: TaskContext) -> dict:
        return {"messageId": task.once("mail", lambda: sent.append("mail") or f"m{len(sent)}")}

    env = HandlerEnvironment(registry=registry_with("t.mail", mail))
    first = env.run("t.mail", process_instance_id="p1")
    again = env.run("t.mail", process_instance_id="p1")
    assert first == again == Completed({"messageId": "m1"}) and sent == ["mail"]
    assert env.run("t.mail", process_instance_id="p2") == Completed({"messageId": "m2"}), "another instance mails"


def test_default_settings_keep_files_in_a_throwaway_folder() -> None:
    def where(task: TaskContext) -> dict:
        return {"archive": str(task.settings.archive_root)}

    env = HandlerEnvironment(registry=registry_with("t.where", where))
    outcome = env.run("t.where")
    assert isinstance(outcome, Completed) and "crossdept-harness-" in outcome.variables["archive"]


def test_a_topic_of_the_processes_runs_by_name_on_the_pinned_clock() -> None:
    sent_back = HandlerEnvironment(now=NOW).run("handover.record-sendback", {
        "companyTimeZone": "Asia/Shanghai", "deadlineTime": "18:00", "handoverRound": 1, "handoverRounds": [],
        "preparationDays": 3, "sendBackReason": "keys missing", "receiverName": "吴浩", "supervisorName": "陈静"})
    assert isinstance(sent_back, Completed), sent_back
    assert sent_back.variables["handoverRounds"] == [
        {"round": 1, "returnedBy": "supervisor", "returnedByName": "陈静", "at": "2026-12-01T09:30:00+00:00",
         "questions": None, "reason": "keys missing"}]
    with pytest.raises(KeyError, match="no worker registered for topic 'nobody.handles-this'"):
        HandlerEnvironment().run("nobody.handles-this")


# --- the fake engine -------------------------------------------------------------------------------
def test_the_fake_engine_answers_by_method_path_and_params_and_records_each_request() -> None:
    engine = FakeEngine().answer("GET", "/task", [{"id": "any"}])
    engine.answer("GET", "/task", [{"id": "mine"}], params={"assignee": "wu.hao"})
    assert engine.request("GET", "/task", params={"assignee": "wu.hao"}) == [{"id": "mine"}]
    assert engine.request("GET", "/task", params={"assignee": "li.qiang"}) == [{"id": "any"}]
    engine.request("GET", "/task")[0]["id"] = "changed by the handler"
    assert engine.request("GET", "/task") == [{"id": "any"}], "each answer is a fresh copy"
    assert [r.params for r in engine.requested("GET", "/task")] == [{"assignee": "wu.hao"}, {"assignee": "li.qiang"},
                                                                     None, None]


def test_an_unexpected_request_fails_naming_it_and_what_is_answered() -> None:
    engine = FakeEngine().answer("GET", "/task", [])
    with pytest.raises(UnexpectedRequest, match=r"POST /task/t1/assignee .*answered are:\n  GET /task"):
        engine.request("POST", "/task/t1/assignee", json={"userId": "wu.hao"})

    def assign(task: TaskContext) -> None:
        task.engine.request("POST", "/task/t1/assignee", json={"userId": "wu.hao"})

    outcome = HandlerEnvironment(engine=engine, registry=registry_with("t.assign", assign)).run("t.assign")
    assert isinstance(outcome, Failed) and "UnexpectedRequest: unexpected engine request POST" in outcome.message
