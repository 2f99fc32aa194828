"""The working-day calendar: official years from chinesecalendar, the company's file over them, and a
provisional count beyond both. Every date is pinned, so nothing depends on what day it is today."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import holidays
import pytest
from typer.testing import CliRunner, Result

from workers.cli import app
from workers.engine.calendar_lint import calendar_problems
from workers.engine.lint import BPMN_NS, CAMUNDA_NS, Models, load_models
from workers import TaskContext
from workers.shared.calendar import WorkingCalendar, YearSource, load_calendar, official_years
from workers.shared.calendar_file import CalendarFileError, load_company_calendar, parse_company_calendar

OFFICIAL = WorkingCalendar()
is_working_day = OFFICIAL.is_working_day
working_days_between = OFFICIAL.working_days_between
add_working_days = OFFICIAL.add_working_days
earliest_compliant_date = OFFICIAL.earliest_compliant_date
SHANGHAI = ZoneInfo("Asia/Shanghai")

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


def test_a_hand_over_before_its_notice_or_a_negative_count_is_a_caller_error() -> None:
    with pytest.raises(ValueError, match="before the start date"):
        working_days_between(date(2025, 3, 6), date(2025, 3, 3))
    with pytest.raises(ValueError, match="must not be negative"):
        add_working_days(date(2025, 3, 3), -1)
    with pytest.raises(ValueError, match="must not be negative"):
        earliest_compliant_date(date(2025, 3, 3), -2)


# --- deadlines ---------------------------------------------------------------------------------
def test_deadline_ends_at_the_company_clock_on_the_nth_working_day() -> None:
    # Friday 2025-09-26: 3 working days on is Tuesday 09-30 (Sunday 09-28 was a make-up working day).
    start = datetime(2025, 9, 26, 15, 0, tzinfo=SHANGHAI)
    assert OFFICIAL.deadline(start, 3, SHANGHAI, time(18, 0)) == datetime(2025, 9, 30, 18, 0, tzinfo=SHANGHAI)


def test_deadline_in_a_provisional_year_skips_the_estimated_holidays_not_just_weekends() -> None:
    # Friday 2035-09-28; Monday to Wednesday 1–3 October are National Day in the estimate.
    start = datetime(2035, 9, 28, 9, 0, tzinfo=SHANGHAI)
    assert OFFICIAL.deadline(start, 2, SHANGHAI, time(18, 0)) == datetime(2035, 10, 5, 18, 0, tzinfo=SHANGHAI)


# --- years beyond the official calendar: the provisional count -----------------------------------
PROVISIONAL = 2035  # far past any chinesecalendar release this project will see (checked below)


def test_a_year_in_neither_calendar_is_provisional_and_counts_the_estimated_statutory_holidays() -> None:
    assert PROVISIONAL not in official_years(), "pick a later year: chinesecalendar now covers this one"
    assert OFFICIAL.source(PROVISIONAL) is YearSource.PROVISIONAL
    estimate = holidays.China(years=PROVISIONAL)
    friday, next_friday = date(2035, 9, 28), date(2035, 10, 5)
    days = [friday + timedelta(days=n) for n in range(1, 8)]
    expected = sum(day.weekday() < 5 and day not in estimate for day in days)
    assert working_days_between(friday, next_friday) == expected == 2, "1–3 October off, then Thursday and Friday"
    assert not is_working_day(date(2035, 10, 1)) and is_working_day(date(2035, 10, 4))
    assert OFFICIAL.provisional_years(friday, next_friday) == [PROVISIONAL]


def test_a_provisional_count_says_so_in_chinese_first_and_names_the_year() -> None:
    notice = OFFICIAL.provisional_notice(date(2035, 9, 28), date(2035, 10, 5))
    assert notice is not None
    assert notice.line().startswith("工作日按暂定日历计算：2035 年的法定节假日与调休尚未录入公司日历")
    assert "Working days counted provisionally: the public holidays and make-up working days of 2035" in notice.en
    assert OFFICIAL.provisional_notice(date(2025, 9, 26), date(2025, 10, 10)) is None, "2025 is official"


def test_a_count_that_only_starts_on_the_last_day_of_an_official_year_is_not_provisional() -> None:
    last = date(max(official_years()), 12, 31)
    assert OFFICIAL.provisional_years(last - timedelta(days=10), last) == []
    assert OFFICIAL.provisional_years(last, last + timedelta(days=1)) == [last.year + 1]


def test_a_count_of_no_days_touches_no_year() -> None:
    assert OFFICIAL.provisional_years(date(2035, 3, 5), date(2035, 3, 5)) == []
    assert OFFICIAL.provisional_notice(date(2035, 3, 5), date(2035, 3, 5)) is None


# --- the company calendar file -------------------------------------------------------------------
COMPANY_2035 = """
years:
  2035:
    complete: true
    holidays:
      - 2035-10-01..2035-10-08   # National Day, as a (made-up) State Council notice would give it
    working_days:
      - 2035-09-29               # a Saturday worked instead
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "company-calendar.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_year_entered_in_full_counts_as_company_maintained_and_replaces_the_estimate(tmp_path: Path) -> None:
    company = load_calendar(write(tmp_path, COMPANY_2035))
    assert company.source(PROVISIONAL) is YearSource.COMPANY
    friday, next_friday = date(2035, 9, 28), date(2035, 10, 12)
    # Sat 29 (make-up), 1–8 October off, Tue 9 … Fri 12: 5 against the estimate's 7.
    assert company.working_days_between(friday, next_friday) == 5
    assert OFFICIAL.working_days_between(friday, next_friday) == 7
    assert company.provisional_years(friday, next_friday) == []
    assert company.provisional_notice(friday, next_friday) is None
    assert company.earliest_compliant_date(friday, 2) == date(2035, 10, 9)


