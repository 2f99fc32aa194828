"""Working days (工作日) for notices and deadlines, by a calendar that never runs out.

Every year has a source, and `WorkingCalendar.source(year)` says which:
- `official`: the State Council's calendar as the `chinesecalendar` package publishes it (public
  holidays are days off even on a weekday, make-up working days, 调休, are worked even on a weekend);
- `company`: not (yet) in the package, but entered in full in the company calendar file
  (`complete: true`, see workers/shared/calendar_file.py), e.g. the day the State Council's notice
  for next year is published;
- `provisional`: in neither. Counted as weekends plus the statutory holidays as the `holidays`
  package estimates them for China, and said so wherever the count is shown (`provisional_notice`).
Entries in the company file override the base of their year, whatever its source.

Convention, "notify X working days in advance" (policy §3.2 step 1): count the working days
strictly after the notice date up to and including the hand-over date, the way "3 days in
advance" counts calendar days: notice on Monday, hand-over on Thursday of an ordinary week is 3
working days' notice. The notice day itself never counts (notice may be given late in the day, or
on a day off), and a hand-over on a day off counts like one on the working day before it. So
the notice is sufficient when `working_days_between(notice, hand_over) >= X`, and the earliest
compliant hand-over is the X-th working day after the notice day.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, tzinfo
from enum import Enum
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import chinese_calendar
import holidays

from workers import TaskContext
from workers.shared.calendar_file import CalendarFileError, CompanyCalendar, load_company_calendar
from workers.shared.notify import Bilingual

_ONE_DAY = timedelta(days=1)


class YearSource(str, Enum):
    OFFICIAL = "official"
    COMPANY = "company"
    PROVISIONAL = "provisional"


class WorkingCalendar:
    """The official calendar, the company's entries over it, and a provisional count beyond both."""

    def __init__(self, company: CompanyCalendar | None = None, file: Path | None = None) -> None:
        self.company = company or CompanyCalendar()
        self.file = file

    def source(self, year: int) -> YearSource:
        if year in official_years():
            return YearSource.OFFICIAL
        entry = self.company.years.get(year)
        return YearSource.COMPANY if entry is not None and entry.complete else YearSource.PROVISIONAL

    def is_working_day(self, day: date) -> bool:
        """Whether people work on `day`: weekdays except holidays, plus make-up working days."""
        entry = self.company.years.get(day.year)
        if entry is not None and day in entry.days_worked:
            return True
        if entry is not None and day in entry.days_off:
            return False
        source = self.source(day.year)
        if source is YearSource.OFFICIAL:
            return bool(chinese_calendar.is_workday(day))
        if source is YearSource.COMPANY:
            return day.weekday() < 5
        days_off, days_worked = _estimate(day.year)
        return day in days_worked or (day.weekday() < 5 and day not in days_off)

    def working_days_between(self, start: date, end: date) -> int:
        """The working days strictly after `start` up to and including `end` (see the module doc).

        Equal dates give 0. An `end` before `start` (a hand-over before its notice) is the caller's
        mistake to report and raises ValueError.
        """
        if end < start:
            raise ValueError(f"the end date {end.isoformat()} is before the start date {start.isoformat()}")
        return sum(self.is_working_day(start + offset * _ONE_DAY) for offset in range(1, (end - start).days + 1))

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day after `day` (`day` itself when n is 0), whether or not `day` is worked."""
        if n < 0:
            raise ValueError(f"the number of working days to add must not be negative, got {n}")
        while n > 0:
            day += _ONE_DAY
            n -= self.is_working_day(day)
        return day

    def earliest_compliant_date(self, notice_date: date, required_working_days: int) -> date:
        """The earliest hand-over date that leaves `required_working_days` of notice after `notice_date`.

        Always a working day (or the notice date itself when no notice is required), and the least
        date `d` with `working_days_between(notice_date, d) >= required_working_days`.
        """
        if required_working_days < 0:
            raise ValueError(f"the required notice must not be negative, got {required_working_days} working days")
        return self.add_working_days(notice_date, required_working_days)

    def deadline(self, start: datetime, working_days: int, zone: tzinfo, ends_at: time) -> datetime:
        """The end (`ends_at`, company time) of the `working_days`-th working day after `start`'s day."""
        due = self.add_working_days(start.astimezone(zone).date(), working_days)
        return datetime.combine(due, ends_at, tzinfo=zone)

    def provisional_years(self, start: date, end: date) -> list[int]:
        """The provisional years among the days a count from `start` to `end` looks at (those after `start`)."""
        if end <= start:
            return []
        first = start + _ONE_DAY
        return [year for year in range(first.year, end.year + 1) if self.source(year) is YearSource.PROVISIONAL]

    def provisional_notice(self, start: date, end: date) -> Bilingual | None:
        """What people are told when a count from `start` to `end` is provisional, and why; None if it is not."""
        years = self.provisional_years(start, end)
        if not years:
            return None
        zh_years, en_years = "、".join(map(str, years)), " and ".join(map(str, years))
        # Staff read this: no file names or package names (administrators see those in
        # `crossdept calendar check`), but what it means for them and whom to ask.
        return Bilingual(
            zh=f"工作日按暂定日历计算：{zh_years} 年的法定节假日与调休尚未录入公司日历，暂按周末和预计的法定节假日计算。"
               f"正式安排录入后，结果可能不同；如有疑问，请联系人力资源部或系统管理员。",
            en=f"Working days counted provisionally: the public holidays and make-up working days of {en_years} "
               f"are not in the company calendar yet, so weekends and the expected statutory holidays were used. "
               f"The result may differ once the official schedule is entered; if in doubt, ask HR or the system "
               f"administrator.")

    def describe(self, year: int) -> str:
        """Where the working days of `year` come from, for administrators (crossdept calendar check)."""
        source = self.source(year)
        entry = self.company.years.get(year)
        if source is YearSource.OFFICIAL:
            text = f"chinesecalendar {package_version('chinesecalendar')}"
        elif source is YearSource.COMPANY:
            text = f"entered in full in {self.file or 'the company calendar'}"
        else:
            text = f"weekends and holidays {package_version('holidays')}'s estimate of the statutory holidays"
            if entry is not None:
                text += " (entered, but not marked complete: true)"
        if entry is not None and (entry.holidays or entry.working_days):
            text += (f"; company entries: {len(entry.days_off)} days off, "
                     f"{len(entry.days_worked)} working days")
        return text

    def coverage_warning(self, today: date) -> str | None:
        """From 1 November on, a warning when next year's holidays are neither official nor entered."""
        coming = today.year + 1
        if today < date(today.year, 11, 1) or self.source(coming) is not YearSource.PROVISIONAL:
            return None
        where = self.file or "the company calendar file"
        return (f"{coming} is not covered: neither chinesecalendar {package_version('chinesecalendar')} nor "
                f"{where} has its public holidays and make-up working days, so notices and deadlines "
                f"reaching into {coming} are counted provisionally. Enter the State Council's notice for {coming} "
                f"in {where} with complete: true once it is published (or upgrade chinesecalendar)")


