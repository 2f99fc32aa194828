"""A whole work hand-over in the real Tasklist, as the demo organisation's people do it (issue 11).

陈静 (head of Marketing) announces through the start form that 杨帆 hands over to 吴昊 (Sales); 杨帆
fills the checklist; 吴昊 asks one question, 杨帆 answers in round 2, 吴昊 accepts; 杨帆, 吴昊 and the
supervisor sign; the copies go out. Each person logs in with their own account in their own browser
(zh-CN, Asia/Shanghai) and opens each task from the link in the e-mail they got for it, where there
is one. After every step the e-mails that step caused are counted per person (`MAILS`), and every
page is screenshotted into test-artifacts/<test name>/, with the counts in mail-counts.txt beside them.

One helper per person and step, so each feature of issue 11 adds its assertion where it shows.
"""

from __future__ import annotations

import copy
import json
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_tasklist import log_in
from tests.support.driver import EngineDriver, running_worker, wait_until
from tests.support.handover import (
    SHANGHAI, handover_staff, one_task, open_task_for, planned_for_notice_given_today, wait_for_notice,
)
from tests.support.receivers import Mailbox, smtp_server
from tests.support.staff import Staff
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.shared.organisation.model import load_organisation
from workers.shared.organisation.pickers import fill_options, form_bytes, organisation_options

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
QUIET_S = 2.5  # five scans of the to-do watcher

HEAD, GIVER, RECEIVER, RECEIVING_HEAD = "chen.jing", "yang.fan", "wu.hao", "li.qiang"
SUPERVISOR = "liu.min"  # the deputy general manager, the superior both departments' heads share
PROCESS_NAME = "工作交接 / Work hand-over"
NAMES = {GIVER: "杨帆", RECEIVER: "吴昊", SUPERVISOR: "刘敏"}
QUESTION = "客户档案的纸质原件放在哪里？"
ANSWER = "纸质原件在市场部 3 楼档案柜 B-2，钥匙在前台登记领取。"
EARLIER_ROUNDS = "此前各轮的疑问、答复与退回原因 / Earlier rounds: questions, answers and reasons"
CUSTOMER_FILES = "华东区重点客户档案 12 份"
ARRANGEMENTS = "交接前一起拜访华东区三家重点客户，并移交客户档案。"

# The e-mails each moment of the hand-over causes (the named task arrives, or it is done), per person:
# (how many, whether one links to the person's new task). Each new task is one to-do message with
# its link (the to-do watcher); the notice tells the three parties what is coming; at the end the
# three signers get the signed copy, the receiver a to-do for each task of open work moved to them
# (added as the checklist lists them), and the head who announced it the result.
MAILS: dict[str, dict[str, tuple[int, bool]]] = {
    "notice": {RECEIVING_HEAD: (1, False), GIVER: (2, True), RECEIVER: (1, False)},  # and the checklist
    "verify-1": {RECEIVER: (1, True)},
    "checklist-2": {GIVER: (1, True)},
    "verify-2": {RECEIVER: (1, True)},
    "sign": {GIVER: (1, True), RECEIVER: (1, True), SUPERVISOR: (1, True)},
    "done": {GIVER: (1, False), RECEIVER: (1, False), SUPERVISOR: (1, False), HEAD: (1, False)},
}

# What a person must not read on a page meant for them: a variable's name (camelCase), a user id
# (given.family), an engine id (a UUID), an element id (Task_…).
TECHNICAL = re.compile(r"\b[a-z]+[A-Z][A-Za-z]+\b|\b[a-z]{2,}\.[a-z]{2,}\b|\b[0-9a-f]{8}-[0-9a-f]{4}-|\b[A-Z][a-z]+_[A-Z]\w+")
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def organisation_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("org") / "organisation.yaml"


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, organisation_file: Path) -> Staff:
    staff = handover_staff(engine, admin, organisation_file, "work-handover-walk")
    # The notice form as `crossdept deploy` writes it: its pickers list the organisation.
    form = json.loads((ROOT / "forms" / "work-handover-notice.form").read_text(encoding="utf-8"))
    filled = fill_options(form, organisation_options(load_organisation(organisation_file)))
    admin.deploy_xml("work-handover-walk-pickers", {"work-handover-notice.form": form_bytes(filled).decode("utf-8")})
    return staff


