"""The engine enforces the model for every client (engine/, ModelEnforcementPlugin), tried through
REST as the demo organisation's people: no start instructions, skipped listeners or mappings,
instance modification or restart for anyone but administrators; a user task accepts only its
form's fields, and read-only ones only unchanged.

Instances are put at the step a test needs by the admin, with start instructions, as an operator
may: that is the one client these shortcuts stay open to, and no worker has to run."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.support.driver import EngineDriver, wait_until
from tests.support.handover import handover_staff
from tests.support.staff import Staff
from workers.runtime.settings import Settings
from workers.runtime.variables import decode_value, to_camunda

pytestmark = pytest.mark.engine

HEAD, GIVER, RECEIVER, SUPERVISOR = "chen.jing", "yang.fan", "wu.hao", "liu.min"
PROCESS_INSTANCE = 8  # Camunda's resource type id
PARTIES = {
    "initiator": HEAD, "giverId": GIVER, "receiverId": RECEIVER, "receivingDepartmentId": "sales",
    "supervisorId": SUPERVISOR, "giverName": "杨帆", "receiverName": "吴昊", "supervisorName": "刘敏",
    "receivingDepartmentLabel": "销售部 / Sales", "plannedDate": "2099-01-05",
    "preparationDue": "2099-01-01T18:00:00+08:00", "confirmationDue": "2099-01-02T18:00:00+08:00",
    "reminderIntervalHours": 24, "checklistSummary": "1 项 / 1 item",
}
ITEM = {"category": "documents", "description": "客户合同 / Customer contracts", "location": "CRM"}
# Task "Task_Report" has no form but names its extras; "Task_Ack" has neither.
EXTRAS_KEY = "enforcement-extras"
EXTRAS_BPMN = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://crossdept.test">
  <bpmn:process id="{EXTRAS_KEY}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_Report"/>
    <bpmn:userTask id="Task_Report" name="汇报 / Report" camunda:assignee="{GIVER}">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="allowedVariables" value="attachmentLink, reviewNote"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_Report" targetRef="Task_Ack"/>
    <bpmn:userTask id="Task_Ack" name="确认 / Acknowledge" camunda:assignee="{GIVER}"/>
    <bpmn:sequenceFlow id="F3" sourceRef="Task_Ack" targetRef="End"/><bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Staff:
    staff = handover_staff(engine, admin, tmp_path_factory.mktemp("org") / "organisation.yaml", "work-handover-enforcement")
    admin.deploy_xml(EXTRAS_KEY, {f"{EXTRAS_KEY}.bpmn": EXTRAS_BPMN})
    return staff


def request(staff: Staff, user: str, method: str, path: str, **kwargs: Any) -> requests.Response:
    return staff.session(user).request(method, staff.engine.engine_url + path, timeout=30, **kwargs)


def as_admin(staff: Staff, method: str, path: str, **kwargs: Any) -> requests.Response:
    return staff.admin.session.request(method, staff.admin.url + path, timeout=30, **kwargs)


def typed(variables: dict[str, Any]) -> dict[str, Any]:
    """As Tasklist submits a Camunda Form: lists and objects as Json, the rest untyped."""
    return {name: ({"type": "Json", "value": json.dumps(value, ensure_ascii=False)}
                   if isinstance(value, (list, dict)) else {"value": value}) for name, value in variables.items()}


def complete(staff: Staff, user: str, task_id: str, variables: dict[str, Any],
             how: str = "complete") -> requests.Response:
    return request(staff, user, "POST", f"/task/{task_id}/{how}", json={"variables": typed(variables)})


def refused(response: requests.Response, status: int, *words: str) -> str:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    message = response.json()["message"]
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"
    return message


def variable(staff: Staff, instance: str, name: str) -> Any:
    found = staff.admin.get(f"/process-instance/{instance}/variables/{name}", deserializeValue="false")
    return decode_value(name, found)


@pytest.fixture
def handover_at(staff: Staff) -> Iterator[Any]:
    """`handover_at(activity)`: a hand-over of yang.fan to wu.hao (announced by chen.jing, supervised
    by liu.min) waiting at `activity`, started there by the admin; deleted after the test."""
    started: list[str] = []

    def start(*activities: str, **variables: Any) -> str:
        body = {"variables": to_camunda({**PARTIES, "checklistItems": [ITEM], **variables}),
                "businessKey": f"enforcement-{uuid.uuid4().hex[:8]}",
                "startInstructions": [{"type": "startBeforeActivity", "activityId": a} for a in activities]}
        response = as_admin(staff, "POST", "/process-definition/key/work-handover/start", json=body)
        assert response.ok, f"the admin may start with start instructions: {response.text}"
        started.append(response.json()["id"])
        return started[-1]

    yield start
    for instance in started:
        staff.delete(instance)


def task_of(staff: Staff, instance: str, key: str) -> dict[str, Any]:
    [task] = staff.tasks(instance, taskDefinitionKey=key)
    return task


def form_submission(staff: Staff, user: str, task_id: str, form: str, **changes: Any) -> dict[str, Any]:
    """What Tasklist submits for `form`: every field of it, read-only ones as the task shows them."""
    schema = json.loads((Path(__file__).resolve().parents[2] / "forms" / form).read_text(encoding="utf-8"))
    shown = staff.form_variables(user, task_id)
    keys = [c.get("key") or c.get("path") for c in schema["components"] if c.get("key") or c.get("path")]
    return {key: changes.get(key, shown.get(key, "")) for key in keys}


# --- starts, modification, restart ---------------------------------------------------------------


def handover_count(staff: Staff, business_key: str) -> int:
    return staff.admin.get("/history/process-instance/count", processInstanceBusinessKey=business_key)["count"]


NOTICE = {"giverId": GIVER, "receiverId": RECEIVER, "receivingDepartmentId": "sales", "reason": "postChange",
          "plannedDate": "2099-01-05", "arrangements": "交接前完成客户拜访 / visit customers first"}


def head_starts(staff: Staff, business_key: str, variables: dict[str, Any] | None = None,
                **options: Any) -> requests.Response:
    """chen.jing gives notice of a hand-over: by default exactly the notice form's fields."""
    body = {"variables": to_camunda(NOTICE if variables is None else variables), "businessKey": business_key,
            **options}
    return request(staff, HEAD, "POST", "/process-definition/key/work-handover/start", json=body)


