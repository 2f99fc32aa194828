"""Lint for the company calendars the models name (property `calendarFile`): each file is valid, and
from 1 November on next year is covered (official or entered in full), else a warning.

Kept beside the model rules of workers/engine/lint.py rather than among them: it reads files the
models point to, relative to the repository root, and depends on the day it runs (`today`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Iterator

from workers.engine.lint import BPMN_NS, CAMUNDA_NS, Models, Problem
from workers.shared.calendar import WorkingCalendar

PROPERTY = "calendarFile"  # the property of the tasks that count working days (NoticeSettings)
from workers.shared.calendar_file import CalendarFileError, load_company_calendar


def calendar_problems(models: Models, root: Path, today: date) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[Path] = set()
    for file, element_id, value in _calendar_properties(models):
        path = Path(value) if Path(value).is_absolute() else root / value
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            calendar = WorkingCalendar(load_company_calendar(path), file=Path(value))
        except CalendarFileError as exc:
            problems.append(Problem(file, element_id, "calendar-file",
                                    f"{PROPERTY} {value}: " + "; ".join(exc.problems)))
            continue
        warning = calendar.coverage_warning(today)
        if warning:
            problems.append(Problem(file, element_id, "calendar-coverage", warning, severity="warning"))
    return problems


def _calendar_properties(models: Models) -> Iterator[tuple[Path, str | None, str]]:
    """(model file, element id, file named) for every `calendarFile` property that is not an expression."""
    properties = f"{{{BPMN_NS}}}extensionElements/{{{CAMUNDA_NS}}}properties/{{{CAMUNDA_NS}}}property"
    for file, root in models.bpmn.items():
        for element in root.iter():
            for prop in element.findall(properties):
                value = prop.get("value") or ""
                if prop.get("name") == PROPERTY and value and "${" not in value and "#{" not in value:
                    yield file, element.get("id"), value
