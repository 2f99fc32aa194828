"""The company calendar file (公司日历): holidays and make-up working days (调休) an administrator enters.

The State Council announces each year's public holidays, usually in November of the year before;
the `chinesecalendar` package publishes them only with its next release. The file lets an
administrator enter them the day they are published, and add the company's own days off. Its
format is described in the header of `org/company-calendar.yaml`.

Structure is checked by pydantic and the rest (a date in its own year, a range in order, no day both
off and worked) by `_check`; every problem is reported as `<yaml path>: <rule>`, all at once, like the
organisation file.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError
from typing_extensions import Annotated

from workers.shared.datafile import DataFileError, read_yaml, validate

RANGE_SEPARATOR = ".."


def _span(value: Any) -> tuple[date, date]:
    """`2027-10-01` or `2027-10-01..2027-10-07` (both ends included) as (first, last)."""
    if isinstance(value, date):
        return value, value
    text = str(value).strip()
    first, _, last = text.partition(RANGE_SEPARATOR)
    span = _day(first), _day(last or first)
    if span[1] < span[0]:
        raise PydanticCustomError("calendar_range", "{value} ends before it starts", {"value": text})
    return span


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise PydanticCustomError(
            "calendar_date", "{value} is not a date (write YYYY-MM-DD, or YYYY-MM-DD..YYYY-MM-DD for a range)",
            {"value": text.strip()}) from None


DaySpan = Annotated[tuple[date, date], BeforeValidator(_span)]


class CalendarYear(BaseModel):
    """One year's entries: days off and days worked, each overriding what the base calendar says."""

    model_config = ConfigDict(extra="forbid")

    complete: bool = Field(False, description="Every holiday and make-up working day of the year is entered.")
    holidays: list[DaySpan] = Field(default_factory=list)
    working_days: list[DaySpan] = Field(default_factory=list)

    @cached_property
    def days_off(self) -> frozenset[date]:
        return frozenset(_days(self.holidays))

    @cached_property
    def days_worked(self) -> frozenset[date]:
        return frozenset(_days(self.working_days))


class CompanyCalendar(BaseModel):
    model_config = ConfigDict(extra="forbid")

    years: dict[int, CalendarYear] = Field(default_factory=dict)


class CalendarFileError(DataFileError):
    """The company calendar file is invalid; `problems` lists every `<path>: <rule>` found."""


class _DatesAsText(yaml.SafeLoader):
    """YAML without its own date parsing: `2027-02-30` must reach the validator, not crash the parser."""


_DatesAsText.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_company_calendar(path: Path | str) -> CompanyCalendar:
    return parse_company_calendar(read_yaml(path, CalendarFileError, _DatesAsText), source=str(path))


def parse_company_calendar(data: Any, source: str = "<company calendar>") -> CompanyCalendar:
    if data is None:  # a file of comments only: nothing entered yet
        return CompanyCalendar()
    if not isinstance(data, dict):
        raise CalendarFileError(source, ["(top level): must be a mapping with the key 'years'"])
    if isinstance(data.get("years"), dict):  # keys as text, so that every error path names them the same way
        data = {**data, "years": {str(year): entry for year, entry in data["years"].items()}}
    calendar = validate(CompanyCalendar, data, source, CalendarFileError,
                        fields_hint="use complete, holidays or working_days", key_rule="is not a year like 2027")
    problems = list(_check(calendar))
    if problems:
        raise CalendarFileError(source, problems)
    return calendar


def _check(calendar: CompanyCalendar) -> Iterator[str]:
    for year, entry in calendar.years.items():
        if not 1900 <= year <= 2200:
            yield f"years.{year}: is not a year like 2027"
        for field in ("holidays", "working_days"):
            for i, (first, last) in enumerate(getattr(entry, field)):
                if first.year != year or last.year != year:
                    yield f"years.{year}.{field}[{i}]: {_text(first, last)} is not in {year}"
        for i, (first, last) in enumerate(entry.working_days):
            clash = sorted(entry.days_off.intersection(_days([(first, last)])))
            if clash:
                yield (f"years.{year}.working_days[{i}]: {clash[0].isoformat()} is also entered as a holiday; "
                       "a day is either off or worked")


def _days(spans: list[tuple[date, date]]) -> Iterator[date]:
    for first, last in spans:
        yield from (first + timedelta(days=n) for n in range((last - first).days + 1))


def _text(first: date, last: date) -> str:
    return first.isoformat() if first == last else f"{first.isoformat()}{RANGE_SEPARATOR}{last.isoformat()}"
