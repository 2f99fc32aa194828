"""People and departments are chosen by name, and progress is followed, in Tasklist (Chromium,
zh-CN, the real engine): a head announces a hand-over picking the giver, the receiver and the
receiving department from searchable lists of the organisation; the initiator follows the open
step in 我发起的 and the holder's head in their staff's view. Screenshots: test-artifacts/<test>/."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_tasklist import log_in, open_filter
from tests.support.progress import HOLDER, HOLDER_HEAD, INITIATOR, KEY, PROBE, probe_task
from tests.support.driver import EngineDriver
from tests.support.handover import handover_staff
from tests.support.staff import Staff, demo_with_starters
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

HANDOVER = "工作交接 / Work hand-over"


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Staff:
    organisation = tmp_path_factory.mktemp("org") / "organisation.yaml"
    staff = handover_staff(engine, admin, organisation, "pickers-browser")
    staff.provision(demo_with_starters(organisation, **{KEY: ["heads"]}))  # heads may also start the probe
    admin.deploy_xml(KEY, {f"{KEY}.bpmn": PROBE})
    return staff


@pytest.fixture
def tasklist_url(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


def pick(page: Any, label: str, typed: str, option: str, expected: list[str]) -> None:
    """Type into the searchable select `label`, check which options are offered, choose one."""
    from playwright.sync_api import expect

    field = page.locator(".fjs-form-field-select").filter(has_text=label)
    search = field.locator("input.fjs-input")
    search.click()
    search.press_sequentially(typed)
    offered = field.locator(".fjs-dropdownlist-item")
    expect(offered).to_have_count(len(expected))
    for text in expected:
        expect(offered.filter(has_text=text)).to_have_count(1)
    offered.filter(has_text=option).click()


def test_a_head_announces_a_handover_choosing_people_and_the_department_by_name(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, admin: EngineDriver, tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    page = new_page("head")
    log_in(page, tasklist_url, "chen.jing", staff.password)
    page.get_by_text("发起流程").first.click()
    page.locator(".modal").get_by_text(HANDOVER).click()
    expect(page.locator(".fjs-form-field-select").filter(has_text="交出人 / Person handing over")).to_be_visible()
    screenshots(page, "notice-form")

    pick(page, "交出人 / Person handing over", "杨", "杨帆", ["杨帆（市场部） yang.fan"])
    field = page.locator(".fjs-form-field-select").filter(has_text="接收人 / Receiver")
    field.locator("input.fjs-input").click()
    field.locator("input.fjs-input").press_sequentially("lin")  # the pinyin id finds 马琳 and 林晓
    expect(field.locator(".fjs-dropdownlist-item")).to_have_count(2)
    screenshots(page, "receiver-searched-by-pinyin")
    field.locator("input.fjs-input").fill("")
    pick(page, "接收人 / Receiver", "琳", "马琳", ["马琳（生产部） ma.lin"])
    pick(page, "接收部门 / Receiving department", "生产", "生产部", ["生产部 Production"])
    screenshots(page, "people-and-department-chosen")

    page.locator(".fjs-form-field-select").filter(has_text="交接原因 / Reason").locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item").filter(has_text="岗位调整 / Post change").click()
    page.get_by_label("计划交接日期 / Planned hand-over date").fill("2030/06/03")
    page.get_by_text("交接安排 / Arrangements").click()  # leaving the date field closes its calendar
    with page.expect_response(lambda r: "/submit-form" in r.url) as submitted:
        page.locator(".modal").get_by_role("button", name=re.compile("^发起$")).click()
    assert submitted.value.ok, submitted.value.text()
    instance = submitted.value.json()["id"]
    screenshots(page, "announced")
    try:
        values = {v["name"]: v["value"] for v in admin.get("/history/variable-instance", processInstanceId=instance)}
        assert (values["giverId"], values["receiverId"], values["receivingDepartmentId"]) == (
            "yang.fan", "ma.lin", "production")
    finally:
        staff.delete(instance)


@pytest.fixture
def probe(staff: Staff) -> Iterator[dict[str, Any]]:
    with probe_task(staff) as task:
        yield task


def filter_id(staff: Staff, user_id: str, key: str) -> str:
    [found] = [f["id"] for f in staff.call(user_id, "GET", "/filter")
               if (f.get("properties") or {}).get("crossdept") == key]
    return found


def test_the_initiator_and_the_holders_head_follow_the_open_step_in_their_views(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: Staff, probe: dict[str, Any], tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    for user_id, key, name, step in (
        (INITIATOR, f"started-by:{INITIATOR}", "我发起的", "initiator-started-by-me"),
        (HOLDER_HEAD, "staff-of:engineering", "员工待办·技术部", "head-staff-view"),
    ):
        page = new_page(user_id)
        log_in(page, tasklist_url, user_id, staff.password)
        open_filter(page, name, filter_id(staff, user_id, key))
        card = page.locator(f'.tasks-list li:has(a[href*="task={probe["id"]}"])')
        expect(card).to_contain_text("处理 / Work on it")
        expect(card).to_contain_text(HOLDER)  # who holds it
        screenshots(page, step)
        card.locator("a").first.click()
        expect(page.locator(".task-card h2.task")).to_contain_text("处理 / Work on it")
        # READ only: Tasklist offers no completion to someone who does not hold the task (and the
        # engine answers 403 to one: tests/integration/test_progress_views.py)
        expect(page.get_by_role("button", name="完成", exact=True)).to_be_disabled()
        screenshots(page, f"{step}-task-opened")
