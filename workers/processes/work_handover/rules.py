"""The hand-over's business rules that need no engine: completeness, verification.

Kept apart from the topic handlers (handlers.py) so each rule is tested on its own; every problem
is one bilingual line naming the row and the field to fix. The lists come in as a person submitted
them (rows of anything) and are checked here; once complete they are `ChecklistItem` rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from workers.processes.work_handover.checklist import ChecklistItem, ItemCategory
from workers.processes.work_handover.variables import Verdict, VerificationRow
from workers.shared.documents import undrawable
from workers.shared.text import (
    MaxLength,
    all_problems,
    check_fields,
    check_rows,
    check_text,
    clipped,
    forbidden_characters,
    row as numbered,
)
from workers.shared.calendar import parse_clock  # noqa: F401  (deadlines are calendar work; handlers use it from here)


# --- the notice --------------------------------------------------------------------------------
# The notice form's typed fields, as it labels them (the person ids and the department id are ids).
_NOTICE_TEXT = (("giverId", "交出人", MaxLength.ID, False), ("receiverId", "接收人", MaxLength.ID, False),
                ("receivingDepartmentId", "接收部门", MaxLength.ID, False), ("reason", "交接原因", MaxLength.ID, False),
                ("plannedDate", "计划交接日期", MaxLength.ID, False), ("arrangements", "交接安排", MaxLength.TEXT, True))


def notice_text_problems(notice: Any) -> list[str]:
    """Types, lengths and characters of the notice's fields; whether each is there and valid is
    resolve-parties' own check, after this one."""
    # Every field of the notice is printed on the signed checklist (the arrangements as typed).
    return check_fields(notice.model_dump(by_alias=True), _NOTICE_TEXT, undrawable=undrawable,
                        printed_on=_ON_CHECKLIST)


# --- the checklist -----------------------------------------------------------------------------
_CATEGORY_NAMES = ", ".join(c.value for c in ItemCategory)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# The row fields a giver types, as the checklist form labels them, with their kind's limit. Each is
# printed on the signed PDF, so each must be drawable by its font.
_ROW_TEXT = (("description", "说明", MaxLength.TEXT, True), ("location", "存放位置或系统", MaxLength.LINE, False),
             ("contact", "客户联系人", MaxLength.LINE, False), ("assetNumber", "资产编号", MaxLength.CODE, False),
             ("camundaTaskId", "流程任务编号", MaxLength.ID, False))
_ON_CHECKLIST = "交接清单上 / on the checklist"

# An asset number is the text on the asset's label (IT-2024-0173, 固资-0007): letters and digits with
# - _ / . or spaces between, at most MaxLength.CODE characters. It is text, never a number: a form's
# textfield sends what was typed as text, and a number would lose leading zeros (or be -1, or 1e400).
_ASSET_NUMBER = re.compile(r"[^\W_][\w ./-]*")
ASSET_NUMBER_RULE = ("资产编号为资产标签上的文字：字母、数字及 - _ / . 空格，以字母或数字开头，如 IT-2024-0173 / "
                     "an asset number is the text on the asset's label: letters, digits and - _ / . or spaces, "
                     "starting with a letter or digit, e.g. IT-2024-0173")


def _row_text_problems(number: int, row: dict[str, Any]) -> list[str]:
    """Types, lengths and characters of one row's typed fields (what a missing field is, is below)."""
    problems = all_problems(
        check_text(row.get(key), key, label, limit, where=numbered(number), multiline=multiline,
                   undrawable=undrawable, printed_on=_ON_CHECKLIST)
        for key, label, limit, multiline in _ROW_TEXT)
    asset = row.get("assetNumber")
    if not problems and isinstance(asset, str) and asset.strip() and not _ASSET_NUMBER.fullmatch(asset.strip()):
        problems.append(f"第 {number} 项 资产编号 / item {number} assetNumber: {ASSET_NUMBER_RULE}")
    return problems


