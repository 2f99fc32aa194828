"""Process `approval` (审批): one handler per service task of bpmn/approval.bpmn; docs/approvals.md.

The rules are `workers.shared.approvals.rules`, the record `workers.shared.approvals.record`;
`trail` reads the identities and the recorded decisions from the engine's history.
"""

from __future__ import annotations

from pydantic import Field

from workers import BusinessRejection, TaskContext, topic
from workers.processes.approval import trail
from workers.processes.approval.variables import (
    ConcludeInput,
    Concluded,
    DecisionRecorded,
    NotifyCopiesInput,
    PrepareInput,
    PrepareOutput,
    RecordDecisionInput,
    RecordWithdrawalInput,
    RejectionRecorded,
    RemindInput,
    RemindOutput,
    Slot,
    TransferRecorded,
)
from workers.runtime.errors import InvalidInput
from workers.shared.approvals import rules
from workers.shared.approvals.document import person_name
from workers.shared.approvals.record import ApprovalDecision, ApprovalOutcome, Verdict
from workers.shared.delegation import Assignment, active_delegations, resolve_assignee
from workers.shared.notify import Bilingual, Notification, notify
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.organisation.model import Organisation
from workers.shared.reminders import remind_open_tasks
from workers.shared.text import rejection_message

APPROVAL_DECISION_INVALID = "APPROVAL_DECISION_INVALID"
APPROVAL_WITHDRAWAL_INVALID = "APPROVAL_WITHDRAWAL_INVALID"
PROCESS_NAME = Bilingual(zh="审批", en="approval")


class ApprovalSettings(OrganisationFile):
    """Task_Prepare's properties: the decision tasks' deadline and the reminders after it."""

    decision_due_hours: int = Field(gt=0, examples=[48])
    reminder_interval_hours: int = Field(gt=0, examples=[24])
    escalate_after_reminders: int = Field(ge=0, examples=[2])


@topic("approval.prepare", properties=ApprovalSettings)
def prepare(request: PrepareInput, properties: ApprovalSettings, task: TaskContext) -> PrepareOutput:
    """Checks the caller's ids (an incident naming them: the caller's worker made the list), resolves
    delegation for every approver and arranges the rounds."""
    org = load(properties.organisation_file)
    problems = rules.people_problems(org, request.approval_approvers, "approvalApprovers", may_be_empty=False)
    problems += rules.people_problems(org, request.approval_copy_to or [], "approvalCopyTo", may_be_empty=True)
    problems += rules.context_problems(request.approval_context)
    if request.approval_applicant not in org.people_by_id:
        problems.append(f"approvalApplicant {request.approval_applicant!r} is not in the organisation file")
    if problems:
        raise InvalidInput(task.topic, problems)
    delegations, names = active_delegations(task.engine), {p.id: p.name for p in org.people}
    slots = [_slot(resolve_assignee(person, delegations), names) for person in request.approval_approvers]
    return PrepareOutput(
        approval_rounds=rules.rounds(request.approval_kind, slots), approval_rejected=False,
        approval_kind_label=request.approval_kind.label, approval_due_hours=properties.decision_due_hours,
        reminder_interval_hours=properties.reminder_interval_hours,
        escalate_after_reminders=properties.escalate_after_reminders, reminders_sent={},
    )


def _slot(assignment: Assignment, names: dict[str, str]) -> Slot:
    return Slot(approver=assignment.original_assignee, assignee=assignment.assignee,
                delegation_note=assignment.note(names))


@topic("approval.record-decision", errors=[APPROVAL_DECISION_INVALID], properties=OrganisationFile)
def record_decision(decision: RecordDecisionInput, properties: OrganisationFile,
                    task: TaskContext) -> DecisionRecorded | RejectionRecorded | TransferRecorded:
    """Records the decision under the engine's completer; a bad one goes back to the same approver."""
    org = load(properties.organisation_file)
    done = trail.completed_before(task, trail.DECIDE_TASK)
    problems = rules.decision_problems(org, decision.approval_verdict, decision.approval_comment,
                                       decision.approval_transfer_to, done.completer, decision.approval_on_behalf_of)
    if problems:
        raise BusinessRejection(APPROVAL_DECISION_INVALID, rejection_message(problems))
    verdict = rules.form_verdict(decision.approval_verdict).verdict
    target = decision.approval_transfer_to.strip() if verdict is Verdict.TRANSFERRED else None
    made = ApprovalDecision(
        step=decision.approval_step, approver=done.completer,
        on_behalf_of=decision.approval_on_behalf_of if done.completer != decision.approval_on_behalf_of else None,
        verdict=verdict, comment=(decision.approval_comment or "").strip(), transferred_to=target, decided_at=done.at)
    record = [*(decision.approval_record or []), made]
    if target is not None:
        assignment = resolve_assignee(target, active_delegations(task.engine))
        return TransferRecorded(approval_record=record, approval_transferred=True, approval_assignee=assignment.assignee,
                                approval_on_behalf_of=target,
                                approval_delegation_note=assignment.note({p.id: p.name for p in org.people}))
    if verdict is Verdict.REJECTED:
        return RejectionRecorded(approval_record=record)
    return DecisionRecorded(approval_record=record)


