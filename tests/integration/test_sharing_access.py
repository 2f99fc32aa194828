"""Access the engine enforces for a share (issue 13): an instance of a process that declares an
audience is readable by exactly that audience and its initiator, endpoint by endpoint, history
included; only the workers' user (or an administrator) writes the audience.

Run against tests/models/sharing-access-demo.bpmn, which declares its audience as
information-sharing does (audienceGroupsVariable / audienceUsersVariable). Finance's lin.xiao
publishes; the audience is the group sales and the user zhou.gang; ma.lin, xu.ming and the
publisher's head guo.hong are outside. Every answer is the engine's own: the test only publishes,
decides the audience as the workers' user would, and asks."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.support.driver import EngineDriver, wait_until
from tests.support.sharing_access import (GROUP_READER, KEY, NAMED_READER, OUTSIDERS, PUBLISHER, READS, Share,
                                          Sharing, leak)
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

pytestmark = pytest.mark.engine

READERS = (GROUP_READER, NAMED_READER, PUBLISHER)
# Each person's answers, endpoint by endpoint, for docs/information-sharing-access.md.
ANSWERS = Path(__file__).resolve().parents[2] / "test-artifacts" / "sharing-access"

PROCESS_INSTANCE = 8  # Camunda's resource type id

# What the audience reads the content through (the marker is in the title, the content, a comment
# and an incident's message); each must show it to every reader.
CONTENT_READS = {
    "GET /process-instance/{id}/variables": "/process-instance/{instance}/variables",
    "GET /variable-instance": "/variable-instance?processInstanceIdIn={instance}",
    "GET /task/{id}/variables": "/task/{read}/variables",
    "GET /task/{id}/comment": "/task/{read}/comment",
    "GET /process-instance/{id}/comment": "/process-instance/{instance}/comment",
    "GET /incident": "/incident?processInstanceId={instance}",
    "GET /history/process-instance": "/history/process-instance?processInstanceId={instance}",
    "GET /history/variable-instance": "/history/variable-instance?processInstanceId={instance}",
    "GET /history/detail": "/history/detail?processInstanceId={instance}",
    "GET /history/incident": "/history/incident?processInstanceId={instance}",
}
# Readable by the audience without content in them: they name the instance.
INSTANCE_READS = {
    "GET /task": "/task?processInstanceId={instance}",
    "GET /process-instance/{id}": "/process-instance/{instance}",
    "GET /execution": "/execution?processInstanceId={instance}",
    "GET /history/task": "/history/task?processInstanceId={instance}",
    "GET /history/activity-instance": "/history/activity-instance?processInstanceId={instance}",
    "GET /history/identity-link-log": "/history/identity-link-log?taskId={read}",
    "GET /history/external-task-log": "/history/external-task-log?processInstanceId={instance}",
    "GET /history/user-operation": "/history/user-operation?processInstanceId={instance}",
}


@pytest.fixture(scope="module")
def sharing(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Sharing:
    return Sharing(engine, admin, tmp_path_factory.mktemp("org") / "organisation.yaml")


@pytest.fixture(scope="module")
def share(sharing: Sharing) -> Iterator[Share]:
    """A share to Sales and zhou.gang with a comment by a reader and an incident, both naming the marker."""
    share = sharing.publish()
    read = sharing.task(share, "Task_ReadShare")
    comment = sharing.request(GROUP_READER, "POST", f"/task/{read['id']}/comment/create",
                              json={"message": f"已阅 / read {share.marker}", "processInstanceId": share.instance})
    assert comment.ok, f"a reader comments on the task they may work on: {comment.status_code} {comment.text}"
    incident = sharing.staff.admin.session.post(
        f"{sharing.url}/execution/{read['executionId']}/create-incident", timeout=30,
        json={"incidentType": "crossdept-access-test", "message": f"故障 / failure {share.marker}"})
    assert incident.ok, f"the admin records an incident: {incident.status_code} {incident.text}"
    yield share
    sharing.staff.delete(share.instance)


def paths(sharing: Sharing, share: Share, templates: dict[str, str]) -> dict[str, str]:
    tasks = {"read": sharing.task(share, "Task_ReadShare")["id"], "check": sharing.task(share, "Task_CheckPublication")["id"]}
    return {what: template.format(instance=share.instance, **tasks) for what, template in templates.items()}


def summary(response: requests.Response) -> str:
    if not response.ok:
        return str(response.status_code)
    found = response.json() if response.content else None
    if isinstance(found, list):
        return f"200, {len(found)} entries" if found else "200, empty list"
    return "200"


def record(who: str, answers: dict[str, requests.Response]) -> None:
    ANSWERS.mkdir(parents=True, exist_ok=True)
    (ANSWERS / f"{who}.json").write_text(json.dumps({what: summary(r) for what, r in answers.items()}, indent=1),
                                         encoding="utf-8")


def refused(response: requests.Response, status: int, *words: str) -> None:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    for word in words:
        assert word in response.json()["message"], f"{word!r} not in {response.json()['message']!r}"


# --- outside the audience: nothing ---------------------------------------------------------------


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_gets_nothing_of_the_share_from_any_endpoint(sharing: Sharing, share: Share, outsider: str) -> None:
    answers = {what: sharing.request(outsider, "GET", path) for what, path in paths(sharing, share, READS).items()}
    record(outsider, answers)
    leaks = {what: found for what, response in answers.items() if (found := leak(response, share.marker, share.instance))}
    assert not leaks, f"{outsider} outside the audience got: " + json.dumps(leaks, ensure_ascii=False, indent=1)


def test_the_publishers_head_cannot_follow_her_task_in_a_share(sharing: Sharing, share: Share) -> None:
    """Elsewhere heads read their staff's tasks (员工待办); in a process with an audience they are not given it."""
    check = sharing.task(share, "Task_CheckPublication")
    assert check["assignee"] == PUBLISHER
    assert sharing.request("guo.hong", "GET", f"/task/{check['id']}").status_code == 404


