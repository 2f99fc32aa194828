"""Process `project-cooperation-implementation` (项目实施, policy §3.1 step 4): one handler per service
task of bpmn/project-cooperation-implementation.bpmn; docs/project-cooperation-implementation.md.

The cadence and meetings live in `meetings`, the invitation in `invitation`, the checks in `rules`,
the minutes' PDF in `pdf`; this module reads the engine where it must and says what goes back.
"""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path

from pydantic import Field

from workers import BusinessRejection, TaskContext, TaskProperties, topic
from workers.processes.project_cooperation_implementation import (
    MEETING_CALL_INVALID,
    MINUTES_INVALID,
    PROGRESS_INVALID,
    invitation,
    meetings,
    rules,
)
from workers.processes.project_cooperation_implementation.meetings import Meeting, MeetingSchedule
from workers.processes.project_cooperation_implementation.pdf import Minutes, MinutesItem, render_minutes_pdf
from workers.processes.project_cooperation_implementation.variables import (
    CheckMeetingCallInput,
    CheckMeetingCallOutput,
    CheckMinutesInput,
    CheckMinutesOutput,
    CheckProgressInput,
    CompletedOutput,
    FileMinutesInput,
    FileMinutesOutput,
    FollowUp,
    ImplementationReport,
    MeetingInput,
    MilestoneRow,
    PlanInput,
    PlanOutput,
    ProgressOutput,
    ReportMilestone,
    ScheduleNextInput,
    ScheduleNextOutput,
    SendInvitationOutput,
)
from workers.runtime import clock
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.shared.due_dates import LeadTime
from workers.shared.notify import Attachment, Bilingual, Notification, notify
from workers.shared.organisation.file import load
from workers.shared.organisation.lookups import department_head
from workers.shared.organisation.model import Organisation, Person
from workers.shared.project_documents import business_key as project_business_key
from workers.shared.project_documents import copy_earlier_documents, keep_document, next_version
from workers.shared.properties import ClockTime, TimeZone, parse_time_zone
from workers.shared.reminders import reminder_topic
from workers.shared.text import rejection_message

PROCESS_NAME = Bilingual(zh="项目实施", en="project implementation")
MINUTES_KIND = "minutes"
MINUTES_TITLE = "《项目协调会会议纪要》 / Coordination Meeting Minutes"
CALL_TASK = "Task_CallSpecialMeeting"
FOLLOW_UP_TASK = "Task_FollowUpActionItem"


# --- planning ------------------------------------------------------------------------------------
class PlanSettings(TaskProperties):
    time_zone: TimeZone = Field(examples=["Asia/Shanghai"])  # the company's: meetings, due days
    meeting_start_time: ClockTime = Field(examples=["09:30"])  # when a coordination meeting starts
    meeting_duration_minutes: int = Field(ge=1, examples=[90])
    invitation_lead_days: int = Field(ge=0, examples=[2])  # how long before a meeting it is sent
    deadline_time: ClockTime = Field(examples=["18:00"])  # when an action item's due day ends
    reminder_interval_hours: int = Field(ge=1, examples=[24])
    escalate_after_reminders: int = Field(ge=0, examples=[2])


