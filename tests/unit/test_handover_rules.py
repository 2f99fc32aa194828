"""The hand-over's rules without an engine: completeness, verification, and a too-short notice with
its earliest compliant date, counted officially or provisionally."""

from __future__ import annotations

import re
from datetime import date

from workers import BusinessRejection
from workers.processes.work_handover import rules
from workers.processes.work_handover.checklist import ChecklistItem
from workers.processes.work_handover import handlers as work_handover
from workers.shared.calendar import WorkingCalendar, official_years

OFFICIAL = WorkingCalendar()
# A year past both chinesecalendar and the (empty) company calendar, whatever today is.
PROVISIONAL_YEAR = max(official_years()) + 3


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
    assert [re.search(r"item \d+ [^:（]+", p).group() for p in problems] == [
        "item 1 Where it is", "item 1 Asset number", "item 2 Description", "item 2 Customer contact",
        "item 3 Category"]
    assert "item 1 Where it is（设备 / Equipment）" in problems[0] and "customer information needs a contact" in problems[3]


def test_an_empty_checklist_is_refused() -> None:
    assert rules.checklist_problems([]) == ["交接事项 / Items: 至少列出一项 / list at least one item"]
    assert rules.checklist_problems(None)


def test_verification_matches_answers_by_position_and_needs_a_verdict_and_question_text() -> None:
    checklist = [ChecklistItem(category="documents", description=d, location="share") for d in "ABC"]
    result = rules.verify(checklist, [{"verdict": "accept"}, {"verdict": "question", "question": " Where? "},
                                      {"verdict": None}])
    assert result.questions == [{"item": 2, "description": "B", "question": "Where?"}]
    assert result.problems == ["第 3 项 核验结果 / item 3 Verdict: 请选择无误或有疑问 / choose accept or question"]
    blank = rules.verify(checklist[:1], [{"verdict": "question", "question": ""}])
    assert "item 1 Question" in blank.problems[0]
    assert "expected 3 items, got 1" in rules.verify(checklist, [{"verdict": "accept"}]).problems[0]


def test_too_short_notice_names_the_earliest_compliant_date() -> None:
    rejection = work_handover._too_short(OFFICIAL, date(2025, 9, 26), date(2025, 10, 10), 5, 10)
    assert isinstance(rejection, BusinessRejection) and rejection.field == "计划交接日期 / Planned hand-over date"
    assert rejection.variables == {"earliestCompliantDate": "2025-10-16", "calendarNotice": None}
    assert "Notice too short: 5 working days" in rejection.message and "requires 10" in rejection.message
    assert "the earliest compliant hand-over date is 2025-10-16" in rejection.message


def test_too_short_notice_in_a_provisional_year_still_names_a_date_and_says_it_is_provisional() -> None:
    notice = date(PROVISIONAL_YEAR, 3, 1)
    rejection = work_handover._too_short(OFFICIAL, notice, date(PROVISIONAL_YEAR, 3, 2), 1, 10)
    earliest = date.fromisoformat(rejection.variables["earliestCompliantDate"])
    assert OFFICIAL.working_days_between(notice, earliest) == 10
    assert rejection.variables["calendarNotice"].startswith("工作日按暂定日历计算")
    assert f"of {PROVISIONAL_YEAR} are not in the company calendar" in rejection.variables["calendarNotice"]
