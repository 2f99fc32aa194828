"""A service task's camunda:properties, typed: what the process owner sets in Modeler reaches a
handler validated, and a wrong or missing one is an incident naming the element, property and rule."""

from __future__ import annotations

import os
from datetime import datetime, time, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import Field

from workers import ProcessVariables, TaskContext, TaskProperties
from workers.runtime.registry import Registry
from workers.runtime.testing import BpmnError, Completed, Failed, HandlerEnvironment
from workers.shared.properties import ClockTime, DurationSeconds, ElementId, LocalPath, TimeZone

DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)


class Office(TaskProperties):
    time_zone: TimeZone = Field(examples=["Asia/Shanghai"])
    closes_at: ClockTime = Field(examples=["18:00"])
    form_task: ElementId = Field(examples=["Task_FillForm"])
    reminder_every: DurationSeconds = 3600.0
    inbox: LocalPath | None = None


class Nothing(ProcessVariables):
    pass


received: list[Office] = []


def settings_of(office: Office) -> None:
    received.append(office)


def environment(**options: Any) -> HandlerEnvironment:
    registry = Registry()
    registry.topic("t.office", properties=Office, **options)(settings_of)
    received.clear()
    return HandlerEnvironment(registry=registry)


GOOD = {"timeZone": "Asia/Shanghai", "closesAt": "18:00", "formTask": "Task_FillForm"}


def test_the_handler_receives_its_properties_typed() -> None:
    outcome = environment().run("t.office", properties={**GOOD, "reminderEvery": "PT30M", "inbox": "mail/in"})
    assert outcome == Completed({})
    assert received == [Office(time_zone=ZoneInfo("Asia/Shanghai"), closes_at=time(18, 0), form_task="Task_FillForm",
                               reminder_every=1800.0, inbox=Path(os.getcwd()) / "mail" / "in")]


def test_properties_the_model_does_not_name_are_ignored() -> None:
    outcome = environment().run("t.office", properties={**GOOD, "retries": "5", "retryBackoff": "PT1M", "colour": "red"})
    assert outcome == Completed({}) and len(received) == 1


def test_a_wrong_property_is_an_incident_naming_element_property_and_rule() -> None:
    outcome = environment().run("t.office", properties={**GOOD, "timeZone": "Mars/Base"}, activity_id="Task_Open")
    assert isinstance(outcome, Failed) and outcome.incident, outcome
    assert outcome.message == ("InvalidProperties: Task_Open: camunda:property timeZone='Mars/Base': not a known time "
                               "zone (e.g. Asia/Shanghai): set it on this task in Camunda Modeler")
    assert received == [], "the handler does not run with wrong properties"


def test_a_missing_property_is_an_incident_that_gives_an_example() -> None:
    outcome = environment().run("t.office", properties={"timeZone": "Asia/Shanghai", "formTask": "Task_FillForm"},
                                activity_id="Task_Open")
    assert isinstance(outcome, Failed) and outcome.incident
    assert "Task_Open: camunda:property closesAt is missing (e.g. 18:00): set it on this task" in outcome.message


@pytest.mark.parametrize(("properties", "rule"), [
    ({"closesAt": "6pm"}, "camunda:property closesAt='6pm': not a time of day like 18:00"),
    ({"formTask": " "}, "camunda:property formTask=' ': empty: name the BPMN element's id"),
    ({"reminderEvery": "hourly"}, "camunda:property reminderEvery='hourly': not a duration: use ISO-8601"),
])
def test_each_property_type_names_its_rule(properties: dict[str, str], rule: str) -> None:
    outcome = environment().run("t.office", properties={**GOOD, **properties})
    assert isinstance(outcome, Failed) and outcome.incident and rule in outcome.message, outcome


def test_wrong_properties_are_an_incident_even_where_invalid_input_is_a_bpmn_error() -> None:
    # INVALID_INPUT goes back to the person who filled the form; properties are the process owner's.
    outcome = environment(errors=["INVALID_INPUT"]).run("t.office", properties={})
    assert isinstance(outcome, Failed) and outcome.incident
    assert "closesAt is missing" in outcome.message and "timeZone is missing" in outcome.message
    assert "set them on this task" in outcome.message


def test_an_unreadable_retry_property_makes_the_failure_an_incident_that_names_it_too() -> None:
    registry = Registry()

    @registry.topic("t.flaky")
    def flaky() -> None:
        raise TimeoutError("mail server did not answer")

    outcome = HandlerEnvironment(registry=registry).run("t.flaky", properties={"retryBackoff": "soon"},
                                                        activity_id="Task_Mail")
    assert isinstance(outcome, Failed) and outcome.incident
    assert outcome.message.startswith("TimeoutError: mail server did not answer (and Task_Mail: camunda:property "
                                      "retryBackoff='soon': not a duration"), outcome.message


