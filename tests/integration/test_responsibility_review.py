"""The responsibility-list review (职责清单定期审核更新) on the real engine, driven as the people do it:
leadership starts it, every department head edits their list in the task's form, a conflict goes to
leadership, and the accepted lists become a new, archived version of the organisation file."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.driver import EngineDriver, running_worker, wait_until
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.shared.organisation.model import Organisation, load_organisation
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

LEADER = "wang.jianguo"
TOPICS = ["review.prepare-items", "review.record-list", "review.detect-conflicts", "review.publish-organisation"]
ORDERS = "客户订单共享 / Sharing customer orders"  # Sales' item, which Marketing will claim as well
BUDGET = "预算执行情况报告 / Budget execution report"  # a cross point Finance will drop
FEASIBILITY = "技术可行性评估 / Technical feasibility assessment"


@pytest.fixture(scope="module")
def organisation_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("org") / "organisation.yaml"


@pytest.fixture(scope="module")
def before(organisation_file: Path, engine: Settings, admin: EngineDriver) -> Organisation:
    return demo_with_starters(organisation_file)


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, organisation_file: Path, before: Organisation) -> Staff:
    staff = Staff(engine, admin)
    staff.provision(before)
    staff.deploy("responsibility-review-test", organisation_file, ["responsibility-review.bpmn"],
                 ["responsibility-review-start.form", "responsibility-review-department.form",
                  "responsibility-review-decision.form"])
    return staff


@pytest.fixture
def archive(worker_settings: Settings, tmp_path: Path) -> Iterator[Path]:
    settings = worker_settings.model_copy(update={"archive_dir": tmp_path / "archive"})
    with running_worker(load_registry().subset(TOPICS), settings):
        yield settings.archive_root / "organisation"


def edited(department: str, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What each head changes in the form: Marketing claims Sales' order sharing, Finance drops
    its budget report, Engineering tightens a standard; the others accept their lists."""
    rows = [dict(row) for row in rows]
    if department == "marketing":
        rows.append({"workItem": ORDERS, "workflow": "information-sharing · 信息发布 / publish",
                     "standard": "订单确认当天共享 / shared on the day of confirmation",
                     "responsiblePost": "市场策划 / Marketing Planner", "crosses": "production"})
    if department == "finance":
        rows = [row for row in rows if row["workItem"] != BUDGET]
    if department == "engineering":
        for row in rows:
            if row["workItem"] == FEASIBILITY:
                row["standard"] = "收到申请后 3 个工作日内出具意见 / opinion within 3 working days of the request"
    return rows


def test_review_with_a_conflict_decided_by_leadership_publishes_a_new_archived_version(
    staff: Staff, archive: Path, organisation_file: Path, before: Organisation
) -> None:
    before_text = organisation_file.read_text(encoding="utf-8")
    review = staff.start(LEADER, "responsibility-review", {"reason": "组织调整 / organisation changed"})
    try:
        tasks = staff.wait_for_tasks(review, len(before.departments), "a task for every department head",
                                     taskDefinitionKey="Task_ReviewResponsibilityList")
        heads = {d.head for d in before.departments}
        assert {t["assignee"] for t in tasks} == heads

        # Production first submits a row without a responsible post: it comes back, naming the field.
        production = next(t for t in tasks if t["assignee"] == "zhou.gang")
        shown = staff.form_variables("zhou.gang", production["id"])
        broken = shown["responsibilities"] + [{"workItem": "设备维护 / Equipment maintenance", "workflow": "月度 / monthly",
                                               "standard": "无故障 / no breakdowns", "responsiblePost": "", "crosses": ""}]
        staff.complete("zhou.gang", production["id"], {"responsibilities": broken})
        back = wait_until(lambda: [t for t in staff.tasks(review, assignee="zhou.gang")
                                   if t["id"] != production["id"]], 60, "Production's list to come back")
        message = staff.form_variables("zhou.gang", back[0]["id"])["rejectionMessage"]
        assert "row 3 responsiblePost" in message, message

        shown = staff.form_variables("zhou.gang", back[0]["id"])["responsibilities"]
        assert shown == broken, "the head should get back the list as they submitted it"
        shown[-1]["responsiblePost"] = "设备主管 / Equipment Supervisor"
        staff.complete("zhou.gang", back[0]["id"], {"responsibilities": shown})

        for task in [t for t in tasks if t["assignee"] != "zhou.gang"]:
            head = task["assignee"]
            shown = staff.form_variables(head, task["id"])
            department = shown["departmentId"]
            assert [r["workItem"] for r in shown["responsibilities"]] == \
                   [r.work_item for r in before.department(department).responsibilities]
            staff.complete(head, task["id"], {"responsibilities": edited(department, shown["responsibilities"])})

        [decision] = staff.wait_for_tasks(review, 1, "the conflicts to reach leadership",
                                          taskDefinitionKey="Task_DecideConflicts")
        conflicts = staff.form_variables(LEADER, decision["id"])["conflicts"]
        found = {(c["kind"], c["workItem"]): c for c in conflicts}
        assert set(found) == {("duplicate", ORDERS), ("orphan", BUDGET)}
        assert set(found[("duplicate", ORDERS)]["claimants"].split(", ")) == {"sales", "marketing"}
        assert found[("duplicate", ORDERS)]["owner"] == "sales", "the previous owner should be suggested"

        # As Tasklist submits the decision form: each row with the form's fields only.
        fields = ("id", "description", "workItem", "decision", "owner")
        decided = [{f: c[f] for f in fields} | ({"decision": "drop"} if c["kind"] == "orphan" else {})
                   for c in conflicts]
        staff.complete(LEADER, decision["id"], {"conflicts": decided})
        wait_until(lambda: staff.ended(review), 60, "the review to publish the accepted lists")
    finally:
        staff.delete(review)

    assert staff.admin.active_activities(review) == []
    variables = staff.admin.history_variables(review)
    assert variables["organisationVersion"] == 1
    assert variables["provisionedChanges"] == 0, "provisioned, and the review changed lists, not people or access"
    [version] = list((archive / organisation_file.stem).iterdir())
    assert version.name.startswith("v001-")
    assert sorted(p.name for p in version.iterdir()) == ["changes.diff", "organisation.yaml", "previous.yaml", "review.json"]

    diff = (version / "changes.diff").read_text(encoding="utf-8")
    removed = [line for line in diff.splitlines() if line.startswith("-") and not line.startswith("---")]
    added = [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")]
    assert any(BUDGET in line for line in removed), diff
    assert any("3 个工作日内" in line for line in added), diff
    assert not any(ORDERS in line for line in added + removed), "Sales keeps the item, Marketing gets none"

    after = load_organisation(organisation_file)
    assert (version / "organisation.yaml").read_text(encoding="utf-8") == organisation_file.read_text(encoding="utf-8")
    assert (version / "previous.yaml").read_text(encoding="utf-8") == before_text
    assert ORDERS not in [r.work_item for r in after.department("marketing").responsibilities]
    assert "marketing" in next(r for r in after.department("sales").responsibilities if r.work_item == ORDERS).crosses
    assert BUDGET not in [r.work_item for r in after.department("finance").responsibilities]
    assert "设备维护 / Equipment maintenance" in [r.work_item for r in after.department("production").responsibilities]
