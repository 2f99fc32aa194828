"""The responsibility-list review (职责清单定期审核更新, policy §2): the pure part.

The heads edit their department's list in a form (camelCase rows, crossed departments as a
comma-separated text); here the rows are checked and turned back into the file's shape, conflicts
between the departments' lists are found, leadership's decisions applied, and the accepted lists
written into a new version of the organisation file with a diff against the previous one.

Conflicts (业务交叉点 must have exactly one owner):
- `duplicate`: one work item claimed by two or more departments;
- `orphan`: a cross point (an item crossing other departments) that the previous version had and
  no department claims any more, so nobody owns it.
"""

from __future__ import annotations

import copy
import difflib
import re
from dataclasses import dataclass
from typing import Any, Iterable

import yaml

from workers.shared.organisation.model import Organisation, Responsibility, parse_organisation
from workers.shared.text import MaxLength, all_problems, check_rows, check_text, row as numbered

DUPLICATE, ORPHAN = "duplicate", "orphan"
ASSIGN, DROP = "assign", "drop"
FIELDS = (("work_item", "workItem", "工作事项 / work item"), ("workflow", "workflow", "工作流程 / workflow"),
          ("standard", "standard", "工作标准 / standard"),
          ("responsible_post", "responsiblePost", "责任岗位 / responsible post"))

Lists = dict[str, list[dict[str, Any]]]  # department id -> responsibilities, in the file's shape


# --- the form's rows <-> the file's items ----------------------------------------------------


def to_rows(items: Iterable[Responsibility]) -> list[dict[str, str]]:
    """A department's list as the review form edits it."""
    return [{camel: getattr(item, snake) for snake, camel, _ in FIELDS} | {"crosses": ", ".join(item.crosses)}
            for item in items]


