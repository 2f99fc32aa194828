"""Tasklist as staff see it (issue 3 §5), in Chromium against the real engine.

A member of Sales logs in, finds the task in 部门待办 (My department's tasks), claims it, fills its
Camunda Form and completes it; history holds the typed values. A member of Engineering sees the
task in none of the filters, before it is completed. The UI is in Simplified Chinese: the engine
ships a zh locale for Tasklist and makes it the fallback (engine/src/main/resources/META-INF/
resources/webjars/camunda/app/tasklist/), and so are form-js's own texts and what Tasklist says
when a completion succeeds or is refused. Screenshots: test-artifacts/<test name>/.
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
# The process whose form shows form-js's own texts (a length limit, a select, a dynamic list).
STRINGS_KEY, STRINGS_PROCESS = "tasklist-strings", "需求登记（测试） / Demand intake (test)"
STRINGS_TASK = "登记需求摘要 / Record the demand summary"
# The shared filters provisioning creates: key (see workers/organisation/provision.py) → shown name.
FILTERS = {"my-tasks": "我的待办", "department-tasks": "部门待办", "due-soon": "即将到期", "overdue": "已逾期"}

# Tasklist's own words in our zh locale (engine/.../tasklist/locales/zh.json).
ZH_USERNAME, ZH_PASSWORD, ZH_LOG_IN = "用户名", "密码", "登录"
ZH_CLAIM, ZH_COMPLETE, ZH_SELECT_A_TASK = "认领", "完成", "请在列表中选择一个任务。"
ZH_DIAGRAM_TAB, ZH_DESCRIPTION_TAB = "流程图", "描述"

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
    # The test processes as the organisation's own (leadership starts them), so every department
    # reads their models as it reads the real processes' (the task header, 流程图).
    org = org.model_copy(update={"process_starters": {
        **org.process_starters, PROCESS_KEY: ["leadership"], STRINGS_KEY: ["leadership"]}})
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


@pytest.fixture
def strings_task(admin: EngineDriver, staff: dict[str, Any]) -> str:
    """A new instance of the form-js strings process, waiting at its Sales task: the task's id."""
    admin.deploy_xml(STRINGS_KEY, {
        "tasklist-strings.bpmn": (MODELS / "tasklist-strings.bpmn").read_text(encoding="utf-8"),
        "tasklist-strings.form": (MODELS / "tasklist-strings.form").read_text(encoding="utf-8"),
    })
    instance_id = admin.start(STRINGS_KEY, business_key=f"browser-{uuid.uuid4().hex[:8]}")
    [task] = admin.get("/task", processInstanceId=instance_id)
    return str(task["id"])


def log_in(page: Any, url: str, user: str, password: str) -> None:
    from playwright.sync_api import expect

    page.goto(url)
    # Tasklist focuses the user name field again 300 ms after it starts: on a busy machine that
    # focus came while the password was being filled, which then landed in the user name field.
    # So fill until both hold what they should (compared here, never shown: it is a password).
    user_field, password_field = page.get_by_placeholder(ZH_USERNAME), page.get_by_placeholder(ZH_PASSWORD)
    for _ in range(3):
        user_field.fill(user)
        password_field.fill(password)
        if (user_field.input_value(), password_field.input_value()) == (user, password):
            break
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
    confirmation = page.locator(".page-notifications .alert-info")
    expect(confirmation).to_contain_text("已提交 / Submitted")
    expect(confirmation).to_contain_text(f"“{TASK_NAME}”已完成，已转交下一步处理。")
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


def open_task_as(new_page: Callable[..., Any], staff: dict[str, Any], tasklist_url: str, user: str,
                 task_id: str) -> Any:
    """A page logged in as the user, opened on the task's link (as from a notification e-mail)."""
    page = new_page(user)
    log_in(page, tasklist_url, user, staff["passwords"][user])
    page.goto(f"{tasklist_url}default/#/?task={task_id}")
    return page


def claim_strings_task(page: Any, task_id: str) -> None:
    from playwright.sync_api import expect

    expect(page.locator(".task-card h2.task")).to_contain_text(STRINGS_TASK)
    with page.expect_response(lambda r: f"/task/{task_id}/claim" in r.url) as claimed:
        page.get_by_role("button", name=ZH_CLAIM, exact=True).click()
    assert claimed.value.ok, claimed.value.text()


