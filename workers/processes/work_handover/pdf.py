"""The signed 《工作交接清单》 as a PDF (policy §3.2 step 5): bilingual, Chinese first, built from the
shared document parts (`workers.shared.documents`)."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer, Table

from workers.processes.work_handover.checklist import (
    ChecklistItem,
    Party,
    SignatureRole,
    WorkHandoverChecklist,
)
from workers.shared.archive import CONTENT_HASH_DEFINITION
from workers.shared.documents import CJK_FONT_FILE, FontMissingError, Styles, render_pdf, table

__all__ = ["FontMissingError", "render_checklist_pdf"]

TITLE = "工作交接清单 / Work Hand-over Checklist"
TRIPLICATE_NOTE = (
    "一式三份：交接人、接收人各执一份，一份归档。 / "
    "In triplicate: one copy for the person handing over, one for the receiver, one archived."
)


def render_checklist_pdf(checklist: WorkHandoverChecklist, *, font_file: Path = CJK_FONT_FILE) -> bytes:
    """The checklist as an A4 PDF: parties, every item, who signed when, the process instance and
    the checklist's content SHA-256 (`WorkHandoverChecklist.content_sha256`)."""
    styles = Styles(font_file)
    return render_pdf(
        [
            styles.text(TITLE, styles.title),
            _parties_table(checklist, styles),
            Spacer(0, 5 * mm),
            styles.text("交接事项 / Items handed over", styles.heading),
            _items_table(checklist.items, styles),
            Spacer(0, 5 * mm),
            styles.text("交接确认 / Confirmation (sign-off)", styles.heading),
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
        ("接收人 / Receiver", _person(checklist.receiver)),
        ("监交人 / Hand-over supervisor", _person(checklist.supervisor)),
        ("交接原因 / Reason", checklist.reason.label),
        ("计划交接日期 / Planned hand-over date", checklist.planned_date.isoformat()),
    ]
    return table([[styles.text(k), styles.text(v)] for k, v in rows], [65, 115], header=False)


def _items_table(items: list[ChecklistItem], styles: Styles) -> Table:
    header = ["序号 / No.", "类别 / Category", "说明 / Description", "存放位置 / Location", "备注 / Details"]
    rows = [
        [styles.text(str(n)), styles.two_lines(item.category.label), styles.text(item.description),
         styles.text(item.location), _details(item, styles)]
        for n, item in enumerate(items, start=1)
    ]
    return table([[styles.text(text) for text in header], *rows], [12, 41, 54, 36, 37], header=True)


def _signatures_table(checklist: WorkHandoverChecklist, styles: Styles) -> Table:
    header = ["角色 / Role", "签字人 / Signed by", "签字时间 (UTC) / Signed at (UTC)"]
    rows = []
    for role in SignatureRole:
        signature = checklist.signature(role)
        if signature is None:
            rows.append([role.label, "未签字 / not signed", ""])
        else:
            when = signature.signed_at.strftime("%Y-%m-%d %H:%M:%S")
            rows.append([role.label, _person(signature.signed_by), when])
    return table([[styles.text(text) for text in row] for row in [header, *rows]], [60, 65, 55], header=True)


def _details(item: ChecklistItem, styles: Styles) -> Paragraph:
    details = [
        ("联系人 / Contact", item.contact),
        ("资产编号 / Asset no.", item.asset_number),
        ("任务 / Task", item.camunda_task_id),
    ]
    return styles.lines([f"{label}: {value}" for label, value in details if value])


def _person(person: Party) -> str:
    return f"{person.name} ({person.id})"
