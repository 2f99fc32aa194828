"""The signed 《工作交接清单》 as a PDF (policy §3.2 step 5): bilingual, Chinese first, built from the
shared document parts (`workers.shared.documents`), every time in the company's time zone."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from workers.processes.work_handover.checklist import ChecklistItem, Party, SignatureRole
from workers.processes.work_handover.document import NamedDepartment, WorkHandoverChecklist
from workers.processes.work_handover.variables import Question, ReturnedBy, ReturnedRound
from workers.shared.archive import CONTENT_HASH_DEFINITION
from workers.shared.documents import (
    CJK_FONT_FILE,
    FontMissingError,
    Styles,
    WrappedText,
    local_date,
    local_time,
    render_pdf,
    table,
    zone_label,
)

__all__ = ["FontMissingError", "render_checklist_pdf"]

TITLE = "工作交接清单 / Work Hand-over Checklist"
TRIPLICATE_NOTE = (
    "一式三份：交接人、接收人各执一份，一份归档。 / "
    "In triplicate: one copy for the person handing over, one for the receiver, one archived."
)
NO_ARRANGEMENTS = "预告未写明 / none given in the notice"
NOT_ANSWERED = "未答复 / not answered"
NO_ROUNDS = "清单未被退回，一次核对通过。 / The checklist was never returned: verified in the first round."


def render_checklist_pdf(checklist: WorkHandoverChecklist, *, font_file: Path = CJK_FONT_FILE) -> bytes:
    """The checklist as an A4 PDF: company, parties and their departments, the notice, every item, the
    verification record, who signed when, the process instance and the content SHA-256
    (`WorkHandoverChecklist.content_sha256`)."""
    styles = Styles(font_file)
    return render_pdf(
        [
            styles.text(checklist.company, styles.heading),
            styles.text(TITLE, styles.title),
            _parties_table(checklist, styles),
            Spacer(0, 5 * mm),
            *styles.section("交接事项 / Items handed over"),
            _items_table(checklist.items, styles),
            Spacer(0, 5 * mm),
            *styles.section("核对记录 / Verification record"),
            *_verification_record(checklist, styles),
            Spacer(0, 5 * mm),
            *styles.section("交接确认 / Confirmation (sign-off)"),
            _signatures_table(checklist, styles),
            Spacer(0, 5 * mm),
            styles.text(TRIPLICATE_NOTE),
            Spacer(0, 3 * mm),
            styles.text(f"内容 SHA-256 / Content SHA-256: {checklist.content_sha256()}", styles.small),
            styles.text(CONTENT_HASH_DEFINITION, styles.small),
        ],
        title=TITLE, subject=f"process instance {checklist.process_instance_id}",
    )


def _parties_table(checklist: WorkHandoverChecklist, styles: Styles) -> Table:
    rows = [
        ("流程实例 / Process instance", checklist.process_instance_id),
        ("交接人 / Person handing over", _person(checklist.giver)),
        ("交接人部门 / Department handing over", _department(checklist.giver_department)),
        ("接收人 / Receiver", _person(checklist.receiver)),
        ("接收部门 / Receiving department", _department(checklist.receiving_department)),
        ("监交人 / Hand-over supervisor", _person(checklist.supervisor)),
        ("交接原因 / Reason", checklist.reason.label),
        ("预告日期 / Notice date", local_date(checklist.notice_date)),
        ("计划交接日期 / Planned hand-over date", local_date(checklist.planned_date)),
        ("交接期间工作安排 / Arrangements (as the notice said)", checklist.arrangements or NO_ARRANGEMENTS),
        ("时区 / Time zone (all times)", zone_label(checklist.zone, _first_time(checklist))),
    ]
    return table([[styles.two_lines(k), styles.text(v)] for k, v in rows], [65, 115], header=False)


def _items_table(items: list[ChecklistItem], styles: Styles) -> Table:
    header = ["序号 / No.", "类别 / Category", "说明 / Description", "存放位置 / Location", "备注 / Details"]
    rows = [
        [styles.text(str(n)), styles.two_lines(item.category.label), styles.text(item.description),
         styles.text(item.location), _details(item, styles)]
        for n, item in enumerate(items, start=1)
    ]
    return table([[styles.two_lines(text) for text in header], *rows], [12, 41, 54, 36, 37], header=True)


def _verification_record(checklist: WorkHandoverChecklist, styles: Styles) -> list[Flowable]:
    """Each return of the checklist to the giver, oldest first: who returned it when, and why."""
    if not checklist.rounds:
        return [styles.text(NO_ROUNDS)]
    record: list[Flowable] = []
    for returned in checklist.rounds:
        parts: list[Flowable] = [styles.lines(_round_lines(checklist, returned)), Spacer(0, 1 * mm)]
        if returned.questions:
            parts.append(_questions_table(returned.questions, styles))
        if returned.reason:
            parts.append(styles.text(f"退回原因 / Reason: {returned.reason}"))
        record += [KeepTogether(parts), Spacer(0, 3 * mm)]  # a round's heading stays with its questions
    return record


def _round_lines(checklist: WorkHandoverChecklist, returned: ReturnedRound) -> list[str]:
    by = checklist.receiver if returned.returned_by is ReturnedBy.RECEIVER else checklist.supervisor
    role_zh, role_en = SignatureRole(returned.returned_by.value).label.split(" / ")
    when = local_time(returned.at, checklist.zone)
    return [f"第 {returned.round} 轮：{role_zh} {by.name} 于 {when} 退回交接人",
            f"Round {returned.round}: returned to the person handing over by the {role_en.lower()}, {by.name}"]


def _questions_table(questions: list[Question], styles: Styles) -> Table:
    header = ["序号 / No.", "说明 / Description", "接收人的疑问 / Receiver's question", "交接人的答复 / Answer"]
    rows = [
        [styles.text(str(q.item)), styles.text(q.description or ""), styles.text(q.question),
         styles.text(q.answer or NOT_ANSWERED)]
        for q in questions
    ]
    return table([[styles.two_lines(text) for text in header], *rows], [12, 48, 60, 60], header=True)


def _signatures_table(checklist: WorkHandoverChecklist, styles: Styles) -> Table:
    header = ["角色 / Role", "签字人 / Signed by", "签字时间 / Signed at"]
    rows = []
    for role in SignatureRole:
        signature = checklist.signature(role)
        if signature is None:
            rows.append([role.label, "未签字 / not signed", ""])
        else:
            rows.append([role.label, _person(signature.signed_by), local_time(signature.signed_at, checklist.zone)])
    cells = [[styles.two_lines(text) for text in header]]
    cells += [[styles.two_lines(label), styles.text(who), styles.text(when)] for label, who, when in rows]
    return table(cells, [60, 65, 55], header=True)


def _details(item: ChecklistItem, styles: Styles) -> WrappedText:
    details = [
        ("联系人 / Contact", item.contact),
        ("资产编号 / Asset no.", item.asset_number),
        ("任务 / Task", item.camunda_task_id),
    ]
    return styles.lines([f"{label}: {value}" for label, value in details if value])


def _first_time(checklist: WorkHandoverChecklist) -> datetime:
    """An instant the document prints, for the zone's offset (the same all year in China, not
    everywhere): the first signature, else the day of the notice."""
    times = [s.signed_at for s in checklist.signatures] + [r.at for r in checklist.rounds]
    return min(times) if times else datetime.combine(checklist.notice_date, datetime.min.time(), checklist.zone)


def _person(person: Party) -> str:
    return f"{person.name} ({person.id})"


def _department(department: NamedDepartment) -> str:
    return f"{department.name} ({department.id})"