@pytest.mark.parametrize("forged", ["supervisorId", "initiator", "noticeSubmittedAt", "checklistItems"])
def test_a_start_carries_only_the_start_forms_fields(staff: Staff, forged: str) -> None:
    key = f"start-vars-{uuid.uuid4().hex[:8]}"
    value = {"supervisorId": "zheng.yu", "initiator": "wang.jianguo", "noticeSubmittedAt": "2020-01-01T09:00:00+08:00",
             "checklistItems": [ITEM]}[forged]
    response = head_starts(staff, key, {**NOTICE, forged: value})
    refused(response, 400, "ENGINE-CROSSDEPT-08 process work-handover", "starts only with its start form's fields",
            f"refused variable '{forged}' (not a field of its form work-handover-notice)")
    assert handover_count(staff, key) == 0, "nothing was started"


def test_a_start_may_not_fill_a_read_only_field_of_its_form(staff: Staff) -> None:
    key = f"start-readonly-{uuid.uuid4().hex[:8]}"
    response = head_starts(staff, key, {**NOTICE, "rejectionMessage": "已核准 / approved"})
    refused(response, 400, "ENGINE-CROSSDEPT-08", "'rejectionMessage' (read-only on its form work-handover-notice")
    assert handover_count(staff, key) == 0
    empty = head_starts(staff, key, {**NOTICE, "rejectionMessage": None})
    assert empty.ok, f"an empty read-only field, as Tasklist may send it, is accepted: {empty.text}"
    staff.delete(empty.json()["id"])


def test_a_head_cannot_start_a_handover_before_its_reassign_step(staff: Staff) -> None:
    key = f"forged-{uuid.uuid4().hex[:8]}"
    response = head_starts(staff, key, startInstructions=[
        {"type": "startBeforeActivity", "activityId": "Task_ReassignOpenTasks"}])
    refused(response, 403, "ENGINE-CROSSDEPT-01 start instructions are reserved for administrators",
            "start listeners record who started it")
    assert handover_count(staff, key) == 0, "nothing was started"
    # The same head may give notice the normal way (the start event runs its listeners).
    started = head_starts(staff, key)
    assert started.ok, started.text
    staff.delete(started.json()["id"])


@pytest.mark.parametrize("flag, code", [("skipCustomListeners", "ENGINE-CROSSDEPT-02"),
                                        ("skipIoMappings", "ENGINE-CROSSDEPT-03")])
