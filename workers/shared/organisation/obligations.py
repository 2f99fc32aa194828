"""Regular information shares a department owes others (policy §2 cross point 3, §3.3 step 4), as the
organisation file states them under `sharing_obligations`, and the arithmetic of their schedules.

An entry says who publishes what to whom and by when:

    sharing_obligations:
      - id: sales-orders-weekly             # stable: it names every occurrence (business key, records)
        title_zh: 客户订单周报
        title_en: Weekly customer orders
        owner: sales                        # the publishing department (its head prepares, or a delegate)
        targets: [production]
        category: customer                  # policy | business-data | project-progress | customer | finance | other
        sensitivity: internal               # public | internal | confidential | secret
        schedule: {every: week, day: monday, at: "10:00"}   # the deadline, company time zone
        lead_time: P1D                      # the task appears this long before each deadline

A schedule is one of three shapes an office can read and edit without knowing cron:
`{every: week, day: monday … sunday, at: "HH:MM"}`, `{every: month, day: 1 … 28 | last, at: "HH:MM"}`,
or `{every: <ISO-8601 duration, e.g. PT30S, P14D>, from: <ISO date-time with offset>}` for any fixed
cadence (tests use seconds). Times of the first two are wall-clock times of the company's time zone.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Annotated, Literal, Union

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag, field_validator

from workers.runtime.properties import parse_duration_s

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
CATEGORIES = ("policy", "business-data", "project-progress", "customer", "finance", "other")
SENSITIVITIES = ("public", "internal", "confidential", "secret")
OBLIGATION_ID = re.compile(r"[a-z0-9][a-z0-9-]*")
_CLOCK = re.compile(r"([01]\d|2[0-3]):[0-5]\d")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _clock_time(value: str) -> str:
    if not _CLOCK.fullmatch(value):
        raise ValueError(f"{value!r} is not a time of day as HH:MM (24 hours, e.g. \"09:30\")")
    return value


def _duration(value: str) -> str:
    try:
        seconds = parse_duration_s(value)
    except Exception as exc:  # PropertyError names the accepted forms
        raise ValueError(f"{value!r}: {exc}") from None
    if seconds <= 0:
        raise ValueError(f"{value!r} is not a positive duration")
    return value


ClockTime = Annotated[str, AfterValidator(_clock_time)]
Duration = Annotated[str, AfterValidator(_duration)]


class Weekly(_Strict):
    every: Literal["week"]
    day: Literal["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
    at: ClockTime

    def first_after(self, moment: datetime, zone: tzinfo) -> datetime:
        """The first deadline strictly after `moment`."""
        today = moment.astimezone(zone).date()
        for ahead in range(8):  # this week's day may be earlier today: then it is next week's
            day = today + timedelta(days=ahead)
            if day.weekday() == WEEKDAYS.index(self.day) and (candidate := _at(day, self.at, zone)) > moment:
                return candidate
        raise AssertionError("a weekday recurs within eight days")


class Monthly(_Strict):
    every: Literal["month"]
    day: Annotated[int, Field(ge=1, le=28)] | Literal["last"] = Field(
        description="1 … 28 (every month has it) or `last`")
    at: ClockTime

    def first_after(self, moment: datetime, zone: tzinfo) -> datetime:
        """The first deadline strictly after `moment`."""
        local = moment.astimezone(zone)
        year, month = local.year, local.month
        while True:
            candidate = _at(self._day_in(year, month), self.at, zone)
            if candidate > moment:
                return candidate
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)

    def _day_in(self, year: int, month: int) -> date:
        day = calendar.monthrange(year, month)[1] if self.day == "last" else self.day
        return date(year, month, day)


class Every(_Strict):
    every: Duration = Field(description="ISO-8601 duration between two deadlines, e.g. P7D, PT30S")
    from_: datetime = Field(alias="from", description="The first deadline, with its UTC offset.")

    @field_validator("from_")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError(f"{value.isoformat()} needs its UTC offset, e.g. 2026-12-07T10:00:00+08:00")
        return value

    def first_after(self, moment: datetime, zone: tzinfo) -> datetime:
        """The first deadline strictly after `moment` (the zone does not matter: the offset is given)."""
        step = timedelta(seconds=parse_duration_s(self.every))
        if moment < self.from_:
            return self.from_
        passed = (moment - self.from_) // step + 1
        return self.from_ + passed * step


def _schedule_shape(value: object) -> str | None:
    every = value.get("every") if isinstance(value, dict) else getattr(value, "every", None)
    if not isinstance(every, str):
        return None  # pydantic then names the three shapes
    return every if every in ("week", "month") else "interval"


Schedule = Annotated[
    Union[Annotated[Weekly, Tag("week")], Annotated[Monthly, Tag("month")], Annotated[Every, Tag("interval")]],
    Discriminator(_schedule_shape, custom_error_type="schedule_shape", custom_error_message=(
        "give `every: week` (with day, at), `every: month` (with day, at) or `every: <ISO duration>` (with from)")),
]


class SharingObligation(_Strict):
    id: str
    title_zh: Annotated[str, Field(min_length=1)]
    title_en: Annotated[str, Field(min_length=1)]
    owner: str
    targets: list[str] = Field(min_length=1)
    category: Literal["policy", "business-data", "project-progress", "customer", "finance", "other"]
    sensitivity: Literal["public", "internal", "confidential", "secret"]
    schedule: Schedule
    lead_time: Duration = Field(description="ISO-8601 duration before each deadline when the task appears, e.g. P1D")

    @property
    def title(self) -> str:
        return f"{self.title_zh} / {self.title_en}"

    @property
    def lead(self) -> timedelta:
        return timedelta(seconds=parse_duration_s(self.lead_time))

    def deadlines_starting(self, after: datetime, until: datetime, zone: tzinfo) -> list[datetime]:
        """The deadlines whose task is due to appear (deadline − lead time) in (after, until], in order."""
        found: list[datetime] = []
        deadline = self.schedule.first_after(after + self.lead, zone)
        while deadline - self.lead <= until:
            found.append(deadline)
            deadline = self.schedule.first_after(deadline, zone)
        return found

    def occurrence_key(self, deadline: datetime) -> str:
        """`<id>@<deadline in UTC>`: the business key of the occurrence's instance and its records' name."""
        return f"{self.id}@{deadline.astimezone(timezone.utc):%Y-%m-%dT%H:%M:%SZ}"


def parse_occurrence_key(key: str) -> tuple[str, datetime]:
    """`sales-orders-weekly@2026-12-07T02:00:00Z` -> ("sales-orders-weekly", that moment, aware)."""
    obligation_id, separator, moment = key.partition("@")
    if not separator or not OBLIGATION_ID.fullmatch(obligation_id):
        raise ValueError(f"{key!r} is not an obligation occurrence (<obligation id>@<deadline in UTC>)")
    return obligation_id, datetime.strptime(moment, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)


def _at(day: date, clock: str, zone: tzinfo) -> datetime:
    hours, minutes = (int(part) for part in clock.split(":"))
    return datetime.combine(day, time(hours, minutes), tzinfo=zone)


