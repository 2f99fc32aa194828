"""Every to-do reaches its person: a whole hand-over on the real engine, driven through REST as the
head, the giver, the receiver and the supervisor, with the hand-over's workers and the to-do watcher
running as `crossdept worker` runs them, and a real SMTP server. The e-mails each person receives are
counted per step; then the worker is restarted on the same state folder and sends nothing again.
"""

from __future__ import annotations

import contextlib
import re
import time
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

from tests.integration.test_work_handover import ITEMS, sign_all, verify_all
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.handover import (
    TOPICS, handover_staff, notice, one_task, open_task_for, planned_for_notice_given_today, wait_for_notice,
)
from tests.support.receivers import Mailbox, smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings
from workers.shared.notify.watch import WatcherMisconfigured, check_permissions

pytestmark = pytest.mark.engine

TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
QUIET_S = 2.5  # five scans: what has not come by then would not come


def kind(mail: EmailMessage) -> str:
    """What a mail is, in a word a test can compare: `to-do <step>`, notice, copy, ended, provisional."""
    subject = str(mail["Subject"])
    if found := re.match(r"新待办：(.+?)（", subject):
        return f"to-do {found.group(1)}"
    for prefix, name in (("交接预告按暂定日历", "provisional"), ("交接预告", "notice"), ("工作交接清单（", "copy"),
                         ("流程已结束", "ended")):
        if subject.startswith(prefix):
            return name
    return subject


def text(mail: EmailMessage) -> str:
    return mail.get_body(("plain",)).get_content()


def by_person(mails: list[EmailMessage]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for mail in mails:
        [address] = mail["To"].addresses
        found.setdefault(address.username, []).append(kind(mail))
    return {person: sorted(kinds) for person, kinds in sorted(found.items())}


@dataclass
class Walk:
    instance: str
    steps: dict[str, list[EmailMessage]]  # what arrived after each step, in order
    after_restart: list[EmailMessage]
    calendar_notice: bool  # the notice was counted by a provisional calendar: the head was told so
    moved_task: str

    def step(self, name: str) -> dict[str, list[str]]:
        return by_person(self.steps[name])

    @property
    def mails(self) -> list[EmailMessage]:
        return [m for step in self.steps.values() for m in step]


class Steps:
    """Records the mails each step brings: at least `expected` of them, then a quiet spell for any more."""

    def __init__(self, box: Mailbox) -> None:
        self.box, self.seen, self.steps = box, 0, {}

    def record(self, name: str, expected: int, act: Callable[[], Any]) -> Any:
        result = act()
        wait_until(lambda: len(self.box.messages) >= self.seen + expected, 90,
                   f"{expected} e-mail(s) after step {name!r} (have {len(self.box.messages) - self.seen})",
                   interval_s=0.2)
        time.sleep(QUIET_S)
        self.steps[name], self.seen = list(self.box.messages[self.seen:]), len(self.box.messages)
        return result


@pytest.fixture(scope="module")
def organisation_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("org") / "organisation.yaml"
    demo_with_starters(path)
    return path


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, organisation_file: Path) -> Staff:
    return handover_staff(engine, admin, organisation_file, "todo-notifications-test")


@contextlib.contextmanager
def worker_with_watcher(settings: Settings) -> Iterator[None]:
    with running_worker(load_registry().subset(TOPICS), settings, watch=True):
        yield


@pytest.fixture(scope="module")
def walk(staff: Staff, engine: Settings, organisation_file: Path,
         tmp_path_factory: pytest.TempPathFactory) -> Iterator[Walk]:
    """chen.jing announces that yang.fan (Marketing) hands over to wu.hao (Sales); liu.min supervises."""
    folder = tmp_path_factory.mktemp("todo-walk")
    moved = open_task_for(staff, "yang.fan")  # before the watcher's first scan: not announced as new
    with smtp_server() as (box, port):
        settings = worker_settings_in(
            engine, folder, smtp_host="127.0.0.1", smtp_port=port, mail_from="crossdept@corp.example",
            tasklist_url=TASKLIST, archive_dir=folder / "archive", notify_scan_s=0.5,
            organisation_file=organisation_file)
        steps = Steps(box)
        with worker_with_watcher(settings):
            instance = steps.record("notice", 4, lambda: _announce(staff))
            variables = staff.admin.history_variables(instance)
            checklist = one_task(staff, instance, "Task_FillChecklist", "the giver's checklist task")
            shown = staff.form_variables("yang.fan", checklist["id"])
            prefilled = [row for row in shown["checklistItems"] if row.get("camundaTaskId") == moved]
            steps.record("checklist", 1, lambda: staff.complete("yang.fan", checklist["id"],
                                                                {"checklistItems": prefilled + ITEMS}))
            verify = one_task(staff, instance, "Task_VerifyChecklist", "the receiver's verification")
            steps.record("verification", 3, lambda: verify_all(staff, "wu.hao", verify))
            steps.record("signing", 5, lambda: sign_all(staff, instance))
        with worker_with_watcher(settings):  # a restart on the same state folder
            time.sleep(QUIET_S * 2)
        yield Walk(instance, steps.steps, list(box.messages[steps.seen:]), bool(variables.get("calendarNotice")),
                   moved)
        staff.delete(instance)


