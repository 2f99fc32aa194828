"""The responsibility review's pure part: the heads' rows, conflicts between the departments' lists,
leadership's decisions, and the new version with its diff."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from workers.shared.organisation.model import Organisation, OrganisationError, load_organisation
from workers.processes.responsibility_review.review import (
    DROP,
    DUPLICATE,
    ORPHAN,
    Lists,
    apply_decisions,
    detect_conflicts,
    from_rows,
    new_version,
    to_rows,
    unified_diff,
)

DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
ORDERS = "客户订单共享 / Sharing customer orders"  # Sales'; crosses production and finance
BUDGET = "预算执行情况报告 / Budget execution report"  # Finance's; crosses five departments
DEPARTMENTS = ["gmoffice", "marketing", "sales", "engineering", "production", "finance", "projectoffice", "internalaudit"]


@pytest.fixture(scope="module")
def demo() -> Organisation:
    return load_organisation(DEMO)


def lists_of(org: Organisation) -> Lists:
    return {d.id: [r.model_dump() for r in d.responsibilities] for d in org.departments}


def item(work_item: str, crosses: list[str] | None = None) -> dict[str, Any]:
    return {"work_item": work_item, "workflow": "w", "standard": "s", "responsible_post": "p", "crosses": crosses or []}


def test_unchanged_lists_have_no_conflicts(demo: Organisation) -> None:
    assert detect_conflicts(demo, lists_of(demo)) == []


def test_item_claimed_by_two_departments_is_a_conflict_suggesting_its_previous_owner(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["marketing"].append(item(ORDERS))

    [conflict] = detect_conflicts(demo, lists)

    assert (conflict.kind, conflict.work_item) == (DUPLICATE, ORDERS)
    assert sorted(conflict.claimants) == ["marketing", "sales"]
    assert conflict.owner == "sales"


def test_same_item_spelt_with_other_case_and_spacing_is_still_claimed_twice(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["marketing"].append(item("客户订单共享  /  sharing CUSTOMER orders"))

    assert [c.kind for c in detect_conflicts(demo, lists)] == [DUPLICATE]


def test_cross_point_no_department_claims_any_more_is_an_orphan(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["finance"] = [i for i in lists["finance"] if i["work_item"] != BUDGET]

    [conflict] = detect_conflicts(demo, lists)

    assert (conflict.kind, conflict.work_item, conflict.owner) == (ORPHAN, BUDGET, "finance")
    assert "marketing" in conflict.description


def test_dropped_item_that_crossed_nobody_is_not_a_conflict(demo: Organisation) -> None:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["departments"][1]["responsibilities"][0]["crosses"] = []
    _, org = new_version(data, {}, "test")
    lists = lists_of(org)
    lists["marketing"] = lists["marketing"][1:]

    assert detect_conflicts(org, lists) == []


def test_cross_point_leadership_decided_to_drop_is_settled(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["finance"] = [i for i in lists["finance"] if i["work_item"] != BUDGET]
    [conflict] = detect_conflicts(demo, lists)

    decided, dropped, problems = apply_decisions(demo, lists, [conflict.as_row() | {"decision": DROP}])

    assert problems == []
    assert detect_conflicts(demo, decided, dropped) == []


def test_owner_decision_keeps_the_item_only_with_the_owner_who_then_crosses_the_others(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["marketing"].append(item(ORDERS))
    [conflict] = detect_conflicts(demo, lists)

    decided, _, problems = apply_decisions(demo, lists, [conflict.as_row() | {"owner": "sales"}])

    assert problems == []
    assert ORDERS not in [i["work_item"] for i in decided["marketing"]]
    [kept] = [i for i in decided["sales"] if i["work_item"] == ORDERS]
    assert kept["crosses"] == ["production", "finance", "marketing"]
    assert detect_conflicts(demo, decided) == []


def test_orphan_given_to_an_owner_comes_back_in_that_department(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["finance"] = [i for i in lists["finance"] if i["work_item"] != BUDGET]
    [conflict] = detect_conflicts(demo, lists)

    decided, _, _ = apply_decisions(demo, lists, [conflict.as_row() | {"owner": "projectoffice"}])

    [restored] = [i for i in decided["projectoffice"] if i["work_item"] == BUDGET]
    assert "projectoffice" not in restored["crosses"]
    assert detect_conflicts(demo, decided) == []


def test_decision_naming_an_unknown_department_is_reported_and_the_conflict_stays(demo: Organisation) -> None:
    lists = lists_of(demo)
    lists["marketing"].append(item(ORDERS))
    [conflict] = detect_conflicts(demo, lists)

    decided, _, problems = apply_decisions(demo, lists, [conflict.as_row() | {"owner": "sales-dept"}])

    assert problems == [f"C1 owner: 部门 'sales-dept' 不存在 / department 'sales-dept' does not exist "
                        f"(known: {', '.join(sorted(DEPARTMENTS))})"]
    assert [c.kind for c in detect_conflicts(demo, decided)] == [DUPLICATE]


def test_rows_round_trip_between_the_file_and_the_form(demo: Organisation) -> None:
    sales = demo.department("sales")
    rows = to_rows(sales.responsibilities)
    assert rows[1]["crosses"] == "production, finance"

    items, problems = from_rows(rows, DEPARTMENTS, "sales")

    assert problems == []
    assert items == [r.model_dump() for r in sales.responsibilities]


def test_rows_name_each_missing_field_and_unknown_department() -> None:
    rows = [{"workItem": "a", "workflow": "b", "standard": "c", "responsiblePost": "", "crosses": "sales，nowhere"},
            {"workItem": "", "workflow": "", "standard": "", "responsiblePost": "", "crosses": ""}]

    _, problems = from_rows(rows, DEPARTMENTS, "marketing")

    assert problems == [
        "第 1 行 / row 1 responsiblePost: 责任岗位 / responsible post 必填 / is required",
        f"第 1 行 / row 1 crosses: 部门 'nowhere' 不存在 / department 'nowhere' does not exist "
        f"(known: {', '.join(sorted(DEPARTMENTS))})",
    ], "an empty row the form added is ignored, not reported"


def test_item_crossing_its_own_department_is_rejected() -> None:
    _, problems = from_rows([{"workItem": "a", "workflow": "b", "standard": "c", "responsiblePost": "d",
                              "crosses": "marketing"}], DEPARTMENTS, "marketing")

    assert problems == ["第 1 行 / row 1 crosses: 不能与本部门交叉 / an item cannot cross its own department"]


def test_new_version_is_validated_like_a_file_and_its_diff_shows_only_the_change(demo: Organisation) -> None:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    lists = lists_of(demo)
    lists["engineering"][1]["standard"] = "3 个工作日内 / within 3 working days"

    after, org = new_version(data, lists, "test")
    diff = unified_diff(data, after, "before", "after")

    assert org.department("engineering").responsibilities[1].standard == "3 个工作日内 / within 3 working days"
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    assert changed == ["-    standard: 收到申请后 5 个工作日内出具意见 / opinion within 5 working days of the request",
                       "+    standard: 3 个工作日内 / within 3 working days"]


def test_new_version_that_breaks_a_rule_of_the_organisation_is_refused(demo: Organisation) -> None:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    lists = lists_of(demo)
    lists["marketing"].append(item(ORDERS))

    with pytest.raises(OrganisationError, match="is already claimed by"):
        new_version(data, lists, "test")