@topic("cooperation-implementation.plan", properties=PlanSettings)
def plan(project: PlanInput, properties: PlanSettings, task: TaskContext) -> PlanOutput:
    """The cadence from the agreement (the first meeting still ahead), the milestones to track, and
    the project owner's tasks to their delegate while one is registered. The earlier phases'
    documents are copied onto this instance, so its tasks' documents panel offers them."""
    org = load(Path(project.organisation_file))
    copy_earlier_documents(task.engine, task.process_instance_id, project.project_documents)
    unknown = [d for d in project.involved_departments if d not in org.departments_by_id]
    if unknown or project.project_owner not in org.people_by_id:
        raise ValueError(f"the caller passed departments {unknown} or project owner {project.project_owner!r} "
                         f"that {project.organisation_file} does not know")
    schedule = MeetingSchedule(
        first_date=project.agreement.first_meeting_date, interval_days=project.agreement.meeting_interval_days,
        start_time=properties.meeting_start_time, duration_minutes=properties.meeting_duration_minutes,
        invitation_lead_days=properties.invitation_lead_days, time_zone=str(properties.time_zone))
    first = meetings.regular_meeting(schedule, meetings.first_regular_number(schedule, clock.now()))
    rows = [MilestoneRow(id=m.id, name=m.name, due_date=m.due_date) for m in project.agreement.milestones]
    return PlanOutput(
        meeting_schedule=schedule, next_meeting_id=first.id,
        next_invitation_at=meetings.invitation_time(schedule, first), special_meetings=[],
        milestones=rows, milestone_summary="", owner_assignee=_owner_or_delegate(task, project.project_owner),
        involved_groups=",".join(project.involved_departments), company_time_zone=str(properties.time_zone),
        deadline_time=properties.deadline_time.isoformat("minutes"),
        reminder_interval_hours=properties.reminder_interval_hours,
        escalate_after_reminders=properties.escalate_after_reminders)


def _owner_or_delegate(task: TaskContext, owner: str) -> str:
    """Who does the project owner's tasks now: resolved again for each task, since an implementation
    runs for months and delegations (代理) come and go meanwhile."""
    return resolve_assignee(owner, active_delegations(task.engine)).assignee


@topic("cooperation-implementation.schedule-next")
def schedule_next(cadence: ScheduleNextInput) -> ScheduleNextOutput:
    following = meetings.regular_meeting(cadence.meeting_schedule, meetings.regular_number(cadence.next_meeting_id) + 1)
    return ScheduleNextOutput(next_meeting_id=following.id,
                              next_invitation_at=meetings.invitation_time(cadence.meeting_schedule, following))


# --- special coordination meetings ----------------------------------------------------------------
@topic("cooperation-implementation.check-meeting-call", errors=[MEETING_CALL_INVALID])
def check_meeting_call(call: CheckMeetingCallInput, task: TaskContext) -> CheckMeetingCallOutput:
    """A special meeting called by someone of an involved department: who, as the engine recorded the
    completion of the call task, never as a form says."""
    zone = parse_time_zone(call.meeting_schedule.time_zone)
    values = call.model_dump(by_alias=True)
    request, problems = rules.meeting_call(values, clock.now().astimezone(zone).date())
    caller = _completed_by(task, CALL_TASK)
    org = load(Path(call.organisation_file))
    person = org.people_by_id.get(caller or "")
    if person is None or person.department not in call.involved_departments:
        problems.append(f"召集人 / Called by: {caller or '(unknown)'} 不属于本项目的参与部门 / "
                        "does not belong to an involved department of this project")
    if problems:
        raise BusinessRejection(MEETING_CALL_INVALID, rejection_message(problems))
    assert request is not None and person is not None
    called = meetings.special_meeting(len(call.special_meetings) + 1, request.topic, request.agenda, request.day,
                                      request.start, call.meeting_schedule, person.id, person.department)
    if called.starts_at <= clock.now():
        raise BusinessRejection(MEETING_CALL_INVALID, rejection_message([
            f"开始时间（时:分） / Start time (HH:MM): {request.day} {request.start:%H:%M} 已经过去 / has passed"]))
    return CheckMeetingCallOutput(special_meetings=[*call.special_meetings, called], called_meeting_id=called.id)


def _completed_by(task: TaskContext, activity_id: str) -> str | None:
    """Who completed the latest `activity_id` of this instance: its assignee when it was claimed, else
    the user the operation log recorded completing it."""
    done = task.engine.request("GET", "/history/task", params={
        "processInstanceId": task.process_instance_id, "taskDefinitionKey": activity_id, "finished": "true",
        "sortBy": "endTime", "sortOrder": "desc", "maxResults": "1"}) or []
    if not done:
        return None
    if done[0].get("assignee"):
        return done[0]["assignee"]
    log = task.engine.request("GET", "/history/user-operation", params={
        "taskId": done[0]["id"], "operationType": "Complete", "maxResults": "1"}) or []
    return log[0].get("userId") if log else None


