"""The variables of process `project-cooperation-implementation`: each topic's input and output.

The Json variables the caller passes (contract B: `agreement`, `projectDocuments`, ...) are read into
small models of the fields used here, with the contract's snake_case keys; the variables of this
process are camelCase like every process variable. What people type (minutes, the special meeting
request, milestone dates) is read `AsTyped` by the step whose check names every problem by field.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from workers.processes.project_cooperation_implementation.meetings import Meeting, MeetingSchedule
from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables
from workers.shared.project_documents import ProjectDocument

# As the BPMN's timers and due dates read it: ISO text with the offset.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


# --- contract B (the caller's Json) --------------------------------------------------------------
class _Contract(BaseModel):
    model_config = ConfigDict(extra="ignore")


class AgreedMilestone(_Contract):
    id: str
    name: str
    due_date: date


class Agreement(_Contract):
    """The fields of the cooperation agreement phase 4 uses."""

    milestones: list[AgreedMilestone] = Field(default_factory=list)
    meeting_interval_days: int = Field(ge=1)
    first_meeting_date: date


class ReportMilestone(_Contract):
    id: str
    name: str
    due_date: date
    actual_date: date | None
    late_days: int


class ImplementationReport(_Contract):
    """Output `implementationReport` (contract B)."""

    completed_on: date
    milestones: list[ReportMilestone]
    meetings: int
    open_action_items: int


# --- rows of this process -------------------------------------------------------------------------
class MilestoneRow(ProcessVariables):
    """A row of the progress form's `milestones` list."""

    id: str
    name: str
    due_date: date
    actual_date: date | None = None
    reason: str = ""
    late_days: int | None = None  # as the form shows it, from `days_late` when last checked

    def days_late(self, today: date) -> int:
        """Days past the due date: until the actual date, or until today while it is not reached."""
        return max(0, ((self.actual_date or today) - self.due_date).days)


class FollowUp(ProcessVariables):
    """One action item to follow up (`actionItemsToFollow`, the follow-up subprocess's collection)."""

    id: str
    item: str
    department: str
    department_name: str
    due_date: date
    due_at: IsoDateTime  # the end of the due day in the company's zone: the task's due date
    meeting: str


# --- topics -------------------------------------------------------------------------------------
class PlanInput(ProcessVariables):
    agreement: Agreement
    project_owner: str
    involved_departments: list[str] = Field(min_length=1)
    organisation_file: str
    project_documents: list[ProjectDocument] = []  # the earlier phases', copied onto this instance


class PlanOutput(ProcessVariables):
    meeting_schedule: MeetingSchedule
    next_meeting_id: str
    next_invitation_at: IsoDateTime
    special_meetings: list[Meeting]
    milestones: list[MilestoneRow]
    milestone_summary: str
    owner_assignee: str
    involved_groups: str  # comma-separated, as camunda:candidateGroups reads it
    company_time_zone: str
    deadline_time: str
    reminder_interval_hours: int
    escalate_after_reminders: int
    implementation_completed: bool = False


class ScheduleNextInput(ProcessVariables):
    meeting_schedule: MeetingSchedule
    next_meeting_id: str


class ScheduleNextOutput(ProcessVariables):
    next_meeting_id: str
    next_invitation_at: IsoDateTime


class CheckMeetingCallInput(ProcessVariables):
    meeting_call_topic: Annotated[Any, AsTyped(str)] = None
    meeting_call_date: Annotated[Any, AsTyped(str)] = None  # 2026-12-04, as the form's date field sends it
    meeting_call_time: Annotated[Any, AsTyped(str)] = None
    meeting_call_agenda: Annotated[Any, AsTyped(str)] = None
    meeting_schedule: MeetingSchedule
    special_meetings: list[Meeting]
    involved_departments: list[str]
    organisation_file: str


class CheckMeetingCallOutput(ProcessVariables):
    special_meetings: list[Meeting]
    called_meeting_id: str
    meeting_call_rejection: str | None = None
    # The form starts empty for the next meeting: empty text, not None, since Tasklist submits a field
    # with its variable's type and a null variable refuses the text typed into it.
    meeting_call_topic: str = ""
    meeting_call_date: str = ""
    meeting_call_time: str = ""
    meeting_call_agenda: str = ""


class MeetingInput(ProcessVariables):
    """Which meeting, and the project it belongs to."""

    meeting_id: str
    meeting_schedule: MeetingSchedule
    special_meetings: list[Meeting]
    project_name: str
    project_owner: str
    involved_departments: list[str]
    organisation_file: str


class SendInvitationOutput(ProcessVariables):
    meeting_title: str
    minutes_due: IsoDateTime  # Task_WriteMinutes' camunda:dueDate: the lead time after the meeting
    minutes_assignee: str  # the project owner, or their delegate while one is registered


class CheckMinutesInput(ProcessVariables):
    meeting_attendees: Annotated[Any, AsTyped(str)] = None
    meeting_discussion: Annotated[Any, AsTyped(str)] = None
    meeting_decisions: Annotated[Any, AsTyped(str)] = None
    action_items: Annotated[Any, AsTyped(list[dict])] = None
    involved_departments: list[str]
    company_time_zone: str


class CheckMinutesOutput(ProcessVariables):
    minutes_rejection: str | None = None


class FileMinutesInput(MeetingInput):
    meeting_attendees: str
    meeting_discussion: str
    meeting_decisions: str | None = None
    action_items: Annotated[Any, AsTyped(list[dict])] = None
    project_documents: list[ProjectDocument]
    company_time_zone: str
    deadline_time: str


class FileMinutesOutput(ProcessVariables):
    project_documents: list[ProjectDocument]
    action_items_to_follow: list[FollowUp]


class CheckProgressInput(ProcessVariables):
    milestones: Annotated[Any, AsTyped(list[MilestoneRow])] = None
    implementation_complete: Annotated[Any, AsTyped(bool)] = None
    agreement: Agreement
    project_documents: list[ProjectDocument]
    project_owner: str
    company_time_zone: str


class ProgressOutput(ProcessVariables):
    owner_assignee: str  # the progress task comes back to the owner's delegate while one is registered
    milestones: list[MilestoneRow]
    milestone_summary: str
    progress_rejection: str | None = None
    implementation_completed: bool


class CompletedOutput(ProgressOutput):
    implementation_report: ImplementationReport