@pytest.fixture
def tasklist(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


@pytest.fixture
def open_work(staff: Staff) -> Iterator[str]:
    """A task of another process the giver holds, which the hand-over moves to the receiver; made
    before the workers start, as work the giver had long before the notice."""
    task_id = open_task_for(staff, GIVER)
    yield task_id
    staff.delete(staff.admin.get("/history/task", taskId=task_id)[0]["processInstanceId"])


@pytest.fixture
def mailbox(open_work: str, worker_settings: Settings, tmp_path: Path, tasklist: str,
            organisation_file: Path) -> Iterator[Mailbox]:
    """Every process's workers and the to-do watcher, as `crossdept worker` runs them, mailing a
    real SMTP server with links to this engine's Tasklist."""
    with smtp_server() as (box, port):
        settings = worker_settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port, "archive_dir": tmp_path / "archive",
            "tasklist_url": tasklist, "organisation_file": organisation_file, "notify_scan_s": 0.5})
        with running_worker(load_registry(), settings, watch=True):
            yield box


@dataclass
class Walk:
    """The people's browsers, the mailbox, and which e-mails each step has accounted for."""

    staff: Staff
    tasklist: str
    mailbox: Mailbox
    shots: Screenshots
    new_page: Callable[..., Page]
    organisation_file: Path
    instance: str = ""
    pages: dict[str, Page] = field(default_factory=dict)
    counted: int = 0
    mails: dict[str, dict[str, list[EmailMessage]]] = field(default_factory=dict)
    expected: dict[str, dict[str, tuple[int, bool]]] = field(default_factory=lambda: copy.deepcopy(MAILS))

    def expect_more(self, step: str, person: str, more: int) -> None:
        """What this run adds to MAILS: a message that depends on what the walk met on its way."""
        count, linked = self.expected[step].get(person, (0, False))
        self.expected[step][person] = (count + more, linked)

    def page(self, person: str) -> Page:
        """The person's own browser, logged in with their own account on first use."""
        if person not in self.pages:
            page = self.new_page(person, timezone_id="Asia/Shanghai")
            page.set_viewport_size({"width": 1400, "height": 3000})  # the task's whole form in each screenshot
            log_in(page, self.tasklist, person, self.staff.password)
            self.pages[person] = page
        return self.pages[person]

    def shot(self, person: str, step: str) -> None:
        self.shots(self.page(person), f"{person.split('.')[0]}-{step}")

    def mails_of(self, step: str) -> dict[str, list[EmailMessage]]:
        """The e-mails `step` caused, per person, once they have all arrived: as many as MAILS says,
        and each a linked one if MAILS says so. One too many is caught by the next step (or the end)."""
        expected = self.expected[step]
        wanted = self.counted + sum(count for count, _ in expected.values())
        wait_until(lambda: len(self.mailbox.messages) >= wanted, 60, f"the e-mails of step {step}", interval_s=0.2)
        arrived = self.mailbox.messages[self.counted:]
        self.counted += len(arrived)
        by_person: dict[str, list[EmailMessage]] = {}
        for mail in arrived:
            by_person.setdefault(re.findall(r"([\w.-]+)@", str(mail["To"]))[0], []).append(mail)
        self.mails[step] = by_person
        not_chinese_first = [str(m["Subject"]) for m in arrived if not CJK.match(str(m["Subject"]))
                             or not CJK.search(body_of(m).split("\n")[0])]
        assert not not_chinese_first, f"e-mails of step {step} not in Chinese first: {not_chinese_first}"
        assert {p: len(m) for p, m in by_person.items()} == {p: c for p, (c, _) in expected.items()}, \
            f"e-mails of step {step} per person"
        return by_person

    def link_for(self, mails: list[EmailMessage], task_id: str) -> str:
        links = {m for mail in mails for m in re.findall(r"https?://\S+\?task=[\w-]+", body_of(mail))}
        assert links == {f"{self.tasklist}default/#/?task={task_id}"}, f"links in the e-mail: {links}"
        return links.pop()

    def open_task(self, person: str, step: str, task: dict[str, Any]) -> Page:
        """The task opened as the person would: from the link in its e-mail, or else from 我的待办."""
        page = self.page(person)
        _, linked = self.expected[step].get(person, (0, False))
        if linked:
            page.goto(self.link_for(self.mails[step][person], task["id"]))
        else:
            page.goto(self.tasklist)
            page.locator(".task-filter").filter(has_text="我的待办").click()
            page.locator(f'.tasks-list a[href*="task={task["id"]}"]').click()
        from playwright.sync_api import expect

        expect(page.locator(".task-card h2.task")).to_contain_text(task["name"].split(" / ")[0])
        expect(page.locator(".task-card h4.process-definition")).to_have_text(PROCESS_NAME)
        expect(page.locator(".ce-eol-banner")).to_be_hidden()
        expect(page.locator(".fjs-container")).to_be_visible()
        return page

    def complete(self, person: str, task: dict[str, Any], step: str) -> None:
        """完成 on the person's open task; the task leaves their list, and the page is shot as they see it then."""
        from playwright.sync_api import expect

        page = self.page(person)
        with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
            page.locator(".task-card").get_by_role("button", name="完成", exact=True).click()
        assert submitted.value.ok, submitted.value.text()
        expect(page.locator(f'.tasks-list a[href*="task={task["id"]}"]')).to_have_count(0)
        # The confirmation of this task (an earlier one may still be shown beside it).
        confirmation = page.locator(".page-notifications .alert-info").filter(has_text=f"“{task['name']}”已完成，已转交下一步处理。")
        expect(confirmation.last).to_contain_text("已提交 / Submitted")
        self.shot(person, f"{step}-completed")

    def write_counts(self, cast: list[str]) -> None:
        """mail-counts.txt beside the screenshots: per step, how many e-mails each person got, and what."""
        lines = ["step\t" + "\t".join(cast)]
        for step, people in self.mails.items():
            lines.append(step + "\t" + "\t".join(str(len(people.get(person, []))) for person in cast))
            lines += [f"  {person}: {mail['Subject']}" for person, mails in people.items() for mail in mails]
        (self.shots.folder / "mail-counts.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def body_of(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


# --- what a person reads -----------------------------------------------------------------------
def labels_read_chinese_first(form: Locator) -> None:
    """Every label and heading of the form starts in Chinese: none is English only."""
    texts = [t.strip() for t in form.locator("label, h1, h2, h3").all_inner_texts() if t.strip()]
    assert texts, "the form shows no labels"
    english_first = [t for t in texts if not CJK.match(t.lstrip("*# "))]
    assert not english_first, f"labels not in Chinese first: {english_first}"


def shows_nothing_technical(where: Locator) -> None:
    technical = sorted(set(TECHNICAL.findall(where.inner_text())))
    assert not technical, f"technical names or ids shown to staff: {technical}"


def reads_as_staff(page: Page) -> Locator:
    """The open task as its person reads it: Chinese-first labels, no variable names or ids."""
    form = page.locator(".task-card .fjs-container")
    labels_read_chinese_first(form)
    shows_nothing_technical(page.locator(".task-card"))
    return form


def choose(page: Page, field: Locator, option: str) -> None:
    """form-js draws its own drop-down: open it and click the option."""
    field.locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item").filter(has_text=option).click()


def pick(page: Page, form: Locator, label: str, typed: str, option: str) -> None:
    """A searchable picker: type part of a name, choose the person or department it finds."""
    form.get_by_label(label).fill(typed)
    page.locator(".fjs-dropdownlist-item").filter(has_text=option).click()


def verification_rows(form: Locator) -> int:
    """How many rows the verification shows (form-js numbers a row's fields, it draws no row box):
    the giver's open work first, the customer files the giver added last."""
    from playwright.sync_api import expect

    expect(form.get_by_label("说明 / Description").last).to_have_value(CUSTOMER_FILES)
    return form.get_by_label("说明 / Description").count()


# --- the steps, one per person -------------------------------------------------------------------
def head_announces(walk: Walk) -> None:
    from playwright.sync_api import expect

    page = walk.page(HEAD)
    page.get_by_role("link", name="发起流程").click()
    page.locator(".modal").get_by_text("工作交接 / Work hand-over").click()
    form = page.locator(".modal .fjs-container")
    expect(form).to_be_visible()
    labels_read_chinese_first(form)
    planned = planned_for_notice_given_today(3)
    date_field = form.get_by_label("计划交接日期 / Planned hand-over date")
    date_field.fill(f"{planned.year}/{planned.month}/{planned.day}")  # as zh-CN writes a date
    date_field.press("Enter")
    date_field.press("Tab")  # the calendar closes before anything else is typed
    expect(form).not_to_contain_text("liu.yang")  # no example of an id to type: people are chosen by name
    pick(page, form, "交出人 / Person handing over", "杨帆", "杨帆（市场部）")
    pick(page, form, "接收人 / Receiver", "吴昊", "吴昊（销售部）")
    pick(page, form, "接收部门 / Receiving department", "销售", "销售部")
    choose(page, form.locator(".fjs-form-field-select").filter(has_text="交接原因 / Reason"), "岗位调整 / Post change")
    arrangements = form.get_by_label("交接安排 / Arrangements")
    arrangements.fill(ARRANGEMENTS)
    arrangements.press("Tab")
    expect(arrangements).to_have_value(ARRANGEMENTS)
    expect(date_field).to_have_value(f"{planned.year}/{planned.month}/{planned.day}")
    walk.shot(HEAD, "notice-filled")
    with page.expect_response(lambda r: r.url.endswith("/submit-form") and "process-definition" in r.url) as started:
        page.locator(".modal").get_by_role("button", name="发起", exact=True).click()
    assert started.value.ok, started.value.text()
    walk.instance = started.value.json()["id"]
    expect(page.get_by_text("流程已发起。")).to_be_visible()
    walk.shot(HEAD, "notice-started")
    variables = walk.staff.admin.history_variables(walk.instance)
    assert (variables["initiator"], variables["giverId"], variables["receiverId"], variables["receivingDepartmentId"],
            variables["plannedDate"], variables.get("arrangements")) == (
        HEAD, GIVER, RECEIVER, "sales", planned.isoformat(), ARRANGEMENTS), "the notice as the head wrote it"
    wait_for_notice(walk.staff, walk.instance)
    if walk.staff.admin.history_variables(walk.instance).get("calendarNotice"):
        walk.expect_more("notice", HEAD, 1)  # told that the working days were counted provisionally


def giver_fills_checklist(walk: Walk, open_task: str) -> dict[str, Any]:
    from playwright.sync_api import expect

    task = one_task(walk.staff, walk.instance, "Task_FillChecklist", "the giver's checklist")
    walk.mails_of("notice")
    page = walk.open_task(GIVER, "notice", task)
    form = reads_as_staff(page)
    expect(form.get_by_label("交出人 / Person handing over")).to_have_value(NAMES[GIVER])
    expect(form.get_by_label("接收人 / Receiver")).to_have_value(NAMES[RECEIVER])
    # The giver's open work arrives as rows (earlier tests of the session may have left more of it);
    # each moves to the receiver at the end, with a to-do for them.
    expect(form.get_by_label("系统任务编号（交接后自动转给接收人） / Task number (moved to the receiver automatically)").first).to_be_visible()
    open_work = [row.input_value() for row in form.get_by_label("系统任务编号（交接后自动转给接收人） / Task number (moved to the receiver automatically)").all()]
    assert open_task in open_work
    walk.expect_more("done", RECEIVER, len(open_work))
    walk.shot(GIVER, "checklist-opened")
    head_follows(walk, "员工待办·市场部", task, "staff-view")
    form.get_by_role("button", name="添加一项").click()
    choose(page, form.locator(".fjs-form-field-select").filter(has_text="类别 / Category").last, "客户信息 / Customer information")
    form.get_by_label("说明 / Description").last.fill(CUSTOMER_FILES)
    form.get_by_label("存放位置或系统 / Where it is").last.fill("CRM 系统“华东区”目录")
    form.get_by_label("客户联系人 / Customer contact").fill("王经理 138-0000-0000")
    walk.shot(GIVER, "checklist-filled")
    walk.complete(GIVER, task, "checklist-1")
    return task


def receiver_asks(walk: Walk) -> None:
    from playwright.sync_api import expect

    task = one_task(walk.staff, walk.instance, "Task_VerifyChecklist", "the receiver's verification")
    walk.mails_of("verify-1")
    page = walk.open_task(RECEIVER, "verify-1", task)
    form = reads_as_staff(page)
    expect(form.get_by_label("交接轮次 / Round")).to_have_value("1")
    rows = verification_rows(form)
    for row in range(rows - 1):
        form.get_by_label("无误 / Accept").nth(row).check()
    form.get_by_label("有疑问 / Question").last.check()
    form.get_by_label("疑问 / Question", exact=True).fill(QUESTION)
    walk.shot(RECEIVER, "verify-1-question")
    head_follows(walk, "我发起的", task, "started-by-me")
    walk.complete(RECEIVER, task, "verify-1")


def giver_answers(walk: Walk, first: dict[str, Any]) -> None:
    from playwright.sync_api import expect

    task = wait_until(lambda: next((t for t in walk.staff.tasks(walk.instance, taskDefinitionKey="Task_FillChecklist")
                                    if t["id"] != first["id"]), None), 60, "the checklist back at the giver", 0.3)
    walk.mails_of("checklist-2")
    page = walk.open_task(GIVER, "checklist-2", task)
    form = reads_as_staff(page)
    expect(form.get_by_label("为什么退回 / Why it came back")).to_have_value(re.compile(re.escape(QUESTION)))
    expect(form.get_by_label("接收人的疑问 / The receiver's question")).to_have_value(QUESTION)
    expect(form.get_by_label("需要补充 / What is missing")).to_have_count(0)  # the receiver's message is not the giver's
    walk.shot(GIVER, "checklist-2-question")
    form.get_by_label("答复 / Answer").fill(ANSWER)
    walk.shot(GIVER, "checklist-2-answered")
    walk.complete(GIVER, task, "checklist-2")


def receiver_accepts(walk: Walk) -> None:
    from playwright.sync_api import expect

    task = wait_until(lambda: next((t for t in walk.staff.tasks(walk.instance, taskDefinitionKey="Task_VerifyChecklist")),
                                   None), 60, "the verification of round 2", 0.3)
    walk.mails_of("verify-2")
    page = walk.open_task(RECEIVER, "verify-2", task)
    form = reads_as_staff(page)
    expect(form.get_by_label("交接轮次 / Round")).to_have_value("2")
    rows = verification_rows(form)
    expect(form.get_by_label("您上轮的疑问 / Your question last round")).to_have_value(QUESTION)
    expect(form.get_by_label("交出人的答复 / The giver's answer")).to_have_value(ANSWER)
    expect(form.get_by_label(EARLIER_ROUNDS)).to_have_value(re.compile(f"{re.escape(QUESTION)}.*{re.escape(ANSWER)}", re.S))
    for row in range(rows):
        form.get_by_label("无误 / Accept").nth(row).check()
    walk.shot(RECEIVER, "verify-2-accepted")
    walk.complete(RECEIVER, task, "verify-2")


def signs(walk: Walk, person: str, key: str, step: str) -> None:
    from playwright.sync_api import expect

    task = one_task(walk.staff, walk.instance, key, f"the signing task {key}")
    # Every step's deadline fits the plan: nobody is asked to sign before the hand-over day.
    due = engine_time(task["due"]).astimezone(SHANGHAI).date().isoformat()
    planned = walk.staff.admin.history_variables(walk.instance)["plannedDate"]
    assert due >= planned, f"{key} is due {due}, before the planned hand-over on {planned}"
    page = walk.open_task(person, step, task)
    form = reads_as_staff(page)
    expect(form.get_by_label("交接清单 / Checklist")).to_have_value(re.compile(re.escape(CUSTOMER_FILES)))
    expect(form.get_by_label(EARLIER_ROUNDS)).to_have_value(re.compile(f"{re.escape(QUESTION)}.*{re.escape(ANSWER)}", re.S))
    if key == "Task_SupervisorConfirms":
        form.get_by_label("准确完整，签字确认 / Accurate and complete: sign").check()
    # A signature is an act of its own: the signer's name, and a box they tick.
    expect(form.get_by_label("签字人 / Signer")).to_have_value(NAMES[person])
    form.get_by_label("我已核对并确认 / I have checked and confirm").check()
    walk.shot(person, "signs")
    walk.complete(person, task, "sign")


def head_follows(walk: Walk, view: str, task: dict[str, Any], step: str) -> None:
    """The head who announced the hand-over finds the open step in one of their views, with its process.
    (Who holds it shows as a user id: the head may not read other users' names.)"""
    from playwright.sync_api import expect

    page = walk.page(HEAD)
    page.goto(walk.tasklist)
    page.locator(".task-filter").filter(has_text=view).click()
    listed = page.locator(".tasks-list li").filter(has=page.locator(f'a[href*="task={task["id"]}"]'))
    expect(listed).to_contain_text(task["name"].split(" / ")[0])
    expect(listed).to_contain_text(PROCESS_NAME)
    walk.shot(HEAD, step)


def everyone_is_told(walk: Walk) -> None:
    """The hand-over ends; the three signers each get the signed copy, a PDF that reads as the record
    of this hand-over; the head who announced it is told it is done and finds nothing left to do."""
    from playwright.sync_api import expect

    walk.staff.admin.instance(walk.instance).settle(60)
    assert walk.staff.ended(walk.instance), f"the hand-over has not ended: {walk.staff.admin.active_activities(walk.instance)}"
    told = walk.mails_of("done")
    [ended] = told[HEAD]
    assert "交接完成" in str(ended["Subject"]), ended["Subject"]
    for person in (GIVER, RECEIVER, SUPERVISOR):
        [pdf] = [a for mail in told[person] for a in mail.iter_attachments() if a.get_content_type() == "application/pdf"]
        (walk.shots.folder / f"copy-{person}.pdf").write_bytes(pdf.get_content())  # kept with the screenshots
        text = pdf_text(pdf.get_content())
        missing = [what for what in the_record(walk) if what not in text]
        assert not missing, f"{person}'s copy lacks {missing}"
    time.sleep(QUIET_S)  # what the watcher has not sent by then it would not send
    assert len(walk.mailbox.messages) == walk.counted, \
        f"e-mails after the end: {[m['Subject'] for m in walk.mailbox.messages[walk.counted:]]}"
    page = walk.page(HEAD)
    page.goto(walk.tasklist)
    expect(page.locator(".task-filter").first).to_be_visible()
    expect(page.locator("[cam-tasks] .loader")).to_be_hidden()
    walk.shot(HEAD, "done")


def the_record(walk: Walk) -> list[str]:
    """What the signed checklist must say of this hand-over: the company, the people and both
    departments, the notice's date and arrangements, the items, the question and its answer, and
    when each signed, in Beijing time as the people signed."""
    variables = walk.staff.admin.history_variables(walk.instance)
    signed = [walk.staff.admin.get("/history/task", processInstanceId=walk.instance, taskDefinitionKey=key)[0]["endTime"]
              for key in ("Task_GiverSigns", "Task_ReceiverSigns", "Task_SupervisorConfirms")]
    company = load_organisation(walk.organisation_file).company.name_zh
    return [company, *NAMES.values(), "市场部", "销售部", chinese_date(engine_time(variables["noticeSubmittedAt"])),
            ARRANGEMENTS, CUSTOMER_FILES, QUESTION, ANSWER,
            *(f"{chinese_date(engine_time(at))} {engine_time(at).astimezone(SHANGHAI):%H:%M}" for at in signed)]


def engine_time(value: str | datetime) -> datetime:
    """The engine's `2026-12-01T16:48:00.000+0000` (a history record), or a variable decoded already."""
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)


