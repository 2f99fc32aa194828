"""Delegation (代理) on the real engine: registered through the `delegation` process, honoured
wherever work is assigned (here: the responsibility review's head tasks), over once its period ends,
and an invalid registration goes back to whoever registered it, naming the field to fix."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.assertions import has_ended, variable_equals, waits_at
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
from tests.support.staff import Staff, demo_with_starters
from tests.support.timers import timer_fired_within
from workers.catalog import load_registry
from workers.shared.delegation import Assignment, active_delegations, resolve_assignee
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

pytestmark = pytest.mark.engine

HEAD, DELEGATE, STAFF_MEMBER = "chen.jing", "yang.fan", "zheng.yu"  # 市场部 Marketing
LEADER = "wang.jianguo"
TOPICS = ["delegation.validate", "review.prepare-items", "review.record-list",
          "review.detect-conflicts", "review.publish-organisation"]
EVERYONE = ["gmoffice", "marketing", "sales", "engineering", "production", "finance", "projectoffice",
            "internalaudit"]


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Staff:
    organisation_file = tmp_path_factory.mktemp("org") / "organisation.yaml"
    org = demo_with_starters(organisation_file, delegation=EVERYONE)
    staff = Staff(engine, admin)
    staff.provision(org)
    staff.deploy("delegation-test", organisation_file, ["delegation.bpmn", "responsibility-review.bpmn"],
                 ["delegation-start.form", "delegation-correct.form", "responsibility-review-start.form",
                  "responsibility-review-department.form", "responsibility-review-decision.form"])
    return staff


@contextlib.contextmanager
def workers(engine: Settings, folder: Path) -> Iterator[None]:
    """The delegation's and the review's workers, for as long as a scenario is driven."""
    settings = worker_settings_in(engine, folder, archive_dir=folder / "archive")
    with running_worker(load_registry().subset(TOPICS), settings):
        yield


def moment(delta: timedelta) -> str:
    """As the start form's datetime field sends it: minutes, with the UTC offset."""
    return (datetime.now(timezone.utc) + delta).isoformat(timespec="seconds")


def register(staff: Staff, starter: str, /, **fields: str) -> str:
    """`starter` starts a delegation with the start form's `fields` (and any variable besides)."""
    return staff.start(starter, "delegation", {"reason": "出差 / business trip", **fields})


def waiting_at(staff: Staff, pid: str) -> list[str]:
    return staff.admin.active_activities(pid)


def head_task_of(staff: Staff, review: str, department_label: str) -> dict:
    tasks = staff.wait_for_tasks(review, 8, "a review task for every department head")
    [task] = [t for t in tasks if department_label in t["name"]]
    return task


# --- a delegation for a period, honoured while it lasts ---------------------------------------------


@dataclass
class Delegated:
    during: Assignment  # (original assignee, assignee) resolved for the head while the delegation lasts
    task: dict[str, Any]  # the head's review task while the delegation lasts
    form: dict[str, Any]  # what the delegate's form shows
    task_history: dict[str, Any]  # that task in history
    recorded: set[tuple[str, Any]]  # (name, value) of the review's assignment variables in history
    delegation: ProcessInstance
    after: Assignment  # who the head's work resolves to once the period is over
    task_after: dict[str, Any]  # the head's review task once the period is over


@pytest.fixture(scope="module")
def delegated(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Delegated]:
    """chen.jing delegates to yang.fan for the next 45 seconds; a review is started while it lasts
    and another once it is over."""
    client = EngineClient(engine.engine_url, *engine.worker_credentials())
    with contextlib.closing(client), workers(engine, tmp_path_factory.mktemp("delegated")):
        ends = moment(timedelta(seconds=45))
        delegation = register(staff, HEAD, principal=HEAD, delegate=DELEGATE,
                              startDate=moment(-timedelta(minutes=5)), endDate=ends)
        wait_until(lambda: waiting_at(staff, delegation) == ["Event_DelegationEnds"], 60,
                   "the valid registration to wait for the end of its period")
        during = resolve_assignee(HEAD, active_delegations(client))
        review = staff.start(LEADER, "responsibility-review", {"reason": "代理测试 / delegation test"})
        try:
            task = head_task_of(staff, review, "市场部 Marketing")
            form = staff.form_variables(DELEGATE, task["id"])
            task_history = staff.admin.get("/history/task", taskId=task["id"])[0]
            history = staff.admin.get("/history/variable-instance", processInstanceId=review)
            recorded = {(v["name"], v["value"]) for v in history if v["name"] in ("originalAssignee", "assignee")}
        finally:
            staff.delete(review)

        wait_until(lambda: staff.ended(delegation), timer_fired_within(engine, datetime.fromisoformat(ends)),
                   "the delegation to end when its period is over")
        after = resolve_assignee(HEAD, active_delegations(client))
        review = staff.start(LEADER, "responsibility-review", {"reason": "代理结束 / delegation over"})
        try:
            task_after = head_task_of(staff, review, "市场部 Marketing")
        finally:
            staff.delete(review)
    yield Delegated(during, task, form, task_history, recorded, staff.admin.instance(delegation), after, task_after)


