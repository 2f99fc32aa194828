"""The approval record as every PDF prints it: a bilingual table 审批记录 / Approval record with one
row per decision, people by name (their id only when the organisation no longer knows them), times in
the company's time zone."""

from __future__ import annotations

from datetime import tzinfo

from reportlab.platypus import Flowable

from workers.shared.approvals.record import ApprovalDecision, Verdict
from workers.shared.documents import Styles, local_time, table
from workers.shared.organisation.model import Organisation

HEADING = "审批记录 / Approval record"
HEADER = ["审批人 / Approver", "代理（代谁审批） / On behalf of", "意见 / Comment", "结论 / Verdict", "时间 / Time"]
WIDTHS_MM = [34, 30, 56, 24, 36]  # the time fits on one line
NO_DECISIONS = "尚无审批意见 / No decisions yet"


def decision_flowables(styles: Styles, title: str, decisions: list[ApprovalDecision], org: Organisation,
                       zone: tzinfo) -> list[Flowable]:
    """A section headed `title` (e.g. '合作协议会签 / Agreement countersign') holding the table, or a
    line saying no decision was made yet."""
    flowables: list[Flowable] = [*styles.section(title)]
    if not decisions:
        return [*flowables, styles.text(NO_DECISIONS)]
    rows = [[styles.two_lines(text) for text in HEADER]]
    rows += [_row(styles, decision, org, zone) for decision in decisions]
    return [*flowables, table(rows, WIDTHS_MM, header=True)]


def _row(styles: Styles, decision: ApprovalDecision, org: Organisation, zone: tzinfo) -> list[Flowable]:
    return [
        styles.text(person_name(org, decision.approver)),
        styles.text(person_name(org, decision.on_behalf_of) if decision.on_behalf_of else ""),
        styles.text(_comment(decision, org)),
        styles.two_lines(decision.verdict.label),
        styles.text(local_time(decision.decided_at, zone)),
    ]


def _comment(decision: ApprovalDecision, org: Organisation) -> str:
    if decision.verdict is Verdict.TRANSFERRED and decision.transferred_to:
        to = person_name(org, decision.transferred_to)
        transfer = f"转交给 {to} / transferred to {to}"
        return f"{transfer}\n{decision.comment}" if decision.comment else transfer
    return decision.comment


def person_name(org: Organisation, person_id: str) -> str:
    """'陈静' for a person the organisation knows, with the department; the bare id otherwise (a
    decision outlives the post: the record must still print)."""
    person = org.people_by_id.get(person_id)
    if person is None:
        return person_id
    department = org.departments_by_id.get(person.department)
    return f"{person.name}（{department.name_zh}）" if department else person.name
