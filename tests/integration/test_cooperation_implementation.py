"""Phase 4 of project cooperation (项目实施) on the real engine, with a real SMTP server and webhook
receiver: started directly by the administrator with contract B's inputs (it is a called process:
staff never start it), then driven through REST as its people.

One scenario runs once (module fixture); each test checks one thing of it. The agreement's cadence is
7 days from tomorrow and the test model sends invitations 10 days ahead (`invitationLeadDays`), so the
timers of the first two meetings are already due and fire at once, and the third waits: two meetings
within seconds, from the agreement's own dates. The webhook answers its first call 500, so one
invitation task fails after its mail went out and is retried.
"""

from __future__ import annotations

import contextlib
import email.message
import io
import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Iterator

import pytest
from icalendar import Calendar
from pypdf import PdfReader

from tests.support.assertions import has_ended
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
from tests.support.implementation import OWNER, ROOT, SHANGHAI, TOPICS_PREFIX, contract_inputs, deploy, start, today
from tests.support.receivers import Mailbox, Receiver, http_receiver, smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

ARTIFACTS = ROOT / "test-artifacts" / "cooperation-implementation"
TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
HEADS = {"chen.jing@example.com", "li.qiang@example.com", "zhang.wei@example.com"}
BUSINESS_KEY = "PC-IT-0001"


# --- the world of the scenario ------------------------------------------------------------------------
@dataclass
class Run:
    staff: Staff
    instance: ProcessInstance
    mailbox: Mailbox
    webhooks: Receiver
    settings: Settings
    seen: dict[str, Any] = field(default_factory=dict)  # what the scenario saw on the way

    def mails(self, subject_part: str) -> list[email.message.EmailMessage]:
        return [m for m in self.mailbox.messages if subject_part in m["Subject"]]

    def tasks(self, activity: str, **params: Any) -> list[dict[str, Any]]:
        return self.staff.tasks(self.instance.id, taskDefinitionKey=activity, **params)

    def wait_tasks(self, activity: str, count: int, **params: Any) -> list[dict[str, Any]]:
        return wait_until(lambda: (found := self.tasks(activity, **params)) and len(found) >= count and found,
                          60, f"{count} open {activity}", interval_s=0.3)


def fire(run: Run, activity: str) -> None:
    """A timer fired by hand, as the job executor does once its due date has passed."""
    [job] = wait_until(lambda: run.staff.admin.get("/job", processInstanceId=run.instance.id, activityId=activity),
                       30, f"the timer job of {activity}")
    response = run.staff.admin.session.post(f"{run.staff.admin.url}/job/{job['id']}/execute", timeout=30)
    assert response.ok, response.text


def minutes_task(run: Run, meeting_title: str) -> dict[str, Any]:
    def found() -> dict[str, Any] | None:
        for task in run.tasks("Task_WriteMinutes"):
            if run.staff.admin.get(f"/task/{task['id']}/variables/meetingTitle")["value"] == meeting_title:
                return task
        return None
    return wait_until(found, 60, f"the minutes task of {meeting_title}", interval_s=0.3)


def filed(run: Run, count: int) -> list[dict[str, Any]]:
    def documents() -> list[dict[str, Any]] | None:
        value = json.loads(run.staff.admin.get(f"/process-instance/{run.instance.id}/variables/projectDocuments",
                                               deserializeValue="false")["value"])
        minutes = [d for d in value if d["kind"] == "minutes"]
        return minutes if len(minutes) >= count else None
    return wait_until(documents, 60, f"{count} minutes filed in projectDocuments", interval_s=0.3)


