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
from workers.processes.work_handover.labels import CHECKLIST, NOTICE, SIGN, VERIFY
from workers.processes.work_handover.variables import (
    Question,
    ReturnedBy,
    ReturnedRound,
    SupervisorVerdict,
    Verdict,
    VerificationRow,
)
from workers.shared.documents import undrawable
from workers.shared.text import (
    MaxLength,
    all_problems,
    check_fields,
    check_rows,
    check_text,
    field_name,
    row as numbered,
)
from workers.shared.calendar import parse_clock  # noqa: F401  (deadlines are calendar work; handlers use it from here)


# --- the notice --------------------------------------------------------------------------------
# The notice form's typed fields, as it labels them (the person ids and the department id are ids).
_NOTICE_TEXT = tuple((key, NOTICE[key], limit, multiline) for key, limit, multiline in (
    ("giverId", MaxLength.ID, False), ("receiverId", MaxLength.ID, False), ("receivingDepartmentId", MaxLength.ID, False),
    ("reason", MaxLength.ID, False), ("plannedDate", MaxLength.ID, False), ("arrangements", MaxLength.TEXT, True)))


def notice_text_problems(notice: Any) -> list[str]:
    """Types, lengths and characters of the notice's fields; whether each is there and valid is
    resolve-parties' own check, after this one."""
    # Every field of the notice is printed on the signed checklist (the arrangements as typed).
    return check_fields(notice.model_dump(by_alias=True), _NOTICE_TEXT, undrawable=undrawable,
                        printed_on=_ON_CHECKLIST)


# --- the checklist -----------------------------------------------------------------------------
def _row_field(labels: dict[str, str], rows: str, key: str, number: int) -> str:
    """`第 2 项 说明 / item 2 Description`: a row's field as its form labels it."""
    return field_name(labels[f"{rows}.{key}"], key, numbered(number))


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# The row fields a giver types, as the checklist form labels them, with their kind's limit. Each is
# printed on the signed PDF, so each must be drawable by its font.
_ROW_TEXT = (("description", MaxLength.TEXT, True), ("location", MaxLength.LINE, False),
             ("contact", MaxLength.LINE, False), ("assetNumber", MaxLength.CODE, False),
             ("camundaTaskId", MaxLength.ID, False))
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
        check_text(row.get(key), key, CHECKLIST[f"checklistItems.{key}"], limit, where=numbered(number),
                   multiline=multiline, undrawable=undrawable, printed_on=_ON_CHECKLIST)
        for key, limit, multiline in _ROW_TEXT)
    asset = row.get("assetNumber")
    if not problems and isinstance(asset, str) and asset.strip() and not _ASSET_NUMBER.fullmatch(asset.strip()):
        problems.append(f"{_row_field(CHECKLIST, 'checklistItems', 'assetNumber', number)}: {ASSET_NUMBER_RULE}")
    return problems


def checklist_problems(rows: Any) -> list[str]:
    """Every missing or invalid field of the 《工作交接清单》, one line each; empty when complete."""
    shape = check_rows(rows, "checklistItems", CHECKLIST["checklistItems"])
    if shape:
        return shape
    if not rows:
        return [f"{CHECKLIST['checklistItems']}: 至少列出一项 / list at least one item"]
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
            problems.append(f"{_row_field(CHECKLIST, 'checklistItems', 'category', number)}: 请选择类别 / "
                            "choose a category")

        def missing(field: str, rule: str) -> None:
            problems.append(f"{_row_field(CHECKLIST, 'checklistItems', field, number)}{kind}: {rule}")

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


def verification_rows(rows: list[ChecklistItem], previous: list[VerificationRow] | None = None,
                      answers: list[Question] | None = None) -> list[VerificationRow]:
    """The checklist as the receiver's form shows it, each row with its category's label. From the
    second round on (`previous`: the last round's rows with the receiver's verdicts), a row the giver
    left as it was keeps its `accept`; a row asked about shows the question and the giver's answer
    and is judged again; a row changed or added says so."""
    if previous is None:
        return [VerificationRow(**row.model_dump(), category_label=row.category.label) for row in rows]
    shown = []
    for row, (earlier, unchanged) in zip(rows, _continues(rows, previous)):
        before = previous[earlier] if earlier is not None else None
        shown.append(VerificationRow(
            **row.model_dump(), category_label=row.category.label,
            verdict=Verdict.ACCEPT if unchanged and before.verdict is Verdict.ACCEPT else None,
            change=None if unchanged else CHANGED if before is not None else ADDED,
            **_earlier_question(before, earlier, answers or [])))
    return shown


