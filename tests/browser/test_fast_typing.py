"""Typing fast into Tasklist's forms loses nothing (Chromium, zh-CN, the real engine): one field after
another with Tab and no pause, then 完成 / 发起 at once, the way a fast typist works; every value reads
back over REST exactly as typed. form-js 1.8.7 takes a field's input 300 ms late and redraws every
field from what it has taken, so without crossdept-formjs-input.js a redraw in those 300 ms (another
field's change, a field a choice brings up) wiped what was being typed. The feasibility assessment
has its own test, typed the same way (test_cooperation_feasibility_form.py); the project assessment's
rows, five scores and a comment each, lost the comment's start the same way."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_approval_forms import ENGINEERING_HEAD, block, request  # noqa: F401 (the module fixture)
from tests.browser.test_handover_forms import announced_today, staff, worker  # noqa: F401 (the module fixtures)
from tests.browser.test_tasklist import log_in
from tests.integration.test_information_sharing import PUBLISHER, deploy
from tests.integration.test_project_acceptance import TOPICS as ACCEPTANCE_TOPICS, _judged, _next
from tests.support import acceptance
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.shared.approvals.record import Verdict

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.browser.conftest import Screenshots
    from tests.integration.test_approval import Block

pytestmark = pytest.mark.engine

WAIT_MS = 60_000  # Tasklist draws a task and its form slowly on a busy machine


def type_with_tabs(page: Page, first: Locator, texts: list[str]) -> None:
    """Click into `first`, then type each text and Tab to the next field, with no pause at all."""
    first.click()
    for n, text in enumerate(texts):
        if n:
            page.keyboard.press("Tab")
        page.keyboard.type(text)


def choose(page: Page, field: Locator, option: str) -> None:
    field.locator(".fjs-select-display, .fjs-taglist-input").first.click()
    page.locator(".fjs-dropdownlist-item").filter(has_text=option).click()


def tasklist_of(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


# --- the hand-over checklist: a new row, whose category brings up the asset number ------------------------
ITEM = {"description": "笔记本电脑及电源适配器 / Laptop and power adapter",
        "location": "市场部 3 楼 A-12 柜 / Marketing, 3rd floor, cabinet A-12",
        "assetNumber": "IT-2024-0193"}


def test_a_giver_types_a_checklist_row_at_full_speed_and_every_field_is_recorded(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, worker: None, engine: Settings,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    with announced_today(staff) as (instance, checklist):
        page = new_page("giver")
        log_in(page, tasklist_of(engine), "yang.fan", staff.password)
        page.goto(f"{tasklist_of(engine)}default/#/?task={checklist['id']}")
        form = page.locator(".fjs-container")
        expect(form.get_by_text("工作交接清单 / Work Hand-over Checklist").first).to_be_visible(timeout=WAIT_MS)
        form.get_by_role("button", name="添加一项").click()
        choose(page, form.locator(".fjs-form-field-select").filter(has_text="类别 / Category").last,
               "设备 / Equipment")
        # description, where it is, then (brought up by 设备) the asset number: Tab from one to the next
        type_with_tabs(page, form.get_by_label("说明 / Description").last,
                       [ITEM["description"], ITEM["location"], ITEM["assetNumber"]])
        with page.expect_response(lambda r: f"/task/{checklist['id']}/submit-form" in r.url) as submitted:
            page.get_by_role("button", name="完成", exact=True).click()
        screenshots(page, "checklist-submitted")
        assert submitted.value.ok, submitted.value.text()
        rows = staff.admin.history_variables(instance)["checklistItems"]
        assert {k: rows[-1].get(k) for k in ITEM} == ITEM, rows


# --- the approval decision: a verdict, then the comment, then 完成 at once -------------------------------
COMMENT = "同意，请于周五前提交最终版本并抄送财务部 / Approved: send the final version by Friday, copy Finance"


def test_an_approver_types_the_comment_and_completes_at_once_and_the_comment_is_recorded(
    new_page: Callable[..., Any], screenshots: Screenshots, block: Block, engine: Settings,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    approval = request(block, "countersign", [ENGINEERING_HEAD])
    task = approval.task_of(ENGINEERING_HEAD)
    try:
        page = new_page("approver")
        log_in(page, tasklist_of(engine), ENGINEERING_HEAD, block.staff.password)
        page.goto(f"{tasklist_of(engine)}default/#/?task={task['id']}")
        form = page.locator(".fjs-container")
        expect(form.get_by_label("同意 / Approve")).to_be_visible(timeout=WAIT_MS)
        form.get_by_label("同意 / Approve").check()
        form.get_by_label("审批意见", exact=False).click()
        page.keyboard.type(COMMENT)
        with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
            page.get_by_role("button", name="完成", exact=True).click()
        screenshots(page, "decision-submitted")
        assert submitted.value.ok, submitted.value.text()
        [decision] = wait_until(lambda: approval.decisions() or None, 60, "the recorded decision")
        assert (decision.approver, decision.verdict, decision.comment) == (ENGINEERING_HEAD, Verdict.APPROVED, COMMENT)
    finally:
        block.staff.delete(approval.parent)


# --- the information-sharing start form: typed fields, choices in between, 发起 at once ------------------
SHARE = {"title": "十二月客户订单汇总 / December customer orders",
         "summary": "本月订单同比增长 12% / orders up 12% on last year",
         "content": "A 客户 300 台，B 客户 120 台，C 客户 45 台 / customer A 300 units, B 120, C 45",
         "contentLink": "https://docs.corp.example/sales/2026-12-orders"}


@pytest.fixture(scope="module")
def sharing(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Staff]:
    """information-sharing deployed for the demo organisation; no workers: the start is what is read."""
    organisation_file: Path = tmp_path_factory.mktemp("fast-typing-sharing") / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(staff, organisation_file)
    yield staff


def test_a_publisher_types_the_share_at_full_speed_and_the_start_has_every_value(
    new_page: Callable[..., Any], screenshots: Screenshots, sharing: Staff, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    page = new_page("publisher")
    log_in(page, tasklist_of(engine), PUBLISHER, sharing.password)
    page.get_by_role("link", name="发起流程").click()
    page.locator(".modal").get_by_text("信息共享 / Information sharing").click()
    form = page.locator(".modal .fjs-container")
    expect(form.get_by_label("标题 / Title")).to_be_visible(timeout=WAIT_MS)
    form.get_by_label("标题 / Title").click()
    page.keyboard.type(SHARE["title"])
    choose(page, form.locator(".fjs-form-field-select").filter(has_text="信息分类 / Category"), "业务数据 / Business data")
    choose(page, form.locator(".fjs-form-field-select").filter(has_text="敏感程度 / Sensitivity"), "内部 / Internal")
    type_with_tabs(page, form.get_by_label("摘要 / Summary"), [SHARE["summary"], SHARE["content"], SHARE["contentLink"]])
    choose(page, form.locator(".fjs-form-field-taglist"), "生产部")
    page.keyboard.press("Tab")  # on to the channels: the departments' list closes as the focus leaves
    form.get_by_label("内部邮件 / E-mail").check()
    with page.expect_response(lambda r: r.url.endswith("/submit-form") and "process-definition" in r.url) as started:
        page.locator(".modal").get_by_role("button", name="发起", exact=True).click()
    screenshots(page, "share-started")
    assert started.value.ok, started.value.text()
    instance = started.value.json()["id"]
    try:
        values = sharing.admin.history_variables(instance)
        assert {k: values.get(k) for k in SHARE} == SHARE, values
        assert (values["category"], values["sensitivity"]) == ("business-data", "internal")
        assert (values["targetDepartments"], values["channels"]) == (["production"], ["email"])
    finally:
        sharing.delete(instance)


# --- the project assessment: per department five scores, then the comment, Tab after Tab -------------------
ASSESSOR = acceptance.HEADS["engineering"]  # 张伟 scores Sales and Production


@pytest.fixture(scope="module")
def assessment(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Staff, str, dict[str, Any]]]:
    """An acceptance passed in one round (through REST), at its assessment; yields the staff, the
    instance and Engineering's assessment task."""
    folder = tmp_path_factory.mktemp("fast-typing-assessment")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    acceptance.deploy(admin, organisation_file, "fast-typing-assessment")
    settings = worker_settings_in(engine, folder, archive_dir=folder / "archive", mail_outbox_dir=folder / "outbox")
    with running_worker(load_registry().subset(ACCEPTANCE_TOPICS), settings):
        instance = acceptance.start(admin, "project-cooperation-acceptance", "PC-2026-0077",
                                    acceptance.contract_inputs(organisation_file))
        try:
            [check] = _next(staff, instance, "Task_CheckCriteria", set(), "the acceptance task")
            rows = staff.form_variables(check["assignee"], check["id"])["acceptanceRows"]
            staff.complete(check["assignee"], check["id"], {"acceptanceRows": _judged(
                rows, {row["criterionId"]: ("pass", "") for row in rows})})
            tasks = _next(staff, instance, "Task_AssessDepartments", set(), "the four assessment tasks", count=4)
            yield staff, instance, next(t for t in tasks if t["assignee"] == ASSESSOR)
        finally:
            staff.delete(instance)


