"""The variables of process `information-sharing`: each topic's input and output.

The start form's fields are read `AsTyped` by check-request, which names every problem by the
form's label; everything after it reads what check-request wrote. `sharingAudienceGroups` and
`sharingAudienceUsers` are written here only (the engine grants per-instance READ from them and
refuses them from anyone but the workers and administrators).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import PlainSerializer

from workers.processes.information_sharing.labels import Category, Channel, Sensitivity
from workers.processes.information_sharing.rules import Approval, SharingPermissions
from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables

# As `camunda:dueDate="${acknowledgementDue}"` and the reminder cycle read it: ISO text with its offset.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


class Share(ProcessVariables):
    """What is shared, once check-request accepted it."""

    title: str
    category: Category
    sensitivity: Sensitivity
    summary: str | None = None
    content: str | None = None
    content_link: str | None = None
    share_version: int
    previous_share_instance: str | None = None


class Parties(ProcessVariables):
    organisation_file: str
    publisher: str
    publisher_department: str
    receiving_departments: list[str]


class Acknowledgement(ProcessVariables):
    """One department's receipt (签收): who, as the engine authenticated them, when, and late or not;
    `by` and `at` are None while it is missing."""

    department: str
    by: str | None = None
    at: datetime | None = None
    due: datetime
    late: bool
    feedback: str | None = None  # "error" or "question" when the receiver reported back


# --- check-request ---------------------------------------------------------------------------------
class CheckRequestInput(ProcessVariables):
    title: Annotated[Any, AsTyped(str)] = None
    category: Annotated[Any, AsTyped(Category)] = None
    sensitivity: Annotated[Any, AsTyped(Sensitivity)] = None
    summary: Annotated[Any, AsTyped(str)] = None
    content: Annotated[Any, AsTyped(str)] = None
    content_link: Annotated[Any, AsTyped(str)] = None
    target_departments: Annotated[Any, AsTyped(list[str])] = None
    channels: Annotated[Any, AsTyped(list[Channel])] = None
    sharing_permissions: SharingPermissions | None = None  # None: the decision has no rule (bad category)
    initiator: str | None = None
    share_version: int | None = None  # set only on a correction the workers start
    previous_share_instance: str | None = None


class CheckRequestOutput(ProcessVariables):
    organisation_file: str
    publisher: str
    publisher_department: str
    share_version: int
    receiving_departments: list[str]
    delivery_channels: list[Channel]
    sharing_audience_groups: list[str]
    sharing_audience_users: list[str]
    approval_needed: Approval
    approval_subject: str
    approval_kind: str
    approval_approvers: list[str]
    approval_copy_to: list[str]
    approval_applicant: str
    approval_context: str
    acknowledgement_required: bool
    reminder_interval_hours: int
    escalate_after_reminders: int
    retention_days: int  # contract D: the engine keeps the instance's history this many days after its end
    sharing_obligation: str | None = None  # the obligation's id (through the engine): its correction form
    rejection_message: str | None = None


# --- publish ---------------------------------------------------------------------------------------
class PublishInput(Share, Parties):
    delivery_channels: list[Channel]
    sharing_permissions: SharingPermissions


class PublishOutput(ProcessVariables):
    published_at: IsoDateTime
    acknowledgement_due: IsoDateTime


# --- acknowledgement -------------------------------------------------------------------------------
class RecordAcknowledgementInput(ProcessVariables):
    receiving_department: str  # the multi-instance's element
    acknowledged_by: str  # the task listener's: the user the engine authenticated for the completion
    acknowledged_at: datetime
    acknowledgement_due: datetime
    feedback_kind: Annotated[Any, AsTyped(str)] = None
    feedback_text: Annotated[Any, AsTyped(str)] = None


class RecordAcknowledgementOutput(ProcessVariables):
    acknowledgement: Acknowledgement
    feedback_problem: str | None = None  # cleared: the form's message of an earlier refusal


class AcknowledgementsInput(ProcessVariables):
    organisation_file: str
    receiving_departments: list[str]
    acknowledgement_due: datetime
    reminders_sent: dict[str, int] = {}
    escalate_after_reminders: int
    publisher: str
    title: str
    share_version: int


class AcknowledgementsOutput(ProcessVariables):
    acknowledgements: list[Acknowledgement]


class RemindOutput(AcknowledgementsOutput):
    reminders_sent: dict[str, int]


# --- feedback --------------------------------------------------------------------------------------
class AnswerFeedbackInput(Share, Parties):
    receiving_department: str
    acknowledged_by: str
    feedback_kind: str
    feedback_text: Annotated[Any, AsTyped(str)] = None
    feedback_answer: Annotated[Any, AsTyped(str)] = None
    correction_needed: Annotated[Any, AsTyped(bool)] = None
    corrected_summary: Annotated[Any, AsTyped(str)] = None
    corrected_content: Annotated[Any, AsTyped(str)] = None
    delivery_channels: list[Channel]


class AnswerFeedbackOutput(ProcessVariables):
    correction_instance: str | None = None
    answer_problem: str | None = None  # cleared: the form's message of an earlier refusal