CHANGED = "交出人已修改此项 / The giver changed this item"
ADDED = "交出人新增此项 / The giver added this item"


def _continues(rows: list[ChecklistItem], previous: list[VerificationRow]) -> list[tuple[int | None, bool]]:
    """For each row, the earlier row it continues and whether it is unchanged: the first earlier row
    with the same content (the giver may reorder, and may list a thing twice), else the earlier row
    at its place that no unchanged row took (changed), else none (added)."""
    unmatched = set(range(len(previous)))
    same: list[int | None] = []
    for row in rows:
        found = next((i for i in sorted(unmatched) if _content(previous[i]) == row), None)
        unmatched.discard(found)
        same.append(found)
    return [(found, True) if found is not None else (index, False) if index in unmatched else (None, False)
            for index, found in enumerate(same)]


def _content(row: VerificationRow) -> ChecklistItem:
    return ChecklistItem.model_validate(row.model_dump())


def _earlier_question(row: VerificationRow | None, index: int | None, answers: list[Question]) -> dict[str, Any]:
    """What the receiver asked about this row last round, and what the giver answered."""
    if row is None or row.verdict is not Verdict.QUESTION:
        return {}
    answer = next((a.answer for a in answers if a.item == index + 1), None)
    return {"earlier_question": row.question, "answer": answer}


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
    shape = check_rows(answers, "verificationItems", VERIFY["verificationItems"])
    if shape:
        return Verification(shape, [])
    if not isinstance(answers, list) or len(answers) != len(checklist):
        count = len(answers) if isinstance(answers, list) else 0
        return Verification([f"{VERIFY['verificationItems']}: 应核验 {len(checklist)} 项，收到 {count} 项 / "
                             f"expected {len(checklist)} items, got {count}"], [])
    problems, questions = [], []
    for number, (item, answer) in enumerate(zip(checklist, answers), start=1):
        verdict = answer.get("verdict") if isinstance(answer, dict) else None
        typed = check_text(answer.get("question"), "question", VERIFY["verificationItems.question"], MaxLength.TEXT,
                           where=numbered(number), multiline=True, undrawable=undrawable,
                           printed_on=_ON_CHECKLIST) if isinstance(answer, dict) else []  # printed in its record
        if typed:
            problems += typed
        elif verdict == Verdict.QUESTION:
            if _blank(answer.get("question")):
                problems.append(f"{_row_field(VERIFY, 'verificationItems', 'question', number)}: "
                                "有疑问时请写明疑问 / write the question")
            else:
                questions.append({"item": number, "description": item.description,
                                  "question": answer["question"].strip()})
        elif verdict != Verdict.ACCEPT:
            problems.append(f"{_row_field(VERIFY, 'verificationItems', 'verdict', number)}: "
                            "请选择无误或有疑问 / choose accept or question")
    return Verification(problems, questions)


def judged_rows(checklist: list[ChecklistItem], answers: list[dict[str, Any]]) -> list[VerificationRow]:
    """The round as the receiver judged it (verify found it complete): each checklist row with its
    verdict and question, what the next round compares the giver's changes with."""
    return [VerificationRow(**row.model_dump(), category_label=row.category.label,
                            verdict=Verdict(answer["verdict"]),
                            question=answer["question"].strip() if answer.get("verdict") == Verdict.QUESTION else None)
            for row, answer in zip(checklist, answers)]


# --- the giver's answers -----------------------------------------------------------------------
def open_questions(rounds: list[ReturnedRound]) -> list[Question]:
    """The receiver's questions the giver has yet to answer: those of the last return, if the
    receiver made it and nobody has answered them."""
    last = rounds[-1] if rounds else None
    if last is None or last.returned_by is not ReturnedBy.RECEIVER:
        return []
    return [q for q in last.questions or [] if q.answer is None]


