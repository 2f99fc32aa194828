"""Sharing obligations in the organisation file and their schedule arithmetic (fixed clocks only)."""

from __future__ import annotations

import copy
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import yaml

from workers.shared.organisation.model import OrganisationError, parse_organisation
from workers.shared.organisation.obligations import SharingObligation, parse_occurrence_key

SHANGHAI = ZoneInfo("Asia/Shanghai")
DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def obligation(schedule: dict[str, Any], lead_time: str = "P1D") -> SharingObligation:
    return SharingObligation.model_validate({
        "id": "sales-orders-weekly", "title_zh": "客户订单周报", "title_en": "Weekly customer orders",
        "owner": "sales", "targets": ["production"], "category": "customer", "sensitivity": "internal",
        "schedule": schedule, "lead_time": lead_time})


WEEKLY = {"every": "week", "day": "monday", "at": "10:00"}


def test_weekly_deadlines_are_mondays_at_ten_company_time() -> None:
    # Wednesday 2026-12-02 → the next Mondays are 7 and 14 December.
    found = obligation(WEEKLY, "PT1H").deadlines_starting(at("2026-12-02T00:00:00+08:00"),
                                                          at("2026-12-14T12:00:00+08:00"), SHANGHAI)
    assert found == [at("2026-12-07T10:00:00+08:00"), at("2026-12-14T10:00:00+08:00")]


def test_a_task_appears_lead_time_before_its_deadline() -> None:
    weekly = obligation(WEEKLY, "P1D")
    # The task of Monday 7 December appears Sunday 6 December 10:00: not yet at 09:59, at 10:00.
    assert weekly.deadlines_starting(at("2026-12-02T00:00:00+08:00"), at("2026-12-06T09:59:00+08:00"), SHANGHAI) == []
    assert weekly.deadlines_starting(at("2026-12-02T00:00:00+08:00"), at("2026-12-06T10:00:00+08:00"), SHANGHAI) == [
        at("2026-12-07T10:00:00+08:00")]


def test_the_window_is_open_at_its_start_so_consecutive_scans_never_repeat_a_deadline() -> None:
    weekly = obligation(WEEKLY, "P1D")
    boundary = at("2026-12-06T10:00:00+08:00")
    first = weekly.deadlines_starting(boundary - timedelta(seconds=10), boundary, SHANGHAI)
    second = weekly.deadlines_starting(boundary, boundary + timedelta(seconds=10), SHANGHAI)
    assert (first, second) == ([at("2026-12-07T10:00:00+08:00")], [])


def test_on_the_weekday_itself_a_deadline_later_that_day_counts_and_one_passed_does_not() -> None:
    weekly = obligation(WEEKLY, "PT1S")
    assert weekly.schedule.first_after(at("2026-12-07T09:00:00+08:00"), SHANGHAI) == at("2026-12-07T10:00:00+08:00")
    assert weekly.schedule.first_after(at("2026-12-07T10:00:00+08:00"), SHANGHAI) == at("2026-12-14T10:00:00+08:00")


def test_monthly_on_day_five_and_on_the_last_day_including_february() -> None:
    fifth = obligation({"every": "month", "day": 5, "at": "17:00"}, "P3D")
    assert fifth.deadlines_starting(at("2026-12-31T00:00:00+08:00"), at("2027-03-02T17:00:00+08:00"), SHANGHAI) == [
        at("2027-01-05T17:00:00+08:00"), at("2027-02-05T17:00:00+08:00"), at("2027-03-05T17:00:00+08:00")]
    last = obligation({"every": "month", "day": "last", "at": "09:00"}, "PT1H")
    assert last.deadlines_starting(at("2027-01-31T09:00:00+08:00"), at("2027-04-01T00:00:00+08:00"), SHANGHAI) == [
        at("2027-02-28T09:00:00+08:00"), at("2027-03-31T09:00:00+08:00")]


def test_a_fixed_interval_counts_from_its_first_deadline() -> None:
    every = obligation({"every": "PT30S", "from": "2026-12-02T08:00:00+00:00"}, "PT10S")
    found = every.deadlines_starting(at("2026-12-02T07:00:00+00:00"), at("2026-12-02T08:00:50+00:00"), SHANGHAI)
    assert found == [at("2026-12-02T08:00:00+00:00"), at("2026-12-02T08:00:30+00:00"),
                     at("2026-12-02T08:01:00+00:00")]


