"""What a topic's models promise about process variables: each variable's one type, and which a
topic requires.

A variable has one type in its process, whichever topic reads or writes it. The one exception is a
value as a person typed it (a start form's text, a list's rows before they are checked): the topic
that first reads it takes it as submitted and its own rule check names every problem by field,
Chinese first, as a BPMN error the form shows. Such a field is marked `AsTyped(<the type it has once
checked>)`, so the variable still has one declared type:

    PlannedDate = date
    planned_date: Annotated[str | None, AsTyped(PlannedDate)] = None
"""

from __future__ import annotations

import re
import types
from dataclasses import dataclass
from typing import Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo


@dataclass(frozen=True)
class AsTyped:
    """An input field read as a person submitted it; `becomes` is the variable's type once checked."""

    becomes: Any


def fields_by_variable(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """The model's fields under the process variable names they read or write."""
    return {field.alias or name: field for name, field in model.model_fields.items()}


def required_variables(model: type[BaseModel]) -> list[str]:
    """The variables a topic cannot run without: its input model's fields that have no default."""
    return [name for name, field in fields_by_variable(model).items() if field.is_required()]


def declared_type(field: FieldInfo) -> Any:
    """The variable's one type: what an `AsTyped` field becomes, otherwise the annotation; a `None`
    alternative does not count (writing None clears a variable, it does not change its type)."""
    marker = next((m for m in field.metadata if isinstance(m, AsTyped)), None)
    return _without_none(marker.becomes if marker else field.annotation)


def type_name(annotation: Any) -> str:
    """`list[ChecklistItem]`, not `list[workers.processes.work_handover.checklist.ChecklistItem]`."""
    if isinstance(annotation, type) and not get_args(annotation):
        return annotation.__name__
    return re.sub(r"\b(?:\w+\.)+(\w+)", r"\1", str(annotation))


def _without_none(annotation: Any) -> Any:
    if get_origin(annotation) in (Union, types.UnionType):
        kept = [a for a in get_args(annotation) if a is not type(None)]
        return kept[0] if len(kept) == 1 else Union[tuple(kept)]
    return annotation
