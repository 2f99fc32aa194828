"""本部门收到的信息 / Received by my department, the navbar view of Tasklist (Chromium, zh-CN, the real
engine and sharing workers): a production member sees every share production received with its
acknowledgement state (who and when, the deadline of a pending one, overdue, late), a corrected
version pair, and the feedback and answer of a confidential share; opens a pending one, reads its
content and goes to its acknowledgement task; an engineering member sees none of them.
Screenshots: test-artifacts/<test>/."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pytest

from tests.browser.test_tasklist import log_in
from tests.integration.test_information_sharing import CONTENT, world  # noqa: F401 (fixture)
from tests.integration.test_received_by_department import ANSWER, QUESTION, Received, received  # noqa: F401 (fixture)
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

ACTION = "本部门收到的信息 / Received by my department"


def open_view(page: Any, received: Received, engine: Settings, user: str) -> Any:
    from playwright.sync_api import expect

    log_in(page, f"http://localhost:{engine.engine_port}/camunda/app/tasklist/", user, received.world.staff.password)
    page.get_by_role("link", name=ACTION).click()
    view = page.locator(".crossdept-received")
    expect(view.locator(".crossdept-received-department").first).to_be_visible()
    return view


def test_a_production_member_sees_everything_production_received_and_opens_one(
    new_page: Callable[..., Any], screenshots: Screenshots, received: Received, engine: Settings,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page = new_page("production")
    view = open_view(page, received, engine, "he.jun")
    expect(view.locator("h4").first).to_have_text("生产部 Production")
    item = lambda pid: view.locator(f'tbody.crossdept-received-item[data-instance="{pid}"]')  # noqa: E731
    acknowledged = item(received.acknowledged)
    expect(acknowledged).to_contain_text("十二月客户订单 / December orders")
    expect(acknowledged).to_contain_text("业务数据 / Business data")
    expect(acknowledged).to_contain_text("公开 / Public")
    expect(acknowledged).to_contain_text("销售部 Sales")
    expect(acknowledged.locator(".crossdept-received-state")).to_contain_text("已签收：何军，2026年")
    expect(item(received.pending).locator(".crossdept-received-state")).to_contain_text("待签收，截止 ")
    expect(item(received.overdue).locator(".crossdept-received-state")).to_contain_text("逾期未签收（截止 ")
    expect(item(received.late).locator(".crossdept-received-state")).to_contain_text("逾期签收：马琳")
    expect(item(received.corrected)).to_contain_text("已由第 2 版更正")
    expect(item(received.correction)).to_contain_text("第 2 版")
    expect(item(received.correction)).to_contain_text("更正第 1 版")
    confidential = item(received.confidential)
    expect(confidential).to_contain_text("机密 / Confidential")
    expect(confidential.locator(".crossdept-received-feedback")).to_contain_text(f"反馈（有疑问 / Question）：{QUESTION}")
    expect(confidential.locator(".crossdept-received-feedback")).to_contain_text(ANSWER)
    expect(view).not_to_contain_text(received.acknowledged)  # no ids in what staff read
    screenshots(page, "received-by-production")

    pending = item(received.pending)
    pending.locator("a.crossdept-received-open").click()
    expect(pending.locator(".crossdept-received-content")).to_have_text(CONTENT)
    expect(pending.get_by_role("link", name="https://wiki.example/duty")).to_be_visible()
    screenshots(page, "a-pending-share-opened")
    pending.get_by_role("link", name="去签收 / Acknowledge receipt").click()
    expect(page.locator(".task-card h2.task")).to_contain_text("签收确认 / Acknowledge receipt")
    expect(page.locator(".fjs-container").get_by_label("标题 / Title")).to_have_value("元旦值班安排 / New Year duty roster")
    screenshots(page, "its-acknowledgement-task")


def test_an_engineering_member_sees_none_of_them(
    new_page: Callable[..., Any], screenshots: Screenshots, received: Received, engine: Settings,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    page = new_page("engineering")
    view = open_view(page, received, engine, "xu.ming")
    expect(view.locator("h4")).to_have_text(["技术部 Engineering"])
    for pid in received.ours:
        expect(view.locator(f'[data-instance="{pid}"]')).to_have_count(0)
    shared_with_engineering = [v for v in received.world.staff.admin.get(
        "/history/variable-instance", processDefinitionKey="information-sharing", variableName="receivingDepartments",
        deserializeValues="false") if '"engineering"' in (v["value"] or "")]
    if not shared_with_engineering:  # other tests on the session engine may have shared something with it
        expect(view.locator(".crossdept-received-empty")).to_have_text(
            "本部门尚未收到共享信息。 / Your department has not received any shared information yet.")
    screenshots(page, "received-by-engineering")
