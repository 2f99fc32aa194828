"""The hand-over's rules without an engine: completeness, verification, deadlines, the notice count
at the edge of the official calendar."""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from workers import BusinessRejection
from workers.processes.work_handover import rules
from workers.processes.work_handover.checklist import ChecklistItem
from workers.shared.calendar import UnsupportedDateError, supported_range, working_days_between
from workers.processes.work_handover import handlers as work_handover

SHANGHAI = ZoneInfo("Asia/Shanghai")
LAST = supported_range()[1]


def test_a_complete_checklist_has_no_problems() -> None:
    rows = [{"category": "equipment", "description": "Laptop", "location": "3F", "assetNumber": "IT-1"},
            {"category": "customerInformation", "description": "Key customers", "location": "CRM", "contact": "Wang"},
            {"category": "documents", "description": "Drafts", "location": "share"}]
    assert rules.checklist_problems(rows) == []


def test_every_missing_field_is_named_with_its_item() -> None:
    rows = [{"category": "equipment", "description": "Laptop", "location": " "},
            {"category": "customerInformation", "description": "", "location": "CRM", "contact": None},
            {"category": "furniture", "description": "Desk", "location": "3F"}]
    problems = rules.checklist_problems(rows)
    assert [re.search(r"item \d+ \w+", p).group() for p in problems] == [
        "item 1 location", "item 1 assetNumber", "item 2 description", "item 2 contact", "item 3 category"]
    assert "item 1 location（设备 / Equipment）" in problems[0] and "customer information needs a contact" in problems[3]


def test_an_empty_checklist_is_refused() -> None:
    assert rules.checklist_problems([]) == ["checklistItems: 至少列出一项 / list at least one item"]
    assert rules.checklist_problems(None)


def test_verification_matches_answers_by_position_and_needs_a_verdict_and_question_text() -> None:
    checklist = [ChecklistItem(category="documents", description=d, location="share") for d in "ABC"]
    result = rules.verify(checklist, [{"verdict": "accept"}, {"verdict": "question", "question": " Where? "},
                                      {"verdict": None}])
    assert result.questions == [{"item": 2, "description": "B", "question": "Where?"}]
    assert result.problems == ["第 3 项 / item 3 verdict: 请选择无误或有疑问 / choose accept or question"]
    blank = rules.verify(checklist[:1], [{"verdict": "question", "question": ""}])
    assert "item 1 question" in blank.problems[0]
    assert "expected 3 items, got 1" in rules.verify(checklist, [{"verdict": "accept"}]).problems[0]


def test_deadline_ends_at_the_company_clock_on_the_nth_working_day() -> None:
    # Friday 2025-09-26: 3 working days on is Tuesday 09-30 (Sunday 09-28 was a make-up working day).
    start = datetime(2025, 9, 26, 15, 0, tzinfo=SHANGHAI)
    assert rules.deadline(start, 3, SHANGHAI, time(18, 0)) == datetime(2025, 9, 30, 18, 0, tzinfo=SHANGHAI)


def test_deadline_past_the_calendar_counts_monday_to_friday() -> None:
    start = datetime.combine(LAST, time(9), tzinfo=SHANGHAI)
    due = rules.deadline(start, 5, SHANGHAI, time(18, 0))
    assert due.date() > LAST and due.weekday() < 5


def test_notice_reaching_past_the_calendar_is_enough_when_the_known_days_already_suffice() -> None:
    notice = date(LAST.year, 12, 1)
    known = working_days_between(notice, LAST)
    assert work_handover._notice_given(notice, date(LAST.year + 1, 1, 20), known) == known
    with pytest.raises(UnsupportedDateError, match="update the chinesecalendar package"):
        work_handover._notice_given(notice, date(LAST.year + 1, 1, 20), known + 1)


def test_too_short_notice_names_the_earliest_date_or_says_it_is_beyond_the_calendar() -> None:
    rejection = work_handover._too_short(date(2025, 9, 26), date(2025, 10, 10), 5, 10)
    assert isinstance(rejection, BusinessRejection) and rejection.field == "plannedDate"
    assert rejection.variables == {"earliestCompliantDate": "2025-10-16"}
    beyond = work_handover._too_short(date(LAST.year, 12, 28), date(LAST.year, 12, 30), 2, 10)
    assert beyond.variables == {"earliestCompliantDate": None}
    assert f"after {LAST.isoformat()}" in beyond.message