# --- inside: the content -------------------------------------------------------------------------


@pytest.mark.parametrize("reader", READERS)
def test_the_audience_and_the_publisher_read_the_content(sharing: Sharing, share: Share, reader: str) -> None:
    record(reader, {what: sharing.request(reader, "GET", path) for what, path in paths(sharing, share, READS).items()})
    missing = {}
    for what, path in paths(sharing, share, CONTENT_READS).items():
        response = sharing.request(reader, "GET", path)
        if not (response.ok and share.marker in response.text):
            missing[what] = f"{response.status_code} {response.text[:160]}"
    for what, path in paths(sharing, share, INSTANCE_READS).items():
        response = sharing.request(reader, "GET", path)
        if not (response.ok and share.instance in response.text):
            missing[what] = f"{response.status_code} {response.text[:160]}"
    assert not missing, f"{reader} in the audience could not read: " + json.dumps(missing, ensure_ascii=False, indent=1)


def test_decision_history_is_for_operators_only(sharing: Sharing, share: Share) -> None:
    """Decisions are granted per definition, never per instance: no reader sees their inputs either."""
    path = f"/history/decision-instance?processInstanceId={share.instance}&includeInputs=true"
    for reader in READERS:
        assert sharing.request(reader, "GET", path).json() == [], reader
    found = sharing.staff.admin.get("/history/decision-instance", processInstanceId=share.instance, includeInputs="true")
    assert share.marker in json.dumps(found, ensure_ascii=False), "the decision's input holds the title"


def test_the_grants_are_the_engines_per_instance_ones(sharing: Sharing, share: Share) -> None:
    grants = sharing.staff.admin.get("/authorization", resourceType=PROCESS_INSTANCE, resourceId=share.instance)
    assert sorted((g["groupId"] or g["userId"], g["permissions"]) for g in grants) == [
        (PUBLISHER, ["READ"]), ("sales", ["READ"]), (NAMED_READER, ["READ"])]


# --- who writes the audience ---------------------------------------------------------------------


