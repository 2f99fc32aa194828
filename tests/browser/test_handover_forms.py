"""The hand-over's forms in Tasklist, in Chromium against the real engine: the giver's checklist
arrives pre-filled, and only the supervisor's signing form offers to send the checklist back."""

from __future__ import annotations

import contextlib
import re

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_tasklist import log_in
from tests.support.handover import (
    TOPICS, handover_staff, next_task, notice, one_task, open_task_for, planned_for_notice_given_today,
    wait_for_notice,
)
from tests.support.driver import EngineDriver, running_worker
from tests.support.receivers import smtp_server
from tests.support.staff import Staff
from workers.catalog import load_registry
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine


@contextlib.contextmanager
def announced_today(staff: Staff) -> Iterator[tuple[str, dict[str, Any]]]:
    """chen.jing announces yang.fan's hand-over to wu.hao through the start event, as in Tasklist, so
    the notice is given today (see planned_for_notice_given_today); yields the instance and the
    giver's checklist task once the notice has gone out, and deletes the instance afterwards."""
    instance = staff.start("chen.jing", "work-handover",
                           notice("yang.fan", "wu.hao", "sales", planned_for_notice_given_today(3)))
    try:
        checklist = one_task(staff, instance, "Task_FillChecklist", "the giver's checklist")
        wait_for_notice(staff, instance)
        yield instance, checklist
    finally:
        staff.delete(instance)


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Staff:
    staff = handover_staff(engine, admin, tmp_path_factory.mktemp("org") / "organisation.yaml", "work-handover-browser")
    return staff


@pytest.fixture
def worker(worker_settings: Settings, tmp_path: Path) -> Iterator[None]:
    with smtp_server() as (_, port):
        settings = worker_settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port, "archive_dir": tmp_path / "archive",
            "tasklist_url": "http://localhost/camunda/app/tasklist/default/"})
        with running_worker(load_registry().subset(TOPICS), settings):
            yield


