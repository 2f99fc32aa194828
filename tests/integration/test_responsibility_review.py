"""The responsibility-list review (职责清单定期审核更新) on the real engine, driven as the people do it:
leadership starts it, every department head edits their list in the task's form, a conflict goes to
leadership, and the accepted lists become a new, archived version of the organisation file."""

from __future__ import annotations

import json

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.assertions import has_ended, variable_equals
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
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


@dataclass
class Reviewed:
    review: ProcessInstance
    heads_asked: set[str]  # who got a review task
    broken: list[dict[str, Any]]  # Production's first submission, a row without a responsible post
    back_message: str  # why it came back
    back_list: list[dict[str, Any]]  # the list Production got back
    lists_shown: dict[str, list[str]]  # department -> work items its head's form showed
    conflicts: list[dict[str, Any]]  # what leadership's decision form showed
    archive: Path  # the organisation's versions
    before_text: str  # the organisation file before the review

    @property
    def version(self) -> Path:
        versions = sorted(self.archive.iterdir()) if self.archive.is_dir() else []
        assert len(versions) == 1, f"expected one archived version in {self.archive}, found {[v.name for v in versions]}"
        return versions[0]

    def diff_lines(self, sign: str) -> list[str]:
        diff = (self.version / "changes.diff").read_text(encoding="utf-8")
        return [line for line in diff.splitlines() if line.startswith(sign) and not line.startswith(sign * 3)]


@pytest.fixture(scope="module")
def reviewed(staff: Staff, organisation_file: Path, before: Organisation, engine: Settings,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reviewed]:
    """Leadership reviews the lists: Production first forgets a responsible post, Marketing claims
    Sales' order sharing (a duplicate), Finance drops its budget report (an orphan), Engineering
    tightens a standard; leadership keeps the order sharing with Sales and drops the report."""
    folder = tmp_path_factory.mktemp("review")
    settings = worker_settings_in(engine, folder, archive_dir=folder / "archive")
    before_text = organisation_file.read_text(encoding="utf-8")
    with running_worker(load_registry().subset(TOPICS), settings):
        review = staff.start(LEADER, "responsibility-review", {"reason": "组织调整 / organisation changed"})
        try:
            tasks = staff.wait_for_tasks(review, len(before.departments), "a task for every department head",
                                         taskDefinitionKey="Task_ReviewResponsibilityList")
            production = next(t for t in tasks if t["assignee"] == "zhou.gang")
            shown = staff.form_variables("zhou.gang", production["id"])
            broken = shown["responsibilities"] + [{"workItem": "设备维护 / Equipment maintenance",
                                                   "workflow": "月度 / monthly", "standard": "无故障 / no breakdowns",
                                                   "responsiblePost": "", "crosses": ""}]
            staff.complete("zhou.gang", production["id"], {"responsibilities": broken})
            back = wait_until(lambda: [t for t in staff.tasks(review, assignee="zhou.gang")
                                       if t["id"] != production["id"]], 60, "Production's list to come back")
            back_shown = staff.form_variables("zhou.gang", back[0]["id"])
            fixed = [dict(row) for row in back_shown["responsibilities"]]
            fixed[-1]["responsiblePost"] = "设备主管 / Equipment Supervisor"
            staff.complete("zhou.gang", back[0]["id"], {"responsibilities": fixed})

            lists_shown = {}
            for task in [t for t in tasks if t["assignee"] != "zhou.gang"]:
                head = task["assignee"]
                shown = staff.form_variables(head, task["id"])
                department = shown["departmentId"]
                lists_shown[department] = [r["workItem"] for r in shown["responsibilities"]]
                staff.complete(head, task["id"], {"responsibilities": edited(department, shown["responsibilities"])})

            [decision] = staff.wait_for_tasks(review, 1, "the conflicts to reach leadership",
                                              taskDefinitionKey="Task_DecideConflicts")
            conflicts = staff.form_variables(LEADER, decision["id"])["conflicts"]
            # As Tasklist submits the decision form: each row with the form's fields only.
            fields = ("id", "description", "workItem", "decision", "owner")
            decided = [{f: c[f] for f in fields} | ({"decision": "drop"} if c["kind"] == "orphan" else {})
                       for c in conflicts]
            staff.complete(LEADER, decision["id"], {"conflicts": decided})
            staff.admin.instance(review).settle(60)  # the accepted lists published
        finally:
            staff.delete(review)
    yield Reviewed(staff.admin.instance(review), {t["assignee"] for t in tasks}, broken,
                   back_shown["rejectionMessage"], back_shown["responsibilities"], lists_shown, conflicts,
                   settings.archive_root / "organisation" / organisation_file.stem, before_text)


def test_every_department_head_gets_a_review_task(reviewed: Reviewed, before: Organisation) -> None:
    assert reviewed.heads_asked == {d.head for d in before.departments}


