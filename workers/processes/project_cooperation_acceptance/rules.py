"""The policy's rules for acceptance and project assessment, as pure functions (no engine).

Policy §3.1 step 5: the initiating department checks every acceptance criterion of the agreement;
a failed criterion is rectified (整改) by the department responsible for it, and acceptance repeats
until every criterion passes. §5: after the project each involved department is assessed on goal
completion, quality, schedule, cost control and teamwork by the PMO and by the other involved
departments; nobody assesses their own department.
"""

from __future__ import annotations

from typing import Any

from workers.processes.project_cooperation_acceptance.labels import ASSESS, CHECK, RECTIFY
from workers.processes.project_cooperation_acceptance.variables import (
    AcceptanceRound,
    AcceptanceRow,
    Agreement,
    AssessmentRow,
    Judgement,
    Rectification,
    Verdict,
)
from workers.shared.organisation.model import Organisation
from workers.shared.text import MaxLength, check_rows, check_text, field_name, row

SCORES = ("goal", "quality", "schedule", "cost", "teamwork")


def department_label(org: Organisation, department_id: str) -> str:
    """`销售部 / Sales`; a department dropped from the organisation since keeps its id."""
    department = org.departments_by_id.get(department_id)
    return f"{department.name_zh} / {department.name_en}" if department else department_id


# --- acceptance ----------------------------------------------------------------------------------
def first_rows(agreement: Agreement, org: Organisation) -> list[AcceptanceRow]:
    """Every criterion of the agreement, in its order, not yet judged."""
    return [AcceptanceRow(criterion_id=c.id, criterion=c.criterion, department=department_label(org, c.department))
            for c in agreement.acceptance_criteria]


# The project's name, itself bilingual, comes once after the bilingual label (as the approval
# block's subjects do: 合作协议会签 / Agreement countersign：<project>).
def acceptance_task_name(round_: int, project_name: str) -> str:
    return f"项目验收（第 {round_} 轮） / Acceptance (round {round_})：{project_name}"


def rectification_task_name(round_: int, project_name: str) -> str:
    return f"整改（第 {round_} 轮验收） / Rectification (acceptance round {round_})：{project_name}"


def assessment_task_name(project_name: str) -> str:
    return f"项目考核 / Project assessment：{project_name}"


def judge(agreement: Agreement, submitted: Any) -> tuple[list[Judgement], list[str]]:
    """The acceptor's verdict on every criterion, in the agreement's order, or every problem by row
    and field: a criterion without a verdict, a failed one without a note, a row that is not one of
    the agreement's criteria."""
    label = CHECK["acceptanceRows"]
    problems = check_rows(submitted, "acceptanceRows", label)
    if problems:
        return [], problems
    if not submitted:
        return [], [f"{field_name(label, 'acceptanceRows')}: 必填，每条验收标准一行 / required, one row per criterion"]
    by_id: dict[str, tuple[int, dict[str, Any]]] = {}
    for number, values in enumerate(submitted, start=1):
        values = values if isinstance(values, dict) else {}
        criterion_id = values.get("criterionId")
        known = any(c.id == criterion_id for c in agreement.acceptance_criteria)
        if not known or criterion_id in by_id:
            problems.append(f"{field_name(label, 'acceptanceRows', row(number, '行', 'row'))}: 不是合作协议中的验收标准"
                            f"（或重复） / is not one of the agreement's criteria (or repeats one)")
            continue
        by_id[criterion_id] = (number, values)
    judgements = []
    for criterion in agreement.acceptance_criteria:
        if criterion.id not in by_id:
            problems.append(f"{field_name(label, 'acceptanceRows')}: 缺少验收标准 {criterion.id} / criterion "
                            f"{criterion.id} is missing")
            continue
        number, values = by_id[criterion.id]
        found, row_problems = _judgement(criterion.id, number, values)
        problems += row_problems
        if found:
            judgements.append(found)
    return judgements, problems


def _judgement(criterion_id: str, number: int, values: dict[str, Any]) -> tuple[Judgement | None, list[str]]:
    where = row(number, "行", "row")
    verdict_name = field_name(CHECK["acceptanceRows.verdict"], "verdict", where)
    notes = values.get("notes")
    problems = check_text(notes, "notes", CHECK["acceptanceRows.notes"], MaxLength.TEXT, where=where, multiline=True)
    try:
        verdict = Verdict(values.get("verdict"))
    except ValueError:
        return None, [f"{verdict_name}: 请选择通过或不通过（{criterion_id}） / choose passed or failed ({criterion_id})",
                      *problems]
    if verdict is Verdict.FAIL and not (isinstance(notes, str) and notes.strip()):
        problems.append(f"{field_name(CHECK['acceptanceRows.notes'], 'notes', where)}: 不通过须说明原因（{criterion_id}） / "
                        f"a failed criterion needs a note saying why ({criterion_id})")
    if problems:
        return None, problems
    return Judgement(criterion_id=criterion_id, verdict=verdict, notes=(notes or "").strip()), []