def test_entries_without_complete_stay_provisional_with_the_entries_over_the_estimate(tmp_path: Path) -> None:
    partial = load_calendar(write(tmp_path, COMPANY_2035.replace("complete: true", "complete: false")))
    assert partial.source(PROVISIONAL) is YearSource.PROVISIONAL
    assert partial.is_working_day(date(2035, 9, 29)) and not partial.is_working_day(date(2035, 10, 8))
    assert partial.provisional_years(date(2035, 9, 28), date(2035, 10, 12)) == [PROVISIONAL]


def test_a_company_entry_overrides_a_day_of_the_official_calendar(tmp_path: Path) -> None:
    company = load_calendar(write(tmp_path, """
years:
  2025:
    holidays: [2025-12-24]      # company annual meeting, a Wednesday
    working_days: [2025-10-08]  # an official holiday the company works
"""))
    assert company.source(2025) is YearSource.OFFICIAL, "entries over an official year do not change its source"
    assert is_working_day(date(2025, 12, 24)) and not company.is_working_day(date(2025, 12, 24))
    assert not is_working_day(date(2025, 10, 8)) and company.is_working_day(date(2025, 10, 8))
    assert company.working_days_between(date(2025, 9, 30), date(2025, 10, 8)) == 1


def test_an_invalid_file_names_every_problem_by_its_path(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError) as invalid:
        load_company_calendar(write(tmp_path, """
years:
  2027:
    complete: yes please
    holidays: [2027-01-01, 2027-02-05..2027-02-11, 2027-03-09..2027-03-01, 2027-02-30]
    workdays: [2027-02-14]
  next: {}
"""))
    assert invalid.value.problems == [
        "years.2027.complete: Input should be a valid boolean, unable to interpret input",
        "years.2027.holidays[2]: 2027-03-09..2027-03-01 ends before it starts",
        "years.2027.holidays[3]: 2027-02-30 is not a date (write YYYY-MM-DD, or YYYY-MM-DD..YYYY-MM-DD for a range)",
        "years.2027.workdays: is not a known field (use complete, holidays or working_days)",
        "years.next: is not a year like 2027",
    ]


def test_a_date_outside_its_year_or_a_day_both_off_and_worked_is_refused() -> None:
    with pytest.raises(CalendarFileError) as invalid:
        parse_company_calendar({"years": {2027: {"holidays": ["2027-02-05..2027-02-11", "2028-01-01"],
                                                 "working_days": ["2027-02-06"]}}}, source="test.yaml")
    assert invalid.value.problems == [
        "years.2027.holidays[1]: 2028-01-01 is not in 2027",
        "years.2027.working_days[0]: 2027-02-06 is also entered as a holiday; a day is either off or worked",
    ]
    assert str(invalid.value).startswith("test.yaml: 2 problems:")


def test_unreadable_or_broken_files_and_the_shipped_file_load_as_expected(tmp_path: Path) -> None:
    with pytest.raises(CalendarFileError, match="cannot read the file"):
        load_company_calendar(tmp_path / "missing.yaml")
    with pytest.raises(CalendarFileError, match="line 3, column 1: not valid YAML"):
        load_company_calendar(write(tmp_path, "years:\n  2027: [unclosed\n"))
    with pytest.raises(RuntimeError, match="years.2027.holidays\\[0\\]: x is not a date"):
        load_calendar(write(tmp_path, "years: {2027: {holidays: [x]}}"))
    shipped = load_company_calendar(Path(__file__).resolve().parents[2] / "org" / "company-calendar.yaml")
    assert shipped.years == {}, "no year is entered until its official schedule is published"


# --- coverage of next year -----------------------------------------------------------------------
def test_next_year_uncovered_is_warned_from_the_first_of_november_and_not_before(tmp_path: Path) -> None:
    company = load_calendar(write(tmp_path, COMPANY_2035))
    assert OFFICIAL.coverage_warning(date(2034, 10, 31)) is None
    warning = OFFICIAL.coverage_warning(date(2034, 11, 1))
    assert warning is not None and warning.startswith("2035 is not covered") and "complete: true" in warning
    assert OFFICIAL.coverage_warning(date(2034, 12, 31)) is not None
    assert company.coverage_warning(date(2034, 11, 1)) is None, "2035 is entered in full"
    assert company.coverage_warning(date(2035, 11, 1)) is not None, "2036 is not"
    official = max(official_years())
    assert OFFICIAL.coverage_warning(date(official - 1, 11, 1)) is None, "next year is official"