def test_checklist_is_prefilled_and_only_the_supervisor_can_send_it_back(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, worker: None, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    tasklist = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    open_task = open_task_for(staff, "yang.fan")
    with announced_today(staff) as (instance, checklist):
        page = new_page("giver")
        log_in(page, tasklist, "yang.fan", staff.password)
        page.goto(f"{tasklist}default/#/?task={checklist['id']}")
        expect(page.locator(".task-card h2.task")).to_contain_text("填写工作交接清单")
        form = page.locator(".fjs-container")
        expect(form.get_by_text("工作交接清单 / Work Hand-over Checklist").first).to_be_visible()
        expect(form.get_by_label("系统任务编号（交接后自动转给接收人） / Task number (moved to the receiver automatically)")).to_have_value(open_task)  # the pre-filled row
        expect(form.get_by_label("资产编号 / Asset number")).to_have_count(0)
        screenshots(page, "giver-checklist")

        # The giver adds their laptop: choosing 设备 / Equipment brings up the asset number.
        form.get_by_role("button", name="添加一项").click()
        form.locator(".fjs-form-field-select").filter(has_text="类别 / Category").nth(1).locator(".fjs-select-display").click()
        page.locator(".fjs-dropdownlist-item").filter(has_text="设备 / Equipment").click()
        form.get_by_label("说明 / Description").nth(1).fill("笔记本电脑 / Laptop")
        form.get_by_label("存放位置或系统 / Where it is").nth(1).fill("市场部 3 楼 / Marketing, 3rd floor")
        form.get_by_label("资产编号 / Asset number").fill("IT-2024-0193")
        expect(form.get_by_label("客户联系人 / Customer contact")).to_have_count(0)
        screenshots(page, "giver-adds-equipment")
        with page.expect_response(lambda r: f"/task/{checklist['id']}/submit-form" in r.url) as submitted:
            page.get_by_role("button", name="完成", exact=True).click()
        assert submitted.value.ok, submitted.value.text()

        # The rest through REST, as each person: the signing forms are what this test is about.
        verify = one_task(staff, instance, "Task_VerifyChecklist", "the verification")
        rows = staff.form_variables("wu.hao", verify["id"])["verificationItems"]
        assert [(r["category"], r.get("assetNumber")) for r in rows] == [("unfinishedTasks", None), ("equipment", "IT-2024-0193")]
        staff.complete("wu.hao", verify["id"], {"verificationItems": [{"verdict": "accept"} for _ in rows]})
        supervisor_task = one_task(staff, instance, "Task_SupervisorConfirms", "the supervisor's task")
        giver_task = one_task(staff, instance, "Task_GiverSigns", "the giver's signing task")

        page.goto(f"{tasklist}default/#/?task={giver_task['id']}")
        expect(page.locator(".task-card h2.task")).to_contain_text("交出人签字")
        expect(page.locator(".fjs-container").get_by_text("交接清单 / Checklist").first).to_be_visible()
        expect(page.get_by_text("监交人意见 / Supervisor's verdict")).to_have_count(0)
        expect(page.get_by_label("签字人 / Signer")).to_have_value("杨帆")  # their own name, from the process
        expect(page.get_by_label("我已核对并确认 / I have checked and confirm")).not_to_be_checked()
        screenshots(page, "giver-signs")

        page = new_page("supervisor")
        log_in(page, tasklist, supervisor_task["assignee"], staff.password)
        page.goto(f"{tasklist}default/#/?task={supervisor_task['id']}")
        expect(page.locator(".task-card h2.task")).to_contain_text("监交人确认")
        expect(page.get_by_text("监交人意见 / Supervisor's verdict")).to_be_visible()
        expect(page.get_by_label("退回原因 / Reason for sending back")).to_have_count(0)
        page.get_by_label("不准确或不完整，退回 / Inaccurate or incomplete: send back").check()
        expect(page.get_by_label("退回原因 / Reason for sending back")).to_be_visible()
        screenshots(page, "supervisor-sends-back")


def test_a_checklist_longer_than_a_string_column_shows_whole_on_the_signing_form(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, worker: None, engine: Settings,
) -> None:
    """The summary of twelve long rows is over 4,000 characters, so it is stored as a Json string; the
    signing form's textarea shows it as text, every row of it."""
    from playwright.sync_api import expect

    tasklist = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    rows = [{"category": "documents", "description": f"第 {n} 份底稿 / draft {n} " + "说明" * 190,
             "location": "共享盘 / share"} for n in range(1, 13)]
    with announced_today(staff) as (instance, checklist):
        staff.complete("yang.fan", checklist["id"], {"checklistItems": rows})
        verify = one_task(staff, instance, "Task_VerifyChecklist", "the verification")
        staff.complete("wu.hao", verify["id"], {"verificationItems": [{"verdict": "accept"} for _ in rows]})
        giver_task = one_task(staff, instance, "Task_GiverSigns", "the giver's signing task")

        page = new_page("giver")
        log_in(page, tasklist, "yang.fan", staff.password)
        page.goto(f"{tasklist}default/#/?task={giver_task['id']}")
        summary = page.locator(".fjs-container").get_by_label("交接清单 / Checklist")
        expect(summary).to_have_value(rules_summary_pattern())
        shown = summary.input_value()
        assert (len(shown) > 4000, shown.count("\n")) == (True, 11), f"not the whole summary: {shown[:200]!r}"
        screenshots(page, "giver-signs-long-checklist")


def rules_summary_pattern() -> Any:
    import re

    return re.compile(r"^1\. \[工作资料 / Documents\] 第 1 份底稿.*12\. \[工作资料 / Documents\] 第 12 份底稿", re.S)


def test_tasklist_refuses_a_description_longer_than_the_checklists_limit_before_submitting(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, worker: None, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    tasklist = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    with announced_today(staff) as (instance, checklist):
        page = new_page("giver")
        log_in(page, tasklist, "yang.fan", staff.password)
        page.goto(f"{tasklist}default/#/?task={checklist['id']}")
        form = page.locator(".fjs-container")
        form.get_by_role("button", name="添加一项").click()
        form.get_by_label("说明 / Description").last.fill("长" * 2001)
        submits: list[str] = []
        page.on("request", lambda r: submits.append(r.url) if "/submit-form" in r.url else None)
        # form-js takes the text in as it is typed: the limit is named at once and 完成 cannot be pressed
        expect(form.get_by_text("最多填写 2000 个字 / At most 2000 characters.")).to_be_visible()
        expect(page.get_by_role("button", name="完成", exact=True)).to_be_disabled()
        page.get_by_role("button", name="完成", exact=True).click(force=True)  # pressed anyway: nothing goes
        screenshots(page, "description-too-long")
        assert submits == [], "Tasklist submitted a description over the form's maxLength"
        assert [t["id"] for t in staff.tasks(instance, taskDefinitionKey="Task_FillChecklist")] == [checklist["id"]]


def task_form(page: Any, tasklist: str, staff: Staff, user: str, task: dict[str, Any], title: str) -> tuple[Any, Any]:
    """`user`'s Tasklist open at `task`, once its header shows `title`: the page and its form."""
    from playwright.sync_api import expect

    log_in(page, tasklist, user, staff.password)
    page.goto(f"{tasklist}default/#/?task={task['id']}")
    expect(page.locator(".task-card h2.task")).to_contain_text(title)
    return page, page.locator(".fjs-container")


def test_the_giver_answers_the_receivers_question_and_round_2_shows_it_with_the_verdict_kept(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, worker: None, engine: Settings,
) -> None:
    """Round 1's question comes back to the giver with a field to answer it in; the receiver's round 2
    shows the question, the answer and which row changed, and the row left alone keeps its 无误."""
    from playwright.sync_api import expect

    tasklist = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    question, answer = "备份在哪？/ Where is the backup?", "在 NAS 上 / On the NAS"
    rows = [{"category": "documents", "description": "客户合同 / Customer contracts", "location": "CRM"},
            {"category": "documents", "description": "报价单 / Quotes", "location": "共享盘 / share"}]
    with announced_today(staff) as (instance, checklist):
        staff.complete("yang.fan", checklist["id"], {"checklistItems": rows})
        verify = one_task(staff, instance, "Task_VerifyChecklist", "verification, round 1")
        staff.complete("wu.hao", verify["id"], {"verificationItems": [
            {"verdict": "question", "question": question}, {"verdict": "accept"}]})
        returned = next_task(staff, instance, "Task_FillChecklist", checklist["id"], "the question back to the giver")

        page, form = task_form(new_page("giver"), tasklist, staff, "yang.fan", returned, "填写工作交接清单")
        expect(form.get_by_label("为什么退回 / Why it came back")).to_have_value(re.compile("第 1 轮 / Round 1: 接收人"),
                                                                              timeout=20_000)
        expect(form.get_by_label("接收人的疑问 / The receiver's question")).to_have_value(question)
        # The question's row shows the description read-only first; the checklist's own rows follow.
        form.get_by_label("说明 / Description").nth(1).fill("客户合同及备份 / Customer contracts and backup")
        form.get_by_label("答复 / Answer").fill(answer)
        screenshots(page, "giver-answers-the-question")
        with page.expect_response(lambda r: f"/task/{returned['id']}/submit-form" in r.url) as submitted:
            page.get_by_role("button", name="完成", exact=True).click()
        assert submitted.value.ok, submitted.value.text()

        verify2 = next_task(staff, instance, "Task_VerifyChecklist", verify["id"], "verification, round 2")
        page, form = task_form(new_page("receiver"), tasklist, staff, "wu.hao", verify2, "核验交接清单")
        expect(form.get_by_label("您上轮的疑问 / Your question last round")).to_have_value(question, timeout=20_000)
        expect(form.get_by_label("交出人的答复 / The giver's answer")).to_have_value(answer)
        expect(form.get_by_label("本轮变化 / Change since the last round")).to_have_value(
            "交出人已修改此项 / The giver changed this item")
        expect(form.get_by_label("无误 / Accept").nth(1)).to_be_checked()  # the row left as it was
        expect(form.get_by_label("无误 / Accept").first).not_to_be_checked()  # the row asked about
        screenshots(page, "receiver-round-2")