def from_rows(rows: Any, department_ids: Iterable[str], own_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows a head submitted, in the file's shape, and every problem as `row N field: rule`."""
    known = set(department_ids)
    shape = check_rows(rows, "responsibilities", "职责清单")
    if shape:
        return [], shape
    items: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, row in enumerate(rows or [], start=1):
        row = row if isinstance(row, dict) else {}
        typed = _typed_problems(number, row)
        if typed:
            problems += typed
            continue
        item: dict[str, Any] = {snake: _text(row.get(camel)) for snake, camel, _ in FIELDS}
        if not any(item.values()) and not _text(row.get("crosses")):
            continue  # an empty row the form added: not an item
        for snake, camel, label in FIELDS:
            if not item[snake]:
                problems.append(f"第 {number} 行 / row {number} {camel}: {label} 必填 / is required")
        crosses = _departments(row.get("crosses"))
        for department in crosses:
            if department not in known:
                problems.append(f"第 {number} 行 / row {number} crosses: 部门 '{department}' 不存在 / "
                                f"department '{department}' does not exist (known: {', '.join(sorted(known))})")
            elif department == own_id:
                problems.append(f"第 {number} 行 / row {number} crosses: 不能与本部门交叉 / "
                                f"an item cannot cross its own department")
        item["crosses"] = crosses
        items.append(item)
    return items, problems


def _typed_problems(number: int, row: dict[str, Any]) -> list[str]:
    """Types, lengths and characters of a row's fields (crossed departments: ids, comma-separated)."""
    fields = [(camel, label.split(" / ")[0], MaxLength.LINE) for _, camel, label in FIELDS]
    fields.append(("crosses", "交叉部门", MaxLength.LINE))
    return all_problems(check_text(row.get(key), key, label, limit, where=numbered(number, "行", "row"))
                        for key, label, limit in fields)


def _text(value: Any) -> str:
    return re.sub(r"\s+", " ", str(value)).strip() if value is not None else ""


def _departments(value: Any) -> list[str]:
    parts = value if isinstance(value, list) else re.split(r"[,，;；\s]+", _text(value))
    seen: list[str] = []
    for part in (_text(p) for p in parts):
        if part and part not in seen:
            seen.append(part)
    return seen


def item_key(work_item: str) -> str:
    """Two spellings of one work item compare equal: case and spacing do not count."""
    return _text(work_item).casefold()


# --- conflicts -------------------------------------------------------------------------------


@dataclass
class Conflict:
    id: str
    kind: str
    work_item: str
    claimants: list[str]
    description: str
    decision: str = ASSIGN
    owner: str = ""

    def as_row(self) -> dict[str, Any]:
        """As leadership's decision form shows it (camelCase)."""
        return {"id": self.id, "kind": self.kind, "workItem": self.work_item, "claimants": ", ".join(self.claimants),
                "description": self.description, "decision": self.decision, "owner": self.owner}


def detect_conflicts(previous: Organisation, lists: Lists, settled: Iterable[str] = ()) -> list[Conflict]:
    """Every duplicate and orphaned cross point in `lists`, with a suggested decision.

    `settled` holds work-item keys leadership already decided to drop: they are not orphans.
    """
    settled_keys = set(settled)
    claimants: dict[str, list[str]] = {}
    spelling: dict[str, str] = {}
    for department, items in lists.items():
        for item in items:
            key = item_key(item["work_item"])
            spelling.setdefault(key, item["work_item"])
            if department not in claimants.setdefault(key, []):
                claimants[key].append(department)
    previous_owner = {item_key(r.work_item): (d.id, r) for d in previous.departments for r in d.responsibilities}
    conflicts: list[Conflict] = []
    for key, departments in claimants.items():
        if len(departments) > 1:
            owner = previous_owner.get(key, (departments[0], None))[0]
            conflicts.append(Conflict(
                f"C{len(conflicts) + 1}", DUPLICATE, spelling[key], departments,
                f"「{spelling[key]}」被多个部门认领：{'、'.join(departments)} / claimed by "
                f"{', '.join(departments)}; choose the one owner",
                ASSIGN, owner if owner in departments else departments[0]))
    for key, (owner, item) in previous_owner.items():
        if item.crosses and key not in claimants and key not in settled_keys:
            conflicts.append(Conflict(
                f"C{len(conflicts) + 1}", ORPHAN, item.work_item, [],
                f"业务交叉点「{item.work_item}」（原属 {owner}，涉及 {'、'.join(item.crosses)}）已无负责部门 / "
                f"cross point no longer owned by any department (was {owner}, crosses "
                f"{', '.join(item.crosses)}): give it an owner or drop it",
                ASSIGN, owner))
    return conflicts


def apply_decisions(
    previous: Organisation, lists: Lists, decisions: Iterable[dict[str, Any]]
) -> tuple[Lists, list[str], list[str]]:
    """Leadership's decisions (rows of the decision form) applied to `lists`.

    Returns the new lists, the work-item keys decided to be dropped, and problems with decisions
    that cannot be applied (an unknown owner department), as `conflict id: rule`.
    """
    result = copy.deepcopy(lists)
    dropped: list[str] = []
    problems: list[str] = []
    previous_items = {item_key(r.work_item): r for d in previous.departments for r in d.responsibilities}
    for row in decisions:
        key = item_key(_text(row.get("workItem")))
        conflict_id = _text(row.get("id")) or "?"
        if not key:
            continue
        decision, owner = _text(row.get("decision")) or ASSIGN, _text(row.get("owner"))
        if decision == DROP:
            for items in result.values():
                items[:] = [i for i in items if item_key(i["work_item"]) != key]
            dropped.append(key)
            continue
        if owner not in result:
            problems.append(f"{conflict_id} owner: 部门 '{owner}' 不存在 / department '{owner}' does not exist "
                            f"(known: {', '.join(sorted(result))})")
            continue
        # The owner's own wording wins; the departments that lose the item now cross it.
        found = [i for d in [owner, *result] for i in result[d] if item_key(i["work_item"]) == key]
        item = found[0] if found else _file_item(previous_items.get(key))
        if item is None:
            problems.append(f"{conflict_id}: 事项已不存在 / the work item no longer exists")
            continue
        for items in result.values():
            items[:] = [i for i in items if item_key(i["work_item"]) != key]
        crosses = [*item.get("crosses", []), *_departments(row.get("claimants"))]
        result[owner].append({**item, "crosses": [d for d in dict.fromkeys(crosses) if d != owner]})
    return result, dropped, problems


def _file_item(item: Responsibility | None) -> dict[str, Any] | None:
    return None if item is None else item.model_dump()


# --- the new version -------------------------------------------------------------------------


def new_version(data: dict[str, Any], lists: Lists, source: str) -> tuple[dict[str, Any], Organisation]:
    """The organisation file's data with every department's list replaced, validated like a file."""
    updated = copy.deepcopy(data)
    for department in updated.get("departments", []):
        if department.get("id") in lists:
            department["responsibilities"] = [_ordered(item) for item in lists[department["id"]]]
    return updated, parse_organisation(updated, source=source)


def _ordered(item: dict[str, Any]) -> dict[str, Any]:
    ordered = {snake: item[snake] for snake, _, _ in FIELDS}
    ordered["crosses"] = list(item.get("crosses") or [])
    return ordered


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=120)


def unified_diff(before: dict[str, Any], after: dict[str, Any], before_name: str, after_name: str) -> str:
    """What changed, as a unified diff of both versions written the same way (comments aside)."""
    return "".join(difflib.unified_diff(
        dump(before).splitlines(keepends=True), dump(after).splitlines(keepends=True),
        fromfile=before_name, tofile=after_name,
    ))
