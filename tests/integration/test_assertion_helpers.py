"""The scenario assertions (tests/support/assertions.py) on the real engine: each holds when the
engine shows what it claims, and otherwise fails saying what was expected and what was found.

The model is start -> external task Task_Service -> user task Task_Wait -> End; this test plays
the worker itself (fetch-and-lock, complete, fail), so nothing else touches the instance."""

from __future__ import annotations

import re
import uuid
from typing import Any, Iterator

import pytest

from tests.support.assertions import has_ended, has_passed, incident_at, variable_equals, waits_at
from tests.support.bpmn import service_task_process
from tests.support.driver import EngineDriver, ProcessInstance

pytestmark = pytest.mark.engine


@pytest.fixture(scope="module")
def topic(admin: EngineDriver) -> str:
    key = f"assertions-{uuid.uuid4().hex[:6]}"
    admin.deploy_xml(key, {f"{key}.bpmn": service_task_process(key, f"{key}.work")})
    return key


@pytest.fixture
def instance(admin: EngineDriver, topic: str) -> Iterator[ProcessInstance]:
    instance = admin.instance(admin.start(topic, {"orderNumber": ("A-17", "String")}))
    yield instance
    if instance.state() not in ("COMPLETED", "EXTERNALLY_TERMINATED"):
        admin.session.delete(f"{admin.url}/process-instance/{instance.id}", timeout=30)


def locked_task(admin: EngineDriver, topic: str) -> dict[str, Any]:
    response = admin.session.post(f"{admin.url}/external-task/fetchAndLock", json={
        "workerId": "assertion-test", "maxTasks": 1,
        "topics": [{"topicName": f"{topic}.work", "lockDuration": 60_000}]}, timeout=10)
    response.raise_for_status()
    [task] = response.json()
    return task


def do_the_work(admin: EngineDriver, topic: str, **variables: Any) -> None:
    task = locked_task(admin, topic)
    body = {"workerId": "assertion-test",
            "variables": {name: {"value": value} for name, value in variables.items()}}
    admin.session.post(f"{admin.url}/external-task/{task['id']}/complete", json=body, timeout=10).raise_for_status()


def finish(admin: EngineDriver, instance: ProcessInstance) -> None:
    [task] = admin.get("/task", processInstanceId=instance.id)
    admin.session.post(f"{admin.url}/task/{task['id']}/complete", json={}, timeout=10).raise_for_status()


def test_waits_at_names_where_the_instance_waits_instead(instance: ProcessInstance) -> None:
    waits_at(instance, "Task_Service")
    with pytest.raises(AssertionError, match=f"{instance} is not waiting at Task_Wait; it waits at Task_Service$"):
        waits_at(instance, "Task_Wait", within=0.5)


def test_has_passed_counts_the_activities_finished_so_far(
    admin: EngineDriver, topic: str, instance: ProcessInstance
) -> None:
    with pytest.raises(AssertionError, match=re.escape(
            "to have passed Task_Service at least once, it did 0 time(s); it passed Start; it waits at Task_Service")):
        has_passed(instance, "Task_Service", within=0.5)
    do_the_work(admin, topic)
    has_passed(instance, "Task_Service")
    with pytest.raises(AssertionError, match=re.escape("to have passed Task_Service 2 time(s), it did 1 time(s)")):
        has_passed(instance, "Task_Service", times=2, within=0.5)
    waits_at(instance, "Task_Wait")


def test_variable_equals_shows_the_value_found_and_reads_history_once_the_instance_ended(
    admin: EngineDriver, topic: str, instance: ProcessInstance
) -> None:
    do_the_work(admin, topic, items=[{"line": 1}])
    variable_equals(instance, "orderNumber", "A-17")
    with pytest.raises(AssertionError, match=re.escape("to have orderNumber = 'A-18'; it is 'A-17'")):
        variable_equals(instance, "orderNumber", "A-18")
    with pytest.raises(AssertionError, match=re.escape("has no such variable, only items, orderNumber")):
        variable_equals(instance, "customer", "ACME")
    finish(admin, instance)
    has_ended(instance)
    variable_equals(instance, "orderNumber", "A-17")  # from history now


def test_has_ended_says_where_a_running_instance_waits_and_which_end_an_ended_one_reached(
    admin: EngineDriver, topic: str, instance: ProcessInstance
) -> None:
    with pytest.raises(AssertionError, match=re.escape("to have ended; it waits at Task_Service")):
        has_ended(instance, within=0.5)
    do_the_work(admin, topic)
    waits_at(instance, "Task_Wait")
    finish(admin, instance)
    has_ended(instance, at="End")
    with pytest.raises(AssertionError, match=re.escape("to have ended at End_Other; it passed the end events End")):
        has_ended(instance, at="End_Other")


def test_has_ended_does_not_count_a_deleted_instance(admin: EngineDriver, instance: ProcessInstance) -> None:
    admin.session.delete(f"{admin.url}/process-instance/{instance.id}", timeout=30).raise_for_status()
    with pytest.raises(AssertionError, match=re.escape("to have ended; it was deleted (EXTERNALLY_TERMINATED)")):
        has_ended(instance)


def test_incident_at_quotes_the_incidents_found(admin: EngineDriver, topic: str, instance: ProcessInstance) -> None:
    with pytest.raises(AssertionError, match=re.escape("to have an incident at Task_Service; its incidents: none")):
        incident_at(instance, "Task_Service", within=0.5)
    task = locked_task(admin, topic)
    admin.session.post(f"{admin.url}/external-task/{task['id']}/failure", json={
        "workerId": "assertion-test", "errorMessage": "printer on fire", "retries": 0}, timeout=10).raise_for_status()
    assert incident_at(instance, "Task_Service", "on fire")["incidentType"] == "failedExternalTask"
    with pytest.raises(AssertionError, match=re.escape(
            "with a message containing 'out of paper'; its incidents: at Task_Service: 'printer on fire'")):
        incident_at(instance, "Task_Service", "out of paper", within=0.5)


def test_settle_gives_a_scenario_time_to_end_without_failing_when_it_does_not(
    admin: EngineDriver, topic: str, instance: ProcessInstance
) -> None:
    instance.settle(0.5)  # waits at Task_Service for good: no failure here, the assertions after say so
    waits_at(instance, "Task_Service", within=0)
    do_the_work(admin, topic)
    finish(admin, instance)
    instance.settle(30)
    has_ended(instance, at="End", within=0)
