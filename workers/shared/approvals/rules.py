"""The approval block's rules as pure functions: which ids may approve, in which rounds they decide,
what a decision must contain, and what the decisions add up to (contract A, policy §3.1 step 3)."""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Iterable

from workers.shared.approvals.labels import DECIDE, WITHDRAW
from workers.shared.approvals.record import ApprovalDecision, ApprovalOutcome, Verdict
from workers.shared.enums import LabelledEnum
from workers.shared.organisation.model import Organisation
from workers.shared.text import MaxLength, check_text


class ApprovalKind(LabelledEnum):
    COUNTERSIGN = "countersign", "会签（全部同意方可通过） / Countersign (all must approve)"
    ANY = "any", "或签（一人决定即可） / Any one (the first decision decides)"
    SEQUENTIAL = "sequential", "依次审批（按顺序逐一审批） / Sequential (one after another, in order)"


class FormVerdict(StrEnum):
    """The decision form's radio values."""

    APPROVE = "approve"
    REJECT = "reject"
    TRANSFER = "transfer"

    @property
    def verdict(self) -> Verdict:
        return {FormVerdict.APPROVE: Verdict.APPROVED, FormVerdict.REJECT: Verdict.REJECTED,
                FormVerdict.TRANSFER: Verdict.TRANSFERRED}[self]


MAX_CONTEXT_CHARS = 3000  # contract A: what an approver reads on the form, not a document


def context_problems(context: str | None) -> list[str]:
    if context and len(context) > MAX_CONTEXT_CHARS:
        return [f"approvalContext has {len(context)} characters, at most {MAX_CONTEXT_CHARS}: link the document instead"]
    return []


def people_problems(org: Organisation, ids: Any, variable: str, *, may_be_empty: bool) -> list[str]:
    """What is wrong with a list of person ids a caller passed (for operators: English, the variable
    named): not a list, empty, unknown ids, repeated ids."""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return [f"{variable} must be a JSON list of person ids, got {ids!r}"]
    problems = [] if ids or may_be_empty else [f"{variable} is empty: an approval needs at least one approver"]
    unknown = [i for i in ids if i not in org.people_by_id]
    if unknown:
        problems.append(f"{variable} names ids the organisation file does not know: {', '.join(unknown)}")
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        problems.append(f"{variable} names the same person twice: {', '.join(repeated)}")
    return problems


def rounds(kind: ApprovalKind, slots: list[Any]) -> list[list[Any]]:
    """Who decides together: all at once for countersign and any, one after another for sequential."""
    if kind is ApprovalKind.SEQUENTIAL:
        return [[slot] for slot in slots]
    return [list(slots)]


def decision_problems(org: Organisation, verdict: Any, comment: Any, transfer_to: Any, completer: str,
                      on_behalf_of: str) -> list[str]:
    """Each problem of one submitted decision as a bilingual line naming the form's field: a verdict
    not on the form, a rejection or transfer without a comment, a transfer to nobody, to someone the
    organisation does not know, or back to the approver themselves."""
    chosen = _verdict(verdict)
    problems = check_text(comment, "approvalComment", DECIDE["approvalComment"], MaxLength.TEXT, multiline=True,
                          required=chosen in (FormVerdict.REJECT, FormVerdict.TRANSFER))
    if chosen is None:
        problems.insert(0, f"{DECIDE['approvalVerdict']}: 请选择同意、驳回或转交 / choose approve, reject or transfer")
    if chosen is FormVerdict.TRANSFER:
        problems += _transfer_problems(org, transfer_to, {completer, on_behalf_of})
    return problems


def _transfer_problems(org: Organisation, transfer_to: Any, oneself: set[str]) -> list[str]:
    label = DECIDE["approvalTransferTo"]
    typed = check_text(transfer_to, "approvalTransferTo", label, MaxLength.ID, required=True)
    if typed:  # not text, too long or missing: the message must not repeat what was sent
        return typed
    if transfer_to.strip() not in org.people_by_id:
        return [f"{label}: 没有用户 {transfer_to!r} / no person with user id {transfer_to!r}"]
    if transfer_to.strip() in oneself:
        return [f"{label}: 不能转交给自己 / cannot be yourself (or the person you decide for)"]
    return []


def _verdict(value: Any) -> FormVerdict | None:
    try:
        return FormVerdict(value)
    except ValueError:
        return None


def form_verdict(value: Any) -> FormVerdict:
    """The verdict of a decision `decision_problems` accepted."""
    chosen = _verdict(value)
    if chosen is None:
        raise ValueError(f"not a verdict of the decision form: {value!r}")
    return chosen


def withdrawal_problems(reason: Any) -> list[str]:
    return check_text(reason, "approvalWithdrawReason", WITHDRAW["approvalWithdrawReason"], MaxLength.TEXT,
                      multiline=True, required=True)


def outcome(kind: ApprovalKind, decisions: Iterable[ApprovalDecision]) -> tuple[ApprovalOutcome, str]:
    """The outcome and its reason: withdrawn when the applicant withdrew; for `any` the first approval
    or rejection; otherwise rejected at the first rejection, approved when there is none."""
    made = [d for d in decisions if d.verdict in (Verdict.APPROVED, Verdict.REJECTED, Verdict.WITHDRAWN)]
    withdrawn = next((d for d in made if d.verdict is Verdict.WITHDRAWN), None)
    if withdrawn is not None:
        return ApprovalOutcome.WITHDRAWN, withdrawn.comment
    if kind is ApprovalKind.ANY and made:
        first = made[0]
        return (ApprovalOutcome.REJECTED, first.comment) if first.verdict is Verdict.REJECTED \
            else (ApprovalOutcome.APPROVED, "")
    rejection = next((d for d in made if d.verdict is Verdict.REJECTED), None)
    if rejection is not None:
        return ApprovalOutcome.REJECTED, rejection.comment
    if not made:
        raise ValueError("the approval ended without any approval or rejection recorded")
    return ApprovalOutcome.APPROVED, ""


def in_decision_order(decisions: Iterable[ApprovalDecision]) -> list[ApprovalDecision]:
    """Decisions in the order they were made (a stable sort: a withdrawal stays before the tasks it
    cancelled at the same instant)."""
    return sorted(decisions, key=lambda d: d.decided_at)
