"""Phase 4 of project cooperation (项目实施) without an engine: the meeting cadence, the iCalendar
invitation as a calendar reads it back, the minutes' and the special meeting request's checks naming
fields by their labels, milestone lateness and the completion report, through the handler harness."""

from __future__ import annotations

import base64
import email
import email.policy
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.support.model_properties import element_properties
from workers.processes.project_cooperation_implementation import labels, meetings, rules
from workers.processes.project_cooperation_implementation.meetings import MeetingSchedule
from workers.processes.project_cooperation_implementation.variables import MilestoneRow
from workers.runtime.settings import Settings
from workers.shared.due_dates import LeadTime
from workers.runtime.testing import BpmnError, Completed, HandlerEnvironment

ROOT = Path(__file__).resolve().parents[2]
ORGANISATION = ROOT / "org" / "demo-organisation.yaml"
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
INVOLVED = ["marketing", "sales", "engineering"]
HEADS = {"chen.jing", "li.qiang", "zhang.wei"}  # the heads of the three departments
SCHEDULE = MeetingSchedule(first_date=date(2026, 12, 3), interval_days=14, start_time=time(9, 30), duration_minutes=90,
                           invitation_lead_days=2, time_zone="Asia/Shanghai")
AGREEMENT = {"meeting_interval_days": 14, "first_meeting_date": "2026-11-19",
             "milestones": [{"id": "M1", "name": "方案设计 / Design", "due_date": "2026-11-30"},
                            {"id": "M2", "name": "样机交付 / Prototype", "due_date": "2026-12-20"}]}
PLAN_PROPERTIES = {"timeZone": "Asia/Shanghai", "meetingStartTime": "09:30", "meetingDurationMinutes": "90",
                   "invitationLeadDays": "2", "deadlineTime": "18:00", "reminderIntervalHours": "24",
                   "escalateAfterReminders": "2"}
INVITATION_PROPERTIES = element_properties("project-cooperation-implementation.bpmn", "Task_SendInvitation")
MEETING = {"meetingId": "R2", "meetingSchedule": SCHEDULE.model_dump(mode="json", by_alias=True),
           "specialMeetings": [], "projectName": "智能仓储 / Smart warehouse", "projectOwner": "huang.lei",
           "involvedDepartments": INVOLVED, "organisationFile": str(ORGANISATION)}


def _environment(tmp_path: Path) -> HandlerEnvironment:
    env = HandlerEnvironment(now=NOW, settings=Settings(
        worker_id="harness", data_dir=tmp_path, mail_outbox_dir=tmp_path / "outbox", mail_from="pm@corp.example",
        tasklist_url="http://tasklist.example/camunda/app/tasklist/default/"))
    env.engine.answer("GET", "/process-instance", [])  # no delegation registered
    return env


def _delegated(env: HandlerEnvironment, principal: str, delegate: str) -> None:
    """A registered delegation (a delegation instance waiting at its end) active around NOW."""
    env.engine.answer("GET", "/process-instance", [{"id": "delegation-1"}])
    env.engine.answer("GET", "/variable-instance", [
        {"processInstanceId": "delegation-1", "name": name, "type": "String", "value": value}
        for name, value in (("principal", principal), ("delegate", delegate),
                            ("delegationStarts", "2026-11-30T00:00:00+08:00"), ("delegationEnds", "2026-12-31T00:00:00+08:00"))])


def _mails(tmp_path: Path) -> list[email.message.EmailMessage]:
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted((tmp_path / "outbox").glob("*.eml"))]


def _ics(mail: email.message.EmailMessage) -> tuple[Calendar, email.message.EmailMessage]:
    parts = [p for p in mail.iter_attachments() if p.get_content_type() == "text/calendar"]
    assert len(parts) == 1, f"expected one text/calendar attachment, found {[p.get_content_type() for p in mail.iter_attachments()]}"
    return Calendar.from_ical(parts[0].get_content()), parts[0]