def test_a_publisher_cannot_start_with_an_audience_of_her_choice(sharing: Sharing) -> None:
    body = {"businessKey": "share-forged-start", "variables": to_camunda(
        {"title": "t", "content": "c", "sharingAudienceGroups": ["engineering"]})}
    refused(sharing.request(PUBLISHER, "POST", f"/process-definition/key/{KEY}/start", json=body), 403,
            "ENGINE-CROSSDEPT-09", "'sharingAudienceGroups'", KEY)
    assert sharing.staff.admin.get("/history/process-instance", processInstanceBusinessKey="share-forged-start") == []


def test_nor_through_a_message_start(sharing: Sharing) -> None:
    # sharingAudienceUsers is no field of the start event, so the start-form rule refuses it first
    # (08); sharingAudienceGroups passes that (allowedVariables, on purpose) and meets the audience rule.
    for variables, status, code in (({"sharingAudienceUsers": ["xu.ming"]}, 400, "ENGINE-CROSSDEPT-08"),
                                    ({"sharingAudienceGroups": ["engineering"]}, 403, "ENGINE-CROSSDEPT-09")):
        body = {"messageName": "sharing-access-demo-publish", "businessKey": "share-forged-message",
                "processVariables": to_camunda(variables)}
        refused(sharing.request(PUBLISHER, "POST", "/message", json=body), status, code, f"'{next(iter(variables))}'")
    assert sharing.staff.admin.get("/history/process-instance", processInstanceBusinessKey="share-forged-message") == []


def test_a_reader_cannot_widen_the_audience_by_completing_the_task(sharing: Sharing, share: Share) -> None:
    read = sharing.task(share, "Task_ReadShare")
    body = {"variables": {"sharingAudienceGroups": {"type": "Json", "value": json.dumps(["sales", "engineering"])}}}
    refused(sharing.request(GROUP_READER, "POST", f"/task/{read['id']}/complete", json=body), 403,
            "ENGINE-CROSSDEPT-09")
    assert sharing.task(share, "Task_ReadShare")["id"] == read["id"], "the task is still open"


def test_nor_by_setting_the_variable_with_update_rights(sharing: Sharing, share: Share) -> None:
    admin = sharing.staff.admin
    grant = admin.session.post(f"{admin.url}/authorization/create", timeout=30, json={
        "type": 1, "permissions": ["UPDATE"], "userId": GROUP_READER, "resourceType": PROCESS_INSTANCE,
        "resourceId": share.instance}).json()
    try:
        path = f"/process-instance/{share.instance}/variables/sharingAudienceUsers"
        refused(sharing.request(GROUP_READER, "PUT", path, json={"type": "Json", "value": '["xu.ming"]'}), 403,
                "ENGINE-CROSSDEPT-09")
    finally:
        admin.session.delete(f"{admin.url}/authorization/{grant['id']}", timeout=30)
    assert sharing.request("xu.ming", "GET", f"/process-instance/{share.instance}").status_code == 404


def test_an_audience_of_everyone_is_refused_even_from_the_workers(sharing: Sharing, share: Share) -> None:
    refused(sharing.set_audience(share, "sharingAudienceUsers", ["*"]), 400, "ENGINE-CROSSDEPT-10", "everyone")
    refused(sharing.set_audience(share, "sharingAudienceGroups", "sales"), 400, "ENGINE-CROSSDEPT-10",
            "not a JSON list")


# --- a changed audience --------------------------------------------------------------------------


def can_read_instance(sharing: Sharing, who: str, share: Share) -> dict[str, bool]:
    history = sharing.request(who, "GET", "/history/variable-instance", params={"processInstanceId": share.instance})
    return {"instance": sharing.request(who, "GET", f"/process-instance/{share.instance}/variables").ok,
            "history": history.ok and share.marker in history.text}


