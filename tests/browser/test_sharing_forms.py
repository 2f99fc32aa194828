"""A confidential share in the real Tasklist, as the demo organisation's people meet its forms (Chromium,
zh-CN, the real engine and the sharing and approval workers).

吴昊 (Sales) publishes customer information from the start form 信息共享, choosing 生产部 and 市场部;
the check sends it back to him in 修改共享申请 naming 市场部, he removes it and submits again; Sales'
head 李强 approves it in the approval decision form (the general manager's approval follows by REST);
何军 (Production) claims 签收确认, reads the content and acknowledges with a question; 吴昊 answers in
核实并答复反馈 with a corrected text; Production's acknowledgement of version 2 shows the correction.
Every form is checked as staff read it (Chinese first, nothing technical) and screenshotted into
test-artifacts/<test name>/.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

import pytest

from tests.browser.test_handover_walkthrough import labels_read_chinese_first, shows_nothing_technical
from tests.browser.test_tasklist import ZH_CLAIM, log_in
from tests.integration.test_information_sharing import decide, history, world  # noqa: F401 (the module fixture)
from tests.support.assertions import has_ended
from tests.support.driver import wait_until
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from playwright.sync_api import Locator, Page

    from tests.browser.conftest import Screenshots
    from tests.integration.test_information_sharing import World

pytestmark = pytest.mark.engine

PUBLISHER, DATA_OWNER, LEADER, RECEIVER = "wu.hao", "li.qiang", "wang.jianguo", "he.jun"
PROCESS_NAME = "信息共享 / Information sharing"
TITLE = "华东区重点客户名单 / Key customers in East China"
SUMMARY = "华东区 3 家重点客户及联系人 / three key customers and their contacts"
CONTENT = "A 公司：王经理 138-0000-0001；B 公司：李经理 138-0000-0002；C 公司：赵经理 138-0000-0003"
CORRECTED = CONTENT.replace("0002", "0022")
QUESTION = "B 公司李经理的电话是否有误？/ Is Manager Li's number right?"
ANSWER = "已核实，号码更正为 138-0000-0022 / verified, corrected to 138-0000-0022"


@pytest.fixture
def tasklist(engine: Settings) -> str:
    return f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"


@pytest.fixture(autouse=True)
def patient_expect() -> Any:
    """Tasklist draws a task and its form slowly on a machine shared by several engines: the
    browser's 20 s, not Playwright's 5 s."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)
    yield
    expect.set_options(timeout=5_000)


def reads_as_staff(page: Page, form: Locator) -> None:
    labels_read_chinese_first(form)
    shows_nothing_technical(form)


def open_task(page: Page, tasklist: str, task: dict[str, Any]) -> Locator:
    """The task opened from its link (as from its to-do e-mail); its form once drawn."""
    from playwright.sync_api import expect

    page.goto(f"{tasklist}default/#/?task={task['id']}")
    expect(page.locator(".task-card h2.task")).to_contain_text(task["name"].split(" / ")[0])
    expect(page.locator(".task-card h4.process-definition")).to_have_text(PROCESS_NAME)
    form = page.locator(".task-card .fjs-container")
    expect(form).to_be_visible()
    return form


def complete(page: Page, task: dict[str, Any]) -> None:
    with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
        page.locator(".task-card").get_by_role("button", name="完成", exact=True).click()
    assert submitted.value.ok, submitted.value.text()


def typed(page: Page, field: Locator, text: str) -> None:
    """Text typed into a field and the field left at once, as the other walkthroughs type (form-js
    takes it in as it is typed: crossdept-formjs-input.js)."""
    from playwright.sync_api import expect

    field.fill(text)
    field.blur()
    expect(field).to_have_value(text)


def choose(page: Page, form: Locator, label: str, option: str) -> None:
    """form-js draws its own drop-down: open it (a click toggles it) and click the option."""
    from playwright.sync_api import expect

    field = form.locator(".fjs-form-field-select").filter(has_text=label)
    item = page.locator(".fjs-dropdownlist-item").filter(has_text=option)
    field.locator(".fjs-select-display").click()
    if not item.is_visible():
        field.locator(".fjs-select-display").click()
    item.click()
    expect(field.locator(".fjs-select-display")).to_contain_text(option)


def add_department(page: Page, form: Locator, typed_text: str, department: str) -> None:
    """The departments picker (a tag list): type part of a name, choose the department it finds."""
    from playwright.sync_api import expect

    search = form.locator(".fjs-form-field-taglist input")
    search.click()
    search.press_sequentially(typed_text)
    page.locator(".fjs-dropdownlist-item").filter(has_text=department).click()
    form.locator(".fjs-form-field-text").first.click()  # the list stays open over the next field
    expect(page.locator(".fjs-dropdownlist-item")).to_have_count(0)


