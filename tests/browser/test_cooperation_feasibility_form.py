"""Project cooperation's feasibility assessment in Tasklist (Chromium, zh-CN, the real engine): a
department head types the three scores and comments into the assessment form as staff do, no REST.
Tasklist submits a field with its variable's existing type, so the form's local comment variables
start as empty text (declared null, a text variable refused the typed text); the scores start empty
and take the number as typed. Screenshots: test-artifacts/<test>/."""

from __future__ import annotations

import contextlib
import re
from typing import TYPE_CHECKING, Any, Callable, Iterator

import pytest

from tests.browser.test_tasklist import log_in
from tests.support.cooperation import APPLICATION, APPROVAL_TOPICS, HEADS, REQUESTER, TOPICS, Cooperation, deploy
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from tests.browser.conftest import Screenshots

pytestmark = pytest.mark.engine

ASSESSOR = HEADS["engineering"]  # 张伟, 技术部 head
LABELS = {"technical": "技术可行性", "economic": "经济可行性", "operational": "操作可行性"}


@pytest.fixture(scope="module")
def project(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cooperation]:
    """A project at its feasibility assessment, with the root's workers running."""
    folder = tmp_path_factory.mktemp("feasibility-browser")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(staff, organisation_file, "project-cooperation-browser")
    settings = worker_settings_in(engine, folder, archive_dir=folder / "archive", mail_outbox_dir=folder / "outbox")
    with running_worker(load_registry().subset(TOPICS + APPROVAL_TOPICS), settings):
        run = Cooperation(staff, staff.start(REQUESTER, "project-cooperation", APPLICATION))
        try:
            run.organise()
            yield run
        finally:
            with contextlib.suppress(Exception):
                staff.delete(run.id)


def test_a_head_types_the_scores_and_comments_of_the_assessment_in_tasklist(
    new_page: Callable[..., Any], screenshots: Screenshots, project: Cooperation, engine: Settings,
) -> None:
    from playwright.sync_api import expect

    expect.set_options(timeout=60_000)  # on a loaded machine Tasklist takes its time
    task = next(t for t in project.task("Task_AssessFeasibility", "the assessment tasks", 3) if t["assignee"] == ASSESSOR)
    tasklist_url = f"http://localhost:{engine.engine_port}/camunda/app/tasklist/"
    page = new_page(ASSESSOR)
    page.set_default_timeout(60_000)
    log_in(page, tasklist_url, ASSESSOR, project.staff.password)
    page.goto(f"{tasklist_url}default/#/?task={task['id']}")
    expect(page.locator(".task-card h2.task")).to_contain_text("可行性")
    form = page.locator(".fjs-container")
    expect(form.get_by_label("评估部门 / Assessing department")).to_have_value(re.compile("技术部"))
    form.get_by_label(f"{LABELS['technical']}评分（1–5）", exact=False).click()
    for n, (kind, label) in enumerate(LABELS.items(), start=3):
        page.keyboard.type(str(n))
        page.keyboard.press("Tab")
        page.keyboard.type(f"{kind} 可行 / {kind} feasible")
        page.keyboard.press("Tab")
    for n, (kind, label) in enumerate(LABELS.items(), start=3):
        expect(form.get_by_label(f"{label}评分（1–5）", exact=False)).to_have_value(str(n))
        expect(form.get_by_label(f"{label}意见", exact=False)).to_have_value(f"{kind} 可行 / {kind} feasible")
    screenshots(page, "assessment-filled")
    with page.expect_response(lambda r: f"/task/{task['id']}/submit-form" in r.url) as submitted:
        page.get_by_role("button", name="完成", exact=True).click()
    assert submitted.value.ok, submitted.value.text()
    recorded = wait_until(lambda: project.variable("feasibility_engineering"), 60, "Engineering's assessment recorded")
    assert (recorded["technical_score"], recorded["economic_score"], recorded["operational_score"]) == (3, 4, 5), recorded
    assert recorded["assessor"] == ASSESSOR
    assert recorded["operational_comment"] == "operational 可行 / operational feasible"
    screenshots(page, "assessment-submitted")
