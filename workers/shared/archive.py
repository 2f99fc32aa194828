"""资料归档 / The write-once archive every process files its documents in.

`archive_copies` stores a document's PDF once per copy holder (the hand-over's 一式三份: giver,
receiver, archive) with a JSON record of its canonical content, under <root>/<process instance id>/;
`write_once` is the primitive for any other file (the organisation file's versions).

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
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import Mapping, Protocol

from pydantic import BaseModel

from workers.runtime import clock
from workers.runtime.registry import ProcessVariables

RECORD_FILE = "record.json"
TEMP_SUFFIX = ".tmp"
# Camunda's ids are UUIDs or numbers: anything else could leave the root (a/../b) and is refused.
_SAFE_FOLDER_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


CONTENT_HASH_DEFINITION = (
    "SHA-256 of the document's canonical JSON: camelCase keys sorted, no whitespace, UTF-8, "
    "times in UTC"
)


def canonical_json(model: BaseModel) -> bytes:
    """The exact bytes a document's content SHA-256 covers (see CONTENT_HASH_DEFINITION)."""
    content = model.model_dump(mode="json", by_alias=True)
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


class Archivable(Protocol):
    """A document of one process instance whose content can be hashed."""

    process_instance_id: str

    def canonical_json(self) -> bytes: ...

    def content_sha256(self) -> str: ...


class ArchiveError(RuntimeError):
    """The archive on disk is not what this document should produce: never repaired automatically."""


class ArchivedCopy(ProcessVariables):
    holder: str
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
    content: dict  # the canonical document, from which content_sha256 can be recomputed

    def copy_path(self, root: Path, holder: str) -> Path:
        copy = next(c for c in self.copies if c.holder == holder)
        return root / self.process_instance_id / copy.file


def archive_copies(root: Path, document: Archivable, pdf: bytes, copies: Mapping[str, str], *,
                   time_zone: tzinfo = timezone.utc) -> ArchiveRecord:
    """Store the PDF once per holder (`copies`: holder -> file name) plus the record; idempotent,
    and completes a crashed attempt. The record says when in `time_zone` (the company's), for the
    person who opens it; its content keeps UTC, as the content hash defines.

    Raises ArchiveError if a file already there differs from what this document and PDF give.
    """
    folder = _instance_folder(root, document.process_instance_id)
    record_path = folder / RECORD_FILE
    if record_path.exists():
        return _verify_finished(record_path, document, pdf)

    pdf_sha256 = _sha256(pdf)
    stored = []
    for holder, file_name in copies.items():
        _write_once(folder / file_name, pdf)
        stored.append(ArchivedCopy(holder=holder, file=file_name, sha256=pdf_sha256, size_bytes=len(pdf)))
    record = ArchiveRecord(
        process_instance_id=document.process_instance_id,
        content_sha256=document.content_sha256(),
        content_hash_definition=CONTENT_HASH_DEFINITION,
        pdf_sha256=pdf_sha256,
        pdf_size_bytes=len(pdf),
        copies=stored,
        archived_at=clock.now().astimezone(time_zone),
        content=json.loads(document.canonical_json()),
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


def _verify_finished(record_path: Path, document: Archivable, pdf: bytes) -> ArchiveRecord:
    record = ArchiveRecord.model_validate_json(record_path.read_bytes())
    if record.content_sha256 != document.content_sha256() or record.pdf_sha256 != _sha256(pdf):
        raise ArchiveError(
            f"{record_path.parent} already holds the archive of a different document or PDF "
            f"(archived {record.archived_at.isoformat()}, content SHA-256 {record.content_sha256}); "
            "an archive is write-once: find out why the document changed after it was archived"
        )
    for copy in record.copies:
        _check_existing(record_path.parent / copy.file, pdf)
    _remove_stale_temp_files(record_path.parent)
    return record


def write_once(path: Path, data: bytes) -> None:
    """Create `path` holding `data` (read-only), or check that it already does; never overwrite."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _write_once(path, data)


def _write_once(path: Path, data: bytes) -> None:
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
