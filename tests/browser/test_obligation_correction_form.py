"""A regular share sent back for correction, in Tasklist (Chromium, zh-CN, the real engine): the
preparer sees 修改定期共享申请 with the obligation's title, category, sensitivity and receiving departments
read-only and the rest editable, corrects the content and clicks 完成, and the engine accepts what
Tasklist submits (the read-only fields with the values they have): the share goes on to its receivers.
The REST side (changed values refused, the check's re-check) is tests/integration/test_sharing_obligation.py."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest
import requests

from tests.browser.conftest import TIMEOUT_MS
from tests.browser.test_tasklist import log_in
from tests.integration.test_information_sharing import deploy as deploy_sharing
from tests.integration.test_sharing_obligation import TOPICS, quick, write_organisation
from tests.support.assertions import waits_at
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
from tests.support.staff import Staff
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.shared.organisation.model import parse_organisation
from workers.shared.organisation.obligations import SharingObligation

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

PREPARER = "li.qiang"  # 销售部's head, who owns the obligation
READ_ONLY = ("标题 / Title", "信息分类 / Category", "敏感程度 / Sensitivity", "接收部门 / Receiving departments")


@pytest.fixture(autouse=True)
def patient_expect() -> Any:
    """Tasklist draws a task and its form slowly on a machine shared by several engines."""
    from playwright.sync_api import expect

    expect.set_options(timeout=TIMEOUT_MS)
    yield
    expect.set_options(timeout=5_000)


@pytest.fixture(scope="module")
def sent_back(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    """An occurrence of a regular share started as the scheduler starts it, prepared without content:
    its share waits in 修改定期共享申请, with the workers running."""
    folder = tmp_path_factory.mktemp("obligation-form")
    organisation_file = folder / "organisation.yaml"
    deadline = (datetime.now(timezone.utc) + timedelta(minutes=30)).replace(microsecond=0)
    entry = quick("orders-browser", "sales", ["production"], deadline, 600, category="business-data",
                  sensitivity="public")  # public: no approval on the way
    staff = Staff(engine, admin)
    staff.provision(parse_organisation(write_organisation(organisation_file, [entry])))
    staff.deploy("sharing-obligation-form-test", organisation_file, ["sharing-obligation.bpmn"],
                 ["sharing-obligation-prepare.form"])
    deploy_sharing(staff, organisation_file)
    topics = TOPICS + [t for t in load_registry().names() if t.startswith(("sharing.", "approval."))]
    settings = worker_settings_in(engine, folder, archive_dir=folder / "archive", organisation_file=organisation_file,
                                  webhook_urls=[])
    with running_worker(load_registry().subset(topics), settings):
        key = SharingObligation.model_validate(entry).occurrence_key(deadline)
        user, password = settings.worker_credentials()
        started = requests.post(f"{engine.engine_url}/process-definition/key/sharing-obligation/start",
                                json={"businessKey": key}, auth=(user, password), timeout=30)
        assert started.ok, started.text
        occurrence = ProcessInstance(admin, started.json()["id"])
        try:
            waits_at(occurrence, "Task_PreparePublish")
            [task] = staff.tasks(occurrence.id)
            staff.complete(PREPARER, task["id"], {"summary": "本周订单", "content": "", "contentLink": "",
                                                  "channels": ["im"]})  # IM: no webhook here, nothing sent
            found = wait_until(lambda: admin.get("/process-instance", superProcessInstance=occurrence.id), 30,
                               "the share the call activity started", interval_s=0.3)
            share = ProcessInstance(admin, found[0]["id"])
            waits_at(share, "Task_CorrectRegularShare")
            yield {"staff": staff, "share": share}
        finally:
            staff.delete(occurrence.id)


def test_the_preparer_corrects_the_content_with_the_obligations_fields_read_only(
    new_page: Callable[..., Any], screenshots: Screenshots, sent_back: dict, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    staff: Staff = sent_back["staff"]
    share: ProcessInstance = sent_back["share"]
    [task] = staff.tasks(share.id, taskDefinitionKey="Task_CorrectRegularShare")
    tasklist = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    page = new_page("preparer")
    log_in(page, tasklist, PREPARER, staff.password)
    page.goto(f"{tasklist}default/#/?task={task['id']}")
    expect(page.locator(".task-card h2.task")).to_contain_text("修改定期共享申请 / Correct the regular sharing request")
    form = page.locator(".fjs-container")
    expect(form.get_by_label("需修改的内容 / What to correct")).to_have_value(re.compile("请填写内容或文档链接"))
    expect(form.get_by_label("标题 / Title")).to_have_value("订单快报 / Order flash report")
    expect(form.get_by_label("标题 / Title")).not_to_be_editable()
    for label in READ_ONLY:  # form-js marks a read-only field's wrapper; its select opens no list
        expect(form.locator(".fjs-form-field.fjs-readonly").filter(has_text=label)).to_have_count(1)
    expect(form.locator(".fjs-form-field-taglist.fjs-readonly")).to_contain_text("生产部 Production")
    form.locator(".fjs-form-field-select").filter(has_text="敏感程度 / Sensitivity").click()
    expect(form.locator(".fjs-dropdownlist")).to_have_count(0)
    for label in ("摘要 / Summary", "内容 / Content", "共享方式 / Channels"):
        expect(form.locator(".fjs-form-field:not(.fjs-readonly)").filter(has_text=label)).to_have_count(1)
    expect(form.get_by_label("内容 / Content")).to_be_editable()
    screenshots(page, "correction-form")
    form.locator(".fjs-form-field-taglist").scroll_into_view_if_needed()
    screenshots(page, "fixed-receiving-departments")

    form.get_by_label("内容 / Content").fill("A 客户 300 台 / customer A 300 units")
    with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
        page.get_by_role("button", name="完成", exact=True).click()
    assert submitted.value.ok, f"the engine refused what Tasklist submitted: {submitted.value.text()}"
    screenshots(page, "submitted")
    waits_at(share, "Task_Acknowledge")
    shared = share.variables()
    assert (shared["content"], shared["targetDepartments"], shared["receivingDepartments"]) == (
        "A 客户 300 台 / customer A 300 units", ["production"], ["production"])
