"""Working days (工作日) by the official Chinese calendar, for the hand-over's notice and deadlines.

The calendar is the State Council's, as the maintained `chinesecalendar` package publishes it:
public holidays are days off even on a weekday, and make-up working days (调休, e.g. a Saturday
worked to bridge a holiday) are working days even on a weekend. Nothing here is hand-written.

Convention, "notify X working days in advance" (policy §3.2 step 1): count the working days
strictly after the notice date up to and including the hand-over date, the way "3 days in
advance" counts calendar days: notice on Monday, hand-over on Thursday of an ordinary week is 3
working days' notice. The notice day itself never counts (notice may be given late in the day, or
on a day off), and a hand-over on a day off counts like one on the working day before it. So
the notice is sufficient when `working_days_between(notice, hand_over) >= X`, and the earliest
compliant hand-over is the X-th working day after the notice day.

The package covers only the years whose holidays have been announced (each year's, usually in
the November before); a date outside them raises `UnsupportedDateError`, never a guess.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import chinese_calendar

_ONE_DAY = timedelta(days=1)


class UnsupportedDateError(ValueError):
    """A date outside the years the installed official calendar covers."""

    def __init__(self, day: date) -> None:
        first, last = supported_range()
        self.day, self.first, self.last = day, first, last
        remedy = "choose a date in that range"
        if day > last:
            remedy += (f", or update the chinesecalendar package once the State Council has published "
                       f"the holidays of {day.year}")
        super().__init__(
            f"{day.isoformat()} is outside the official Chinese working-day calendar we have, which "
            f"covers {first.isoformat()} to {last.isoformat()} (chinesecalendar {_package_version()}): {remedy}"
        )


@cache
def supported_range() -> tuple[date, date]:
    """The first and last day the installed calendar knows, whole years."""
    years = [day.year for day in chinese_calendar.holidays]
    return date(min(years), 1, 1), date(max(years), 12, 31)


def is_working_day(day: date) -> bool:
    """Whether people work on `day`: weekdays except public holidays, plus make-up working days."""
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError as exc:  # the package's way of saying "no data for that year"
        raise UnsupportedDateError(day) from exc


def working_days_between(start: date, end: date) -> int:
    """The working days strictly after `start` up to and including `end` (see the module doc).

    Equal dates give 0. An `end` before `start` (a hand-over before its notice) is the caller's
    mistake to report and raises ValueError.
    """
    if end < start:
        raise ValueError(f"the end date {end.isoformat()} is before the start date {start.isoformat()}")
    _check_supported(start, end)
    return sum(is_working_day(start + offset * _ONE_DAY) for offset in range(1, (end - start).days + 1))


def add_working_days(day: date, n: int) -> date:
    """The n-th working day after `day` (`day` itself when n is 0), whether or not `day` is worked."""
    if n < 0:
        raise ValueError(f"the number of working days to add must not be negative, got {n}")
    _check_supported(day, day)
    while n > 0:
        day += _ONE_DAY
        n -= is_working_day(day)
    return day


def earliest_compliant_date(notice_date: date, required_working_days: int) -> date:
    """The earliest hand-over date that leaves `required_working_days` of notice after `notice_date`.

    Always a working day (or the notice date itself when no notice is required), and the least
    date `d` with `working_days_between(notice_date, d) >= required_working_days`.
    """
    if required_working_days < 0:
        raise ValueError(f"the required notice must not be negative, got {required_working_days} working days")
    return add_working_days(notice_date, required_working_days)


def _check_supported(*days: date) -> None:
    first, last = supported_range()
    for day in days:
        if not first <= day <= last:
            raise UnsupportedDateError(day)


def _package_version() -> str:
    try:
        return version("chinesecalendar")
    except PackageNotFoundError:
        return "version unknown"
