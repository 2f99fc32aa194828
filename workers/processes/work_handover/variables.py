"""The variables of process `work-handover`: each topic's input and output, with real types.

A variable has one type in the process (`crossdept lint` checks it across all topics); the few that
a person types are read `AsTyped` by the step that checks them and names each problem by field
(resolve-parties for the notice, check-checklist and record-verification for the lists). Groups
read by several topics are small models the topic models compose.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import PlainSerializer

from workers.processes.work_handover.checklist import ChecklistItem, HandoverReason, Signature
from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables

# A deadline as the BPMN uses it, `camunda:dueDate="${preparationDue}"` and `R/${preparationDue}/PT4H`:
# ISO text with its offset (a Camunda Date would print as Java's Date.toString() in the timer).
IsoDateTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


class Verdict(StrEnum):
    """The receiver's answer per checklist row (work-handover-verify)."""

    ACCEPT = "accept"
    QUESTION = "question"


class SupervisorVerdict(StrEnum):
    """The supervisor's choice on the signing form (work-handover-sign)."""

    SIGN = "sign"
    SEND_BACK = "sendBack"


class ReturnedBy(StrEnum):
    RECEIVER = "receiver"
    SUPERVISOR = "supervisor"


# --- rows ----------------------------------------------------------------------------------------
class VerificationRow(ChecklistItem):
    """A checklist row as the receiver's form shows it, with their verdict."""

    category_label: str
    verdict: Verdict | None = None
    question: str | None = None
    change: str | None = None  # from round 2: whether the giver changed or added the row
    earlier_question: str | None = None  # the receiver's question about it last round
    answer: str | None = None  # and the giver's answer


class Question(ProcessVariables):
    """A question of the receiver's about one row, and the giver's answer (the checklist form's
    `questionAnswers` rows; in `handoverRounds` once answered)."""

    item: int  # the row's number, from 1
    description: str | None = None
    question: str
    answer: str | None = None


class ReturnedRound(ProcessVariables):
    """One return of the checklist to the giver: the receiver's questions or the supervisor's reason."""

    round: int
    returned_by: ReturnedBy
    returned_by_name: str | None = None  # None in rounds recorded before names were
    at: datetime
    questions: list[Question] | None = None
    reason: str | None = None


class SkippedTask(ProcessVariables):
    task_id: str
    why: str


# --- groups several topics read ------------------------------------------------------------------
class HandoverPolicy(ProcessVariables):
    """The decision handover-policy's single result: the notice, each step's deadline, reminders."""

    notice_working_days: int
    preparation_days: int
    verification_days: int
    confirmation_days: int
    archiving_days: int
    reminder_interval_hours: int
    escalate_after_reminders: int


class OrganisationFileVariable(ProcessVariables):
    organisation_file: str


class GiverAndReceiver(ProcessVariables):
    giver_id: str
    giver_name: str
    receiver_id: str
    receiver_name: str


class CheckedChecklist(ProcessVariables):
    """The checklist once check-checklist found it complete."""

    checklist_items: list[ChecklistItem]


class Deadlines(ProcessVariables):
    company_time_zone: str
    deadline_time: str
    calendar_file: str | None = None  # None in instances whose notice was checked before the company calendar


class Rounds(Deadlines):
    handover_round: int  # collect-open-work starts at 1, each return adds one
    handover_rounds: list[ReturnedRound]
    preparation_days: int
    receiver_name: str  # who returned it, as the giver is told
    supervisor_name: str


# --- step 1: advance notice ----------------------------------------------------------------------
class ResolvePartiesInput(ProcessVariables):
    """The notice as the form delivers it (any type: a REST client may send a list); resolve-parties
    checks types and lengths first (rules.notice_text_problems), then names every problem by field."""

    giver_id: Annotated[Any, AsTyped(str)] = None
    receiver_id: Annotated[Any, AsTyped(str)] = None
    receiving_department_id: Annotated[Any, AsTyped(str)] = None
    reason: Annotated[Any, AsTyped(HandoverReason)] = None
    planned_date: Annotated[Any, AsTyped(date)] = None
    arrangements: Annotated[Any, AsTyped(str)] = None
    initiator: str | None = None  # set by the start event from the authenticated user


class ResolvePartiesOutput(OrganisationFileVariable):
    giver_id: str
    giver_name: str
    giver_department_id: str
    giver_post_level: int
    giver_head_id: str
    receiver_id: str
    receiver_name: str
    receiving_department_id: str
    receiving_department_label: str
    receiving_head_id: str
    supervisor_id: str
    supervisor_name: str
    supervisor_note: str
    reason_label: str
    planned_date: date
    rejection_message: str | None = None


class CheckNoticeInput(OrganisationFileVariable):
    planned_date: date
    notice_submitted_at: datetime
    reason: HandoverReason
    giver_post_level: int
    handover_policy: HandoverPolicy | None = None  # None: the decision has no rule for this case
    initiator: str | None = None  # told when the notice passed on a provisional calendar count
    giver_name: str | None = None
    receiver_name: str | None = None


class CheckNoticeOutput(HandoverPolicy, Deadlines):
    notice_date: date
    notice_working_days_given: int
    preparation_due: IsoDateTime
    calendar_file: str
    calendar_notice: str | None = None  # why the count is provisional, when it is
    rejection_message: str | None = None
    earliest_compliant_date: date | None = None


