"""Phase 4 of project cooperation in Tasklist (Chromium, zh-CN, the real engine): a Sales member
calls a special coordination meeting from the standing task, and the project owner writes the
minutes of a coordination meeting with an action item whose department is picked by name; both
through the forms as staff see them, no REST. Screenshots: test-artifacts/<test>/."""

from __future__ import annotations

import contextlib
import re
import json
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_pickers_and_views import pick
from tests.browser.test_tasklist import log_in
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.implementation import OWNER, TOPICS_PREFIX, contract_inputs, deploy, start, today
from tests.support.receivers import Mailbox, smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

BUSINESS_KEY = "PC-BROWSER-0001"
CALLER = "wu.hao"  # 销售部 Sales


@pytest.fixture(scope="module")
def project(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An implementation running with its workers and a mailbox: its instance, staff and mailbox."""
    folder = tmp_path_factory.mktemp("implementation-browser")
    organisation_file = folder / "organisation.yaml"
    org = demo_with_starters(organisation_file)
    staff = Staff(engine, admin)
    staff.provision(org)
    deploy(admin, org)
    with smtp_server() as (box, port):
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", archive_dir=folder / "archive",
                                      tasklist_url=f"http://localhost:{engine.engine_port}/camunda/app/tasklist/")
        registry = load_registry().subset([t for t in load_registry().names() if t.startswith(TOPICS_PREFIX)])
        with running_worker(registry, settings):
            instance = start(admin, contract_inputs(organisation_file, BUSINESS_KEY), BUSINESS_KEY)
            try:
                yield {"instance": instance, "staff": staff, "mailbox": box, "archive": settings.archive_root}
            finally:
                with contextlib.suppress(Exception):
                    staff.delete(instance)


@pytest.fixture
def tasklist_url(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


def open_task(new_page: Callable[..., Any], project: dict[str, Any], tasklist_url: str, user: str, task_id: str,
              name: str) -> Any:
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # on a loaded machine Tasklist takes its time
    page = new_page(user)
    page.set_default_timeout(60_000)
    log_in(page, tasklist_url, user, project["staff"].password)
    page.goto(f"{tasklist_url}default/#/?task={task_id}")
    expect(page.locator(".task-card h2.task")).to_contain_text(name)
    return page


def one_task(project: dict[str, Any], activity: str) -> dict[str, Any]:
    return wait_until(lambda: project["staff"].tasks(project["instance"], taskDefinitionKey=activity), 60,
                      f"an open {activity}", interval_s=0.3)[0]


def test_a_sales_member_calls_a_special_meeting_in_tasklist(
    new_page: Callable[..., Any], screenshots: Screenshots, project: dict[str, Any], tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    call = one_task(project, "Task_CallSpecialMeeting")
    page = open_task(new_page, project, tasklist_url, CALLER, call["id"], "召集专项协调会议")
    with page.expect_response(lambda r: f"/task/{call['id']}/claim" in r.url) as claimed:
        page.get_by_role("button", name="认领", exact=True).click()
    assert claimed.value.ok, claimed.value.text()
    form = page.locator(".fjs-container")
    expect(form.get_by_label("项目名称 / Project")).to_have_value("智能仓储 / Smart warehouse")
    form.get_by_label("会议日期 / Date").fill((today() + timedelta(days=2)).strftime("%Y/%m/%d"))
    form.get_by_label("项目名称 / Project").click()  # leaving the date field closes its calendar
    form.get_by_label("会议议题 / Topic").fill("客户接口变更 / Customer interface change")
    form.get_by_label("开始时间（时:分） / Start time (HH:MM)").fill("10:00")
    form.get_by_label("议程与原因 / Agenda and reason").fill("客户要求增加字段 / the customer wants more fields")
    expect(form.get_by_label("开始时间（时:分） / Start time (HH:MM)")).to_have_value("10:00")
    screenshots(page, "call-filled")
    with page.expect_response(lambda r: f"/task/{call['id']}/submit-form" in r.url) as submitted:
        page.get_by_role("button", name="完成", exact=True).click()
    assert submitted.value.ok, submitted.value.text()
    mailbox: Mailbox = project["mailbox"]
    invitation = wait_until(lambda: [m for m in mailbox.messages if "专项协调会议" in m["Subject"]], 60,
                            "the special meeting's invitation")[0]
    assert {a.addr_spec for a in invitation["To"].addresses} == {
        "chen.jing@example.com", "li.qiang@example.com", "zhang.wei@example.com"}
    specials = project["staff"].admin.history_variables(project["instance"])["specialMeetings"]
    assert [(s["calledBy"], s["startsAt"][:10]) for s in specials] == [(CALLER, (today() + timedelta(days=2)).isoformat())]


def test_the_project_owner_writes_minutes_with_an_action_item_picked_by_department_name(
    new_page: Callable[..., Any], screenshots: Screenshots, project: dict[str, Any], tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    minutes = one_task(project, "Task_WriteMinutes")
    page = open_task(new_page, project, tasklist_url, OWNER, minutes["id"], "填写会议纪要")
    form = page.locator(".fjs-container")
    expect(form.get_by_label("会议 / Meeting")).to_have_value(re.compile("项目协调会|专项协调会议"))
    form.get_by_label("出席人员 / Attendees").fill("陈静、李强、张伟、黄磊")
    form.get_by_label("讨论内容 / Discussion").fill("接口进度正常 / interfaces on track")
    form.get_by_role("button", name="添加一项").click()
    form.get_by_label("完成期限 / Due date").fill((today() + timedelta(days=5)).strftime("%Y/%m/%d"))
    form.get_by_label("会议 / Meeting").click()  # leaving the date field closes its calendar
    form.get_by_label("事项 / Item").fill("提供客户接口清单 / List the customers' interfaces")
    pick(page, "负责部门 / Owning department", "销售", "销售部", ["销售部 Sales"])
    screenshots(page, "minutes-filled")
    with page.expect_response(lambda r: f"/task/{minutes['id']}/submit-form" in r.url) as submitted:
        page.get_by_role("button", name="完成", exact=True).click()
    assert submitted.value.ok, submitted.value.text()
    follow_up = one_task(project, "Task_FollowUpActionItem")
    links = project["staff"].admin.get(f"/task/{follow_up['id']}/identity-links")
    assert [link.get("groupId") for link in links if link["type"] == "candidate"] == ["sales"]
    assert follow_up["due"].startswith((today() + timedelta(days=5)).isoformat())
    screenshots(page, "minutes-submitted")

