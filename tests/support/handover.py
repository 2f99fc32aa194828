"""Driving a work hand-over as its people do, shared by the engine and browser tests."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.driver import EngineDriver, wait_until
from tests.support.staff import Staff, demo_with_starters
from workers.runtime.settings import Settings
from workers.catalog import load_registry
from workers.runtime.variables import to_camunda
from workers.shared.calendar import earliest_compliant_date

FORMS = ["work-handover-notice.form", "work-handover-checklist.form", "work-handover-verify.form",
         "work-handover-sign.form"]
TOPICS = [name for name in load_registry().names() if name.startswith("handover.")]
SHANGHAI = ZoneInfo("Asia/Shanghai")


def handover_staff(engine: Settings, admin: EngineDriver, organisation_file: Path, deployment: str,
                   edits: dict[str, str] | None = None) -> Staff:
    """The demo organisation (with its process starters) provisioned, and the hand-over's process,
    forms and decision deployed reading that organisation file."""
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    staff.deploy(deployment, organisation_file, ["work-handover.bpmn"], FORMS, decisions=("handover-policy.dmn",),
                 edits=edits)
    return staff


def today() -> date:
    return datetime.now(SHANGHAI).date()


def planned_for_notice_given_today(working_days: int) -> date:
    """The earliest hand-over date a notice given today satisfies, for the tests that must give
    notice now (started in Tasklist, the engine stamps the notice with the real clock); every other
    test backdates its notice to fixed dates. The one place such tests depend on today's date.

    Past the official calendar's last year the date is counted provisionally (see
    workers/shared/calendar.py), and the notice check accepts it saying so."""
    return earliest_compliant_date(today(), working_days)


def notice(giver: str, receiver: str, department: str, planned: date, reason: str = "postChange") -> dict[str, Any]:
    return {"giverId": giver, "receiverId": receiver, "receivingDepartmentId": department, "reason": reason,
            "plannedDate": planned.isoformat(), "arrangements": "交接前完成客户拜访 / visit customers first"}


def one_task(staff: Staff, instance: str, key: str, what: str) -> dict[str, Any]:
    [task] = staff.wait_for_tasks(instance, 1, what, taskDefinitionKey=key)
    return task


def next_task(staff: Staff, instance: str, key: str, after: str, what: str) -> dict[str, Any]:
    return wait_until(lambda: next((t for t in staff.tasks(instance, taskDefinitionKey=key) if t["id"] != after), None),
                      60, what, interval_s=0.3)


def open_task_for(staff: Staff, assignee: str) -> str:
    """Some other process's user task the giver holds, which the hand-over must move."""
    key = f"open-work-{uuid.uuid4().hex[:6]}"
    xml = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" targetNamespace="http://crossdept.test">
  <bpmn:process id="{key}" name="客户回访 / Customer follow-up" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/><bpmn:sequenceFlow id="F1" sourceRef="Start" targetRef="Task_FollowUp"/>
    <bpmn:userTask id="Task_FollowUp" name="回访客户 / Follow up a customer" camunda:assignee="{assignee}"/>
    <bpmn:sequenceFlow id="F2" sourceRef="Task_FollowUp" targetRef="End"/><bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>"""
    staff.admin.deploy_xml(key, {f"{key}.bpmn": xml})
    instance = staff.admin.start(key)
    [task] = staff.tasks(instance)
    return task["id"]


def wait_for_notice(staff: Staff, instance: str) -> None:
    """Until the notice branch has ended. It runs in parallel with the checklist task; acting on that
    task (or its timer) in the very millisecond the branch ends makes the engine refuse one of the
    two as a concurrent update. A person's completion the engine runs again
    (engine/.../completion/CompletionRetryPlugin); a timer job a test executes through REST it does
    not, and a test reading the notice's mail wants it sent first."""
    wait_until(lambda: staff.admin.get("/history/activity-instance", processInstanceId=instance,
                                       activityId="EndEvent_Notified", finished="true"),
               60, "the notice to be sent", interval_s=0.2)


def start_backdated(staff: Staff, initiator: str, values: dict[str, Any], noticed: datetime) -> str:
    """A notice given on `noticed`: as an operator enters one given on paper (the start event, which
    stamps the current time, is skipped by starting right after it)."""
    body = {"variables": to_camunda({**values, "initiator": initiator, "noticeSubmittedAt": noticed}),
            "startInstructions": [{"type": "startBeforeActivity", "activityId": "Gateway_NoticeSubmitted"}]}
    response = staff.admin.session.post(f"{staff.admin.url}/process-definition/key/work-handover/start",
                                        json=body, timeout=30)
    assert response.ok, response.text
    return response.json()["id"]
