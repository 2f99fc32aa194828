"""The rows, parties and signatures of the 《工作交接清单》 Work Hand-over Checklist (policy §3.2,
steps 2–5), and its triplicate; the signed document as filed is `document.WorkHandoverChecklist`.

The checklist travels as one JSON process variable in camelCase; these models are its contract.
Completeness rules (every item described, customers with a contact, equipment with an asset number)
are checked by the preparation step, which names each missing field: the models accept an
incomplete list so that step can read it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import field_validator

from workers.runtime.registry import ProcessVariables
from workers.shared.archive import ArchiveRecord, archive_copies
from workers.shared.enums import LabelledEnum

if TYPE_CHECKING:  # the document reads the rounds' variables, which read these rows
    from workers.processes.work_handover.document import WorkHandoverChecklist

TRIPLICATE = "work-handover-checklist"  # the copies' file names: work-handover-checklist-<holder>.pdf


class ItemCategory(LabelledEnum):
    DOCUMENTS = "documents", "工作资料 / Documents"
    MATERIALS = "materials", "物资 / Materials"
    EQUIPMENT = "equipment", "设备 / Equipment"
    UNFINISHED_TASKS = "unfinishedTasks", "未完成工作任务 / Unfinished tasks"
    PENDING_ITEMS = "pendingItems", "待办事项 / Pending items"
    CUSTOMER_INFORMATION = "customerInformation", "客户信息 / Customer information"


class HandoverReason(LabelledEnum):
    POST_CHANGE = "postChange", "岗位调整 / Post change"
    RESIGNATION = "resignation", "离职 / Resignation"
    PROJECT_END = "projectEnd", "项目结束 / Project end"


class SignatureRole(LabelledEnum):
    GIVER = "giver", "交接人 / Person handing over"
    RECEIVER = "receiver", "接收人 / Receiver"
    SUPERVISOR = "supervisor", "监交人 / Hand-over supervisor"


class Party(ProcessVariables):
    """A person as the signed record names them: who they were when it was signed (an operator
    completing a task may be outside the organisation, so this is not the organisation's Person)."""

    id: str
    name: str


class ChecklistItem(ProcessVariables):
    category: ItemCategory
    description: str
    location: str
    contact: str | None = None  # customer information
    asset_number: str | None = None  # equipment
    camunda_task_id: str | None = None  # unfinished tasks: the giver's open user task to reassign

    @field_validator("contact", "asset_number", "camunda_task_id", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        # A form sends a field left empty as "": the row has no contact, not an empty one.
        return None if isinstance(value, str) and not value.strip() else value


SIGNATURE_STATEMENT = "我已核对并确认 / I have checked and confirm"  # what each signer ticks on the signing form


def in_utc(value: datetime) -> datetime:
    """One instant, one spelling: the content hash must not depend on the writer's time zone."""
    if value.tzinfo is None:
        raise ValueError("needs a time zone (e.g. 2026-11-28T16:00:00+08:00)")
    return value.astimezone(timezone.utc)


class Signature(ProcessVariables):
    signed_by: Party
    role: SignatureRole
    signed_at: datetime
    statement: str | None = None  # what the signer confirmed (None in records signed before it was asked)

    @field_validator("signed_at")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        return in_utc(value)


class CopyHolder(StrEnum):
    """一式三份: who keeps a copy of the signed checklist."""

    GIVER = "giver"
    RECEIVER = "receiver"
    ARCHIVE = "archive"

    @property
    def file_name(self) -> str:
        return f"{TRIPLICATE}-{self.value}.pdf"


def archive_triplicate(root: Path, checklist: WorkHandoverChecklist, pdf: bytes) -> ArchiveRecord:
    """The signed checklist's PDF, write-once, once for each holder, with its record."""
    return archive_copies(root, checklist, pdf, {holder.value: holder.file_name for holder in CopyHolder},
                          time_zone=checklist.zone)
