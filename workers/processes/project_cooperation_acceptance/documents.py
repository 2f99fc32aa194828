"""The project's documents as Camunda File variables `doc_<kind>_<n>` (contract B), which Tasklist's
项目文件 / Project documents panel offers on every task of the instance.

A task reaches only its own instance's variables, and each phase keeps its PDFs on the instance that
made them (the root for phases 1–3, the implementation instance for the minutes). So this process
first copies the earlier phases' File variables onto its own instance, read from the history of the
calling instance and the other instances it called: then its tasks offer every document of the
project, through the task's own variables, and the engine's authorization on the task decides who
may download them.
"""

from __future__ import annotations

import hashlib
from typing import Any

from workers.processes.project_cooperation_acceptance.variables import ProjectDocument
from workers.shared.archive import write_once

PDF = "application/pdf"
ARCHIVE_FOLDER = "project-cooperation"  # under the archive root, then the root instance's business key


def document_variable(kind: str, version: int) -> str:
    """`doc_acceptance_report_1`: the kind's hyphens as underscores, as every phase names them (a
    name an expression in the model can use)."""
    return f"doc_{kind.replace('-', '_')}_{version}"


def next_version(documents: list[ProjectDocument], kind: str) -> int:
    return 1 + max((d.version for d in documents if d.kind == kind), default=0)


def put_file(engine: Any, process_instance_id: str, name: str, filename: str, content: bytes) -> None:
    """Set (or set again, with the same bytes on a retry) a File variable on the instance."""
    engine.request("POST", f"/process-instance/{process_instance_id}/variables/{name}/data",
                   files={"data": (filename, content, PDF)}, data={"valueType": "File"})


def copy_earlier_documents(engine: Any, process_instance_id: str, documents: list[ProjectDocument]) -> list[str]:
    """Copy each listed document this instance does not hold from the project's other instances;
    returns the names copied. A listed document found nowhere is a fault of the phase that listed it."""
    here = engine.request("GET", f"/process-instance/{process_instance_id}/variables",
                          params={"deserializeValues": "false"}) or {}
    wanted = list(dict.fromkeys(d.variable for d in documents if d.variable not in here))
    if not wanted:
        return []
    instances = _project_instances(engine, process_instance_id)
    copied = []
    for name in wanted:
        found = [v for v in engine.request("GET", "/history/variable-instance", params={
            "variableName": name, "processInstanceIdIn": ",".join(instances), "deserializeValues": "false"}) or []
            if v.get("type") == "File"]
        if not found:
            raise RuntimeError(f"projectDocuments lists {name!r}, but no instance of the project ({', '.join(instances)}) "
                               "holds a File variable of that name")
        filename = (found[0].get("valueInfo") or {}).get("filename") or f"{name}.pdf"
        put_file(engine, process_instance_id, name, filename, _data(engine, f"/history/variable-instance/{found[0]['id']}/data"))
        copied.append(name)
    return copied


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


def keep_document(task: Any, documents: list[ProjectDocument], kind: str, title: str, pdf: bytes) -> ProjectDocument:
    """File the PDF write-once under the root's business key (`project-cooperation/<key>/<kind>-v<n>.pdf`,
    as every phase does), keep it as this instance's File variable and describe it as the next
    `projectDocuments` entry of its kind."""
    version = next_version(documents, kind)
    variable = document_variable(kind, version)
    relative = f"{ARCHIVE_FOLDER}/{task.business_key}/{kind}-v{version}.pdf"
    write_once(task.settings.archive_root / relative, pdf)
    put_file(task.engine, task.process_instance_id, variable, f"{task.business_key}-{kind}-v{version}.pdf", pdf)
    return ProjectDocument(kind=kind, title=title, version=version, variable=variable, archive_path=relative,
                           sha256=hashlib.sha256(pdf).hexdigest())
