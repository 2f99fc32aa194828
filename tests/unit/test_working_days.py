"""Working days by the official Chinese calendar: the notice the hand-over policy (§3.2) requires."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from workers.shared.calendar import (
    UnsupportedDateError,
    add_working_days,
    earliest_compliant_date,
    is_working_day,
    supported_range,
    working_days_between,
)

# National Day and Mid-Autumn 2025 (国庆节、中秋节): 1–8 October off, Sunday 28 September and
# Saturday 11 October worked instead (调休).
NATIONAL_DAY_2025 = [date(2025, 10, day) for day in range(1, 9)]
MAKE_UP_SUNDAY = date(2025, 9, 28)
MAKE_UP_SATURDAY = date(2025, 10, 11)


def test_notice_counts_the_working_days_after_the_notice_day_up_to_the_hand_over_day() -> None:
    monday, thursday = date(2025, 3, 3), date(2025, 3, 6)
    assert working_days_between(monday, thursday) == 3
    assert working_days_between(monday, monday) == 0


def test_an_ordinary_weekend_is_not_counted() -> None:
    friday, next_friday = date(2025, 3, 7), date(2025, 3, 14)
    assert working_days_between(friday, next_friday) == 5
    assert add_working_days(friday, 1) == date(2025, 3, 10), "the working day after a Friday is Monday"
    assert earliest_compliant_date(date(2025, 3, 3), 5) == date(2025, 3, 10)


def test_the_calendar_knows_national_day_2025_and_its_make_up_working_days() -> None:
    assert (MAKE_UP_SUNDAY.weekday(), MAKE_UP_SATURDAY.weekday()) == (6, 5), "Sunday and Saturday"
    assert is_working_day(MAKE_UP_SUNDAY) and is_working_day(MAKE_UP_SATURDAY)
    assert not any(is_working_day(day) for day in NATIONAL_DAY_2025), "1–8 October 2025 are days off"
    assert not is_working_day(date(2025, 10, 12)), "the Sunday after the make-up Saturday is off"


def test_national_day_holidays_are_not_counted_and_make_up_days_are() -> None:
    # Fri 26 Sep -> Sun 28 (make-up), Mon 29, Tue 30, then 1–8 Oct off, Thu 9, Fri 10, Sat 11 (make-up).
    assert working_days_between(date(2025, 9, 26), date(2025, 10, 12)) == 6
    assert working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 0
    assert add_working_days(date(2025, 9, 30), 1) == date(2025, 10, 9)


def test_earliest_compliant_date_across_the_holiday_lands_on_the_make_up_saturday() -> None:
    notice = date(2025, 9, 30)
    earliest = earliest_compliant_date(notice, 3)
    assert earliest == MAKE_UP_SATURDAY, "Thu 9, Fri 10 and the make-up Saturday 11 October"
    assert working_days_between(notice, earliest) == 3
    assert working_days_between(notice, earliest - timedelta(days=1)) == 2, "one day earlier is too short"


def test_earliest_compliant_date_uses_the_make_up_sunday_before_the_holiday() -> None:
    assert earliest_compliant_date(date(2025, 9, 26), 3) == date(2025, 9, 30), "Sun 28, Mon 29, Tue 30"


def test_no_required_notice_allows_the_hand_over_on_the_notice_day() -> None:
    assert earliest_compliant_date(date(2025, 10, 4), 0) == date(2025, 10, 4)


@pytest.mark.parametrize("outside", [date(1999, 6, 1), date(2100, 1, 4)])
def test_a_date_outside_the_official_calendar_is_refused_naming_the_date_and_the_range(outside: date) -> None:
    first, last = supported_range()
    with pytest.raises(UnsupportedDateError) as refused:
        earliest_compliant_date(outside, 3)
    message = str(refused.value)
    assert outside.isoformat() in message
    assert f"{first.isoformat()} to {last.isoformat()}" in message
    assert refused.value.day == outside


def test_a_hand_over_date_outside_the_official_calendar_is_refused() -> None:
    with pytest.raises(UnsupportedDateError, match="^2100-01-04 is outside"):
        working_days_between(date(2025, 3, 3), date(2100, 1, 4))


def test_counting_past_the_last_announced_year_is_refused_at_the_first_unknown_day() -> None:
    last = supported_range()[1]
    with pytest.raises(UnsupportedDateError, match=f"^{last + timedelta(days=1)} is outside"):
        earliest_compliant_date(last, 1)
    with pytest.raises(UnsupportedDateError, match=f"^{last + timedelta(days=1)} is outside"):
        is_working_day(last + timedelta(days=1))


def test_a_hand_over_before_its_notice_or_a_negative_count_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="before the start date"):
        working_days_between(date(2025, 3, 6), date(2025, 3, 3))
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2025, 3, 3), -1)
    with pytest.raises(ValueError, match="must not be negative"):
        earliest_compliant_date(date(2025, 3, 3), -2)