def drive(run: Run) -> None:
    staff, seen = run.staff, run.seen
    # two regular meetings at once: R1 (tomorrow) and R2 (a week later)
    wait_until(lambda: len(run.mails("会议邀请")) >= 2, 60, "the invitations of meetings 1 and 2")
    minutes_1 = minutes_task(run, "第 1 次项目协调会 / Coordination meeting 1")
    minutes_2 = minutes_task(run, "第 2 次项目协调会 / Coordination meeting 2")
    seen["minutes assignee"] = minutes_1["assignee"]
    # wrong minutes go back to the owner naming the fields
    staff.complete(OWNER, minutes_1["id"], {
        "meetingAttendees": "", "meetingDiscussion": "进度 / progress",
        "actionItems": [{"item": "接口文档 / API document", "department": "finance", "dueDate": today().isoformat()}]})
    back = wait_until(lambda: [t for t in run.tasks("Task_WriteMinutes") if t["id"] != minutes_1["id"]
                               and t["id"] != minutes_2["id"]], 60, "the minutes task back")[0]
    seen["minutes rejection"] = staff.form_variables(OWNER, back["id"]).get("minutesRejection")
    staff.complete(OWNER, back["id"], {
        "meetingAttendees": "陈静、李强、张伟、黄磊", "meetingDiscussion": "接口进度正常 / interfaces on track",
        "meetingDecisions": "下周完成联调 / integration testing next week",
        "actionItems": [{"item": "提供客户接口清单 / List the customers' interfaces", "department": "sales",
                         "dueDate": today().isoformat()}]})
    filed(run, 1)
    staff.complete(OWNER, minutes_2["id"], {"meetingAttendees": "各部门负责人 / all heads",
                                            "meetingDiscussion": "样机计划 / prototype plan", "actionItems": []})
    seen["documents"] = filed(run, 2)
    # the sales item: overdue, reminded, then done by Sales
    [follow_up] = run.wait_tasks("Task_FollowUpActionItem", 1)
    seen["follow-up"] = follow_up
    seen["follow-up candidates"] = staff.admin.get(f"/task/{follow_up['id']}/identity-links")
    fire(run, "Event_ActionItemOverdue")
    wait_until(lambda: run.mails("催办"), 30, "the reminder of the overdue action item")
    staff.call("wu.hao", "POST", f"/task/{follow_up['id']}/claim", json={"userId": "wu.hao"})
    staff.complete("wu.hao", follow_up["id"], {"actionItemOutcome": "已提供 / done"})
    # a special meeting, called by Sales
    [call] = run.wait_tasks("Task_CallSpecialMeeting", 1)
    seen["outsider claim"] = staff.session("zhou.gang").post(
        f"{staff.engine.engine_url}/task/{call['id']}/claim", json={"userId": "zhou.gang"}, timeout=30).status_code
    staff.call("wu.hao", "POST", f"/task/{call['id']}/claim", json={"userId": "wu.hao"})
    staff.complete("wu.hao", call["id"], {
        "meetingCallTopic": "客户接口变更 / Customer interface change", "meetingCallDate": (today() + timedelta(days=1)).isoformat(),
        "meetingCallTime": "10:00", "meetingCallAgenda": "客户要求增加字段 / the customer wants more fields"})
    wait_until(lambda: run.mails("专项协调会议"), 60, "the special meeting's invitation")
    minutes_task(run, "第 1 次专项协调会议 / Special coordination meeting 1")
    seen["call task again"] = run.wait_tasks("Task_CallSpecialMeeting", 1)
    # milestones: completion refused while M2 has neither date nor reason, then accepted
    [progress] = run.wait_tasks("Task_RecordProgress", 1)
    rows = staff.form_variables(OWNER, progress["id"])["milestones"]
    rows[0]["actualDate"] = (today() - timedelta(days=1)).isoformat()
    staff.complete(OWNER, progress["id"], {"milestones": rows, "implementationComplete": True})
    again = wait_until(lambda: [t for t in run.tasks("Task_RecordProgress") if t["id"] != progress["id"]], 60,
                       "the progress task back")[0]
    shown = staff.form_variables(OWNER, again["id"])
    seen["progress rejection"], rows = shown.get("progressRejection"), shown["milestones"]
    rows[0]["actualDate"] = (today() - timedelta(days=1)).isoformat()
    rows[1]["reason"] = "客户推迟验收 / the customer postponed"
    staff.complete(OWNER, again["id"], {"milestones": rows, "implementationComplete": True})