def test_form_js_says_in_chinese_what_a_field_needs_and_labels_its_controls_in_chinese(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: dict[str, Any], strings_task: str,
    tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    page = open_task_as(new_page, staff, tasklist_url, SALES_STAFF, strings_task)
    claim_strings_task(page, strings_task)
    form = page.locator(".fjs-container")
    summary = page.get_by_label("需求摘要 / Summary")
    summary.fill("草稿")
    summary.fill("")
    expect(form.get_by_text("此项为必填项 / This field is required.")).to_be_visible()
    summary.fill("华东机械有限公司需要四十台数控机床的报价单")  # 21 characters, the form allows 20
    expect(form.get_by_text("最多填写 20 个字 / At most 20 characters.")).to_be_visible()
    expect(form.locator(".fjs-select-display")).to_have_text("请选择")
    add = form.get_by_role("button", name="添加一项")
    expect(add).to_be_visible()
    add.click()
    expect(form.get_by_label("姓名 / Name")).to_have_count(2)
    expect(form.get_by_role("button", name="删除第 2 项")).to_be_visible()
    for english in ("Field ", "Select", "Add new", "Remove list item"):
        expect(form).not_to_contain_text(english)
    screenshots(page, "form-js-in-chinese")


def test_task_header_names_the_process_shows_its_diagram_and_description_and_no_migration_banner(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: dict[str, Any], strings_task: str,
    tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    page = open_task_as(new_page, staff, tasklist_url, SALES_STAFF, strings_task)
    expect(page.locator(".task-card h2.task")).to_contain_text(STRINGS_TASK)
    expect(page.locator(".task-card h4.process-definition")).to_have_text(STRINGS_PROCESS)
    expect(page.locator(".ce-eol-banner")).to_be_hidden()
    screenshots(page, "task-header")

    page.locator(".task-card .nav-tabs a").filter(has_text=ZH_DIAGRAM_TAB).click()
    expect(page.locator('.diagram-pane [data-element-id="Task_RecordDemand"]')).to_be_visible()
    expect(page.get_by_text("没有可用的流程图")).to_be_hidden()
    screenshots(page, "task-diagram")

    page.locator(".task-card .nav-tabs a").filter(has_text=ZH_DESCRIPTION_TAB).click()
    expect(page.locator(".task-card")).to_contain_text("请写下客户需求的摘要和联系人，然后点击“完成”。 / Write a summary")
    screenshots(page, "task-description")


def test_a_task_one_may_not_see_says_so_and_what_to_do(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: dict[str, Any], strings_task: str,
    tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    page = open_task_as(new_page, staff, tasklist_url, ENGINEERING_STAFF, strings_task)  # a Sales task
    told = page.get_by_text("该任务不存在，或您无权查看").first
    expect(told).to_be_visible()
    expect(told).to_contain_text("请从左侧的过滤器")
    expect(page.locator(".page-notifications")).not_to_contain_text("No matching task")
    screenshots(page, "engineering-opens-a-sales-task")


def test_a_refused_completion_says_why_and_what_to_do_and_leaves_complete_free(
    new_page: Callable[..., Any], screenshots: Screenshots, staff: dict[str, Any], strings_task: str,
    tasklist_url: str,
) -> None:
    from playwright.sync_api import expect

    page = open_task_as(new_page, staff, tasklist_url, SALES_STAFF, strings_task)
    claim_strings_task(page, strings_task)
    page.get_by_label("需求摘要 / Summary").fill("四十台数控机床")

    # A submit the engine refuses (ENGINE-CROSSDEPT-06): one variable more than the form has, as a
    # form changed since the page was opened, or a tampered request, would send.
    def with_a_variable_the_form_lacks(route: Any) -> None:
        body = json.loads(route.request.post_data or "{}")
        body.setdefault("variables", {})["supervisorId"] = {"value": SALES_STAFF, "type": "String"}
        route.continue_(post_data=json.dumps(body))

    page.route(f"**/task/{strings_task}/submit-form", with_a_variable_the_form_lacks)
    complete = page.get_by_role("button", name=ZH_COMPLETE, exact=True)
    with page.expect_response(lambda r: f"/task/{strings_task}/submit-form" in r.url) as submitted:
        complete.click()
    assert submitted.value.status == 400 and "ENGINE-CROSSDEPT-06" in submitted.value.text(), submitted.value.text()

    toast = page.locator(".page-notifications .alert-danger").filter(has_text="任务未能提交")
    expect(toast).to_contain_text("系统未接受此次提交：表单外的内容或只读内容不能修改。请刷新页面后只填写表单中的栏目再提交")
    expect(toast).to_contain_text("/ Not accepted: only the form's own fields may be written.")
    expect(toast).to_contain_text("refused variable 'supervisorId'")  # the engine's words, for the administrator
    screenshots(page, "refused-completion")
    toast_box, button_box = toast.bounding_box(), complete.bounding_box()
    assert toast_box and button_box
    overlaps = (toast_box["x"] < button_box["x"] + button_box["width"] and button_box["x"] < toast_box["x"] + toast_box["width"]
                and toast_box["y"] < button_box["y"] + button_box["height"] and button_box["y"] < toast_box["y"] + toast_box["height"])
    assert not overlaps, f"the error {toast_box} covers 完成 {button_box}"
    page.unroute(f"**/task/{strings_task}/submit-form")
    with page.expect_response(lambda r: f"/task/{strings_task}/submit-form" in r.url) as resubmitted:
        complete.click()  # still there to press once the cause is gone
    assert resubmitted.value.ok, resubmitted.value.text()
