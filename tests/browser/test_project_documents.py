"""项目文件 / Project documents in Tasklist (issue 12): on a task of the project, the documents of
earlier phases are listed above the form and download as PDFs through the webapp's own session;
someone without the task sees no panel and downloads nothing. Screenshots: test-artifacts/<test>/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_tasklist import log_in
from tests.support.acceptance import APPLICATION_DOC, HEADS, deploy, start_through_root
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.shared.documents import Styles, render_pdf

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

ACCEPTOR, OUTSIDER = HEADS["sales"], "xu.ming"
HEADING = "项目文件 / Project documents"
APPLICATION_TITLE = "《项目合作申请表》 / Project Cooperation Application"


@pytest.fixture(scope="module")
def acceptance_task(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """An acceptance task of a project whose root holds the application PDF."""
    folder = tmp_path_factory.mktemp("documents")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(admin, organisation_file, "project-documents-browser")
    styles = Styles()
    pdf = render_pdf([styles.text(APPLICATION_TITLE, styles.title)], title="项目合作申请表", subject="browser test")
    settings = worker_settings_in(engine, folder, archive_dir=folder / "archive")
    with running_worker(load_registry().subset(["cooperation-acceptance.prepare"]), settings):
        called = start_through_root(admin, organisation_file, "PC-BROWSER", pdf)
        [task] = wait_until(lambda: staff.tasks(called, taskDefinitionKey="Task_CheckCriteria"), 60, "the acceptance task")
    try:
        yield {"task": task, "pdf": pdf, "password": staff.password}
    finally:
        root = admin.get("/process-instance", subProcessInstance=called)
        staff.delete(root[0]["id"] if root else called)


def _open(new_page: Callable[..., Any], engine: Settings, user: str, password: str, task_id: str) -> Any:
    url = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    page = new_page(user)
    log_in(page, url, user, password)
    page.goto(f"{url}default/#/?task={task_id}")
    return page


def test_the_assignee_downloads_the_projects_documents_from_the_task(
    new_page: Callable[..., Any], screenshots: Screenshots, engine: Settings, acceptance_task: dict[str, Any],
) -> None:
    from playwright.sync_api import expect

    task = acceptance_task["task"]
    assert task["assignee"] == ACCEPTOR
    page = _open(new_page, engine, ACCEPTOR, acceptance_task["password"], task["id"])
    panel = page.locator(".crossdept-documents")
    expect(panel).to_contain_text(HEADING)
    link = panel.get_by_role("link", name=APPLICATION_TITLE, exact=False)
    expect(link).to_be_visible()
    expect(page.get_by_text("验收标准 / Acceptance criteria").first).to_be_visible()  # the form is still there
    screenshots(page, "documents-panel")
    with page.expect_download() as downloading:
        link.click()
    content = Path(downloading.value.path()).read_bytes()
    assert content.startswith(b"%PDF") and content == acceptance_task["pdf"]


def test_someone_without_the_task_sees_no_documents_and_downloads_nothing(
    new_page: Callable[..., Any], screenshots: Screenshots, engine: Settings, acceptance_task: dict[str, Any],
) -> None:
    from playwright.sync_api import expect

    task = acceptance_task["task"]
    page = _open(new_page, engine, OUTSIDER, acceptance_task["password"], task["id"])
    expect(page.locator("body")).to_contain_text("任务")  # Tasklist has drawn the page
    screenshots(page, "no-task")
    expect(page.locator(".crossdept-documents")).to_have_count(0)
    url = (f"http://localhost:{engine.engine_port}/camunda/api/engine/engine/default/task/{task['id']}"
           f"/variables/{APPLICATION_DOC}/data")
    response = page.request.get(url)  # with the outsider's own session cookie
    assert response.status in (403, 404), response.status
    assert not response.body().startswith(b"%PDF")
