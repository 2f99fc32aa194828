"""The signed 《工作交接清单》 as filed (policy §3.2 step 5): what its PDF shows and what its content
SHA-256 covers: the company, both parties and their departments, the notice (date, reason,
arrangements), every item, the verification record (each return of the checklist with the
receiver's questions and the giver's answers) and the three signatures.

It lives apart from `checklist` because the rounds are process variables (`variables`), which are
themselves built from the checklist's rows.
"""

from __future__ import annotations

import hashlib
from datetime import date, tzinfo

from pydantic import field_validator, model_validator

from workers.processes.work_handover.checklist import (
    ChecklistItem,
    HandoverReason,
    Party,
    Signature,
    SignatureRole,
    in_utc,
)
from workers.processes.work_handover.variables import ReturnedRound
from workers.runtime.registry import ProcessVariables
from workers.shared.archive import canonical_json
from workers.shared.properties import parse_time_zone


class NamedDepartment(ProcessVariables):
    """A department as the signed record names it (the organisation may rename or drop it later)."""

    id: str
    name: str


class WorkHandoverChecklist(ProcessVariables):
    process_instance_id: str
    company: str  # the organisation file's company.label, Chinese first
    company_time_zone: str  # every time the document prints is in it
    giver: Party
    giver_department: NamedDepartment
    receiver: Party
    receiving_department: NamedDepartment
    supervisor: Party
    reason: HandoverReason
    notice_date: date
    planned_date: date
    arrangements: str | None = None  # what the notice said about the work meanwhile
    items: list[ChecklistItem]
    rounds: list[ReturnedRound] = []  # each return to the giver, oldest first
    signatures: list[Signature] = []

    @field_validator("company_time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        parse_time_zone(value)
        return value

    @field_validator("rounds")
    @classmethod
    def _rounds_in_utc(cls, rounds: list[ReturnedRound]) -> list[ReturnedRound]:
        return [r.model_copy(update={"at": in_utc(r.at)}) for r in rounds]

    @model_validator(mode="after")
    def _one_signature_per_role(self) -> WorkHandoverChecklist:
        roles = [s.role for s in self.signatures]
        repeated = sorted({r.value for r in roles if roles.count(r) > 1})
        if repeated:
            raise ValueError(f"signatures: more than one signature as {', '.join(repeated)}")
        return self

    @property
    def zone(self) -> tzinfo:
        return parse_time_zone(self.company_time_zone)

    def signature(self, role: SignatureRole) -> Signature | None:
        return next((s for s in self.signatures if s.role == role), None)

    def canonical_json(self) -> bytes:
        """The exact bytes `content_sha256` hashes (see archive.CONTENT_HASH_DEFINITION)."""
        return canonical_json(self)

    def content_sha256(self) -> str:
        return hashlib.sha256(self.canonical_json()).hexdigest()