def test_each_head_is_shown_their_departments_current_list(reviewed: Reviewed, before: Organisation) -> None:
    expected = {department: [r.work_item for r in before.department(department).responsibilities]
                for department in reviewed.lists_shown}
    assert reviewed.lists_shown == expected


def test_a_row_without_a_responsible_post_comes_back_naming_the_row_and_field(reviewed: Reviewed) -> None:
    assert "row 3 responsiblePost" in reviewed.back_message, reviewed.back_message


def test_a_list_sent_back_is_the_list_as_the_head_submitted_it(reviewed: Reviewed) -> None:
    assert reviewed.back_list == reviewed.broken, "the head should get back the list as they submitted it"


def conflicts_found(reviewed: Reviewed) -> dict[tuple[str, str], dict[str, Any]]:
    return {(c["kind"], c["workItem"]): c for c in reviewed.conflicts}


def test_leadership_is_shown_the_duplicate_claim_and_the_orphaned_cross_point(reviewed: Reviewed) -> None:
    assert set(conflicts_found(reviewed)) == {("duplicate", ORDERS), ("orphan", BUDGET)}


def test_a_duplicate_names_both_claimants(reviewed: Reviewed) -> None:
    duplicate = conflicts_found(reviewed)[("duplicate", ORDERS)]
    assert set(duplicate["claimants"].split(", ")) == {"sales", "marketing"}


def test_a_duplicate_suggests_the_previous_owner(reviewed: Reviewed) -> None:
    duplicate = conflicts_found(reviewed)[("duplicate", ORDERS)]
    assert duplicate["owner"] == "sales", "the previous owner should be suggested"


def test_once_leadership_decides_the_review_ends(reviewed: Reviewed) -> None:
    has_ended(reviewed.review, at="EndEvent_ReviewCompleted")


def test_the_accepted_lists_become_version_1(reviewed: Reviewed) -> None:
    variable_equals(reviewed.review, "organisationVersion", 1)


def test_publishing_lists_provisions_no_change_to_people_or_access(reviewed: Reviewed) -> None:
    variable_equals(reviewed.review, "provisionedChanges", 0)


def test_the_first_version_is_archived_as_v001(reviewed: Reviewed) -> None:
    assert reviewed.version.name.startswith("v001-"), reviewed.version.name


def test_the_version_is_archived_with_the_file_its_predecessor_the_diff_and_the_review(reviewed: Reviewed) -> None:
    assert sorted(p.name for p in reviewed.version.iterdir()) == [
        "changes.diff", "organisation.yaml", "previous.yaml", "review.json"]


def test_the_archived_review_names_who_the_engine_says_started_it(reviewed: Reviewed) -> None:
    record = json.loads((reviewed.version / "review.json").read_text(encoding="utf-8"))
    assert record["startedBy"] == LEADER, record


def test_the_diff_shows_the_dropped_cross_point(reviewed: Reviewed) -> None:
    assert any(BUDGET in line for line in reviewed.diff_lines("-")), reviewed.diff_lines("-")


def test_the_diff_shows_the_tightened_standard(reviewed: Reviewed) -> None:
    assert any("3 个工作日内" in line for line in reviewed.diff_lines("+")), reviewed.diff_lines("+")


def test_the_diff_leaves_the_duplicate_claim_out(reviewed: Reviewed) -> None:
    changed = reviewed.diff_lines("+") + reviewed.diff_lines("-")
    assert not any(ORDERS in line for line in changed), "Sales keeps the item, Marketing gets none"


def test_the_archived_version_is_the_published_organisation_file(reviewed: Reviewed, organisation_file: Path) -> None:
    published = organisation_file.read_text(encoding="utf-8")
    assert (reviewed.version / "organisation.yaml").read_text(encoding="utf-8") == published


def test_the_archived_predecessor_is_the_file_before_the_review(reviewed: Reviewed) -> None:
    assert (reviewed.version / "previous.yaml").read_text(encoding="utf-8") == reviewed.before_text


def test_the_published_file_does_not_give_the_claimant_the_disputed_item(
    reviewed: Reviewed, organisation_file: Path
) -> None:
    after = load_organisation(organisation_file)
    assert ORDERS not in [r.work_item for r in after.department("marketing").responsibilities]


def test_the_published_file_keeps_the_disputed_item_with_its_owner_crossing_the_claimant(
    reviewed: Reviewed, organisation_file: Path
) -> None:
    after = load_organisation(organisation_file)
    assert "marketing" in next(r for r in after.department("sales").responsibilities if r.work_item == ORDERS).crosses


def test_the_published_file_drops_the_orphaned_cross_point(reviewed: Reviewed, organisation_file: Path) -> None:
    after = load_organisation(organisation_file)
    assert BUDGET not in [r.work_item for r in after.department("finance").responsibilities]


def test_the_published_file_has_the_corrected_new_row(reviewed: Reviewed, organisation_file: Path) -> None:
    after = load_organisation(organisation_file)
    production = [r.work_item for r in after.department("production").responsibilities]
    assert "设备维护 / Equipment maintenance" in production, production