# --- declaring them --------------------------------------------------------------------------------
def test_a_properties_parameter_must_be_declared_in_the_topic() -> None:
    with pytest.raises(TypeError, match=r"declare it as @topic\('t.x', properties=Office\)"):
        Registry().topic("t.x")(settings_of)


def test_declared_properties_need_a_parameter_to_receive_them() -> None:
    with pytest.raises(TypeError, match="declares properties=Office but no parameter is typed Office"):
        Registry().topic("t.x", properties=Office)(lambda: None)


def test_properties_must_be_a_task_properties_model() -> None:
    with pytest.raises(TypeError, match="properties= must be a TaskProperties model"):
        Registry().topic("t.x", properties=Nothing)(lambda: None)  # type: ignore[arg-type]


def test_parameters_may_come_in_any_order() -> None:
    registry = Registry()

    @registry.topic("t.order", properties=Office)
    def handler(task: TaskContext, office: Office, nothing: Nothing) -> dict:
        return {"zone": str(office.time_zone), "activity": task.activity_id}

    outcome = HandlerEnvironment(registry=registry).run("t.order", properties=GOOD, activity_id="Task_A")
    assert outcome == Completed({"zone": "Asia/Shanghai", "activity": "Task_A"})


# --- the processes' own properties -----------------------------------------------------------------
NOTICE = {"plannedDate": "2026-12-20", "noticeSubmittedAt": NOW, "reason": "postChange", "giverPostLevel": 1,
          "handoverPolicy": {"noticeWorkingDays": 3, "preparationDays": 2, "verificationDays": 2, "confirmationDays": 2,
                             "archivingDays": 1, "reminderIntervalHours": 24, "escalateAfterReminders": 2},
          "organisationFile": str(DEMO)}


def test_the_notice_check_names_a_wrong_time_zone_on_its_task() -> None:
    outcome = HandlerEnvironment(now=NOW).run("handover.check-notice", NOTICE, activity_id="Task_CheckNotice",
                                              properties={"timeZone": "Mars/Base", "deadlineTime": "18:00",
                                                          "calendarFile": "org/company-calendar.yaml"})
    assert isinstance(outcome, Failed) and outcome.incident
    assert outcome.message == ("InvalidProperties: Task_CheckNotice: camunda:property timeZone='Mars/Base': not a "
                               "known time zone (e.g. Asia/Shanghai): set it on this task in Camunda Modeler")


def test_resolving_the_parties_needs_the_organisation_file() -> None:
    outcome = HandlerEnvironment().run("handover.resolve-parties", {}, activity_id="Task_ResolveParties")
    assert isinstance(outcome, Failed) and outcome.incident
    assert ("Task_ResolveParties: camunda:property organisationFile is missing (e.g. org/demo-organisation.yaml)"
            in outcome.message)


def registration(**properties: str) -> dict[str, Any]:
    env = HandlerEnvironment(now=NOW)
    env.engine.answer("GET", "/history/process-instance/delegation-1", {"id": "delegation-1", "startUserId": "yang.fan"})
    outcome = env.run("delegation.validate", {
        "principal": "yang.fan", "delegate": "zheng.yu", "startDate": "2026-12-02", "endDate": "2026-12-04"},
        properties={"organisationFile": str(DEMO), **properties}, process_instance_id="delegation-1")
    assert isinstance(outcome, Completed), outcome
    return outcome.variables


def test_delegation_dates_without_a_zone_are_utc_unless_the_task_names_one() -> None:
    assert registration()["delegationStarts"] == datetime(2026, 12, 2, tzinfo=timezone.utc)
    assert registration(timeZone="Asia/Shanghai")["delegationStarts"] == datetime(2026, 12, 1, 16, tzinfo=timezone.utc)


def test_a_delegation_counts_the_start_user_not_a_forged_initiator_variable() -> None:
    env = HandlerEnvironment(now=NOW)
    env.engine.answer("GET", "/history/process-instance/delegation-2", {"id": "delegation-2", "startUserId": "zheng.yu"})
    outcome = env.run("delegation.validate", {
        "principal": "yang.fan", "delegate": "wu.hao", "startDate": "2026-12-02", "endDate": "2026-12-04",
        "initiator": "yang.fan"}, properties={"organisationFile": str(DEMO)}, process_instance_id="delegation-2")
    assert isinstance(outcome, BpmnError) and "zheng.yu" in outcome.message, outcome