def _announce(staff: Staff) -> str:
    """The head gives notice in Tasklist's way: a start through REST as chen.jing, dated today."""
    instance = staff.start("chen.jing", "work-handover",
                           notice("yang.fan", "wu.hao", "sales", planned_for_notice_given_today(3)))
    wait_for_notice(staff, instance)
    return instance


# --- one message per task a person gets, step by step ---------------------------------------------


def test_the_notice_tells_the_receiving_head_and_the_receiver_and_gives_the_giver_their_checklist(
        walk: Walk) -> None:
    expected = {"li.qiang": ["notice"], "wu.hao": ["notice"], "yang.fan": ["notice", "to-do 填写工作交接清单"]}
    if walk.calendar_notice:
        expected["chen.jing"] = ["provisional"]
    assert walk.step("notice") == expected


def test_the_submitted_checklist_gives_the_receiver_their_verification(walk: Walk) -> None:
    assert walk.step("checklist") == {"wu.hao": ["to-do 核验交接清单"]}


def test_the_verification_gives_each_signer_their_signing_task(walk: Walk) -> None:
    assert walk.step("verification") == {"liu.min": ["to-do 监交人确认"], "wu.hao": ["to-do 接收人签字"],
                                         "yang.fan": ["to-do 交出人签字"]}


def test_the_signatures_send_each_party_a_copy_the_moved_task_and_the_initiator_the_result(walk: Walk) -> None:
    assert walk.step("signing") == {"chen.jing": ["ended"], "liu.min": ["copy"], "wu.hao": ["copy", "to-do 回访客户"],
                                    "yang.fan": ["copy"]}


def test_the_initiator_is_told_the_hand_over_is_complete(walk: Walk) -> None:
    [ended] = [m for m in walk.steps["signing"] if kind(m) == "ended"]
    assert str(ended["Subject"]) == "流程已结束：工作交接（交接完成） / Process ended: Work hand-over (Hand-over completed)"
    assert walk.instance in text(ended)


def test_the_supervisor_gets_the_signed_pdf(walk: Walk) -> None:
    [copy] = [m for m in walk.steps["signing"] if kind(m) == "copy" and "liu.min@" in str(m["To"])]
    [attachment] = list(copy.iter_attachments())
    assert attachment.get_content_type() == "application/pdf" and attachment.get_content().startswith(b"%PDF")


def test_every_to_do_message_links_its_own_task(walk: Walk, staff: Staff) -> None:
    for mail in (m for m in walk.mails if kind(m).startswith("to-do")):
        [task_id] = re.findall(r"#/\?task=([\w-]+)", text(mail))
        [person] = mail["To"].addresses
        held = staff.admin.get("/history/task", taskId=task_id)[0]
        assert held["assignee"] == person.username, f"{mail['Subject']} to {person.username} links {held}"


def test_the_task_the_hand_over_moved_tells_its_new_holder_once(walk: Walk) -> None:
    moved = [m for m in walk.mails if f"task={walk.moved_task}" in text(m)]
    assert [m["To"].addresses[0].username for m in moved] == ["wu.hao"]


def test_a_restarted_worker_on_the_same_state_sends_nothing_again(walk: Walk) -> None:
    assert walk.after_restart == [], f"sent again after the restart: {[str(m['Subject']) for m in walk.after_restart]}"


def test_no_message_id_is_sent_twice(walk: Walk) -> None:
    ids = [m["Message-ID"] for m in walk.mails]
    assert len(ids) == len(set(ids))


# --- least privilege -------------------------------------------------------------------------------


def test_the_workers_user_holds_what_the_watcher_needs(engine: Settings) -> None:
    user, password = engine.worker_credentials()
    check_permissions(EngineClient(engine.engine_url, user, password), user)


def test_a_user_without_the_runtimes_grants_is_refused_clearly(staff: Staff, engine: Settings) -> None:
    client = EngineClient(engine.engine_url, "zheng.yu", staff.password)  # a staff member: no TASK READ on all
    with pytest.raises(WatcherMisconfigured, match=r"'zheng.yu' lacks .*TASK READ"):
        check_permissions(client, "zheng.yu")
