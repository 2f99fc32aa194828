"""The hand-over's business rules that need no engine: completeness, verification.

Kept apart from the topic handlers (handlers.py) so each rule is tested on its own; every problem
is one bilingual line naming the row and the field to fix. The lists come in as a person submitted
them (rows of anything) and are checked here; once complete they are `ChecklistItem` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from workers.processes.work_handover.checklist import ChecklistItem, ItemCategory
from workers.processes.work_handover.variables import Verdict, VerificationRow
from workers.shared.calendar import parse_clock  # noqa: F401  (deadlines are calendar work; handlers use it from here)


# --- the checklist -----------------------------------------------------------------------------
_CATEGORY_NAMES = ", ".join(c.value for c in ItemCategory)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def checklist_problems(rows: Any) -> list[str]:
    """Every missing or invalid field of the 《工作交接清单》, one line each; empty when complete."""
    if not isinstance(rows, list) or not rows:
        return ["checklistItems: 至少列出一项 / list at least one item"]
    problems = []
    for number, row in enumerate(rows, start=1):
        item = f"第 {number} 项 / item {number}"
        if not isinstance(row, dict):
            problems.append(f"{item}: 格式无效 / is not a checklist row")
            continue
        try:
            category: ItemCategory | None = ItemCategory(row.get("category"))
            kind = f"（{category.label}）"
        except ValueError:
            category, kind = None, ""
            problems.append(f"{item} category: 类别必选 / choose a category ({_CATEGORY_NAMES})")

        def missing(field: str, rule: str) -> None:
            problems.append(f"{item} {field}{kind}: {rule}")

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
    if not isinstance(answers, list) or len(answers) != len(checklist):
        count = len(answers) if isinstance(answers, list) else 0
        return Verification([f"verificationItems: 应核验 {len(checklist)} 项，收到 {count} 项 / "
                             f"expected {len(checklist)} items, got {count}"], [])
    problems, questions = [], []
    for number, (item, answer) in enumerate(zip(checklist, answers), start=1):
        verdict = answer.get("verdict") if isinstance(answer, dict) else None
        if verdict == Verdict.QUESTION:
            if _blank(answer.get("question")):
                problems.append(f"第 {number} 项 / item {number} question: 有疑问时请写明疑问 / "
                                "write the question")
            else:
                questions.append({"item": number, "description": item.description,
                                  "question": answer["question"].strip()})
        elif verdict != Verdict.ACCEPT:
            problems.append(f"第 {number} 项 / item {number} verdict: 请选择无误或有疑问 / choose accept or question")
    return Verification(problems, questions)