# --- the cadence -------------------------------------------------------------------------------------
def test_regular_meetings_follow_the_agreements_interval_at_the_diagrams_start_time() -> None:
    third = meetings.regular_meeting(SCHEDULE, 3)
    assert third.id == "R3"
    assert third.starts_at == datetime(2026, 12, 31, 9, 30, tzinfo=SHANGHAI)
    assert third.ends_at - third.starts_at == timedelta(minutes=90)
    assert meetings.invitation_time(SCHEDULE, third) == datetime(2026, 12, 29, 9, 30, tzinfo=SHANGHAI)


def test_plan_invites_first_to_the_first_meeting_still_ahead_and_lists_the_milestones(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    outcome = env.run("cooperation-implementation.plan", {
        "agreement": AGREEMENT, "projectOwner": "huang.lei", "involvedDepartments": INVOLVED,
        "organisationFile": str(ORGANISATION)}, properties=PLAN_PROPERTIES)
    assert isinstance(outcome, Completed), outcome
    out = outcome.variables
    # 19 Nov has passed, 3 Dec 09:30 is ahead: meeting R2, invited two days before, i.e. at once
    assert out["nextMeetingId"] == "R2"
    assert datetime.fromisoformat(out["nextInvitationAt"]) == datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    assert [m["id"] for m in out["milestones"]] == ["M1", "M2"]
    assert out["involvedGroups"] == "marketing,sales,engineering"
    assert out["ownerAssignee"] == "huang.lei"
    assert out["reminderIntervalHours"] == 24


def test_the_next_meeting_is_one_interval_after_the_one_held(tmp_path: Path) -> None:
    outcome = _environment(tmp_path).run("cooperation-implementation.schedule-next", {
        "meetingSchedule": MEETING["meetingSchedule"], "nextMeetingId": "R2"})
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["nextMeetingId"] == "R3"
    assert datetime.fromisoformat(outcome.variables["nextInvitationAt"]) == datetime(2026, 12, 29, 9, 30, tzinfo=SHANGHAI)


# --- the invitation ------------------------------------------------------------------------------------
def test_the_invitation_is_an_icalendar_request_to_exactly_the_involved_heads(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    outcome = env.run("cooperation-implementation.send-invitation", MEETING, process_instance_id="pi-1",
                      activity_id="Task_SendInvitation", properties=INVITATION_PROPERTIES)
    minutes_due = LeadTime.model_validate(INVITATION_PROPERTIES).due(datetime(2026, 12, 17, 11, 0, tzinfo=SHANGHAI))
    assert outcome == Completed({"meetingTitle": "第 2 次项目协调会 / Coordination meeting 2", "minutesAssignee": "huang.lei",
                                 "minutesDue": minutes_due.isoformat()})
    # counted from the meeting's end (Thursday 17 December), in working days: never on the weekend
    assert minutes_due.date() > date(2026, 12, 17) and minutes_due.weekday() < 5 and minutes_due.time() == time(18, 0)
    [mail] = _mails(tmp_path)
    assert {a.username for a in mail["To"].addresses} == HEADS
    calendar, part = _ics(mail)
    assert part.get_param("method") == "REQUEST" and part.get_content_charset() == "utf-8"
    assert calendar["METHOD"] == "REQUEST"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "智能仓储 / Smart warehouse：第 2 次项目协调会 / Coordination meeting 2：项目进展与问题协调 / Progress and problems"
    assert {a.params["CN"] for a in event["ATTENDEE"]} == {"陈静", "李强", "张伟"}
    assert str(event["UID"]) == "R2.pi-1@corp.example"
    start = event["DTSTART"]
    assert start.params["TZID"] == "Asia/Shanghai"
    assert start.dt == datetime(2026, 12, 17, 9, 30, tzinfo=SHANGHAI)
    assert event["DTEND"].dt == datetime(2026, 12, 17, 11, 0, tzinfo=SHANGHAI)
    assert calendar.walk("VTIMEZONE")[0]["TZID"] == "Asia/Shanghai"
    assert str(event["ORGANIZER"]) == "mailto:huang.lei@example.com"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert {str(a).removeprefix("mailto:").split("@")[0] for a in attendees} == HEADS
    assert all(a.params["ROLE"] == "REQ-PARTICIPANT" and a.params["RSVP"] == "TRUE" for a in attendees)


def test_the_minutes_go_to_the_owners_delegate_registered_since_the_implementation_began(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    _delegated(env, "huang.lei", "xu.ming")
    outcome = env.run("cooperation-implementation.send-invitation", MEETING, process_instance_id="pi-1",
                      activity_id="Task_SendInvitation", properties=INVITATION_PROPERTIES)
    assert isinstance(outcome, Completed) and outcome.variables["minutesAssignee"] == "xu.ming"


def test_a_retried_invitation_sends_no_second_mail(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    for _ in range(2):  # the same task delivered again (a lost complete, an expired lock)
        assert isinstance(env.run("cooperation-implementation.send-invitation", MEETING, process_instance_id="pi-1",
                                  activity_id="Task_SendInvitation", properties=INVITATION_PROPERTIES), Completed)
    assert len(_mails(tmp_path)) == 1


def test_each_meeting_has_its_own_uid(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    for meeting_id in ("R2", "R3"):
        env.run("cooperation-implementation.send-invitation", {**MEETING, "meetingId": meeting_id},
                process_instance_id="pi-1", activity_id="Task_SendInvitation", properties=INVITATION_PROPERTIES)
    uids = sorted(str(_ics(m)[0].walk("VEVENT")[0]["UID"]) for m in _mails(tmp_path))
    assert uids == ["R2.pi-1@corp.example", "R3.pi-1@corp.example"]


# --- special meetings ----------------------------------------------------------------------------------
CALL = {"meetingCallTopic": "接口联调 / Interface testing", "meetingCallDate": "2026-12-04", "meetingCallTime": "14:30",
        "meetingCallAgenda": "联调计划 / the test plan", "meetingSchedule": MEETING["meetingSchedule"],
        "specialMeetings": [], "involvedDepartments": INVOLVED, "organisationFile": str(ORGANISATION)}


def _called_by(env: HandlerEnvironment, user: str | None) -> None:
    env.engine.answer("GET", "/history/task", [{"id": "t-call", "assignee": user}])
    env.engine.answer("GET", "/history/user-operation", [{"userId": "wu.hao"}])


def test_a_special_meeting_is_called_by_whoever_completed_the_call_task(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    _called_by(env, "wu.hao")  # 销售部 Sales
    outcome = env.run("cooperation-implementation.check-meeting-call", CALL)
    assert isinstance(outcome, Completed), outcome
    [called] = outcome.variables["specialMeetings"]
    assert outcome.variables["calledMeetingId"] == "S1" == called["id"]
    assert (called["calledBy"], called["calledByDepartment"]) == ("wu.hao", "sales")
    assert datetime.fromisoformat(called["startsAt"]) == datetime(2026, 12, 4, 14, 30, tzinfo=SHANGHAI)
    assert outcome.variables["meetingCallTopic"] == "" == outcome.variables["meetingCallDate"], \
        "the form starts empty for the next call, with text variables Tasklist can submit into"


def test_a_special_meeting_completed_without_claiming_names_the_completer_from_the_operation_log(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    _called_by(env, None)
    outcome = env.run("cooperation-implementation.check-meeting-call", CALL)
    assert isinstance(outcome, Completed) and outcome.variables["specialMeetings"][0]["calledBy"] == "wu.hao"


def test_a_special_meeting_request_names_each_wrong_field(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    _called_by(env, "wu.hao")
    outcome = env.run("cooperation-implementation.check-meeting-call", {
        **CALL, "meetingCallTopic": " ", "meetingCallDate": "2026-12-01", "meetingCallTime": "25:00"})
    assert isinstance(outcome, BpmnError) and outcome.code == "MEETING_CALL_INVALID"
    assert "会议议题 / Topic: 必填" in outcome.message
    assert "会议日期 / Date: 2026-12-01 已经过去" in outcome.message
    assert "开始时间（时:分） / Start time (HH:MM): '25:00' 不是时:分" in outcome.message


def test_someone_outside_the_involved_departments_cannot_call_a_special_meeting(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    _called_by(env, "liu.min")  # 总经理办公室, not involved
    outcome = env.run("cooperation-implementation.check-meeting-call", CALL)
    assert isinstance(outcome, BpmnError) and "不属于本项目的参与部门" in outcome.message


# --- minutes -------------------------------------------------------------------------------------------
def test_minutes_name_every_wrong_field_by_its_label() -> None:
    problems = rules.minutes_problems({
        "meetingAttendees": "", "meetingDiscussion": "进度 / progress",
        "actionItems": [{"item": "接口文档 / API document", "department": "finance", "dueDate": "2026-12-10"},
                        {"item": "", "department": "sales", "dueDate": "2026-12-01"},
                        {"item": "样机 / prototype", "department": "engineering", "dueDate": "soon"}]},
        INVOLVED, date(2026, 12, 2))
    assert problems == [
        "出席人员 / Attendees: 必填 / is required",
        "第 1 项 负责部门 / item 1 Owning department: finance 不是本项目的参与部门（marketing, sales, engineering） / "
        "finance is not an involved department of this project (marketing, sales, engineering)",
        "第 2 项 事项 / item 2 Item: 必填 / is required",
        "第 2 项 完成期限 / item 2 Due date: 2026-12-01 已经过去，期限不能早于今天 2026-12-02 / 2026-12-01 has passed: "
        "the due date cannot be before today (2026-12-02)",
        "第 3 项 完成期限 / item 3 Due date: 'soon' 不是日期，如 2026-12-03 / is not a date like 2026-12-03",
    ]


def test_minutes_due_today_and_without_action_items_pass() -> None:
    assert rules.minutes_problems({"meetingAttendees": "各部门负责人", "meetingDiscussion": "进度",
                                   "actionItems": [{"item": "x", "department": "sales", "dueDate": "2026-12-02"}]},
                                  INVOLVED, date(2026, 12, 2)) == []
    assert rules.minutes_problems({"meetingAttendees": "a", "meetingDiscussion": "b", "actionItems": None},
                                  INVOLVED, date(2026, 12, 2)) == []


def test_wrong_minutes_go_back_to_the_form_as_a_bpmn_error(tmp_path: Path) -> None:
    outcome = _environment(tmp_path).run("cooperation-implementation.check-minutes", {
        "meetingAttendees": "a", "meetingDiscussion": "b", "involvedDepartments": INVOLVED,
        "companyTimeZone": "Asia/Shanghai", "actionItems": [{"item": "x", "department": "gmoffice", "dueDate": "2026-12-09"}]})
    assert isinstance(outcome, BpmnError) and outcome.code == "MINUTES_INVALID" and "负责部门" in outcome.message


def test_filed_minutes_are_archived_kept_as_a_file_variable_and_listed_with_their_action_items(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    env.engine.answer("PUT", "/process-instance/pi-1/variables/doc_minutes_2", None)
    outcome = env.run("cooperation-implementation.file-minutes", {
        **MEETING, "meetingAttendees": "陈静、李强、张伟", "meetingDiscussion": "进度正常 / on track",
        "meetingDecisions": "", "companyTimeZone": "Asia/Shanghai", "deadlineTime": "18:00",
        "actionItems": [{"item": "接口文档 / API document", "department": "engineering", "dueDate": "2026-12-10"}],
        "projectDocuments": [{"kind": "minutes", "title": "t", "version": 1, "variable": "doc_minutes_1",
                              "archive_path": "a", "sha256": "s"}]},
        process_instance_id="pi-1", business_key="PC-2026-001")
    assert isinstance(outcome, Completed), outcome
    entry = outcome.variables["projectDocuments"][-1]
    pdf = (env.settings.archive_root / entry["archive_path"]).read_bytes()
    assert entry["archive_path"] == "project-cooperation/PC-2026-001/minutes-R2.pdf" and pdf.startswith(b"%PDF")
    assert (entry["kind"], entry["version"], entry["variable"]) == ("minutes", 2, "doc_minutes_2")
    [upload] = env.engine.requested("PUT", "/process-instance/pi-1/variables/doc_minutes_2")
    assert upload.json["type"] == "File" and base64.b64decode(upload.json["value"]) == pdf
    [follow_up] = outcome.variables["actionItemsToFollow"]
    assert (follow_up["id"], follow_up["department"], follow_up["departmentName"]) == ("R2-1", "engineering", "技术部 / Engineering")
    assert datetime.fromisoformat(follow_up["dueAt"]) == datetime(2026, 12, 10, 18, 0, tzinfo=SHANGHAI)


# --- reminders of action items -------------------------------------------------------------------------
def test_an_overdue_action_item_reminds_only_its_own_follow_up_task(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    env.engine.answer("GET", "/task", [{"id": "t-1", "name": "完成会议待办事项", "assignee": None,
                                        "due": "2026-12-01T18:00:00.000+0800"}])
    env.engine.answer("GET", "/task/t-1/identity-links", [{"type": "candidate", "groupId": "engineering"}])
    outcome = env.run("cooperation-implementation.remind", {"remindTaskValue": "R2-1", "escalateAfterReminders": 2},
                      properties=element_properties("project-cooperation-implementation.bpmn", "Task_RemindActionItem"))
    assert outcome == Completed({"remindersSent": {"t-1": 1}})
    [query] = env.engine.requested("GET", "/task")
    assert query.params["taskVariables"] == "actionItemId_eq_R2-1"
    assert query.params["taskDefinitionKeyIn"] == "Task_FollowUpActionItem"
    [mail] = _mails(tmp_path)  # the candidates: every member of Engineering
    assert {a.username for a in mail["To"].addresses} == {"zhang.wei", "huang.lei", "xu.ming"}
    assert "?task=t-1" in mail.get_content()


# --- milestones and completion ---------------------------------------------------------------------------
AGREED = [MilestoneRow(id="M1", name="设计", due_date=date(2026, 11, 30)),
          MilestoneRow(id="M2", name="样机", due_date=date(2026, 12, 20))]


def test_a_milestone_reached_late_counts_its_days_late_and_one_not_reached_counts_until_today() -> None:
    recorded, problems = rules.recorded_milestones(AGREED, [{"id": "M1", "actualDate": "2026-12-01"}], date(2026, 12, 22))
    assert problems == []
    assert [m.days_late(date(2026, 12, 22)) for m in recorded] == [1, 2]


def test_an_actual_date_in_the_future_is_refused_naming_the_row() -> None:
    _, problems = rules.recorded_milestones(AGREED, [{"id": "M2", "actualDate": "2026-12-25"}], date(2026, 12, 2))
    assert problems == ["第 2 行 实际完成日期 / row 2 Actual date: 2026-12-25 还没到，只记录已达成的日期 / "
                        "2026-12-25 is in the future: record a date reached"]


def test_completion_needs_every_milestone_reached_or_a_reason() -> None:
    recorded, _ = rules.recorded_milestones(AGREED, [{"id": "M1", "actualDate": "2026-11-30"}], date(2026, 12, 2))
    assert rules.completion_problems(recorded) == [
        "第 2 行 实际完成日期 / row 2 Actual date: M2 样机 没有实际完成日期，请填写日期或原因 / has no actual date: enter it or a reason"]
    with_reason, _ = rules.recorded_milestones(AGREED, [{"id": "M1", "actualDate": "2026-11-30"},
                                                        {"id": "M2", "reason": "客户推迟 / postponed by the customer"}],
                                               date(2026, 12, 2))
    assert rules.completion_problems(with_reason) == []


def test_declaring_completion_writes_the_implementation_report(tmp_path: Path) -> None:
    env = _environment(tmp_path)
    env.engine.answer("GET", "/task/count", {"count": 1})
    outcome = env.run("cooperation-implementation.check-progress", {
        "agreement": AGREEMENT, "projectOwner": "huang.lei", "companyTimeZone": "Asia/Shanghai", "implementationComplete": True,
        "milestones": [{"id": "M1", "actualDate": "2026-12-01"}, {"id": "M2", "actualDate": "2026-12-02"}],
        "projectDocuments": [{"kind": "application", "title": "a", "version": 1, "variable": "doc_application_1",
                              "archive_path": "x", "sha256": "y"},
                             {"kind": "minutes", "title": "m", "version": 1, "variable": "doc_minutes_1",
                              "archive_path": "x", "sha256": "y"}]})
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["implementationCompleted"] is True
    assert outcome.variables["implementationReport"] == {
        "completed_on": "2026-12-02", "meetings": 1, "open_action_items": 1,
        "milestones": [{"id": "M1", "name": "方案设计 / Design", "due_date": "2026-11-30", "actual_date": "2026-12-01", "late_days": 1},
                       {"id": "M2", "name": "样机交付 / Prototype", "due_date": "2026-12-20", "actual_date": "2026-12-02", "late_days": 0}]}
    assert "M1 方案设计 / Design（计划 / due 2026-11-30）：2026-12-01 达成，逾期 1 天" in outcome.variables["milestoneSummary"]


def test_recording_progress_without_completion_shows_late_ones_and_goes_on(tmp_path: Path) -> None:
    outcome = _environment(tmp_path).run("cooperation-implementation.check-progress", {
        "agreement": AGREEMENT, "projectOwner": "huang.lei", "companyTimeZone": "Asia/Shanghai", "implementationComplete": False,
        "milestones": [], "projectDocuments": []})
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["implementationCompleted"] is False and "implementationReport" not in outcome.variables
    assert [row["lateDays"] for row in outcome.variables["milestones"]] == [2, 0]


def test_declaring_completion_with_a_milestone_left_open_goes_back_naming_it(tmp_path: Path) -> None:
    outcome = _environment(tmp_path).run("cooperation-implementation.check-progress", {
        "agreement": AGREEMENT, "projectOwner": "huang.lei", "companyTimeZone": "Asia/Shanghai", "implementationComplete": True,
        "milestones": [{"id": "M1", "actualDate": "2026-12-01"}], "projectDocuments": []})
    assert isinstance(outcome, BpmnError) and outcome.code == "PROGRESS_INVALID"
    assert "M2 样机交付 / Prototype 没有实际完成日期" in outcome.message


# --- the forms and the messages agree ---------------------------------------------------------------------
def _labels(components: list[dict]) -> dict[str, str]:
    found = {}
    for c in components:
        if c.get("key") and c.get("label"):
            found[c["key"]] = c["label"]
        if c.get("type") == "datetime" and c.get("key"):
            found[c["key"]] = c.get("dateLabel", "")
        if c.get("path"):
            found[c["path"]] = c["label"]
        found |= _labels(c.get("components", []))
    return found


@pytest.mark.parametrize("form, named", [
    ("cooperation-implementation-call-meeting", labels.CALL),
    ("cooperation-implementation-minutes", {**labels.MINUTES, **labels.ACTION_ITEM}),
    ("cooperation-implementation-progress", {**labels.PROGRESS, **labels.MILESTONE}),
])
def test_messages_name_fields_by_the_labels_their_forms_show(form: str, named: dict[str, str]) -> None:
    shown = _labels(json.loads((ROOT / "forms" / f"{form}.form").read_text(encoding="utf-8"))["components"])
    assert {key: shown.get(key) for key in named} == named

