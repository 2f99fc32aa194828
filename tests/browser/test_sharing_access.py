"""A share in the webapps (Chromium, zh-CN, the real engine): Sales read it in Tasklist's 部门待办,
the reader named in its audience opens its link and reads the same, an outsider opening that link
finds no task and no content, and staff cannot enter Cockpit. One screenshot each, in
test-artifacts/<test>/. The REST side, endpoint by endpoint, is tests/integration/test_sharing_access.py."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

import pytest

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_tasklist import FILTERS, log_in, open_filter
from tests.support.driver import EngineDriver
from tests.support.sharing_access import GROUP_READER, NAMED_READER, Share, Sharing
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

TASK_NAME = "阅读共享信息 / Read the shared information"
OUTSIDER = "xu.ming"


@pytest.fixture(autouse=True)
def patient_expect() -> Any:
    """Playwright's expect waits 5 s unless told; the pages here get the browser's 20 s
    (conftest's TIMEOUT_MS): on a machine shared by several engines Tasklist's first page takes longer."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def sharing(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Sharing:
    return Sharing(engine, admin, tmp_path_factory.mktemp("org") / "organisation.yaml")


@pytest.fixture(scope="module")
def share(sharing: Sharing) -> Any:
    share = sharing.publish()
    yield share
    sharing.staff.delete(share.instance)


@pytest.fixture
def tasklist(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


def department_filter(sharing: Sharing) -> str:
    [found] = [f for f in sharing.staff.admin.get("/filter") if f["name"].startswith(FILTERS["department-tasks"])]
    return found["id"]


def logged_in(new_page: Callable[..., Any], sharing: Sharing, tasklist: str, who: str) -> Any:
    page = new_page(who)
    log_in(page, tasklist, who, sharing.staff.password)
    return page


def shows_the_content(page: Any, share: Share) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".task-card h2.task")).to_contain_text(TASK_NAME)
    expect(page.get_by_label("标题 / Title")).to_have_value(re.compile(share.marker))
    expect(page.get_by_label("内容 / Content")).to_have_value(re.compile(share.marker))


def test_sales_read_the_share_in_their_department_s_tasks(
    new_page: Callable[..., Any], screenshots: Screenshots, sharing: Sharing, share: Share, tasklist: str,
) -> None:
    from playwright.sync_api import expect

    page = logged_in(new_page, sharing, tasklist, GROUP_READER)
    open_filter(page, FILTERS["department-tasks"], department_filter(sharing))
    task = sharing.task(share, "Task_ReadShare")
    link = page.locator(f'.tasks-list a[href*="task={task["id"]}"]')
    expect(link).to_have_text(TASK_NAME)
    link.click()
    shows_the_content(page, share)
    screenshots(page, "sales-read-the-share")


def test_the_reader_named_in_the_audience_opens_its_link(
    new_page: Callable[..., Any], screenshots: Screenshots, sharing: Sharing, share: Share, tasklist: str,
) -> None:
    page = logged_in(new_page, sharing, tasklist, NAMED_READER)
    page.goto(f"{tasklist}default/#/?task={sharing.task(share, 'Task_ReadShare')['id']}")
    shows_the_content(page, share)
    screenshots(page, "named-reader-reads-the-share")


def test_an_outsider_opening_the_link_finds_nothing(
    new_page: Callable[..., Any], screenshots: Screenshots, sharing: Sharing, share: Share, tasklist: str,
) -> None:
    from playwright.sync_api import expect

    page = logged_in(new_page, sharing, tasklist, OUTSIDER)
    task = sharing.task(share, "Task_ReadShare")
    with page.expect_response(lambda r: f"/task/{task['id']}" in r.url) as answer:
        page.goto(f"{tasklist}default/#/?task={task['id']}")
    assert answer.value.status in (403, 404), f"{OUTSIDER} got the task: {answer.value.status}"
    page.wait_for_load_state("networkidle")
    expect(page.locator(".task-card h2.task")).to_have_count(0)
    assert share.marker not in page.content()
    screenshots(page, "outsider-opens-the-link")


def test_staff_cannot_enter_cockpit(
    new_page: Callable[..., Any], screenshots: Screenshots, sharing: Sharing, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    page = new_page("cockpit")
    page.goto(f"http://localhost:{engine.engine_port}/camunda/app/cockpit/")
    password = page.locator('input[type="password"]')
    expect(password).to_be_visible()
    page.locator('input[type="text"]').first.fill(GROUP_READER)
    password.fill(sharing.staff.password)
    with page.expect_response(lambda r: "/login/cockpit" in r.url) as answer:
        page.locator('button[type="submit"]').click()
    assert answer.value.status == 403, f"{GROUP_READER} entered Cockpit: {answer.value.status}"
    expect(password).to_be_visible()
    screenshots(page, "cockpit-refuses-staff")