def one_task(world: World, instance: str, key: str, what: str, **query: Any) -> dict[str, Any]:
    return wait_until(lambda: next(iter(world.staff.admin.get(
        "/task", processInstanceId=instance, taskDefinitionKey=key, **query)), None), 60, what)


def publisher_starts(page: Page, shots: Screenshots, world: World) -> str:
    from playwright.sync_api import expect

    page.get_by_role("link", name="发起流程").click()
    page.locator(".modal").get_by_text(PROCESS_NAME).click()
    form = page.locator(".modal .fjs-container")
    expect(form.get_by_label("标题 / Title")).to_be_visible()
    reads_as_staff(page, form)
    typed(page, form.get_by_label("标题 / Title"), TITLE)
    choose(page, form, "信息分类 / Category", "客户信息 / Customer information")
    choose(page, form, "敏感程度 / Sensitivity", "机密 / Confidential")
    typed(page, form.get_by_label("摘要 / Summary"), SUMMARY)
    typed(page, form.get_by_label("内容 / Content"), CONTENT)
    add_department(page, form, "生产", "生产部")
    add_department(page, form, "市场", "市场部")
    form.get_by_label("内部邮件 / E-mail").check()
    shots(page, "publisher-start-form-filled")
    with page.expect_response(lambda r: r.url.endswith("/submit-form") and "process-definition" in r.url) as started:
        page.locator(".modal").get_by_role("button", name="发起", exact=True).click()
    assert started.value.ok, started.value.text()
    expect(page.get_by_text("流程已发起。")).to_be_visible()
    instance = started.value.json()["id"]
    variables = world.staff.admin.history_variables(instance)
    assert (variables["initiator"], variables["title"], variables["category"], variables["sensitivity"],
            variables["content"], variables["targetDepartments"], variables["channels"]) == (
        PUBLISHER, TITLE, "customer", "confidential", CONTENT, ["production", "marketing"], ["email"]), \
        "the share as the publisher typed it"
    return instance


def publisher_corrects(page: Page, shots: Screenshots, world: World, tasklist: str, instance: str) -> None:
    from playwright.sync_api import expect

    task = one_task(world, instance, "Task_CorrectRequest", "the request back to the publisher")
    assert task["assignee"] == PUBLISHER
    form = open_task(page, tasklist, task)
    message = form.get_by_label("需修改的内容 / What to correct")
    expect(message).to_have_value(re.compile("市场部"))
    expect(message).not_to_have_value(re.compile("生产部"))  # an allowed target is not named
    expect(form.get_by_label("标题 / Title")).to_have_value(TITLE)  # what was typed is kept
    reads_as_staff(page, form)
    shots(page, "publisher-correction-form")
    marketing = form.locator(".fjs-taglist-tag").filter(has_text="市场部")
    marketing.locator(".fjs-taglist-tag-remove").click()
    expect(form.locator(".fjs-taglist-tag")).to_have_count(1)
    form.locator(".fjs-form-field-text").first.click()  # removing a tag opens the list; close it
    shots(page, "publisher-correction-fixed")
    complete(page, task)
    assert world.staff.admin.history_variables(instance)["targetDepartments"] == ["production"]


def data_owner_approves(page: Page, shots: Screenshots, world: World, tasklist: str) -> None:
    from playwright.sync_api import expect

    task = wait_until(lambda: next(iter(world.staff.admin.get(
        "/task", processDefinitionKey="approval", assignee=DATA_OWNER)), None), 60, "the data owner's approval")
    page.goto(f"{tasklist}default/#/?task={task['id']}")
    expect(page.locator(".task-card h2.task")).to_contain_text("信息共享审批")
    form = page.locator(".task-card .fjs-container")
    expect(form.get_by_label("审批内容 / What you approve")).to_have_value(re.compile("生产部"))
    expect(form.get_by_label("审批内容 / What you approve")).to_have_value(re.compile("机密"))
    reads_as_staff(page, form)
    shots(page, "data-owner-approval-form")
    form.get_by_label("同意 / Approve").check()
    complete(page, task)


def claimed(page: Page, tasklist: str, task: dict[str, Any]) -> Locator:
    """The department's task, opened from 部门待办's link and claimed (认领) by the person opening it."""
    from playwright.sync_api import expect

    page.goto(f"{tasklist}default/#/?task={task['id']}")
    expect(page.locator(".task-card h2.task")).to_contain_text("签收确认")
    with page.expect_response(lambda r: f"/task/{task['id']}/claim" in r.url) as claim:
        page.get_by_role("button", name=ZH_CLAIM, exact=True).click()
    assert claim.value.ok, claim.value.text()
    form = open_task(page, tasklist, task)
    expect(page.locator(".task-card").get_by_role("button", name="完成", exact=True)).to_be_enabled()
    return form


