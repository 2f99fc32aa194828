"""Tasklist as staff see it (issue 3 §5), in Chromium against the real engine.

A member of Sales logs in, finds the task in 部门待办 (My department's tasks), claims it, fills its
Camunda Form and completes it; history holds the typed values. A member of Engineering sees the
task in none of the filters, before it is completed. The UI is in Simplified Chinese: the engine
ships a zh locale for Tasklist and makes it the fallback (engine/src/main/resources/META-INF/
resources/webjars/camunda/app/tasklist/). Screenshots: test-artifacts/<test name>/.
"""

from __future__ import annotations

import json
import re
import secrets
import uuid
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest
import requests

from tests.support.driver import EngineDriver
from workers.shared.organisation.model import Organisation, load_organisation
from workers.shared.organisation.provision import provision
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
DEMO_ORG = ROOT / "org" / "demo-organisation.yaml"
MODELS = ROOT / "tests" / "models"
SALES_STAFF, ENGINEERING_STAFF = "wu.hao", "xu.ming"

PROCESS_KEY = "tasklist-demo"
TASK_NAME = "登记客户需求 / Record customer demand"
# The shared filters provisioning creates: key (see workers/organisation/provision.py) → shown name.
FILTERS = {"my-tasks": "我的待办", "department-tasks": "部门待办", "due-soon": "即将到期", "overdue": "已逾期"}

# Tasklist's own words in our zh locale (engine/.../tasklist/locales/zh.json).
ZH_USERNAME, ZH_PASSWORD, ZH_LOG_IN = "用户名", "密码", "登录"
ZH_CLAIM, ZH_COMPLETE, ZH_SELECT_A_TASK = "认领", "完成", "请在列表中选择一个任务。"

# What the sales staff member enters, and the typed values the engine must store.
CUSTOMER, AMOUNT, QUANTITY = "华东机械有限公司", "12500.5", "40"
EXPECTED_VARIABLES = {
    "customerName": ("String", CUSTOMER),
    "orderAmount": ("Double", 12500.5),
    "quantity": ("Integer", 40),
    "feedbackTo": ("String", "engineering"),
    "urgent": ("Boolean", True),
}


@pytest.fixture(scope="module")
def staff(engine: Settings) -> Iterator[dict[str, Any]]:
    """The demo organisation provisioned, with known passwords for the two staff members, and
    the ids of the shared filters."""
    org: Organisation = load_organisation(DEMO_ORG)
    assert SALES_STAFF in org.department("sales").members
    assert ENGINEERING_STAFF in org.department("engineering").members
    admin_user, admin_password = engine.admin_credentials()
    client = EngineClient(engine.engine_url, admin_user, admin_password)
    try:
        passwords = {user: secrets.token_urlsafe(12) for user in (SALES_STAFF, ENGINEERING_STAFF)}
        report = provision(client, org, initial_password=lambda user: passwords.get(user) or secrets.token_urlsafe(12),
                           protected_users=(engine.admin_user, engine.engine_user))
        # Provisioning leaves existing users' passwords alone: set the ones this module logs in with.
        for user, password in passwords.items():
            client.request("PUT", f"/user/{user}/credentials",
                           json={"password": password, "authenticatedUserPassword": admin_password})
        yield {"passwords": passwords, "filter_ids": report.filter_ids}
    finally:
        client.close()