def checklist_problems(rows: Any) -> list[str]:
    """Every missing or invalid field of the 《工作交接清单》, one line each; empty when complete."""
    shape = check_rows(rows, "checklistItems", "交接事项")
    if shape:
        return shape
    if not rows:
        return ["checklistItems: 至少列出一项 / list at least one item"]
    problems = []
    for number, row in enumerate(rows, start=1):
        item = f"第 {number} 项 / item {number}"
        if not isinstance(row, dict):
            problems.append(f"{item}: 格式无效 / is not a checklist row")
            continue
        typed = _row_text_problems(number, row)
        problems += typed
        try:
            category: ItemCategory | None = ItemCategory(row.get("category"))
            kind = f"（{category.label}）"
        except ValueError:
            category, kind = None, ""
            problems.append(f"{item} category: 类别必选 / choose a category ({_CATEGORY_NAMES})")

        def missing(field: str, rule: str) -> None:
            problems.append(f"{item} {field}{kind}: {rule}")

        if typed:  # a field of the wrong type is not also reported as missing
            continue
        if _blank(row.get("description")):
            missing("description", "需要说明 / needs a description")
        if _blank(row.get("location")):
            missing("location", "需要注明存放位置或系统 / needs where it is")
        if category is ItemCategory.CUSTOMER_INFORMATION and _blank(row.get("contact")):
            missing("contact", "客户信息需要联系人 / customer information needs a contact")
        if category is ItemCategory.EQUIPMENT and _blank(row.get("assetNumber")):
            missing("assetNumber", "设备需要资产编号 / equipment needs an asset number")
    return problems


def verification_rows(rows: list[ChecklistItem]) -> list[VerificationRow]:
    """The checklist as the receiver's form shows it: each row with its category's label, no verdict yet."""
    return [VerificationRow(**row.model_dump(), category_label=row.category.label) for row in rows]


def summary(rows: list[ChecklistItem]) -> str:
    """The checklist as text, for the signing form."""
    lines = []
    for number, row in enumerate(rows, start=1):
        extra = [f"{label}: {value}" for value, label in ((row.contact, "联系人 / contact"),
                                                          (row.asset_number, "资产编号 / asset no."))
                 if not _blank(value)]
        lines.append(f"{number}. [{row.category.label}] {row.description} "
                     f"— {row.location}" + (f" ({'; '.join(extra)})" if extra else ""))
    return "\n".join(lines)


def send_back_reason(reason: Any) -> str:
    """The supervisor's reason as the giver reads it: the diagram has no way back to the signing form,
    so a reason beyond the limit is cut (saying so) and characters that are not text are dropped; the
    form's maxLength tells the supervisor before they submit."""
    text = reason if isinstance(reason, str) else ""
    # The reason is printed in the checklist's verification record: what its font cannot draw goes too.
    text = "".join(c for c in text if not forbidden_characters(c, multiline=True) and not undrawable(c)).strip()
    return clipped(text, MaxLength.TEXT) or "未说明原因 / no reason given"


# --- verification ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Verification:
    problems: list[str]
    questions: list[dict[str, Any]]  # {"item": n, "description": ..., "question": ...}

    def questions_text(self) -> str:
        return "\n".join(f"第 {q['item']} 项 / item {q['item']}（{q['description']}）: {q['question']}"
                         for q in self.questions)


def verify(checklist: list[ChecklistItem], answers: Any) -> Verification:
    """The receiver's answers, matched to the checklist by position (a form returns only the fields
    it shows): every item needs a verdict, and a question needs its text."""
    shape = check_rows(answers, "verificationItems", "交接事项")
    if shape:
        return Verification(shape, [])
    if not isinstance(answers, list) or len(answers) != len(checklist):
        count = len(answers) if isinstance(answers, list) else 0
        return Verification([f"verificationItems: 应核验 {len(checklist)} 项，收到 {count} 项 / "
                             f"expected {len(checklist)} items, got {count}"], [])
    problems, questions = [], []
    for number, (item, answer) in enumerate(zip(checklist, answers), start=1):
        verdict = answer.get("verdict") if isinstance(answer, dict) else None
        typed = check_text(answer.get("question"), "question", "疑问", MaxLength.TEXT, where=numbered(number),
                           multiline=True, undrawable=undrawable, printed_on=_ON_CHECKLIST  # in its record
                           ) if isinstance(answer, dict) else []
        if typed:
            problems += typed
        elif verdict == Verdict.QUESTION:
            if _blank(answer.get("question")):
                problems.append(f"第 {number} 项 / item {number} question: 有疑问时请写明疑问 / "
                                "write the question")
            else:
                questions.append({"item": number, "description": item.description,
                                  "question": answer["question"].strip()})
        elif verdict != Verdict.ACCEPT:
            problems.append(f"第 {number} 项 / item {number} verdict: 请选择无误或有疑问 / choose accept or question")
    return Verification(problems, questions)
