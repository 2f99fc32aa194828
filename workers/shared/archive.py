"""资料归档 / Archiving (policy §3.2 step 5): the signed checklist's PDF stored write-once in
triplicate (一式三份), one copy for the person handing over, one for the receiver, one archived,
with a JSON record, under <root>/<process instance id>/.

Every file is written to a temporary file in the same folder, fsynced, made read-only and then
hard-linked to its final name, which fails rather than replace an existing file. So a final name
only ever holds a complete file, and a retry after a crash adds the missing files and checks, but
never rewrites, those already there. The record is written last: while it is missing the archive
is unfinished. An existing file whose content differs is an error for a person to look at.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from workers.processes.work_handover.checklist import CONTENT_HASH_DEFINITION, WorkHandoverChecklist
from workers.runtime import clock
from workers.runtime.registry import ProcessVariables

RECORD_FILE = "record.json"
TEMP_SUFFIX = ".tmp"
# Camunda's ids are UUIDs or numbers: anything else could leave the root (a/../b) and is refused.
_SAFE_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class CopyHolder(StrEnum):
    GIVER = "giver"
    RECEIVER = "receiver"
    ARCHIVE = "archive"

    @property
    def file_name(self) -> str:
        return f"work-handover-checklist-{self.value}.pdf"


class ArchiveError(RuntimeError):
    """The archive on disk is not what this checklist should produce: never repaired automatically."""


class ArchivedCopy(ProcessVariables):
    holder: CopyHolder
    file: str  # relative to the process instance's folder, so the archive can move
    sha256: str
    size_bytes: int


class ArchiveRecord(ProcessVariables):
    process_instance_id: str
    content_sha256: str
    content_hash_definition: str
    pdf_sha256: str
    pdf_size_bytes: int
    copies: list[ArchivedCopy]
    archived_at: datetime
    checklist: dict  # the canonical checklist, from which content_sha256 can be recomputed

    def copy_path(self, root: Path, holder: CopyHolder) -> Path:
        copy = next(c for c in self.copies if c.holder == holder)
        return root / self.process_instance_id / copy.file


def archive_triplicate(root: Path, checklist: WorkHandoverChecklist, pdf: bytes) -> ArchiveRecord:
    """Store the PDF three times plus the record; idempotent, and completes a crashed attempt.

    Raises ArchiveError if a file already there differs from what this checklist and PDF give.
    """
    folder = _instance_folder(root, checklist.process_instance_id)
    record_path = folder / RECORD_FILE
    if record_path.exists():
        return _verify_finished(record_path, checklist, pdf)

    pdf_sha256 = _sha256(pdf)
    copies = []
    for holder in CopyHolder:
        _write_once(folder / holder.file_name, pdf)
        copies.append(ArchivedCopy(holder=holder, file=holder.file_name, sha256=pdf_sha256, size_bytes=len(pdf)))
    record = ArchiveRecord(
        process_instance_id=checklist.process_instance_id,
        content_sha256=checklist.content_sha256(),
        content_hash_definition=CONTENT_HASH_DEFINITION,
        pdf_sha256=pdf_sha256,
        pdf_size_bytes=len(pdf),
        copies=copies,
        archived_at=clock.now(),
        checklist=json.loads(checklist.canonical_json()),
    )
    _write_once(record_path, _record_bytes(record))
    _remove_stale_temp_files(folder)
    return ArchiveRecord.model_validate_json(record_path.read_bytes())


def _instance_folder(root: Path, process_instance_id: str) -> Path:
    if not _SAFE_FOLDER_NAME.fullmatch(process_instance_id) or ".." in process_instance_id:
        raise ValueError(
            f"process instance id {process_instance_id!r} cannot name an archive folder: "
            "expected letters, digits, '-', '_' or '.'"
        )
    folder = root / process_instance_id
    if not folder.is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        _fsync_dir(root)
    return folder


def _verify_finished(record_path: Path, checklist: WorkHandoverChecklist, pdf: bytes) -> ArchiveRecord:
    record = ArchiveRecord.model_validate_json(record_path.read_bytes())
    if record.content_sha256 != checklist.content_sha256() or record.pdf_sha256 != _sha256(pdf):
        raise ArchiveError(
            f"{record_path.parent} already holds the archive of a different checklist or PDF "
            f"(archived {record.archived_at.isoformat()}, content SHA-256 {record.content_sha256}); "
            "an archive is write-once: find out why the checklist changed after it was archived"
        )
    for copy in record.copies:
        _check_existing(record_path.parent / copy.file, pdf)
    _remove_stale_temp_files(record_path.parent)
    return record


def _write_once(path: Path, data: bytes) -> None:
    """Create `path` holding `data`, or check that it already does; never overwrite."""
    if path.exists():
        _check_existing(path, data)
        return
    fd, temp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    temp = Path(temp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        temp.chmod(0o444)
        try:
            os.link(temp, path)  # atomic, and fails instead of replacing a file already there
        except FileExistsError:  # another attempt got there first: it must have written the same
            _check_existing(path, data)
    finally:
        temp.unlink(missing_ok=True)
    _fsync_dir(path.parent)


def _check_existing(path: Path, expected: bytes) -> None:
    if not path.is_file():
        raise ArchiveError(f"{path} is missing from a finished archive; restore it from another copy")
    found = path.read_bytes()
    if found != expected:
        raise ArchiveError(
            f"{path} already exists with different content (SHA-256 {_sha256(found)}, "
            f"{len(found)} bytes; expected {_sha256(expected)}, {len(expected)} bytes); "
            "it was not overwritten: compare it with the other copies and the record"
        )


def _remove_stale_temp_files(folder: Path) -> None:
    """Temp files are what a crashed attempt left: never under a final name, so safe to drop."""
    for temp in folder.glob(f".*{TEMP_SUFFIX}"):
        temp.unlink(missing_ok=True)


def _record_bytes(record: ArchiveRecord) -> bytes:
    content = record.model_dump(mode="json", by_alias=True)
    return (json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode()


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
