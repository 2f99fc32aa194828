"""Delegation (代理) on the real engine: registered through the `delegation` process, honoured
wherever work is assigned (here: the responsibility review's head tasks), over once its period ends,
and an invalid registration goes back to whoever registered it, naming the field to fix."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest

from tests.support.driver import EngineDriver, running_worker, wait_until
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings

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


@pytest.fixture
def worker(worker_settings: Settings, tmp_path: Path) -> Iterator[None]:
    settings = worker_settings.model_copy(update={"archive_dir": tmp_path / "archive"})
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


def test_review_task_of_an_absent_head_goes_to_the_delegate_until_the_period_ends(
    staff: Staff, worker: None, engine: Settings
) -> None:
    ends_in = timedelta(seconds=45)
    delegation = register(staff, HEAD, principal=HEAD, delegate=DELEGATE,
                          startDate=moment(-timedelta(minutes=5)), endDate=moment(ends_in))
    wait_until(lambda: waiting_at(staff, delegation) == ["Event_DelegationEnds"], 60,
               "the valid registration to wait for the end of its period")

    client = EngineClient(engine.engine_url, *engine.worker_credentials())
    assignment = resolve_assignee(HEAD, active_delegations(client))
    assert (assignment.original_assignee, assignment.assignee) == (HEAD, DELEGATE)

    review = staff.start(LEADER, "responsibility-review", {"reason": "代理测试 / delegation test"})
    try:
        task = head_task_of(staff, review, "市场部 Marketing")
        assert task["assignee"] == DELEGATE, "the absent head's review task should go to the delegate"
        assert "代理 / delegate for 陈静 (chen.jing)" in task["name"]
        assert "代理 / delegate for 陈静 (chen.jing)" in (task["description"] or "")
        seen_by_delegate = staff.form_variables(DELEGATE, task["id"])
        assert (seen_by_delegate["originalAssignee"], seen_by_delegate["assignee"]) == (HEAD, DELEGATE)
        history = staff.admin.get("/history/task", taskId=task["id"])[0]
        assert history["assignee"] == DELEGATE and "chen.jing" in history["name"]
        recorded = staff.admin.get("/history/variable-instance", processInstanceId=review)
        pairs = {(v["name"], v["value"]) for v in recorded if v["name"] in ("originalAssignee", "assignee")}
        assert {("originalAssignee", HEAD), ("assignee", DELEGATE)} <= pairs, "history should record both"
    finally:
        staff.delete(review)

    wait_until(lambda: staff.ended(delegation), 180, "the delegation to end when its period is over")
    assert resolve_assignee(HEAD, active_delegations(client)).assignee == HEAD
    client.close()

    review = staff.start(LEADER, "responsibility-review", {"reason": "代理结束 / delegation over"})
    try:
        task = head_task_of(staff, review, "市场部 Marketing")
        assert task["assignee"] == HEAD, "after the period the work should go to the head again"
        assert "代理" not in task["name"]
    finally:
        staff.delete(review)


def test_registration_naming_an_unknown_delegate_goes_back_to_the_initiator_to_correct(
    staff: Staff, worker: None
) -> None:
    delegation = register(staff, HEAD, principal=HEAD, delegate="nobody.here",
                          startDate=moment(timedelta(days=1)), endDate=moment(timedelta(days=3)))
    try:
        [task] = staff.wait_for_tasks(delegation, 1, "the correction task", taskDefinitionKey="Task_CorrectDelegation")
        assert task["assignee"] == HEAD, "the initiator should get the registration back"
        shown = staff.form_variables(HEAD, task["id"])
        assert shown["rejectionMessage"].startswith("delegate:"), shown["rejectionMessage"]
        assert "nobody.here" in shown["rejectionMessage"]

        staff.complete(HEAD, task["id"], {"delegate": DELEGATE})
        wait_until(lambda: waiting_at(staff, delegation) == ["Event_DelegationEnds"], 60,
                   "the corrected registration to be accepted")
        variables = staff.admin.history_variables(delegation)
        assert variables["delegate"] == DELEGATE and variables["initiator"] == HEAD
    finally:
        staff.delete(delegation)


@pytest.mark.parametrize(
    ("initiator", "fields", "field"),
    [
        (HEAD, {"principal": HEAD, "delegate": HEAD}, "delegate"),
        (HEAD, {"principal": HEAD, "delegate": DELEGATE, "endDate": moment(-timedelta(days=2))}, "endDate"),
        (STAFF_MEMBER, {"principal": HEAD, "delegate": DELEGATE}, "principal"),
        (STAFF_MEMBER, {"principal": HEAD, "delegate": DELEGATE, "initiator": HEAD}, "principal"),
    ],
    ids=["delegate-is-the-principal", "end-before-start", "initiator-is-neither-principal-nor-superior",
         "initiator-variable-forged-at-start"],
)
def test_invalid_registration_is_rejected_with_a_message_naming_the_field(
    staff: Staff, worker: None, initiator: str, fields: dict[str, str], field: str
) -> None:
    values = {"startDate": moment(-timedelta(days=1)), "endDate": moment(timedelta(days=1)), **fields}
    delegation = register(staff, initiator, **values)
    try:
        [task] = staff.wait_for_tasks(delegation, 1, "the correction task", taskDefinitionKey="Task_CorrectDelegation")
        assert task["assignee"] == initiator, "the registration should go back to whoever started it"
        message = staff.form_variables(initiator, task["id"])["rejectionMessage"]
        assert message.startswith(f"{field}:"), f"expected a message about {field}, got {message!r}"

        staff.complete(initiator, task["id"], {"withdraw": True})
        wait_until(lambda: staff.ended(delegation), 30, "the withdrawn registration to end")
        ends = staff.admin.get("/history/activity-instance", processInstanceId=delegation, activityType="noneEndEvent")
        assert [a["activityId"] for a in ends] == ["EndEvent_RegistrationWithdrawn"]
    finally:
        staff.delete(delegation)
