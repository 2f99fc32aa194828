"""The organisation file a process works on: named by the process owner in the model, never by a user."""

from __future__ import annotations

from pathlib import Path

from workers import TaskContext
from workers.shared.organisation.model import Organisation, OrganisationError, load_organisation

PROPERTY = "organisationFile"


def organisation_path(task: TaskContext) -> Path:
    """The file named in the task's property 'organisationFile' (relative: to the worker's folder).

    Only the model names it, not a variable a user could pass at start: the review writes to it.
    """
    path = task.extension_properties.get(PROPERTY)
    if not path:
        raise RuntimeError(
            f"{task.activity_id}: no organisation file; set the property '{PROPERTY}' on this task "
            "in Camunda Modeler (e.g. org/demo-organisation.yaml)"
        )
    return Path(path)


def load(path: Path) -> Organisation:
    """The organisation; an invalid file is a technical failure (an incident naming every problem),
    which is retried once someone has fixed the file."""
    try:
        return load_organisation(path)
    except OrganisationError as exc:
        raise RuntimeError(str(exc)) from exc