# --- one meeting -----------------------------------------------------------------------------------
def _meeting(held: MeetingInput) -> Meeting:
    return meetings.meeting_by_id(held.meeting_id, held.meeting_schedule, held.special_meetings)


def _heads(org: Organisation, departments: list[str]) -> list[Person]:
    """Each involved department's head once (a person heading two departments is invited once)."""
    heads = {department_head(org, d).id: department_head(org, d) for d in departments}
    return list(heads.values())


@topic("cooperation-implementation.send-invitation", properties=LeadTime)
def send_invitation(held: MeetingInput, minutes_lead: LeadTime, task: TaskContext) -> SendInvitationOutput:
    """The .ics invitation to every involved department head, organised by the project owner, once per
    meeting: a redelivered or retried task sends no second mail (`notify` runs each channel once).
    The minutes are due the lead time after the meeting ends."""
    org = load(Path(held.organisation_file))
    meeting = _meeting(held)
    owner = org.person(held.project_owner)
    heads = _heads(org, held.involved_departments)
    zone = parse_time_zone(held.meeting_schedule.time_zone)
    domain = task.settings.mail_from.rpartition("@")[2] or "crossdept.invalid"
    when = f"{meeting.starts_at.astimezone(zone):%Y-%m-%d %H:%M}–{meeting.ends_at.astimezone(zone):%H:%M} ({zone})"
    called = f"\n召集人 / Called by: {org.person(meeting.called_by).name}" if meeting.called_by else ""
    agenda = f"\n议程 / Agenda: {meeting.agenda}" if meeting.agenda else ""
    description = (f"项目 / Project: {held.project_name}\n议题 / Topic: {meeting.topic}{agenda}{called}\n"
                   f"组织者 / Organiser: {owner.name}（项目负责人 / project owner）")
    ics = invitation.build_invitation(
        meeting, uid=invitation.meeting_uid(meeting, task.process_instance_id, domain), project_name=held.project_name,
        organizer=owner, attendees=heads, stamped_at=clock.now(), description=description)
    name = meeting.name()
    notify(task, Notification(
        event_key=f"cooperation-implementation:{task.process_instance_id}:invitation:{meeting.id}",
        recipients=heads,
        subject=Bilingual(zh=f"会议邀请：{held.project_name} {name.zh}", en=f"Invitation: {held.project_name}, {name.en}"),
        body=Bilingual(zh=f"请参加{name.zh}，时间 {when}。附件日历文件可加入您的日历。\n{description}",
                       en=f"You are invited to {name.en}, {when}. The attached calendar file adds it to your calendar."),
        attachments=[Attachment(filename=f"{meeting.id}.ics", content=ics, mime_type=invitation.MIME_TYPE,
                                mime_params=invitation.MIME_PARAMS)]))
    return SendInvitationOutput(meeting_title=meeting.title(), minutes_due=minutes_lead.due(meeting.ends_at),
                                minutes_assignee=_owner_or_delegate(task, held.project_owner))


@topic("cooperation-implementation.check-minutes", errors=[MINUTES_INVALID])
def check_minutes(written: CheckMinutesInput) -> CheckMinutesOutput:
    today = clock.now().astimezone(parse_time_zone(written.company_time_zone)).date()
    problems = rules.minutes_problems(written.model_dump(by_alias=True), written.involved_departments, today)
    if problems:
        raise BusinessRejection(MINUTES_INVALID, rejection_message(problems))
    return CheckMinutesOutput(minutes_rejection=None)