def answer_problems(asked: list[Question], submitted: Any) -> list[str]:
    """Every question asked needs the giver's answer, in the row the form showed for it."""
    label = CHECKLIST["questionAnswers"]
    shape = check_rows(submitted, "questionAnswers", label)
    if shape:
        return shape
    given = {row.get("item"): row for row in submitted or [] if isinstance(row, dict)}
    problems = []
    for question in asked:
        answer = given.get(question.item, {}).get("answer")
        where = numbered(question.item)
        problems += check_text(answer, "answer", CHECKLIST["questionAnswers.answer"], MaxLength.TEXT, where=where,
                               required=True, multiline=True, undrawable=undrawable, printed_on=_ON_CHECKLIST)
    return problems


def answered(rounds: list[ReturnedRound], submitted: list[dict[str, Any]]) -> list[ReturnedRound]:
    """The rounds with the giver's answers written into the last return's questions (answer_problems
    found one for each)."""
    if not open_questions(rounds):
        return rounds
    given = {row.get("item"): row.get("answer") for row in submitted if isinstance(row, dict)}
    last = rounds[-1]
    questions = [q.model_copy(update={"answer": given[q.item].strip()}) if q.answer is None else q
                 for q in last.questions or []]
    return [*rounds[:-1], last.model_copy(update={"questions": questions})]


def conversation(rounds: list[ReturnedRound]) -> str | None:
    """Every earlier return as the parties read it: round, who, the questions and answers or the
    reason. Whole, however long (a text over the String column travels as a Json string)."""
    lines = []
    for record in rounds:
        lines.append(f"第 {record.round} 轮 / Round {record.round}: {_returned_by(record)}")
        for q in record.questions or []:
            lines.append(f"  第 {q.item} 项 / item {q.item}（{q.description}）疑问 / question: {q.question}")
            lines.append(f"    答复 / answer: {q.answer if q.answer is not None else '（待答复 / not yet answered）'}")
        if record.reason:
            lines.append(f"  退回原因 / reason: {record.reason}")
    return "\n".join(lines) if lines else None


def _returned_by(record: ReturnedRound) -> str:
    name = record.returned_by_name or ""  # Chinese runs the name in without spaces, English sets it apart
    who = f" {name}" if name else ""
    if record.returned_by is ReturnedBy.RECEIVER:
        return f"接收人{name}提出疑问 / the receiver{who} asked"
    return f"监交人{name}退回 / sent back by the supervisor{who}"


def returned_because(record: ReturnedRound) -> str:
    """Why the checklist is back with the giver: the round, who returned it, the reason or questions."""
    head = f"第 {record.round} 轮 / Round {record.round}: {_returned_by(record)}"
    if record.returned_by is ReturnedBy.RECEIVER:
        asked = "\n".join(f"第 {q.item} 项 / item {q.item}（{q.description}）: {q.question}"
                          for q in record.questions or [])
        return f"{head}。请在下方逐条答复并按需修改清单 / Answer each question below and change the list as needed:\n{asked}"
    return f"{head}，原因 / reason: {record.reason}"


# --- the supervisor's decision -----------------------------------------------------------------
def supervisor_decision_problems(verdict: Any, reason: Any, confirmed: Any) -> list[str]:
    """The supervisor decides explicitly: a verdict; a send-back with its reason; a signature with
    the confirmation ticked. Completing the form without choosing is answered with what to choose."""
    if verdict == SupervisorVerdict.SEND_BACK:
        return check_text(reason, "sendBackReason", SIGN["sendBackReason"], MaxLength.TEXT, required=True,
                          multiline=True, undrawable=undrawable, printed_on=_ON_CHECKLIST)  # in the record
    if verdict == SupervisorVerdict.SIGN:
        return [] if confirmed is True else [f"{SIGN['signatureConfirmed']}: 签字须勾选此项 / tick it to sign"]
    return [f"{SIGN['supervisorVerdict']}: 请选择签字确认或退回 / choose to sign or to send back"]
