"""The notice check on the real engine in a year past the official calendar (issue 9): a provisional
count passes or fails honestly and says so, to the initiator as well; a company calendar entry for
that year, written by the test and named in the model's property calendarFile, changes the outcome.

The year is the first one chinesecalendar does not cover (2027 with chinesecalendar 1.11), and the
dates lie in March, where the holidays package estimates no statutory holiday in any year."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Callable, Iterator

import pytest

from tests.support.driver import EngineDriver, running_worker, wait_until
from tests.support.handover import FORMS, SHANGHAI, TOPICS, notice, one_task, start_backdated
from tests.support.receivers import Mailbox, smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.shared.calendar import WorkingCalendar, YearSource, official_years

pytestmark = pytest.mark.engine

YEAR = max(official_years()) + 1
MODEL_CALENDAR_FILE = 'value="org/company-calendar.yaml"'
TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
# The head of engineering resigns: 15 working days' notice (handover-policy), announced by the GM.
INITIATOR, INITIATOR_MAIL = "wang.jianguo", "wang.jianguo@example.com"
NOTICE_DAY = next(day for day in (date(YEAR, 3, 1) + timedelta(days=n) for n in range(7)) if day.weekday() == 0)
PLANNED = NOTICE_DAY + timedelta(days=21)  # the Monday three weeks later: 15 working days in a plain March
HANDOVER = notice("zhang.wei", "huang.lei", "engineering", PLANNED, reason="resignation")
# The company's own days off that week (Thursday and Friday), in a year it has entered in full.
COMPANY_YEAR = f"""
years:
  {YEAR}:
    complete: true
    holidays:
      - {NOTICE_DAY + timedelta(days=3)}..{NOTICE_DAY + timedelta(days=4)}
"""


@pytest.fixture(scope="module")
def organisation_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("org") / "organisation.yaml"


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, organisation_file: Path) -> Staff:
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    return staff


@pytest.fixture
def deploy_with_calendar(staff: Staff, organisation_file: Path, tmp_path: Path) -> Callable[[str], Path]:
    """Our hand-over model with its notice check reading a calendar file of the test's, as a process
    owner would set the property in Modeler; the file's path is returned."""
    def deploy(text: str) -> Path:
        calendar_file = tmp_path / "company-calendar.yaml"
        calendar_file.write_text(text, encoding="utf-8")
        staff.deploy(f"work-handover-calendar-{tmp_path.name}", organisation_file, ["work-handover.bpmn"], FORMS,
                     decisions=("handover-policy.dmn",), edits={MODEL_CALENDAR_FILE: f'value="{calendar_file}"'})
        return calendar_file
    return deploy


@pytest.fixture
def mailbox(worker_settings: Settings, tmp_path: Path) -> Iterator[Mailbox]:
    with smtp_server() as (box, port):
        settings = worker_settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port, "mail_from": "crossdept@corp.example",
            "tasklist_url": TASKLIST, "webhook_urls": [], "archive_dir": tmp_path / "archive"})
        with running_worker(load_registry().subset(TOPICS), settings):
            yield box


def noticed() -> datetime:
    return datetime.combine(NOTICE_DAY, time(10, 0), tzinfo=SHANGHAI)


def test_a_long_notice_in_a_provisional_year_passes_on_the_provisional_count_and_says_so(
    staff: Staff, mailbox: Mailbox, deploy_with_calendar: Callable[[str], Path]
) -> None:
    provisional = WorkingCalendar()
    assert provisional.source(YEAR) is YearSource.PROVISIONAL
    assert provisional.working_days_between(NOTICE_DAY, PLANNED) == 15, "no estimated holiday in this March"
    calendar_file = deploy_with_calendar("years: {}\n")

    instance = start_backdated(staff, INITIATOR, HANDOVER, noticed())
    try:
        one_task(staff, instance, "Task_FillChecklist", "the notice accepted, the giver's checklist next")
        variables = staff.admin.history_variables(instance)
        [mail] = wait_until(lambda: [m for m in mailbox.messages if INITIATOR_MAIL in str(m["To"])
                                     and "provisional calendar" in str(m["Subject"])],
                            30, "the initiator's message about the provisional count")
    finally:
        staff.delete(instance)

    assert variables["noticeWorkingDaysGiven"] == 15 and variables["noticeWorkingDays"] == 15
    assert variables["calendarFile"] == str(calendar_file)
    shown = variables["calendarNotice"]
    assert shown.startswith(f"工作日按暂定日历计算：{YEAR} 年的法定节假日与调休尚未录入公司日历"), shown
    assert f"Working days counted provisionally: the public holidays and make-up working days of {YEAR}" in shown
    body = mail.get_body(("plain",)).get_content()
    assert "提前通知已通过" in body and "the notice was accepted" in body
    assert f"make-up working days of {YEAR} are not in the company calendar" in body
    assert not staff.admin.incidents(instance), "a provisional count is never an incident"


def test_a_company_entry_for_that_year_turns_the_same_notice_into_a_rejection_with_its_earliest_date(
    staff: Staff, mailbox: Mailbox, deploy_with_calendar: Callable[[str], Path]
) -> None:
    deploy_with_calendar(COMPANY_YEAR)

    instance = start_backdated(staff, INITIATOR, HANDOVER, noticed())
    try:
        correct = one_task(staff, instance, "Task_CorrectNotice", "the notice back to the initiator")
        shown = staff.form_variables(INITIATOR, correct["id"])
    finally:
        staff.delete(instance)

    # Tuesday, Wednesday, then the company's Thursday and Friday off: 13 working days, not 15.
    assert "13 working days" in shown["rejectionMessage"] and "requires 15" in shown["rejectionMessage"]
    assert shown["earliestCompliantDate"] == (PLANNED + timedelta(days=2)).isoformat(), "the Wednesday after"
    assert shown["calendarNotice"] is None, f"{YEAR} is entered in full: nothing provisional to say"
    assert not [m for m in mailbox.messages if "provisional calendar" in str(m["Subject"])]