@cache
def official_years() -> frozenset[int]:
    """The years the installed chinesecalendar knows, whole years."""
    years = [day.year for day in chinese_calendar.holidays]
    return frozenset(range(min(years), max(years) + 1))


@cache
def _estimate(year: int) -> tuple[frozenset[date], frozenset[date]]:
    """Days off and make-up working days of `year` as the holidays package estimates them for China."""
    estimate = holidays.China(years=year)
    worked = getattr(estimate, "weekend_workdays", set())
    return frozenset(estimate), frozenset(day for day in worked if day.year == year)


def package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "(version unknown)"


def parse_clock(value: str, what: str) -> time:
    try:
        return time.fromisoformat(value)
    except ValueError as exc:
        raise RuntimeError(f"{what} {value!r} is not a time of day like 18:00") from exc


# --- the file a process works with --------------------------------------------------------------
def load_calendar(path: Path | None) -> WorkingCalendar:
    """The calendar with the company file at `path` (None: the official one and provisional counts only).

    An invalid file is a technical failure (an incident naming every problem), retried once fixed.
    """
    if path is None:
        return WorkingCalendar()
    try:
        return WorkingCalendar(load_company_calendar(path), file=path)
    except CalendarFileError as exc:
        raise RuntimeError(str(exc)) from exc


# The calendar without a company file, for callers that plan from the official calendar alone.
DEFAULT = WorkingCalendar()
is_working_day = DEFAULT.is_working_day
working_days_between = DEFAULT.working_days_between
add_working_days = DEFAULT.add_working_days
earliest_compliant_date = DEFAULT.earliest_compliant_date