def reads_the_record(form: Locator, content: str, version: int) -> None:
    """The record read-only, with no instruction meant for the publisher and no empty link."""
    from playwright.sync_api import expect

    expect(form.get_by_label("标题 / Title")).to_have_value(TITLE)
    expect(form.get_by_label("内容 / Content")).to_have_value(content)
    expect(form.get_by_label("版本 / Version")).to_have_value(str(version))
    expect(form).not_to_contain_text("内容或文档链接至少填写一项")
    expect(form.get_by_label("文档链接 / Link to the document")).to_have_count(0)


def receiver_asks(page: Page, shots: Screenshots, world: World, tasklist: str, instance: str) -> None:
    from playwright.sync_api import expect

    task = one_task(world, instance, "Task_Acknowledge", "production's acknowledgement", candidateGroup="production")
    form = claimed(page, tasklist, task)
    reads_the_record(form, CONTENT, 1)
    expect(form).not_to_contain_text("更正版")
    expect(form.get_by_label("无 / None")).to_be_checked()  # acknowledging alone is one click on 完成
    reads_as_staff(page, form)
    shots(page, "receiver-acknowledgement-form")
    form.get_by_label("有疑问 / Ask a question").check()
    typed(page, form.get_by_label(re.compile("^反馈内容")), QUESTION)
    shots(page, "receiver-asks")
    complete(page, task)


def publisher_answers(page: Page, shots: Screenshots, world: World, tasklist: str, instance: str) -> None:
    from playwright.sync_api import expect

    task = one_task(world, instance, "Task_AnswerFeedback", "the publisher's answer")
    assert task["assignee"] == PUBLISHER
    form = open_task(page, tasklist, task)
    expect(form.get_by_label(re.compile("^反馈内容"))).to_have_value(QUESTION)
    asker = form.locator(".fjs-form-field-select").filter(has_text="反馈部门 / Department that reported back")
    expect(asker.locator("input")).to_have_value(re.compile("^生产部"))  # a searchable select shows its choice typed in
    expect(form.get_by_label("有疑问 / Asks a question")).to_be_checked()
    reads_as_staff(page, form)
    shots(page, "publisher-answer-form")
    typed(page, form.get_by_label(re.compile("^答复")), ANSWER)
    form.get_by_label(re.compile("^需要更正")).check()
    corrected = form.get_by_label(re.compile("^更正后的内容"))
    expect(corrected).to_have_value(CONTENT)  # the text as published, to edit
    typed(page, corrected, CORRECTED)
    shots(page, "publisher-answers-with-a-correction")
    complete(page, task)


def version_2(world: World, instance: str) -> str:
    has_ended(world.staff.admin.instance(instance), at="EndEvent_Shared")
    found = wait_until(lambda: [v for v in world.staff.admin.get(  # other tests' corrections share the engine
        "/history/variable-instance", variableName="previousShareInstance", variableValue=instance)
        if v.get("value") == instance], 60, "version 2")
    return str(found[0]["processInstanceId"])


def receiver_reads_version_2(page: Page, shots: Screenshots, world: World, tasklist: str, instance: str) -> None:
    from playwright.sync_api import expect

    task = one_task(world, instance, "Task_Acknowledge", "production's acknowledgement of version 2",
                    candidateGroup="production")
    form = claimed(page, tasklist, task)
    reads_the_record(form, CORRECTED, 2)
    expect(form).to_contain_text("本信息为第 2 版，更正此前发布的版本")
    reads_as_staff(page, form)
    shots(page, "receiver-version-2")


def test_a_confidential_share_published_corrected_approved_acknowledged_and_answered_in_tasklist(
    new_page: Callable[..., Any], screenshots: Screenshots, world: World, tasklist: str,  # noqa: F811
) -> None:
    publisher, owner, receiver = (new_page(who, timezone_id="Asia/Shanghai") for who in (PUBLISHER, DATA_OWNER, RECEIVER))
    for page, who in ((publisher, PUBLISHER), (owner, DATA_OWNER), (receiver, RECEIVER)):
        page.set_viewport_size({"width": 1400, "height": 2400})  # the whole form in each screenshot
        log_in(page, tasklist, who, world.staff.password)
    instance = publisher_starts(publisher, screenshots, world)
    second = None
    try:
        publisher_corrects(publisher, screenshots, world, tasklist, instance)
        data_owner_approves(owner, screenshots, world, tasklist)
        decide(world, LEADER)
        receiver_asks(receiver, screenshots, world, tasklist, instance)
        publisher_answers(publisher, screenshots, world, tasklist, instance)
        second = version_2(world, instance)
        variables = history(world, second)
        assert (variables["shareVersion"], variables["content"], variables["receivingDepartments"]) == (
            2, CORRECTED, ["production"])
        decide(world, DATA_OWNER)  # a corrected confidential text is approved again
        decide(world, LEADER)
        receiver_reads_version_2(receiver, screenshots, world, tasklist, second)
    finally:
        for pid in filter(None, (instance, second)):
            world.staff.delete(pid)
