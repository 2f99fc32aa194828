"""本部门收到的信息 / Received by my department: the register of every share a department received,
with its version and whether (and by whom) it was acknowledged, kept beside the Tasklist view.

Tasklist lists tasks only, so its per-department filter (`received-by:<department>`, provisioned from
the organisation file) shows the shares still waiting for acknowledgement; once acknowledged, the
task is gone. The sharing workers therefore write two write-once records per receiving department
and share instance, under the archive root:

    received/<department>/<instance id>/delivered.json      when the share reaches the department
    received/<department>/<instance id>/acknowledged.json   when someone of it acknowledged it

`received_by` reads them back newest first, marking a version that a correction (a later instance
naming it as `previousShareInstance`) replaced. Fields follow contract C's variable names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from workers.shared.archive import write_once

FOLDER = "received"


class ReceivedShare(BaseModel):
    """One share as delivered to one receiving department."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    department: str
    process_instance_id: str
    title: str
    category: str
    sensitivity: str
    share_version: int = Field(ge=1)
    publisher_department: str
    previous_share_instance: str | None = None  # the version this one corrects
    delivered_at: datetime


class Acknowledgement(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    department: str
    process_instance_id: str
    acknowledged_by: str  # the completer of the acknowledgement task, from the engine
    acknowledged_at: datetime


@dataclass(frozen=True)
class RegisterEntry:
    share: ReceivedShare
    acknowledgement: Acknowledgement | None
    superseded_by: str | None  # the instance of the correction that replaced it

    @property
    def acknowledged(self) -> bool:
        return self.acknowledgement is not None


def _folder(root: Path, department: str, process_instance_id: str) -> Path:
    return root / FOLDER / department / process_instance_id


def record_delivery(root: Path, share: ReceivedShare) -> Path:
    path = _folder(root, share.department, share.process_instance_id) / "delivered.json"
    write_once(path, share.model_dump_json(indent=2).encode("utf-8"))
    return path


def record_acknowledgement(root: Path, acknowledgement: Acknowledgement) -> Path:
    folder = _folder(root, acknowledgement.department, acknowledgement.process_instance_id)
    if not (folder / "delivered.json").is_file():  # an acknowledgement of nothing delivered is a worker bug
        raise ValueError(f"share {acknowledgement.process_instance_id} was never recorded as delivered to "
                         f"{acknowledgement.department}; record the delivery first")
    path = folder / "acknowledged.json"
    write_once(path, acknowledgement.model_dump_json(indent=2).encode("utf-8"))
    return path


def received_by(root: Path, department: str) -> list[RegisterEntry]:
    """What the department received, newest delivery first."""
    shares = [ReceivedShare.model_validate_json(p.read_text(encoding="utf-8"))
              for p in (root / FOLDER / department).glob("*/delivered.json")]
    replaced = {s.previous_share_instance: s.process_instance_id for s in shares if s.previous_share_instance}
    entries = []
    for share in sorted(shares, key=lambda s: s.delivered_at, reverse=True):
        ack_path = _folder(root, department, share.process_instance_id) / "acknowledged.json"
        ack = Acknowledgement.model_validate_json(ack_path.read_text(encoding="utf-8")) if ack_path.is_file() else None
        entries.append(RegisterEntry(share, ack, replaced.get(share.process_instance_id)))
    return entries


def register_rows(entries: list[RegisterEntry], zone: tzinfo) -> list[dict[str, str]]:
    """The register as rows for people: 标题, 版本, 分类, 敏感程度, 送达, 确认 (who, when) or 未确认."""
    rows = []
    for entry in entries:
        share, ack = entry.share, entry.acknowledgement
        version = f"v{share.share_version}" + (" （已更正 / corrected）" if entry.superseded_by else "")
        rows.append({
            "title": share.title, "version": version, "category": share.category, "sensitivity": share.sensitivity,
            "delivered": f"{share.delivered_at.astimezone(zone):%Y-%m-%d %H:%M}",
            "acknowledged": (f"{ack.acknowledged_by} {ack.acknowledged_at.astimezone(zone):%Y-%m-%d %H:%M}"
                             if ack else "未确认 / not acknowledged"),
            "instance": share.process_instance_id,
        })
    return rows


def as_json(entries: list[RegisterEntry]) -> str:
    return json.dumps([{"share": e.share.model_dump(mode="json"),
                        "acknowledgement": e.acknowledgement.model_dump(mode="json") if e.acknowledgement else None,
                        "supersededBy": e.superseded_by} for e in entries], ensure_ascii=False, indent=2)