def test_a_head_cannot_skip_listeners_or_mappings(staff: Staff, flag: str, code: str) -> None:
    key = f"skipped-{uuid.uuid4().hex[:8]}"
    # Camunda accepts the skip flags only together with start instructions, even ones naming the
    # start event itself; without them it refuses on its own (ENGINE-13xxx, for everyone).
    response = head_starts(staff, key, **{flag: True}, startInstructions=[
        {"type": "startBeforeActivity", "activityId": "StartEvent_NoticeGiven"}])
    refused(response, 403, code, flag, "reserved for administrators")
    assert handover_count(staff, key) == 0


def grant_update(staff: Staff, user: str, instance: str) -> str:
    """UPDATE on the instance: what Camunda asks of a modification, so the refusal is our rule's."""
    response = as_admin(staff, "POST", "/authorization/create", json={
        "type": 1, "permissions": ["UPDATE", "READ"], "userId": user,
        "resourceType": PROCESS_INSTANCE, "resourceId": instance})
    assert response.ok, response.text
    return response.json()["id"]


def test_instance_modification_is_for_administrators_only(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    move = {"instructions": [{"type": "startBeforeActivity", "activityId": "Task_GiverSigns"},
                             {"type": "cancel", "activityId": "Task_FillChecklist"}]}
    grant = grant_update(staff, HEAD, instance)
    try:
        for path in ("modification", "modification-async"):
            response = request(staff, HEAD, "POST", f"/process-instance/{instance}/{path}", json=move)
            refused(response, 403, "ENGINE-CROSSDEPT-04 process instance modification is reserved for administrators")
        definition = staff.admin.get(f"/process-instance/{instance}")["definitionId"]
        batch = request(staff, HEAD, "POST", "/modification/executeAsync", json={
            "processDefinitionId": definition, "processInstanceIds": [instance], **move})
        refused(batch, 403, "ENGINE-CROSSDEPT-04")
    finally:
        as_admin(staff, "DELETE", f"/authorization/{grant}")
    assert staff.admin.active_activities(instance) == ["Task_FillChecklist"], "the instance did not move"

    response = as_admin(staff, "POST", f"/process-instance/{instance}/modification", json=move)
    assert response.status_code == 204, response.text
    assert "Task_GiverSigns" in staff.admin.active_activities(instance)

    back = {"instructions": [{"type": "startBeforeActivity", "activityId": "Task_FillChecklist"},
                             {"type": "cancel", "activityId": "SubProcess_Confirmation"}]}
    response = as_admin(staff, "POST", f"/process-instance/{instance}/modification-async", json=back)
    assert response.ok and response.json()["id"], response.text
    wait_until(lambda: staff.admin.active_activities(instance) == ["Task_FillChecklist"], 60,
               "the admin's asynchronous modification")


def test_restarting_instances_is_for_administrators_only(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    staff.delete(instance)
    definition = staff.admin.get(f"/history/process-instance/{instance}")["processDefinitionId"]
    restart = {"processInstanceIds": [instance],
               "instructions": [{"type": "startBeforeActivity", "activityId": "Task_ReassignOpenTasks"}]}
    for path in ("restart", "restart-async"):
        response = request(staff, HEAD, "POST", f"/process-definition/{definition}/{path}", json=restart)
        refused(response, 403, "ENGINE-CROSSDEPT-05 restarting process instances is reserved for administrators")
    restarted = staff.admin.get("/process-instance", processDefinitionId=definition,
                                businessKey=staff.admin.get(f"/history/process-instance/{instance}")["businessKey"])
    assert restarted == [], "nothing was restarted"


def test_migrating_instances_is_for_administrators_only(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    definition = staff.admin.get(f"/process-instance/{instance}")["definitionId"]
    plan = as_admin(staff, "POST", "/migration/generate", json={
        "sourceProcessDefinitionId": definition, "targetProcessDefinitionId": definition})
    assert plan.ok, plan.text
    body = {"migrationPlan": plan.json(), "processInstanceIds": [instance]}
    for path in ("execute", "executeAsync"):
        response = request(staff, HEAD, "POST", f"/migration/{path}", json=body)
        refused(response, 403, "ENGINE-CROSSDEPT-07 migrating process instances is reserved for administrators")
    response = as_admin(staff, "POST", "/migration/execute", json=body)
    assert response.status_code == 204, response.text


# --- what a task's completion may write ------------------------------------------------------------


def test_a_giver_cannot_name_another_supervisor_on_their_checklist(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    task = task_of(staff, instance, "Task_FillChecklist")
    response = complete(staff, GIVER, task["id"], {"checklistItems": [ITEM], "supervisorId": "zheng.yu"})
    refused(response, 400, "ENGINE-CROSSDEPT-06", "Task_FillChecklist", "accepts only its form's fields",
            "refused variable 'supervisorId'", "work-handover-checklist")
    assert variable(staff, instance, "supervisorId") == SUPERVISOR, "nothing written"
    assert variable(staff, instance, "checklistItems") == [ITEM], "not even the fields that were allowed"
    assert staff.admin.active_activities(instance) == ["Task_FillChecklist"], "the task is still open"


def test_a_signer_cannot_change_the_giver(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_ReceiverSigns")
    task = task_of(staff, instance, "Task_ReceiverSigns")
    for how in ("complete", "submit-form"):
        response = complete(staff, RECEIVER, task["id"], {"giverId": "zheng.yu"}, how=how)
        refused(response, 400, "Task_ReceiverSigns", "refused variable 'giverId'", "work-handover-sign")
    assert variable(staff, instance, "giverId") == GIVER


def test_setting_variables_through_a_task_is_held_to_its_form(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    task = task_of(staff, instance, "Task_FillChecklist")
    forged = {"value": "zheng.yu", "type": "String"}
    for scope in ("variables", "localVariables"):
        response = request(staff, GIVER, "PUT", f"/task/{task['id']}/{scope}/giverId", json=forged)
        refused(response, 400, "refused variable 'giverId'", "Task_FillChecklist")
        response = request(staff, GIVER, "POST", f"/task/{task['id']}/{scope}",
                           json={"modifications": {"giverId": forged}})
        refused(response, 400, "refused variable 'giverId'")
    response = request(staff, GIVER, "DELETE", f"/task/{task['id']}/variables/giverName")
    refused(response, 400, "'giverName' (removal: read-only on form work-handover-checklist)")
    assert variable(staff, instance, "giverId") == GIVER
    assert variable(staff, instance, "giverName") == PARTIES["giverName"]
    # A field of the form may be set through the task, as a draft would be.
    response = request(staff, GIVER, "PUT", f"/task/{task['id']}/variables/checklistItems",
                       json={"type": "Json", "value": json.dumps([ITEM, ITEM])})
    assert response.status_code == 204, response.text


def test_a_read_only_column_of_a_checklist_row_keeps_the_instances_values(staff: Staff, handover_at: Any) -> None:
    """camundaTaskId names whose task moves to the receiver: the giver may drop a prefilled row or add
    rows without one, but not write a task id of their choosing."""
    prefilled = {"category": "unfinishedTasks", "description": "回访客户 / Follow up", "location": "Camunda",
                 "camundaTaskId": "task-of-yang-fan"}
    instance = handover_at("Task_FillChecklist", checklistItems=[prefilled])
    task = task_of(staff, instance, "Task_FillChecklist")
    forged = dict(prefilled, camundaTaskId="task-of-someone-else")
    response = complete(staff, GIVER, task["id"], {"checklistItems": [ITEM, forged]})
    refused(response, 400, "refused variable 'checklistItems' (row 2's camundaTaskId \"task-of-someone-else\" "
                           "is in no row the instance has")
    assert variable(staff, instance, "checklistItems") == [prefilled]

    kept = dict(prefilled, description="回访两位客户 / Follow up two customers")
    response = complete(staff, GIVER, task["id"], {"checklistItems": [ITEM, kept, dict(ITEM, camundaTaskId="")]})
    assert response.status_code == 204, response.text


def test_a_read_only_field_may_be_sent_only_unchanged(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    task = task_of(staff, instance, "Task_FillChecklist")
    changed = form_submission(staff, GIVER, task["id"], "work-handover-checklist.form", supervisorName="郑宇")
    response = complete(staff, GIVER, task["id"], changed, how="submit-form")
    refused(response, 400, "refused variable 'supervisorName' (read-only on form work-handover-checklist")
    assert variable(staff, instance, "supervisorName") == PARTIES["supervisorName"]

    # Exactly the form's fields, read-only ones unchanged (absent ones empty, as form-js sends them).
    unchanged = form_submission(staff, GIVER, task["id"], "work-handover-checklist.form", checklistItems=[ITEM, ITEM])
    assert unchanged["checklistRejection"] == "" and unchanged["supervisorName"] == PARTIES["supervisorName"]
    response = complete(staff, GIVER, task["id"], unchanged, how="submit-form")
    assert response.status_code == 204, response.text
    assert variable(staff, instance, "checklistItems") == [ITEM, ITEM]
    assert "Task_FillChecklist" not in staff.admin.active_activities(instance)


def test_a_read_only_date_comes_back_as_text_naming_the_same_instant(staff: Staff, handover_at: Any) -> None:
    planned = datetime(2099, 1, 5, 9, 30, tzinfo=timezone(timedelta(hours=8)))
    instance = handover_at("Task_GiverSigns", plannedDate=planned)
    task = task_of(staff, instance, "Task_GiverSigns")
    response = complete(staff, GIVER, task["id"], {"plannedDate": "2099-01-06T09:30:00+08:00"})
    refused(response, 400, "refused variable 'plannedDate' (read-only on form work-handover-sign")
    response = complete(staff, GIVER, task["id"], {"plannedDate": "2099-01-05T01:30:00Z"})
    assert response.status_code == 204, response.text


def test_an_empty_read_only_field_may_come_back_empty_in_any_form(staff: Staff, handover_at: Any) -> None:
    """form-js leaves out, empties or nulls a read-only field its condition hides (checklistRejection
    when there is none); none of that is a change, but filling it in is."""
    instance = handover_at("Task_FillChecklist", checklistRejection="")
    task = task_of(staff, instance, "Task_FillChecklist")
    response = complete(staff, GIVER, task["id"], {"checklistRejection": "已核对 / checked by the head"})
    refused(response, 400, "refused variable 'checklistRejection' (read-only")
    response = complete(staff, GIVER, task["id"], {"checklistRejection": None, "openQuestions": "",
                                                    "checklistItems": [ITEM]})
    assert response.status_code == 204, response.text


def test_a_signature_with_exactly_the_forms_fields_is_accepted(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_SupervisorConfirms")
    task = task_of(staff, instance, "Task_SupervisorConfirms")
    submission = form_submission(staff, SUPERVISOR, task["id"], "work-handover-sign.form",
                                 supervisorVerdict="sign", sendBackReason="", signatureConfirmed=True)
    response = complete(staff, SUPERVISOR, task["id"], submission)
    assert response.status_code == 204, response.text
    assert variable(staff, instance, "supervisorVerdict") == "sign"


def test_a_task_without_a_form_accepts_only_its_allowed_variables(staff: Staff) -> None:
    instance = staff.admin.start(EXTRAS_KEY)
    try:
        report = task_of(staff, instance, "Task_Report")
        response = complete(staff, GIVER, report["id"], {"attachmentLink": "https://fs01/x", "giverId": "zheng.yu"})
        refused(response, 400,
                "task Task_Report (汇报 / Report) accepts only the variables its allowedVariables property names",
                "refused variable 'giverId' (not named by its allowedVariables property)")
        response = complete(staff, GIVER, report["id"], {"attachmentLink": "https://fs01/x", "reviewNote": "ok"})
        assert response.status_code == 204, response.text

        ack = task_of(staff, instance, "Task_Ack")
        response = complete(staff, GIVER, ack["id"], {"note": "done"})
        refused(response, 400, "task Task_Ack (确认 / Acknowledge) has no form and accepts no variables",
                "refused variable 'note' (the task has no form)")
        response = complete(staff, GIVER, ack["id"], {})
        assert response.status_code == 204, response.text
        assert staff.ended(instance)
        # The admin is held to none of it (operators repair instances).
        again = staff.admin.start(EXTRAS_KEY)
        report = task_of(staff, again, "Task_Report")
        response = as_admin(staff, "POST", f"/task/{report['id']}/complete",
                            json={"variables": typed({"giverId": "zheng.yu"})})
        assert response.status_code == 204, response.text
        staff.delete(again)
    finally:
        staff.delete(instance)


def test_someone_who_may_not_work_on_the_task_gets_camundas_own_refusal(staff: Staff, handover_at: Any) -> None:
    instance = handover_at("Task_FillChecklist")
    task = task_of(staff, instance, "Task_FillChecklist")
    response = complete(staff, RECEIVER, task["id"], {"supervisorId": "zheng.yu"})
    assert response.status_code == 403, response.text
    assert "ENGINE-CROSSDEPT" not in response.json()["message"], "the form is not described to outsiders"
