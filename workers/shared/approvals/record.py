"""The decisions an approval records, as the block returns them in `approvalDecisions` (contract A).

The record travels as a Json variable with snake_case keys (the contract's names), so the models are
plain pydantic models, not camelCase `ProcessVariables`. Who decided is always the engine's identity
of the person who completed the task, never a form field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, field_validator

from workers.shared.enums import LabelledEnum


class ApprovalOutcome(LabelledEnum):
    APPROVED = "approved", "通过 / Approved"
    REJECTED = "rejected", "驳回 / Rejected"
    WITHDRAWN = "withdrawn", "撤回 / Withdrawn"


class Verdict(LabelledEnum):
    APPROVED = "approved", "同意 / Approved"
    REJECTED = "rejected", "驳回 / Rejected"
    TRANSFERRED = "transferred", "转交 / Transferred"
    WITHDRAWN = "withdrawn", "撤回 / Withdrawn"
    CANCELLED = "cancelled", "已取消 / Cancelled"


class ApprovalDecision(BaseModel):
    """One decision, in the order decisions were made. `approver` completed the task (from the
    engine); `on_behalf_of` is whose approval it was when a delegate (代理) decided, else None."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    step: str = Field(min_length=1)
    approver: str = Field(min_length=1)
    on_behalf_of: str | None = None
    verdict: Verdict
    comment: str = ""
    transferred_to: str | None = None
    decided_at: datetime

    @field_validator("decided_at")
    @classmethod
    def _with_offset(cls, value: datetime) -> datetime:
        if value.tzinfo is None:  # a time without its offset would print in the wrong zone
            raise ValueError("decided_at needs its UTC offset (ISO-8601 with offset)")
        return value

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


_DECISIONS = TypeAdapter(list[ApprovalDecision])


def decisions_from(value: Any) -> list[ApprovalDecision]:
    """The decisions of an `approvalDecisions` value: a list (as workers receive Json variables), a
    JSON string, or None (no approval ran yet)."""
    if value is None:
        return []
    if isinstance(value, (str, bytes)):
        return _DECISIONS.validate_json(value)
    return _DECISIONS.validate_python(value)


def decisions_json(decisions: list[ApprovalDecision]) -> list[dict[str, Any]]:
    """The value of `approvalDecisions` for these decisions."""
    return [d.as_json() for d in decisions]
