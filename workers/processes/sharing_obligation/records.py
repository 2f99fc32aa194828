"""The obligations' data records: one write-once JSON file per missed deadline and per fulfilment,
`<archive root>/sharing-obligations/<obligation id>/<deadline, UTC>/{missed,fulfilled}.json`.

They are what internal audit (policy §5) reads for "information shared on time": kept outside the
engine's history, which expires with `historyTimeToLive`, and never rewritten (a repeated write of
the same content is accepted, different content is refused).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workers.shared.archive import write_once

FOLDER = "sharing-obligations"


def record_path(root: Path, obligation_id: str, deadline: datetime, kind: str) -> Path:
    stamp = deadline.astimezone(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return root / FOLDER / obligation_id / stamp / f"{kind}.json"


def write_record(root: Path, obligation_id: str, deadline: datetime, kind: str, record: dict[str, Any]) -> str:
    """Write the record once; returns its path relative to the archive root."""
    path = record_path(root, obligation_id, deadline, kind)
    write_once(path, json.dumps(record, ensure_ascii=False, sort_keys=True, indent=2).encode("utf-8"))
    return path.relative_to(root).as_posix()


def read_records(root: Path, obligation_id: str) -> list[dict[str, Any]]:
    """Every record of one obligation, oldest deadline first (for audits and tests)."""
    folder = root / FOLDER / obligation_id
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*/*.json"))]