def test_an_assessor_types_every_score_and_comment_at_full_speed_and_the_rows_are_recorded(
    new_page: Callable[..., Any], screenshots: Screenshots, assessment: tuple[Staff, str, dict[str, Any]],
    engine: Settings,
) -> None:
    from playwright.sync_api import expect

    staff, instance, task = assessment
    page = new_page("assessor")
    log_in(page, tasklist_of(engine), ASSESSOR, staff.password)
    page.goto(f"{tasklist_of(engine)}default/#/?task={task['id']}")
    form = page.locator(".fjs-container")
    goals = form.get_by_label("目标完成 / Goal completion")
    expect(goals).to_have_count(2, timeout=WAIT_MS)
    typed: list[dict[str, Any]] = []
    for n in range(2):
        row = {"goal": 5 - n, "quality": 4, "schedule": 3 + n, "cost": 2, "teamwork": 5,
               "comment": f"第 {n + 1} 个部门配合积极，交付及时 / department {n + 1}: cooperative, delivered on time"}
        type_with_tabs(page, goals.nth(n), [str(row[k]) for k in ("goal", "quality", "schedule", "cost", "teamwork")]
                       + [row["comment"]])
        typed.append(row)
    with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
        page.get_by_role("button", name="完成", exact=True).click()
    screenshots(page, "assessment-submitted")
    assert submitted.value.ok, submitted.value.text()
    # the worker records the scores it accepted (or sends the form back saying what is missing)
    outcome = wait_until(lambda: {k: v for k, v in staff.admin.history_variables(instance).items()
                                  if k in ("assessmentBy_engineering", "assessmentRejection") and v} or None,
                         60, "the assessment recorded or sent back")
    recorded = [{k: score[k] for k in typed[0]} for score in outcome.get("assessmentBy_engineering", [])]
    assert recorded == typed, outcome