def failed_by_department(agreement: Agreement, judgements: list[Judgement]) -> dict[str, list[tuple[str, str, str]]]:
    """Responsible department -> its failed criteria (id, criterion, note), in the agreement's order."""
    verdicts = {j.criterion_id: j for j in judgements}
    failed: dict[str, list[tuple[str, str, str]]] = {}
    for criterion in agreement.acceptance_criteria:
        judged = verdicts[criterion.id]
        if judged.verdict is Verdict.FAIL:
            failed.setdefault(criterion.department, []).append((criterion.id, criterion.criterion, judged.notes))
    return failed


def failed_criteria_text(failed: list[tuple[str, str, str]]) -> str:
    return "\n".join(f"{cid} {criterion}\n  验收意见 / Acceptor's note: {note}" for cid, criterion, note in failed)


def rectification_problems(report: Any) -> list[str]:
    return check_text(report, "rectificationReport", RECTIFY["rectificationReport"], MaxLength.TEXT,
                      required=True, multiline=True)


def judged_rows(rows: list[AcceptanceRow], judgements: list[Judgement]) -> list[AcceptanceRow]:
    """The form's rows with the verdicts the acceptor gave (the criterion texts as the instance has them)."""
    verdicts = {j.criterion_id: j for j in judgements}
    return [r.model_copy(update={"verdict": verdicts[r.criterion_id].verdict, "notes": verdicts[r.criterion_id].notes})
            for r in rows]


def next_round_rows(agreement: Agreement, rows: list[AcceptanceRow], rectifications: list[Rectification],
                    round_: AcceptanceRound) -> list[AcceptanceRow]:
    """The next round's form: a passed criterion keeps its verdict, a failed one is judged again and
    shows what its department did."""
    reports = {r.department: r.report for r in rectifications}
    failed = {j.criterion_id for j in round_.judgements if j.verdict is Verdict.FAIL}
    departments = {c.id: c.department for c in agreement.acceptance_criteria}
    return [r.model_copy(update={"verdict": None, "notes": "", "rectification": reports.get(departments[r.criterion_id], "")})
            if r.criterion_id in failed else r.model_copy(update={"rectification": ""})
            for r in rows]


# --- project assessment --------------------------------------------------------------------------
def assessment_plan(involved: list[str], pmo: list[str]) -> dict[str, list[str]]:
    """Assessing department -> the departments it assesses: the PMO and every involved department
    assess every involved department but their own."""
    assessors = list(dict.fromkeys([*pmo, *involved]))
    return {assessor: [d for d in involved if d != assessor] for assessor in assessors
            if any(d != assessor for d in involved)}


def assessment_problems(expected: list[str], submitted: Any) -> tuple[list[AssessmentRow], list[str]]:
    """Every expected department scored 1 to 5 on each indicator, with a comment at most a paragraph;
    rows for any other department (their own, say) refused by row."""
    label = ASSESS["assessmentRows"]
    problems = check_rows(submitted, "assessmentRows", label)
    if problems:
        return [], problems
    rows: list[AssessmentRow] = []
    seen: set[str] = set()
    for number, values in enumerate(submitted or [], start=1):
        values = values if isinstance(values, dict) else {}
        where = row(number, "行", "row")
        department = values.get("departmentId")
        if department not in expected or department in seen:
            problems.append(f"{field_name(label, 'assessmentRows', where)}: 不是应由您考核的部门（本部门不能自评） / "
                            "is not a department you assess (nobody assesses their own department)")
            continue
        seen.add(department)
        row_problems = [p for key in SCORES if (p := _score_problem(values.get(key), key, where))]
        row_problems += check_text(values.get("comment"), "comment", ASSESS["assessmentRows.comment"], MaxLength.TEXT,
                                   where=where, multiline=True)
        problems += row_problems
        if not row_problems:
            rows.append(AssessmentRow.model_validate(values))
    problems += [f"{field_name(label, 'assessmentRows')}: 缺少部门 {d} 的评分 / no scores for department {d}"
                 for d in expected if d not in seen]
    return rows, problems


def _score_problem(value: Any, key: str, where: tuple[str, str]) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value) or not 1 <= value <= 5:
        return f"{field_name(ASSESS['assessmentRows.' + key], key, where)}: 请打 1 至 5 分 / give a score from 1 to 5"
    return None