@topic("approval.conclude")
def conclude(state: ConcludeInput, task: TaskContext) -> Concluded:
    decisions = rules.in_decision_order(trail.recorded_decisions(task, state.approval_step))
    outcome, reason = rules.outcome(state.approval_kind, decisions)
    return Concluded(approval_outcome=outcome, approval_reason=reason, approval_decisions=decisions)


@topic("approval.record-withdrawal", errors=[APPROVAL_WITHDRAWAL_INVALID])
def record_withdrawal(withdrawal: RecordWithdrawalInput, task: TaskContext) -> Concluded:
    """The applicant withdrew: recorded under the engine's completer, with the decision tasks still
    open as cancelled (the end event cancels them right after)."""
    problems = rules.withdrawal_problems(withdrawal.approval_withdraw_reason)
    if problems:
        raise BusinessRejection(APPROVAL_WITHDRAWAL_INVALID, rejection_message(problems))
    done = trail.completed_before(task, trail.WITHDRAW_TASK)
    reason = withdrawal.approval_withdraw_reason.strip()
    earlier = rules.in_decision_order(trail.recorded_decisions(task, withdrawal.approval_step,
                                                               unrecorded_completions=True))
    withdrawn = ApprovalDecision(step=withdrawal.approval_step, approver=done.completer, verdict=Verdict.WITHDRAWN,
                                 comment=reason, decided_at=done.at)
    decided = [d for d in earlier if d.verdict is not Verdict.CANCELLED]
    cancelled = [d.model_copy(update={"decided_at": done.at}) for d in earlier if d.verdict is Verdict.CANCELLED]
    return Concluded(approval_outcome=ApprovalOutcome.WITHDRAWN, approval_reason=reason,
                     approval_decisions=[*decided, withdrawn, *cancelled])


@topic("approval.notify-copies", properties=OrganisationFile)
def notify_copies(approval: NotifyCopiesInput, properties: OrganisationFile, task: TaskContext) -> None:
    """抄送: a read-only notification to each copied person, once when the approval starts and once
    with its outcome; no task."""
    if not approval.approval_copy_to:
        return
    org = load(properties.organisation_file)
    ended = approval.approval_outcome is not None
    notify(task, Notification(
        event_key=f"approval:{task.process_instance_id}:copy:{'ended' if ended else 'started'}",
        recipients=[org.person(person) for person in approval.approval_copy_to],
        subject=Bilingual(zh=f"抄送：{approval.approval_subject}", en=f"Copy for your information: {approval.approval_subject}"),
        body=_copy_body(org, approval)))


def _copy_body(org: Organisation, approval: NotifyCopiesInput) -> Bilingual:
    applicant = person_name(org, approval.approval_applicant)
    kind_zh, kind_en = approval.approval_kind.label.split(" / ")
    context = f"\n\n{approval.approval_context}" if approval.approval_context else ""
    if approval.approval_outcome is None:
        return Bilingual(
            zh=f"{applicant} 发起的审批「{approval.approval_subject}」已开始（{kind_zh}）。此邮件为抄送，仅供知悉，您无需处理。{context}",
            en=f"The approval '{approval.approval_subject}' requested by {applicant} has started ({kind_en}). "
               "You are copied for information only: there is nothing for you to do.")
    outcome_zh, outcome_en = approval.approval_outcome.label.split(" / ")
    reason = approval.approval_reason or ""
    return Bilingual(
        zh=f"{applicant} 发起的审批「{approval.approval_subject}」已结束，结果：{outcome_zh}"
           f"{'，原因：' + reason if reason else ''}。此邮件为抄送，仅供知悉。",
        en=f"The approval '{approval.approval_subject}' requested by {applicant} has ended: {outcome_en.lower()}"
           f"{' (reason: ' + reason + ')' if reason else ''}. You are copied for information only.")


@topic("approval.remind", properties=OrganisationFile)
def remind(state: RemindInput, properties: OrganisationFile, task: TaskContext) -> RemindOutput:
    """催办: the open decision tasks (not the applicant's withdraw task, which waits by design)."""
    sent = remind_open_tasks(task, load(properties.organisation_file), PROCESS_NAME,
                             escalate_after=state.escalate_after_reminders, sent=state.reminders_sent,
                             task_definition_keys=[trail.DECIDE_TASK])
    return RemindOutput(reminders_sent=sent)