def test_a_narrower_audience_takes_the_grants_back(sharing: Sharing) -> None:
    share = sharing.publish()
    try:
        assert can_read_instance(sharing, NAMED_READER, share) == {"instance": True, "history": True}
        assert sharing.set_audience(share, "sharingAudienceUsers", []).ok
        assert sharing.set_audience(share, "sharingAudienceGroups", ["production"]).ok
        assert can_read_instance(sharing, NAMED_READER, share) == {"instance": True, "history": True}, \
            "zhou.gang is in production, now the audience group"
        assert can_read_instance(sharing, "ma.lin", share) == {"instance": True, "history": True}
        assert can_read_instance(sharing, GROUP_READER, share) == {"instance": False, "history": False}
        check = sharing.task(share, "Task_CheckPublication")
        assert sharing.request(GROUP_READER, "GET", f"/task/{check['id']}").status_code == 404
        assert sharing.request("ma.lin", "GET", f"/task/{check['id']}").ok
        read = sharing.task(share, "Task_ReadShare")
        assert sharing.request(GROUP_READER, "GET", f"/task/{read['id']}").ok, \
            "Sales are the task's candidates: those who work on a task keep it"
    finally:
        sharing.staff.delete(share.instance)


def test_after_the_end_the_history_stays_with_the_audience(sharing: Sharing) -> None:
    share = sharing.publish()
    sharing.staff.call(GROUP_READER, "POST", f"/task/{sharing.task(share, 'Task_ReadShare')['id']}/complete",
                       json={"variables": {}})
    sharing.staff.call(PUBLISHER, "POST", f"/task/{sharing.task(share, 'Task_CheckPublication')['id']}/complete",
                       json={"variables": {}})
    wait_until(lambda: sharing.staff.ended(share.instance), 30, "the share to end")
    path = f"/history/variable-instance?processInstanceId={share.instance}"
    for reader in READERS:
        assert share.marker in sharing.request(reader, "GET", path).text, reader
    for outsider in OUTSIDERS:
        assert sharing.request(outsider, "GET", path).json() == [], outsider


# --- the webapps ---------------------------------------------------------------------------------


def webapp(sharing: Sharing, user: str, app: str) -> tuple[requests.Session, requests.Response]:
    """Logs in to a webapp as its login form does (CSRF token from a page's cookie)."""
    base = sharing.url.replace("/engine-rest", "/camunda")
    browser = requests.Session()
    browser.get(f"{base}/app/tasklist/", timeout=10)
    browser.headers["X-XSRF-TOKEN"] = browser.cookies.get("XSRF-TOKEN") or ""
    response = browser.post(f"{base}/api/admin/auth/user/default/login/{app}", timeout=10,
                            data={"username": user, "password": sharing.staff.password})
    return browser, response


@pytest.mark.parametrize("who", [GROUP_READER, PUBLISHER, "xu.ming"])
def test_staff_cannot_enter_cockpit(sharing: Sharing, who: str) -> None:
    _, cockpit = webapp(sharing, who, "cockpit")
    assert cockpit.status_code in (401, 403), f"{who} entered Cockpit: {cockpit.status_code} {cockpit.text[:200]}"
    _, tasklist = webapp(sharing, who, "tasklist")
    assert tasklist.ok, f"{who} may use Tasklist: {tasklist.status_code}"


def test_tasklist_s_own_api_and_cockpit_s_plugins_give_an_outsider_nothing(sharing: Sharing, share: Share) -> None:
    browser, login = webapp(sharing, "xu.ming", "tasklist")
    assert login.ok
    base = sharing.url.replace("/engine-rest", "/camunda")
    answers = {
        "tasklist engine API /history/variable-instance": browser.get(
            f"{base}/api/engine/engine/default/history/variable-instance",
            params={"processInstanceId": share.instance}, timeout=10),
        "tasklist engine API /task": browser.get(f"{base}/api/engine/engine/default/task", timeout=10),
        "cockpit plugin process-instance": browser.post(
            f"{base}/api/cockpit/plugin/base/default/process-instance", json={}, timeout=10),
        "cockpit plugin incidents": browser.post(f"{base}/api/cockpit/plugin/base/default/incident", json={},
                                                 timeout=10),
    }
    leaks = {what: found for what, response in answers.items() if (found := leak(response, share.marker, share.instance))}
    assert not leaks, json.dumps(leaks, ensure_ascii=False, indent=1)
    insider, _ = webapp(sharing, GROUP_READER, "tasklist")
    mine = insider.get(f"{base}/api/engine/engine/default/history/variable-instance",
                       params={"processInstanceId": share.instance}, timeout=10)
    assert share.marker in mine.text, "the same API shows the audience the content"