@topic("cooperation-implementation.file-minutes")
def file_minutes(written: FileMinutesInput, task: TaskContext) -> FileMinutesOutput:
    """The minutes as a PDF: write-once in the archive under the project's business key, a File variable
    `doc_minutes_<n>` Tasklist can offer, and an entry in `projectDocuments`; each action item then goes
    to its department, due at the end of its day."""
    org = load(Path(written.organisation_file))
    meeting = _meeting(written)
    zone = parse_time_zone(written.company_time_zone)
    ends_at = time.fromisoformat(written.deadline_time)
    names = {d.id: f"{d.name_zh} / {d.name_en}" for d in org.departments}
    items = rules.action_items(written.action_items)
    follow_ups = [FollowUp(id=f"{meeting.id}-{n}", item=a.item, department=a.department,
                           department_name=names[a.department], due_date=a.due_date,
                           due_at=datetime.combine(a.due_date, ends_at, tzinfo=zone), meeting=meeting.title())
                  for n, a in enumerate(items, start=1)]
    business_key = project_business_key(task)
    owner = org.person(written.project_owner)
    pdf = render_minutes_pdf(Minutes(
        company=org.company.label, project_name=written.project_name, business_key=business_key,
        process_instance_id=task.process_instance_id, meeting=meeting, time_zone=written.company_time_zone,
        organizer=owner.name, invited=[f"{p.name}（{names[p.department]}）" for p in _heads(org, written.involved_departments)],
        called_by=org.person(meeting.called_by).name if meeting.called_by else None,
        attendees=written.meeting_attendees, discussion=written.meeting_discussion,
        decisions=written.meeting_decisions or "",
        action_items=[MinutesItem(id=f.id, item=f.item, department_name=f.department_name, due_date=f.due_date)
                      for f in follow_ups]))
    entry = keep_document(task, MINUTES_KIND, f"{MINUTES_TITLE} {meeting.id}", next_version(written.project_documents, MINUTES_KIND),
                          pdf, archive_name=f"minutes-{meeting.id}.pdf")
    return FileMinutesOutput(project_documents=[*written.project_documents, entry], action_items_to_follow=follow_ups)


# --- reminders ------------------------------------------------------------------------------------
# 催办: one action item's follow-up, or one meeting's minutes, past its due date (the reminder task
# names its user task and the task variable that tells one item or meeting from another);
# escalated after escalateAfterReminders reminders (workers.shared.reminders).
reminder_topic("cooperation-implementation.remind", PROCESS_NAME)


# --- milestones and completion ----------------------------------------------------------------------
@topic("cooperation-implementation.check-progress", errors=[PROGRESS_INVALID])
def check_progress(progress: CheckProgressInput, task: TaskContext) -> ProgressOutput | CompletedOutput:
    """The owner's actual dates against the agreement's milestones, late ones shown; declared complete
    (every milestone with an actual date or a reason), the implementation report."""
    today = clock.now().astimezone(parse_time_zone(progress.company_time_zone)).date()
    agreed = [MilestoneRow(id=m.id, name=m.name, due_date=m.due_date) for m in progress.agreement.milestones]
    recorded, problems = rules.recorded_milestones(agreed, progress.milestones, today)
    complete = progress.implementation_complete is True
    if complete:
        problems += rules.completion_problems(recorded)
    if problems:
        raise BusinessRejection(PROGRESS_INVALID, rejection_message(problems))
    rows = [m.model_copy(update={"late_days": m.days_late(today)}) for m in recorded]
    shown = dict(milestones=rows, milestone_summary=rules.milestone_summary(recorded, today), progress_rejection=None,
                 owner_assignee=_owner_or_delegate(task, progress.project_owner))
    if not complete:
        return ProgressOutput(**shown, implementation_completed=False)
    return CompletedOutput(**shown, implementation_completed=True, implementation_report=ImplementationReport(
        completed_on=today,
        milestones=[ReportMilestone(id=m.id, name=m.name, due_date=m.due_date, actual_date=m.actual_date,
                                    late_days=m.days_late(today)) for m in recorded],
        meetings=sum(1 for d in progress.project_documents if d.kind == MINUTES_KIND),
        open_action_items=_open_follow_ups(task)))


def _open_follow_ups(task: TaskContext) -> int:
    found = task.engine.request("GET", "/task/count", params={
        "processInstanceId": task.process_instance_id, "taskDefinitionKey": FOLLOW_UP_TASK}) or {}
    return int(found.get("count", 0))

