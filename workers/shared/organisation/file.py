"""The organisation file a process works on: named by the process owner in the model, never by a user."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from workers import TaskProperties
from workers.shared.organisation.model import Organisation, OrganisationError, load_organisation
from workers.shared.properties import LocalPath


class OrganisationFile(TaskProperties):
    """The task's property 'organisationFile' (relative: to the worker's folder).

    Only the model names it, not a variable a user could pass at start: the review writes to it.
    """

    organisation_file: LocalPath = Field(examples=["org/demo-organisation.yaml"])


def load(path: Path) -> Organisation:
    """The organisation; an invalid file is a technical failure (an incident naming every problem),
    which is retried once someone has fixed the file."""
    try:
        return load_organisation(path)
    except OrganisationError as exc:
        raise RuntimeError(str(exc)) from exc
