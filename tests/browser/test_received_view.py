"""本部门收到的信息 / Received by my department in Tasklist (Chromium, zh-CN, the real engine): a
production member opens the view, sees the share sent to production with its title, version,
classification and sensitivity on the card (title and version unfolded), and opens it. Screenshots: test-artifacts/<test>/."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import pytest

from tests.browser.test_tasklist import log_in, open_filter
from tests.integration.test_received_view import PRODUCTION, listed, received_filter, shares  # noqa: F401 (fixture)
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

VIEW = "本部门收到的信息·生产部"


def test_a_production_member_sees_and_opens_what_production_received(
    new_page: Callable[..., Any], screenshots: Screenshots, shares: dict[str, Any], engine: Settings,  # noqa: F811
) -> None:
    from playwright.sync_api import expect

    staff = shares["staff"]
    view = received_filter(staff, PRODUCTION, "production")
    [task] = listed(staff, PRODUCTION, view["id"])
    page = new_page(PRODUCTION)
    expect.set_options(timeout=20_000)  # the filter column can take longer than 5 s on a loaded machine
    try:
        look_at_the_view(page, screenshots, staff, view, task, engine)
    finally:
        expect.set_options(timeout=5_000)  # Playwright's default, for the tests after this one


def look_at_the_view(page: Any, screenshots: Screenshots, staff: Any, view: dict[str, Any], task: dict[str, Any],
                     engine: Settings) -> None:
    from playwright.sync_api import expect

    log_in(page, f"http://localhost:{engine.engine_port}/camunda/app/tasklist/", PRODUCTION, staff.password)
    open_filter(page, VIEW, view["id"])
    card = page.locator(f'.tasks-list li:has(a[href*="task={task["id"]}"])')
    expect(card).to_contain_text("第 49 周客户订单 / Week 49 customer orders")
    expect(card).to_contain_text("版本 / Version")  # Tasklist shows the first two; the card's arrow unfolds the rest
    expect(page.locator("ol.tasks-list")).not_to_contain_text("预算执行月报")  # finance's share is not listed
    screenshots(page, "received-by-production")
    card.locator("a").first.click()
    expect(page.locator(".task-card h2.task")).to_contain_text("确认收到 / Acknowledge receipt")
    screenshots(page, "share-opened")
