"""The variables of process `approval`: the caller's inputs (contract A), what the preparation
arranges, each approver's decision (local to their instance of the inner subprocess) and the outputs."""

from __future__ import annotations

from typing import Annotated, Any

from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables
from workers.shared.approvals.record import ApprovalDecision, ApprovalOutcome
from workers.shared.approvals.rules import ApprovalKind


class Slot(ProcessVariables):
    """One approver of a round: whose approval it is, who holds the task now (their delegate while a
    delegation is active) and the note that says so."""

    approver: str
    assignee: str
    delegation_note: str = ""


class PrepareInput(ProcessVariables):
    approval_step: str
    approval_subject: str
    approval_kind: ApprovalKind
    approval_approvers: Any  # checked by the handler, which names every bad id
    approval_copy_to: Any = None
    approval_applicant: str
    approval_context: str | None = None


class PrepareOutput(ProcessVariables):
    approval_rounds: list[list[Slot]]
    approval_rejected: bool
    approval_kind_label: str
    approval_due_hours: int
    reminder_interval_hours: int
    escalate_after_reminders: int
    reminders_sent: dict[str, int]


class RecordDecisionInput(ProcessVariables):
    approval_step: str
    approval_verdict: Annotated[Any, AsTyped(str)] = None  # the form's fields, as submitted
    approval_comment: Annotated[Any, AsTyped(str)] = None
    approval_transfer_to: Annotated[Any, AsTyped(str)] = None
    approval_on_behalf_of: str  # whose approval this instance is (the slot's approver)
    approval_record: list[ApprovalDecision] | None = None  # this instance's decisions so far (transfers)


class DecisionRecorded(ProcessVariables):
    approval_record: list[ApprovalDecision]
    approval_transferred: bool = False
    approval_decision_problem: str | None = None


class RejectionRecorded(DecisionRecorded):
    # Only a rejection writes it: an approval writing false would undo a parallel approver's rejection.
    approval_rejected: bool = True


class TransferRecorded(DecisionRecorded):
    """The task goes to the new approver: the fields are emptied so they do not see the old comment."""

    approval_assignee: str
    approval_on_behalf_of: str
    approval_delegation_note: str
    approval_verdict: str | None = None
    approval_comment: str | None = None
    approval_transfer_to: str | None = None


class ConcludeInput(ProcessVariables):
    approval_step: str
    approval_kind: ApprovalKind


class Concluded(ProcessVariables):
    approval_outcome: ApprovalOutcome
    approval_reason: str
    approval_decisions: list[ApprovalDecision]


class RecordWithdrawalInput(ProcessVariables):
    approval_step: str
    approval_kind: ApprovalKind
    approval_withdraw_reason: Annotated[Any, AsTyped(str)] = None


class NotifyCopiesInput(ProcessVariables):
    approval_step: str
    approval_subject: str
    approval_kind: ApprovalKind
    approval_applicant: str
    approval_copy_to: Any = None  # checked by approval.prepare
    approval_context: str | None = None
    approval_outcome: ApprovalOutcome | None = None  # set once the approval has ended
    approval_reason: str | None = None


class RemindInput(ProcessVariables):
    escalate_after_reminders: int
    reminders_sent: dict[str, int] = {}


class RemindOutput(ProcessVariables):
    reminders_sent: dict[str, int]