@pytest.fixture(scope="module")
def tasklist_url(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


@pytest.fixture
def demo_task(admin: EngineDriver, staff: dict[str, Any]) -> dict[str, str]:
    """A new instance of the test process, waiting at its Sales task."""
    admin.deploy_xml(PROCESS_KEY, {
        "tasklist-demo.bpmn": (MODELS / "tasklist-demo.bpmn").read_text(encoding="utf-8"),
        "tasklist-demo.form": (MODELS / "tasklist-demo.form").read_text(encoding="utf-8"),
    })
    instance_id = admin.start(PROCESS_KEY, business_key=f"browser-{uuid.uuid4().hex[:8]}")
    [task] = admin.get("/task", processInstanceId=instance_id)
    assert task["name"] == TASK_NAME and task["assignee"] is None
    return {"instance_id": instance_id, "task_id": task["id"]}


def log_in(page: Any, url: str, user: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    page.get_by_placeholder(ZH_USERNAME).fill(user)
    page.get_by_placeholder(ZH_PASSWORD).fill(password)
    page.get_by_role("button", name=ZH_LOG_IN).click()
    expect(page.locator(".task-filter").first).to_be_visible()


def open_filter(page: Any, name: str, filter_id: str) -> None:
    """Click a filter in the left column and wait until its task list has been fetched and drawn."""
    from playwright.sync_api import expect

    with page.expect_response(lambda r: f"/filter/{filter_id}/list" in r.url and r.ok):
        page.locator(".task-filter").filter(has_text=name).click()
    page.mouse.move(700, 850)  # away from the filter, whose tooltip would cover the next one
    expect(page.locator(".task-filter.active")).to_contain_text(name)
    expect(page.locator("[cam-tasks] .loader")).to_be_hidden()


def test_sales_completes_the_form_and_engineering_never_sees_the_task(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: dict[str, Any], demo_task: dict[str, str],
    tasklist_url: str, admin: EngineDriver, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    task_id, filter_ids = demo_task["task_id"], staff["filter_ids"]

    # Engineering: the task is open, and in none of the filters (nor in the REST API as that user).
    page = new_page("engineering")
    log_in(page, tasklist_url, ENGINEERING_STAFF, staff["passwords"][ENGINEERING_STAFF])
    for key, name in FILTERS.items():
        open_filter(page, name, filter_ids[key])
        tasks = page.locator("[cam-tasks]")
        expect(tasks.locator(f'a[href*="task={task_id}"]')).to_have_count(0)
        expect(tasks).not_to_contain_text(TASK_NAME)
        screenshots(page, f"engineering-{key}")
    as_engineering = requests.Session()
    as_engineering.auth = (ENGINEERING_STAFF, staff["passwords"][ENGINEERING_STAFF])
    for key in FILTERS:
        listed = as_engineering.post(f"{engine.engine_url}/filter/{filter_ids[key]}/list", json={},
                                     params={"maxResults": 1000}, timeout=10)
        assert listed.ok, listed.text
        assert task_id not in {t["id"] for t in listed.json()}, f"{ENGINEERING_STAFF} sees the task in {key}"
    assert as_engineering.get(f"{engine.engine_url}/task/{task_id}", timeout=10).status_code in (403, 404)

    # Sales: log in (a Chinese login page), open 部门待办, open the task, claim, fill, complete.
    page = new_page("sales")
    page.goto(tasklist_url)
    expect(page.get_by_role("button", name=ZH_LOG_IN)).to_be_visible()
    screenshots(page, "sales-login")
    log_in(page, tasklist_url, SALES_STAFF, staff["passwords"][SALES_STAFF])
    screenshots(page, "sales-logged-in")
    open_filter(page, FILTERS["department-tasks"], filter_ids["department-tasks"])
    task_link = page.locator(f'.tasks-list a[href*="task={task_id}"]')
    expect(task_link).to_have_text(TASK_NAME)
    screenshots(page, "sales-department-filter")

    task_link.click()
    expect(page.locator(".task-card h2.task")).to_contain_text(TASK_NAME)
    with page.expect_response(lambda r: f"/task/{task_id}/claim" in r.url) as claimed:
        page.get_by_role("button", name=ZH_CLAIM, exact=True).click()
    assert claimed.value.ok, claimed.value.text()
    customer = page.get_by_label("客户名称 / Customer name")
    expect(customer).to_be_editable()
    screenshots(page, "sales-task-claimed")

    customer.fill(CUSTOMER)
    page.get_by_label("订单金额（元） / Order amount (CNY)").fill(AMOUNT)
    page.get_by_label("数量 / Quantity").fill(QUANTITY)
    # form-js draws its own drop-down: the label belongs to a hidden input.
    page.locator(".fjs-form-field-select").filter(has_text="反馈部门 / Feedback to").locator(".fjs-select-display").click()
    page.locator(".fjs-dropdownlist-item").filter(has_text="技术部 / Engineering").click()
    page.get_by_label("加急 / Urgent").check()
    complete = page.get_by_role("button", name=ZH_COMPLETE, exact=True)
    expect(complete).to_be_enabled()
    screenshots(page, "sales-form-filled")

    with page.expect_response(lambda r: f"/task/{task_id}/submit-form" in r.url) as submitted:
        complete.click()
    assert submitted.value.ok, submitted.value.text()
    expect(page.locator(f'.tasks-list a[href*="task={task_id}"]')).to_have_count(0)
    expect(page.get_by_text(ZH_SELECT_A_TASK)).to_be_visible()  # the task pane is empty again
    screenshots(page, "sales-completed")

    # History: the task was completed by the sales staff member, the variables have their types.
    [done] = admin.get("/history/task", taskId=task_id)
    assert (done["assignee"], done["deleteReason"]) == (SALES_STAFF, "completed")
    [instance] = admin.get("/history/process-instance", processInstanceId=demo_task["instance_id"])
    assert instance["state"] == "COMPLETED"
    found = admin.get("/history/variable-instance", processInstanceId=demo_task["instance_id"])
    assert {v["name"]: (v["type"], v["value"]) for v in found} == EXPECTED_VARIABLES


def test_tasklist_speaks_simplified_chinese_unless_the_browser_asks_for_english(
    new_page: Callable[..., Any], screenshots: Screenshots, tasklist_url: str
) -> None:
    from playwright.sync_api import expect

    served = requests.get(tasklist_url + "scripts/config.js", timeout=10).text
    assert re.search(r"availableLocales:\s*\[\s*'zh'", served) and "fallbackLocale: 'zh'" in served, served

    # The browser's first language picks the locale; any language Tasklist lacks gets Chinese.
    for locale in ("zh-CN", "fr-FR"):
        page = new_page(locale, locale=locale)
        page.goto(tasklist_url)
        expect(page.get_by_role("button", name=ZH_LOG_IN)).to_be_visible()
        expect(page.get_by_placeholder(ZH_USERNAME)).to_be_visible()
        screenshots(page, f"login-{locale}")
    page = new_page("en-US", locale="en-US")
    page.goto(tasklist_url)
    expect(page.get_by_role("button", name="Log in")).to_be_visible()
    screenshots(page, "login-en-US")


def test_zh_locale_translates_every_label_and_keeps_placeholders(tasklist_url: str) -> None:
    """zh.json as served next to Camunda's en.json: the same keys, the same {{placeholders}} and
    markup, every label but the untranslatable ones in Chinese, moment's date locale complete."""
    def fetch(lang: str) -> dict[str, Any]:
        response = requests.get(f"{tasklist_url}locales/{lang}.json", timeout=10)
        response.raise_for_status()
        return json.loads(response.content.decode("utf-8-sig"))

    en, zh = fetch("en"), fetch("zh")
    assert zh["labels"].keys() == en["labels"].keys()
    markup = re.compile(r"\{\{\s*(\w+)\s*\}\}|<a [^>]*>|<br/>|&lt;|&gt;")
    for key, english in en["labels"].items():
        chinese = zh["labels"][key]
        assert sorted(markup.findall(chinese)) == sorted(markup.findall(english)), key
        if re.search(r"[A-Za-z]{3}", re.sub(r"<[^>]*>|\{\{[^}]*\}\}|Camunda|ID|null|promise|#resolve|yyyy\S*", "", english)):
            assert re.search(r"[\u4e00-\u9fff]", chinese), f"{key} is not translated: {chinese!r}"

    def shape(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: shape(v) for k, v in value.items()}
        return len(value) if isinstance(value, list) else type(value).__name__

    assert shape(zh["dateLocales"]) == shape(en["dateLocales"])