def test_while_a_delegation_lasts_the_heads_work_resolves_to_the_delegate(delegated: Delegated) -> None:
    assert (delegated.during.original_assignee, delegated.during.assignee) == (HEAD, DELEGATE)


def test_the_review_task_of_an_absent_head_goes_to_the_delegate(delegated: Delegated) -> None:
    assert delegated.task["assignee"] == DELEGATE, "the absent head's review task should go to the delegate"


def test_the_delegates_task_says_whom_they_act_for_in_name_and_description(delegated: Delegated) -> None:
    for part in ("name", "description"):
        assert "代理 / delegate for 陈静 (chen.jing)" in (delegated.task[part] or ""), \
            f"task {part}: {delegated.task[part]!r}"


def test_the_delegates_form_shows_the_original_assignee(delegated: Delegated) -> None:
    assert (delegated.form["originalAssignee"], delegated.form["assignee"]) == (HEAD, DELEGATE)


def test_history_records_the_delegates_task_under_the_heads_name(delegated: Delegated) -> None:
    history = delegated.task_history
    assert history["assignee"] == DELEGATE and "chen.jing" in history["name"], history


def test_history_records_both_the_original_assignee_and_the_delegate(delegated: Delegated) -> None:
    assert {("originalAssignee", HEAD), ("assignee", DELEGATE)} <= delegated.recorded, "history should record both"


def test_a_delegation_ends_when_its_period_is_over(delegated: Delegated) -> None:
    has_ended(delegated.delegation, at="EndEvent_DelegationEnded")


def test_after_the_period_the_heads_work_resolves_to_the_head(delegated: Delegated) -> None:
    assert delegated.after.assignee == HEAD


def test_after_the_period_the_review_task_goes_to_the_head_again(delegated: Delegated) -> None:
    assert delegated.task_after["assignee"] == HEAD, "after the period the work should go to the head again"


def test_after_the_period_the_heads_task_no_longer_mentions_a_delegate(delegated: Delegated) -> None:
    assert "代理" not in delegated.task_after["name"], delegated.task_after["name"]


# --- an invalid registration goes back to whoever registered it -------------------------------------


@dataclass
class Corrected:
    task: dict[str, Any]  # the correction task
    message: str  # the rejection it showed
    delegation: ProcessInstance


@pytest.fixture(scope="module")
def corrected(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corrected]:
    """chen.jing names a delegate nobody knows, then corrects it to yang.fan."""
    started: list[str] = []
    try:
        with workers(engine, tmp_path_factory.mktemp("corrected")):
            started.append(register(staff, HEAD, principal=HEAD, delegate="nobody.here",
                                    startDate=moment(timedelta(days=1)), endDate=moment(timedelta(days=3))))
            [task] = staff.wait_for_tasks(started[0], 1, "the correction task",
                                          taskDefinitionKey="Task_CorrectDelegation")
            message = staff.form_variables(HEAD, task["id"])["rejectionMessage"]
            staff.complete(HEAD, task["id"], {"delegate": DELEGATE})
            wait_until(lambda: waiting_at(staff, started[0]) == ["Event_DelegationEnds"], 60,
                       "the corrected registration to be accepted")
        yield Corrected(task, message, staff.admin.instance(started[0]))
    finally:
        for delegation in started:  # it waits for its period to end, days from now
            staff.delete(delegation)


