"""Who gets a person's work: resolve_assignee over the delegations (代理) registered in the engine,
and the dates a delegation registration accepts."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from workers.shared.delegation import Delegation, resolve_assignee
from workers.processes.delegation.handlers import parse_moment
from workers.runtime.errors import BusinessRejection

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
DAY = timedelta(days=1)


def away(principal: str, delegate: str, starts: datetime = NOW - DAY, ends: datetime = NOW + DAY) -> Delegation:
    return Delegation(principal, delegate, starts, ends)


def test_person_without_a_delegation_gets_their_own_work() -> None:
    assignment = resolve_assignee("chen.jing", [away("li.qiang", "sun.li")], NOW)

    assert (assignment.original_assignee, assignment.assignee, assignment.delegated) == ("chen.jing", "chen.jing", False)
    assert assignment.note() == ""


def test_active_delegation_gives_the_work_to_the_delegate_and_records_both() -> None:
    assignment = resolve_assignee("chen.jing", [away("chen.jing", "yang.fan")], NOW)

    assert assignment.as_variables({"chen.jing": "陈静"}) == {
        "originalAssignee": "chen.jing", "assignee": "yang.fan",
        "delegationNote": "代理 / delegate for 陈静 (chen.jing)",
    }


@pytest.mark.parametrize("period", [(NOW + DAY, NOW + 2 * DAY), (NOW - 2 * DAY, NOW - DAY), (NOW - DAY, NOW)],
                         ids=["not-started", "over", "ends-now"])
def test_delegation_outside_its_period_is_not_honoured(period: tuple[datetime, datetime]) -> None:
    assert resolve_assignee("chen.jing", [away("chen.jing", "yang.fan", *period)], NOW).assignee == "chen.jing"


def test_latest_started_of_overlapping_delegations_wins() -> None:
    delegations = [away("chen.jing", "zheng.yu", starts=NOW - DAY), away("chen.jing", "yang.fan", starts=NOW - 2 * DAY)]

    assert resolve_assignee("chen.jing", delegations, NOW).assignee == "zheng.yu"


def test_absent_delegate_hands_on_to_their_own_delegate() -> None:
    delegations = [away("chen.jing", "yang.fan"), away("yang.fan", "zheng.yu")]

    assignment = resolve_assignee("chen.jing", delegations, NOW)

    assert (assignment.original_assignee, assignment.assignee) == ("chen.jing", "zheng.yu")
    assert assignment.delegation == delegations[0]


def test_delegations_that_point_back_stop_before_the_circle_closes() -> None:
    delegations = [away("chen.jing", "yang.fan"), away("yang.fan", "chen.jing")]

    assert resolve_assignee("chen.jing", delegations, NOW).assignee == "yang.fan"


SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_form_date_with_offset_is_taken_as_written() -> None:
    assert parse_moment("2026-12-01T09:00+08:00", "startDate", SHANGHAI, end_of_day=False) == \
           datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)


def test_bare_dates_cover_whole_days_in_the_process_time_zone() -> None:
    assert parse_moment("2026-12-01", "startDate", SHANGHAI, end_of_day=False) == \
           datetime(2026, 11, 30, 16, 0, tzinfo=timezone.utc)
    assert parse_moment("2026-12-01", "endDate", SHANGHAI, end_of_day=True) == \
           datetime(2026, 12, 1, 16, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", ["", None, "next week"])
def test_missing_or_unreadable_date_is_rejected_naming_the_field(value: str | None) -> None:
    with pytest.raises(BusinessRejection) as rejected:
        parse_moment(value, "endDate", SHANGHAI, end_of_day=True)

    assert rejected.value.field == "endDate"
    assert str(rejected.value).startswith("endDate: ")