# --- crossdept calendar check and crossdept lint -------------------------------------------------
def check(*args: str) -> Result:
    return CliRunner().invoke(app, ["calendar", "check", *args])


def test_the_cli_shows_each_years_source_and_warns_about_next_year(tmp_path: Path) -> None:
    result = check(str(write(tmp_path, COMPANY_2035)), "--today", "2035-11-02")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("company-calendar.yaml: valid")
    assert [line.split()[:2] for line in lines[1:6]] == [
        ["2032", "provisional"], ["2033", "provisional"], ["2034", "provisional"], ["2035", "company"],
        ["2036", "provisional"]]
    assert "company entries: 8 days off, 1 working days" in lines[4]
    assert lines[6].startswith("warning 2036 is not covered")


def test_the_cli_names_the_official_package_and_says_nothing_before_november(tmp_path: Path) -> None:
    result = check(str(write(tmp_path, "years: {}")), "--today", "2025-10-31")
    assert result.exit_code == 0, result.output
    assert "  2025  official     chinesecalendar " in result.output
    assert "warning" not in result.output


def test_the_cli_rejects_an_invalid_file_with_every_problem(tmp_path: Path) -> None:
    result = check(str(write(tmp_path, "years: {2027: {holidays: [2027-02-30], working_days: [2027-13-01]}}")))
    assert result.exit_code == 1
    assert "years.2027.holidays[0]: 2027-02-30 is not a date" in result.output
    assert "years.2027.working_days[0]: 2027-13-01 is not a date" in result.output


def models_naming(root: Path, calendar_text: str) -> Models:
    (root / "org").mkdir(parents=True)
    (root / "org" / "company-calendar.yaml").write_text(calendar_text, encoding="utf-8")
    (root / "bpmn").mkdir()
    (root / "bpmn" / "p.bpmn").write_text(f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="{BPMN_NS}" xmlns:camunda="{CAMUNDA_NS}" targetNamespace="t">
  <bpmn:process id="p" isExecutable="true">
    <bpmn:serviceTask id="Task_CheckNotice" camunda:type="external" camunda:topic="t">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="calendarFile" value="org/company-calendar.yaml" />
      </camunda:properties></bpmn:extensionElements>
    </bpmn:serviceTask>
  </bpmn:process>
</bpmn:definitions>""", encoding="utf-8")
    return load_models(root)


def test_lint_warns_from_the_first_of_november_when_next_year_is_not_covered(tmp_path: Path) -> None:
    models = models_naming(tmp_path, "years: {}")
    assert calendar_problems(models, tmp_path, date(2035, 10, 31)) == []
    [problem] = calendar_problems(models, tmp_path, date(2035, 11, 1))
    assert (problem.severity, problem.rule, problem.element_id) == ("warning", "calendar-coverage", "Task_CheckNotice")
    assert problem.message.startswith("2036 is not covered")
    assert calendar_problems(models_naming(tmp_path / "entered", COMPANY_2035), tmp_path / "entered",
                             date(2034, 11, 1)) == [], "2035 entered in full"


def test_lint_reports_an_invalid_calendar_file_as_an_error(tmp_path: Path) -> None:
    models = models_naming(tmp_path, "years: {2027: {holidays: [2027-02-30]}}")
    [problem] = calendar_problems(models, tmp_path, date(2027, 3, 1))
    assert (problem.severity, problem.rule) == ("error", "calendar-file")
    assert "calendarFile org/company-calendar.yaml: years.2027.holidays[0]: 2027-02-30 is not a date" in problem.message


def test_the_notice_check_needs_the_calendar_file_property_and_names_element_and_property() -> None:
    from workers.catalog import load_registry
    from workers.runtime.testing import Failed, HandlerEnvironment

    load_registry()
    outcome = HandlerEnvironment().run(
        "handover.check-notice",
        {"plannedDate": "2026-12-10", "noticeSubmittedAt": datetime(2026, 12, 1, 2, tzinfo=timezone.utc),
         "reason": "postChange", "giverPostLevel": 2, "handoverPolicy": {"noticeWorkingDays": 3, "preparationDays": 2, "verificationDays": 2,
                                                           "confirmationDays": 2, "archivingDays": 1,
                                                           "reminderIntervalHours": 24, "escalateAfterReminders": 2},
         "organisationFile": "org/demo-organisation.yaml"},
        properties={"timeZone": "Asia/Shanghai", "deadlineTime": "18:00"}, activity_id="Task_CheckNotice")
    assert isinstance(outcome, Failed) and outcome.incident, outcome
    assert "Task_CheckNotice: camunda:property calendarFile is missing (e.g. org/company-calendar.yaml)" in outcome.message