def chinese_date(moment: datetime) -> str:
    day = moment.astimezone(SHANGHAI).date()
    return f"{day.year}年{day.month}月{day.day}日"


def pdf_text(content: bytes) -> str:
    import io

    from pypdf import PdfReader

    # Extraction breaks lines where the PDF does: compare without them.
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace("\n", "")


def test_a_whole_handover_in_tasklist_as_head_giver_receiver_and_supervisor(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, mailbox: Mailbox, tasklist: str,
    open_work: str, organisation_file: Path,
) -> None:
    walk = Walk(staff, tasklist, mailbox, screenshots, new_page, organisation_file)
    try:
        head_announces(walk)
        first = giver_fills_checklist(walk, open_work)
        receiver_asks(walk)
        giver_answers(walk, first)
        receiver_accepts(walk)
        assert staff.admin.history_variables(walk.instance)["supervisorId"] == SUPERVISOR
        staff.wait_for_tasks(walk.instance, 3, "the three signing tasks")
        walk.mails_of("sign")
        for person, key in ((GIVER, "Task_GiverSigns"), (RECEIVER, "Task_ReceiverSigns"),
                            (SUPERVISOR, "Task_SupervisorConfirms")):
            signs(walk, person, key, "sign")
        everyone_is_told(walk)
    finally:
        walk.write_counts([HEAD, RECEIVING_HEAD, GIVER, RECEIVER, SUPERVISOR])
        if walk.instance:
            staff.delete(walk.instance)
