"""A project's documents (contract B), filed the same way by every phase of project cooperation.

Each PDF a phase makes is filed write-once in the archive under the root instance's business key
(`project-cooperation/<key>/…`), kept as the File variable `doc_<kind>_<n>` on the instance that made
it (Tasklist's 项目文件 / Project documents panel offers it) and described by a `projectDocuments` entry.

A task reaches only its own instance's variables, so a called phase first copies the earlier phases'
File variables onto its instance (`copy_earlier_documents`), read from the history of the project's
other instances: then its tasks offer every document of the project, and the engine's authorization
on the task decides who may download them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from pathlib import PurePosixPath
from typing import Any, Iterable

from pydantic import BaseModel, ConfigDict

from workers.shared.archive import write_once

PDF = "application/pdf"
ARCHIVE_FOLDER = "project-cooperation"  # under the archive root, then the root instance's business key
# The key names a folder of the archive: nothing that could climb out of it.
_SAFE_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class ProjectDocument(BaseModel):
    """One entry of `projectDocuments`, appended to by every phase, never rewritten."""

    model_config = ConfigDict(extra="allow")  # an entry keeps what other phases wrote into it

    kind: str
    title: str
    version: int
    variable: str  # the File variable holding the PDF, on the instance that made it
    archive_path: str  # relative to the archive root
    sha256: str


def document_variable(kind: str, version: int) -> str:
    """`doc_acceptance_report_1`: the kind's hyphens as underscores (a name a model's expression can use)."""
    return f"doc_{kind.replace('-', '_')}_{version}"


def next_version(documents: Iterable[ProjectDocument], kind: str) -> int:
    return 1 + max((d.version for d in documents if d.kind == kind), default=0)


def business_key(task: Any) -> str:
    """The root instance's business key, which every call activity passes down (the root's own instance
    id before it has one)."""
    key = task.business_key or task.process_instance_id or ""
    if not _SAFE_KEY.fullmatch(key) or ".." in key:
        raise ValueError(f"business key {task.business_key!r} cannot name the project's archive folder: the root "
                         "instance's business key (letters, digits, '-', '_', '.') is passed to every phase")
    return key


def keep_document(task: Any, kind: str, title: str, version: int, pdf: bytes,
                  archive_name: str | None = None) -> ProjectDocument:
    """File the PDF write-once as `project-cooperation/<key>/<archive_name>` (by default
    `<kind>-v<version>.pdf`), keep it as this instance's File variable `doc_<kind>_<version>` (once: a
    repeated delivery does not write it again) and describe it as a `projectDocuments` entry."""
    key = business_key(task)
    relative = PurePosixPath(ARCHIVE_FOLDER) / key / (archive_name or f"{kind}-v{version}.pdf")
    write_once(task.settings.archive_root / relative, pdf)
    variable = document_variable(kind, version)
    task.once(f"file-variable:{variable}",
              lambda: put_file(task.engine, task.process_instance_id, variable, f"{key}-{relative.name}", pdf))
    return ProjectDocument(kind=kind, title=title, version=version, variable=variable, archive_path=str(relative),
                           sha256=hashlib.sha256(pdf).hexdigest())


def put_file(engine: Any, process_instance_id: str, name: str, filename: str, content: bytes) -> None:
    """Set a File variable on the instance (setting the same bytes again changes nothing)."""
    engine.request("PUT", f"/process-instance/{process_instance_id}/variables/{name}", json={
        "type": "File", "value": base64.b64encode(content).decode(),
        "valueInfo": {"filename": filename, "mimetype": PDF}})


def copy_earlier_documents(engine: Any, process_instance_id: str, documents: Iterable[ProjectDocument]) -> list[str]:
    """Copy each listed document this instance does not hold from the project's other instances;
    returns the names copied. A listed document found nowhere is a fault of the phase that listed it."""
    listed = list(dict.fromkeys(d.variable for d in documents))
    if not listed:
        return []
    here = engine.request("GET", f"/process-instance/{process_instance_id}/variables",
                          params={"deserializeValues": "false"}) or {}
    wanted = [name for name in listed if name not in here]
    if not wanted:
        return []
    instances = _project_instances(engine, process_instance_id)
    for name in wanted:
        found = [v for v in engine.request("GET", "/history/variable-instance", params={
            "variableName": name, "processInstanceIdIn": ",".join(instances), "deserializeValues": "false"}) or []
            if v.get("type") == "File"]
        if not found:
            raise RuntimeError(f"projectDocuments lists {name!r}, but no instance of the project ({', '.join(instances)}) "
                               "holds a File variable of that name")
        filename = (found[0].get("valueInfo") or {}).get("filename") or f"{name}.pdf"
        put_file(engine, process_instance_id, name, filename, _data(engine, f"/history/variable-instance/{found[0]['id']}/data"))
    return wanted


def _project_instances(engine: Any, process_instance_id: str) -> list[str]:
    """The root instance of the project and every instance it called, this one excluded."""
    me = engine.request("GET", f"/history/process-instance/{process_instance_id}") or {}
    root = me.get("rootProcessInstanceId") or me.get("superProcessInstanceId") or process_instance_id
    called = engine.request("GET", "/history/process-instance", params={"superProcessInstanceId": root}) or []
    return [i for i in [root, *(c["id"] for c in called)] if i != process_instance_id] or [process_instance_id]


def _data(engine: Any, path: str) -> bytes:
    """Binary content (the client's `request` decodes JSON only)."""
    response = engine.session.get(engine.base_url + path, timeout=engine.timeout_s)
    if response.status_code != 200:
        raise RuntimeError(f"GET {path} -> {response.status_code}: {response.text[:300]}")
    return response.content
