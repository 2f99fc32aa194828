"""The approval block's decision form in Tasklist, in Chromium against the real engine: the approver
sees what they approve (the subject as the task's name, the kind, the context), a transfer brings up
the people picker, and a transfer without a comment comes back with the message naming the field."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Callable

import pytest

from tests.browser.test_tasklist import log_in
from tests.integration.test_approval import ENGINEERING_HEAD, block, request  # noqa: F401 (the module fixture)
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots
    from tests.integration.test_approval import Block

pytestmark = pytest.mark.engine

WAIT_MS = 20_000  # Tasklist renders a task and its form slowly on a busy machine
CONTEXT = "合作协议第 3 条：验收标准 / Clause 3: acceptance criteria"


def test_an_approver_sees_what_they_approve_and_a_transfer_needs_a_comment(
    new_page: Callable[..., Any], screenshots: Screenshots, block: Block, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    tasklist = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    approval = request(block, "countersign", [ENGINEERING_HEAD], context=CONTEXT)
    task = approval.task_of(ENGINEERING_HEAD)
    try:
        page = new_page("approver")
        log_in(page, tasklist, ENGINEERING_HEAD, block.staff.password)
        page.goto(f"{tasklist}default/#/?task={task['id']}")
        expect(page.locator(".task-card h2.task")).to_contain_text("测试审批 / Test approval：合作协议", timeout=WAIT_MS)
        form = page.locator(".fjs-container")
        expect(form.get_by_label("审批内容 / What you approve")).to_have_value(CONTEXT, timeout=WAIT_MS)
        expect(form.get_by_label("审批方式 / Kind of approval")).to_have_value(
            "会签（全部同意方可通过） / Countersign (all must approve)")
        expect(form.get_by_text("转交给 / Transfer to")).to_have_count(0)
        screenshots(page, "decision-form")

        form.get_by_label("转交 / Transfer").check()
        picker = form.locator(".fjs-form-field-select").filter(has_text="转交给 / Transfer to")
        picker.locator("input.fjs-input").click()
        picker.locator("input.fjs-input").press_sequentially("huang")
        picker.locator(".fjs-dropdownlist-item").filter(has_text="黄磊").click()
        screenshots(page, "transfer-without-comment")
        with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
            page.get_by_role("button", name="完成", exact=True).click()
        assert submitted.value.ok, submitted.value.text()

        again = approval.task_of(ENGINEERING_HEAD)
        page.goto(f"{tasklist}default/#/?task={again['id']}")
        expect(page.locator(".fjs-container").get_by_label("需要修改 / What to correct")).to_have_value(re.compile(
            re.escape("审批意见（驳回、转交时必填） / Comment (required to reject or transfer): 必填 / is required")),
            timeout=WAIT_MS)
        screenshots(page, "back-with-the-message")

        # Typed text reaches the decision's local fields (Tasklist sends each field with the type its
        # variable has; a field declared without a value must still take a typed comment).
        returned = page.locator(".fjs-container")
        returned.get_by_label(re.compile("审批意见")).fill("请黄磊审核技术条款 / Huang Lei to review the technical terms")
        with page.expect_response(lambda r: f"/task/{again['id']}/submit-form" in r.url) as resubmitted:
            page.get_by_role("button", name="完成", exact=True).click()
        assert resubmitted.value.ok, resubmitted.value.text()
        assert approval.task_of("huang.lei")["assignee"] == "huang.lei"
    finally:
        block.staff.delete(approval.parent)