@pytest.fixture(scope="module")
def run(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    folder = tmp_path_factory.mktemp("implementation")
    organisation_file = folder / "organisation.yaml"
    org = demo_with_starters(organisation_file)
    staff = Staff(engine, admin)
    staff.provision(org)
    deploy(admin, org)
    with smtp_server() as (box, port), http_receiver() as hooks:
        hooks.answer("/im", (500, {"error": "busy"}))
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", tasklist_url=TASKLIST,
                                      webhook_urls=[f"{hooks.base_url}/im"], archive_dir=folder / "archive")
        registry = load_registry().subset([t for t in load_registry().names() if t.startswith(TOPICS_PREFIX)])
        with running_worker(registry, settings):
            instance = admin.instance(start(admin, contract_inputs(organisation_file, BUSINESS_KEY), BUSINESS_KEY))
            result = Run(staff, instance, box, hooks, settings)
            try:
                drive(result)
                has_ended(instance, "EndEvent_Implemented")
            finally:
                _keep_artifacts(result)
            yield result
        with contextlib.suppress(Exception):
            staff.delete(instance.id)


def _keep_artifacts(run: Run) -> None:
    """The mails as received and the minutes, for a person to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for n, message in enumerate(run.mailbox.messages, start=1):
        (ARTIFACTS / f"mail-{n}.eml").write_bytes(bytes(message))
    for pdf in (run.settings.archive_root / "project-cooperation" / BUSINESS_KEY).glob("*.pdf"):
        (ARTIFACTS / pdf.name).write_bytes(pdf.read_bytes())


def invitations(run: Run) -> list[tuple[email.message.EmailMessage, Calendar]]:
    found = []
    for mail in run.mails("会议邀请"):
        [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
        found.append((mail, Calendar.from_ical(part.get_content())))
    return found


def uid(calendar: Calendar) -> str:
    return str(calendar.walk("VEVENT")[0]["UID"])


# --- the invitations --------------------------------------------------------------------------------------
def test_two_regular_meetings_and_one_special_meeting_are_invited_each_once(run: Run) -> None:
    uids = [uid(c) for _, c in invitations(run)]
    assert sorted(u.split(".")[0] for u in uids) == ["R1", "R2", "S1"], uids
    assert len(set(uids)) == len(uids), "a meeting was invited twice"


def test_each_invitation_goes_to_exactly_the_involved_department_heads(run: Run) -> None:
    for mail, calendar in invitations(run):
        assert {a.addr_spec for a in mail["To"].addresses} == HEADS, mail["Subject"]
        attendees = calendar.walk("VEVENT")[0]["ATTENDEE"]
        assert {str(a).removeprefix("mailto:") for a in attendees} == HEADS


def test_the_invitation_is_an_icalendar_request_in_the_company_zone_organised_by_the_owner(run: Run) -> None:
    mail, calendar = next((m, c) for m, c in invitations(run) if uid(c).startswith("R1."))
    [part] = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST" and calendar["METHOD"] == "REQUEST"
    event = calendar.walk("VEVENT")[0]
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["DTSTART"].dt == datetime.combine(today() + timedelta(days=1), datetime.min.time().replace(hour=9, minute=30),
                                                   tzinfo=SHANGHAI)
    assert str(event["ORGANIZER"]) == f"mailto:{OWNER}@example.com"
    assert uid(calendar) == f"R1.{run.instance.id}@corp.example"


def test_an_invitation_retried_after_the_webhook_failed_sends_no_second_mail(run: Run) -> None:
    failures = [f for f in run.staff.admin.failure_log(run.instance.id) if f["activityId"] == "Task_SendInvitation"]
    assert len(failures) == 1, "the webhook's one 500 fails one invitation task once (its mail had gone out)"
    invited = [json.dumps(body, ensure_ascii=False) for body in run.webhooks.received["/im"]]
    assert len([b for b in invited if "会议邀请" in b]) == 4, "three invitations, one of them posted twice (refused, then taken)"
    assert len(invitations(run)) == 3, "yet three mails: the retry did not send its mail again"


# --- minutes and action items ---------------------------------------------------------------------------
def test_the_minutes_task_belongs_to_the_project_owner(run: Run) -> None:
    assert run.seen["minutes assignee"] == OWNER


def test_wrong_minutes_come_back_naming_the_fields(run: Run) -> None:
    message = run.seen["minutes rejection"]
    assert "出席人员 / Attendees: 必填" in message
    assert "第 1 项 负责部门 / item 1 Owning department: finance 不是本项目的参与部门" in message


def test_minutes_are_filed_as_pdf_file_variable_and_project_document(run: Run) -> None:
    first = run.seen["documents"][0]
    assert (first["version"], first["variable"]) == (1, "doc_minutes_1")
    archived = (run.settings.archive_root / first["archive_path"]).read_bytes()
    response = run.staff.admin.session.get(
        f"{run.staff.admin.url}/history/variable-instance", params={"processInstanceId": run.instance.id,
                                                                    "variableName": "doc_minutes_1"}, timeout=30)
    [variable] = response.json()
    data = run.staff.admin.session.get(f"{run.staff.admin.url}/history/variable-instance/{variable['id']}/data", timeout=30)
    assert variable["type"] == "File" and data.content == archived
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(archived)).pages)
    for expected in ("项目协调会会议纪要", "第 1 次项目协调会", "陈静、李强、张伟、黄磊", "提供客户接口清单", "销售部"):
        assert expected in text, f"{expected!r} missing from the minutes"


def test_the_action_item_goes_to_its_department_due_on_its_day(run: Run) -> None:
    follow_up = run.seen["follow-up"]
    assert [link.get("groupId") for link in run.seen["follow-up candidates"] if link["type"] == "candidate"] == ["sales"]
    assert follow_up["due"].startswith(today().isoformat())


def test_an_overdue_action_item_is_reminded_to_its_department(run: Run) -> None:
    reminder = run.mails("催办")[0]  # after 18:00 the job executor may have reminded once more
    assert {"li.qiang@example.com", "wu.hao@example.com"} <= {a.addr_spec for a in reminder["To"].addresses}
    assert f"?task={run.seen['follow-up']['id']}" in reminder.get_body(("plain",)).get_content()


# --- special meetings ----------------------------------------------------------------------------------------
def test_a_department_outside_the_project_cannot_take_the_call_task(run: Run) -> None:
    assert run.seen["outsider claim"] in (403, 404)


def test_the_special_meeting_records_who_called_it_and_another_can_be_called(run: Run) -> None:
    specials = run.staff.admin.history_variables(run.instance.id)["specialMeetings"]
    assert [(s["id"], s["calledBy"], s["calledByDepartment"]) for s in specials] == [("S1", "wu.hao", "sales")]
    assert run.seen["call task again"], "the call task stands open again after a call"


# --- milestones and completion ---------------------------------------------------------------------------
def test_completion_with_a_milestone_neither_reached_nor_explained_is_refused(run: Run) -> None:
    assert "M2 样机交付 / Prototype 没有实际完成日期" in run.seen["progress rejection"]


def test_completion_writes_the_implementation_report(run: Run) -> None:
    report = run.staff.admin.history_variables(run.instance.id)["implementationReport"]
    assert report["completed_on"] == today().isoformat()
    assert report["meetings"] == 2  # the special meeting's minutes were never written
    assert report["open_action_items"] == 0
    assert [(m["id"], m["late_days"]) for m in report["milestones"]] == [("M1", 2), ("M2", 0)]


def test_completion_ends_every_open_meeting_task(run: Run) -> None:
    assert run.staff.tasks(run.instance.id) == []