def test_a_long_downtime_yields_every_missed_deadline_in_order() -> None:
    weekly = obligation(WEEKLY, "P1D")
    found = weekly.deadlines_starting(at("2026-12-01T00:00:00+08:00"), at("2027-01-01T00:00:00+08:00"), SHANGHAI)
    assert [d.date().isoformat() for d in found] == ["2026-12-07", "2026-12-14", "2026-12-21", "2026-12-28"]


def test_wall_clock_time_holds_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")  # 2027-03-28: clocks go forward
    found = obligation(WEEKLY, "PT1H").deadlines_starting(at("2027-03-20T00:00:00+01:00"),
                                                          at("2027-04-06T00:00:00+02:00"), berlin)
    assert [d.astimezone(berlin).strftime("%m-%d %H:%M %z") for d in found] == [
        "03-22 10:00 +0100", "03-29 10:00 +0200", "04-05 10:00 +0200"]


def test_occurrence_key_names_the_deadline_in_utc_and_reads_back() -> None:
    key = obligation(WEEKLY).occurrence_key(at("2026-12-07T10:00:00+08:00"))
    assert key == "sales-orders-weekly@2026-12-07T02:00:00Z"
    assert parse_occurrence_key(key) == ("sales-orders-weekly", at("2026-12-07T02:00:00+00:00"))
    with pytest.raises(ValueError, match="is not an obligation occurrence"):
        parse_occurrence_key("sales-orders-weekly")


@pytest.mark.parametrize("schedule, message", [
    ({"every": "week", "day": "mon", "at": "10:00"}, "monday"),
    ({"every": "week", "day": "monday", "at": "25:00"}, "HH:MM"),
    ({"every": "month", "day": 31, "at": "10:00"}, "less than or equal to 28"),
    ({"every": "PT0S", "from": "2026-12-02T08:00:00+00:00"}, "not a positive duration"),
    ({"every": "weekly", "from": "2026-12-02T08:00:00+00:00"}, "not a duration"),
    ({"every": "PT30S", "from": "2026-12-02T08:00:00"}, "needs its UTC offset"),
    ({"day": "monday"}, "every: week"),
])
def test_a_wrong_schedule_is_refused_naming_the_rule(schedule: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        obligation(schedule)


def demo_with(change: Any) -> list[str]:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    change(data)
    try:
        parse_organisation(copy.deepcopy(data))
    except OrganisationError as exc:
        return exc.problems
    return []


def test_the_demo_file_states_the_policys_two_regular_shares() -> None:
    org = parse_organisation(yaml.safe_load(DEMO.read_text(encoding="utf-8")))
    shares = {o.id: (o.owner, o.targets, o.category, o.schedule.every) for o in org.sharing_obligations}
    assert shares == {
        "sales-orders-weekly": ("sales", ["production"], "customer", "week"),
        "finance-budget-monthly": ("finance", ["marketing", "sales", "engineering", "production"], "finance", "month"),
    }


def test_obligation_references_are_checked_against_the_departments() -> None:
    def break_it(data: dict[str, Any]) -> None:
        first = data["sharing_obligations"][0]
        first["owner"], first["targets"] = "nosuch", ["production", "production", "nowhere"]
        data["sharing_obligations"][1]["targets"].append("finance")
        data["sharing_obligations"][1]["id"] = "sales-orders-weekly"

    problems = demo_with(break_it)
    assert problems == [
        "sharing_obligations[1].id: 'sales-orders-weekly' is already used by sharing_obligations[0]",
        "sharing_obligations[0].owner: department 'nosuch' is not defined",
        "sharing_obligations[0].targets[2]: department 'nowhere' is not defined",
        "sharing_obligations[0].targets: 'production' is listed 2 times",
        "sharing_obligations[1].targets[4]: 'finance' is the owning department itself",
    ]


def test_an_unknown_category_names_the_path_and_the_choices() -> None:
    problems = demo_with(lambda data: data["sharing_obligations"][0].update(category="orders"))
    assert len(problems) == 1 and problems[0].startswith("sharing_obligations[0].category")
    assert "'customer'" in problems[0]


def test_utc_offsets_compare_as_moments() -> None:
    every = obligation({"every": "PT1H", "from": "2026-12-02T10:00:00+08:00"}, "PT1M")
    assert every.schedule.first_after(at("2026-12-02T02:00:00+00:00"), timezone.utc) == at("2026-12-02T11:00:00+08:00")