def test_a_registration_naming_an_unknown_delegate_goes_back_to_the_initiator(corrected: Corrected) -> None:
    assert corrected.task["assignee"] == HEAD, "the initiator should get the registration back"


def test_the_rejection_names_the_delegate_field_and_the_unknown_id(corrected: Corrected) -> None:
    assert corrected.message.startswith("delegate:") and "nobody.here" in corrected.message, corrected.message


def test_a_corrected_registration_waits_for_the_end_of_its_period(corrected: Corrected) -> None:
    waits_at(corrected.delegation, "Event_DelegationEnds")


def test_the_corrected_registration_names_the_new_delegate(corrected: Corrected) -> None:
    variable_equals(corrected.delegation, "delegate", DELEGATE)


def test_correcting_a_registration_keeps_who_registered_it(corrected: Corrected) -> None:
    variable_equals(corrected.delegation, "initiator", HEAD)


# --- each rule of a registration, broken ---------------------------------------------------------------


@dataclass
class Invalid:
    initiator: str
    field: str  # the field the rejection must name
    task: dict[str, Any]
    message: str
    delegation: ProcessInstance


INVALID = {
    "delegate-is-the-principal": (HEAD, {"principal": HEAD, "delegate": HEAD}, "delegate"),
    "end-before-start": (HEAD, {"principal": HEAD, "delegate": DELEGATE, "endDate": moment(-timedelta(days=2))},
                         "endDate"),
    "initiator-is-neither-principal-nor-superior": (STAFF_MEMBER, {"principal": HEAD, "delegate": DELEGATE},
                                                    "principal"),
}


@pytest.fixture(scope="module", params=list(INVALID), ids=list(INVALID))
def invalid(request: pytest.FixtureRequest, staff: Staff, engine: Settings,
            tmp_path_factory: pytest.TempPathFactory) -> Iterator[Invalid]:
    """A registration breaking one rule, rejected, then withdrawn by whoever started it."""
    initiator, fields, field = INVALID[request.param]
    values = {"startDate": moment(-timedelta(days=1)), "endDate": moment(timedelta(days=1)), **fields}
    with workers(engine, tmp_path_factory.mktemp(request.param)):
        delegation = register(staff, initiator, **values)
        try:
            [task] = staff.wait_for_tasks(delegation, 1, "the correction task",
                                          taskDefinitionKey="Task_CorrectDelegation")
            message = staff.form_variables(initiator, task["id"])["rejectionMessage"]
            staff.complete(initiator, task["id"], {"withdraw": True})
            wait_until(lambda: staff.ended(delegation), 30, "the withdrawn registration to end")
        finally:
            staff.delete(delegation)
    yield Invalid(initiator, field, task, message, staff.admin.instance(delegation))


def test_an_invalid_registration_goes_back_to_whoever_started_it(invalid: Invalid) -> None:
    assert invalid.task["assignee"] == invalid.initiator, "the registration should go back to whoever started it"


def test_an_invalid_registration_is_rejected_with_a_message_naming_the_field(invalid: Invalid) -> None:
    assert invalid.message.startswith(f"{invalid.field}:"), \
        f"expected a message about {invalid.field}, got {invalid.message!r}"


def test_a_withdrawn_registration_ends_as_withdrawn(invalid: Invalid) -> None:
    has_ended(invalid.delegation, at="EndEvent_RegistrationWithdrawn")


def test_a_start_naming_another_initiator_is_refused_by_the_engine(staff: Staff) -> None:
    """Who registered is the engine's start user; a start cannot even carry an `initiator` variable."""
    body = {"variables": to_camunda({"reason": "出差 / business trip", "principal": HEAD, "delegate": DELEGATE,
                                     "startDate": moment(-timedelta(days=1)), "endDate": moment(timedelta(days=1)),
                                     "initiator": HEAD})}
    response = staff.session(STAFF_MEMBER).post(
        f"{staff.engine.engine_url}/process-definition/key/delegation/start", json=body, timeout=30)
    assert response.status_code == 400, response.text
    assert ("ENGINE-CROSSDEPT-08 process delegation" in response.json()["message"]
            and "refused variable 'initiator'" in response.json()["message"]), response.text