class CollectOpenWorkInput(ProcessVariables):
    giver_id: str


class CollectOpenWorkOutput(ProcessVariables):
    checklist_items: list[ChecklistItem]  # pre-filled; the giver completes it
    handover_round: int = 1
    handover_rounds: list[ReturnedRound] = []
    open_questions: str | None = None
    question_answers: list[Question] = []
    conversation: str | None = None


class NotifyNoticeInput(OrganisationFileVariable):
    giver_id: str
    receiver_id: str
    receiving_head_id: str
    supervisor_id: str
    planned_date: date
    reason_label: str
    receiving_department_label: str
    arrangements: str | None = None


# --- step 2: preparation -------------------------------------------------------------------------
class CheckChecklistInput(Deadlines):
    checklist_items: Annotated[Any, AsTyped(list[ChecklistItem])] = None
    question_answers: Annotated[Any, AsTyped(list[Question])] = None  # the giver's answers
    verification_days: int
    planned_date: date
    handover_rounds: list[ReturnedRound] = []
    verification_items: list[VerificationRow] | None = None  # the last round as the receiver judged it


class CheckChecklistOutput(ProcessVariables):
    verification_items: list[VerificationRow]
    verification_due: IsoDateTime
    handover_rounds: list[ReturnedRound]
    question_answers: list[Question] = []
    conversation: str | None = None
    checklist_rejection: str | None = None  # the giver's own message, cleared once the list passes


# --- step 3: verification ------------------------------------------------------------------------
class ReturnedToGiver(ProcessVariables):
    """What sends the checklist back to the giver for another round (the receiver's questions, or the
    supervisor's send-back, whose verdict and reason are cleared for the next signing)."""

    handover_rounds: list[ReturnedRound]
    handover_round: int
    preparation_due: IsoDateTime
    has_questions: bool
    open_questions: str  # why it came back: the round, who, the questions or the reason
    question_answers: list[Question] = []  # a row for the giver's answer to each question
    conversation: str | None = None
    supervisor_verdict: SupervisorVerdict | None = None
    send_back_reason: str | None = None
    supervisor_rejection: str | None = None


class ReturnedByReceiver(ReturnedToGiver):
    verification_items: list[VerificationRow]  # as judged, for the next round to compare with
    verification_rejection: str | None = None


class RecordVerificationInput(Rounds, CheckedChecklist):
    verification_items: Annotated[Any, AsTyped(list[VerificationRow])] = None
    confirmation_days: int
    planned_date: date


class VerifiedOutput(ProcessVariables):
    """No questions: on to the three signatures."""

    has_questions: bool = False
    open_questions: str | None = None
    verification_items: list[VerificationRow]  # as judged, for a round after a send-back
    verification_rejection: str | None = None  # the receiver's own message, cleared once it passes
    checklist_summary: str
    confirmation_due: IsoDateTime
    supervisor_verdict: SupervisorVerdict | None = None
    send_back_reason: str | None = None
    supervisor_rejection: str | None = None


# --- step 4: confirmation ------------------------------------------------------------------------
class CheckSupervisorDecisionInput(ProcessVariables):
    supervisor_verdict: Annotated[Any, AsTyped(SupervisorVerdict)] = None
    send_back_reason: Annotated[Any, AsTyped(str)] = None
    supervisor_confirmed: Annotated[Any, AsTyped(bool)] = None  # the form's 我已核对并确认, mapped out of the supervisor's task


class CheckSupervisorDecisionOutput(ProcessVariables):
    supervisor_rejection: str | None = None  # the supervisor's own message, cleared once decided


class RecordSendBackInput(Rounds):
    send_back_reason: str  # check-supervisor-decision passed it on the way here


class RecordSignaturesInput(OrganisationFileVariable):
    # each signer's 我已核对并确认, mapped out of their signing task (None: a task completed without it)
    giver_confirmed: bool | None = None
    receiver_confirmed: bool | None = None
    supervisor_confirmed: bool | None = None


class RecordSignaturesOutput(ProcessVariables):
    signatures: list[Signature]


# --- step 5: archiving ---------------------------------------------------------------------------
class ArchiveChecklistInput(GiverAndReceiver, CheckedChecklist, OrganisationFileVariable):
    supervisor_id: str
    supervisor_name: str
    giver_department_id: str
    receiving_department_id: str
    reason: HandoverReason
    notice_date: date
    planned_date: date
    arrangements: str | None = None
    company_time_zone: str
    handover_rounds: list[ReturnedRound]
    signatures: list[Signature]


class ArchiveChecklistOutput(ProcessVariables):
    archive_folder: str
    content_sha256: str


class SendCopiesInput(GiverAndReceiver, OrganisationFileVariable):
    archive_folder: str
    supervisor_id: str


class SendCopiesOutput(ProcessVariables):
    copies_sent: list[str]


class ReassignOpenTasksInput(GiverAndReceiver, CheckedChecklist):
    pass


class ReassignOpenTasksOutput(ProcessVariables):
    reassigned_tasks: list[str]
    skipped_tasks: list[SkippedTask]


# --- reminders -----------------------------------------------------------------------------------
class RemindInput(OrganisationFileVariable):
    escalate_after_reminders: int
    reminders_sent: dict[str, int] = {}  # task id -> reminders so far


class RemindOutput(ProcessVariables):
    reminders_sent: dict[str, int]
