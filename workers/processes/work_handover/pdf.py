"""The signed 《工作交接清单》 as a PDF (policy §3.2 step 5): bilingual, Chinese first.

The font is WenQuanYi Micro Hei from the Debian package fonts-wqy-microhei, embedded (as a subset)
so the Chinese renders anywhere and its text can be extracted. Rendering is deterministic
(reportlab's invariant mode): the same checklist gives the same bytes, so a retried archive step
produces copies identical to those a crashed attempt already stored.
"""

from __future__ import annotations

import io
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from workers.processes.work_handover.checklist import (
    CONTENT_HASH_DEFINITION,
    ChecklistItem,
    Person,
    SignatureRole,
    WorkHandoverChecklist,
)

CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
TITLE = "工作交接清单 / Work Hand-over Checklist"
TRIPLICATE_NOTE = (
    "一式三份：交接人、接收人各执一份，一份归档。 / "
    "In triplicate: one copy for the person handing over, one for the receiver, one archived."
)


class FontMissingError(RuntimeError):
    """The CJK font is not installed: a technical failure an operator fixes with apt-get."""


def render_checklist_pdf(checklist: WorkHandoverChecklist, *, font_file: Path = CJK_FONT_FILE) -> bytes:
    """The checklist as an A4 PDF: parties, every item, who signed when, the process instance and
    the checklist's content SHA-256 (`WorkHandoverChecklist.content_sha256`)."""
    font = _register_font(font_file)
    styles = _Styles(font)
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=A4,
        invariant=1,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=TITLE,
        subject=f"process instance {checklist.process_instance_id}",
        creator="crossdept",
    )
    doc.build(
        [
            Paragraph(escape(TITLE), styles.title),
            _parties_table(checklist, styles),
            Spacer(0, 5 * mm),
            Paragraph("交接事项 / Items handed over", styles.heading),
            _items_table(checklist.items, styles),
            Spacer(0, 5 * mm),
            Paragraph("交接确认 / Confirmation (sign-off)", styles.heading),
            _signatures_table(checklist, styles),
            Spacer(0, 5 * mm),
            Paragraph(escape(TRIPLICATE_NOTE), styles.body),
            Spacer(0, 3 * mm),
            Paragraph(escape(f"内容 SHA-256 / Content SHA-256: {checklist.content_sha256()}"), styles.small),
            Paragraph(escape(CONTENT_HASH_DEFINITION), styles.small),
        ]
    )
    return out.getvalue()


def _register_font(font_file: Path) -> str:
    name = f"CJK-{font_file.stem}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if not font_file.is_file():
        raise FontMissingError(
            f"the Chinese font {font_file} is missing, so the hand-over checklist cannot be rendered; "
            f"install the Debian package {CJK_FONT_PACKAGE} (apt-get install {CJK_FONT_PACKAGE})"
        )
    subfont = {"subfontIndex": 0} if font_file.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(name, str(font_file), **subfont))
    return name


class _Styles:
    def __init__(self, font: str) -> None:
        self.title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4 * mm)
        self.heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceAfter=2 * mm)
        self.body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
        self.small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9, wordWrap="CJK")


def _cell(text: str, styles: _Styles) -> Paragraph:
    return Paragraph(escape(text), styles.body)


def _parties_table(checklist: WorkHandoverChecklist, styles: _Styles) -> Table:
    rows = [
        ("流程实例 / Process instance", checklist.process_instance_id),
        ("交接人 / Person handing over", _person(checklist.giver)),
        ("接收人 / Receiver", _person(checklist.receiver)),
        ("监交人 / Hand-over supervisor", _person(checklist.supervisor)),
        ("交接原因 / Reason", checklist.reason.label),
        ("计划交接日期 / Planned hand-over date", checklist.planned_date.isoformat()),
    ]
    return _table([[_cell(k, styles), _cell(v, styles)] for k, v in rows], [65 * mm, 115 * mm], header=False)


def _items_table(items: list[ChecklistItem], styles: _Styles) -> Table:
    header = ["序号 / No.", "类别 / Category", "说明 / Description", "存放位置 / Location", "备注 / Details"]
    rows = [
        [_cell(str(n), styles), _two_lines(item.category.label, styles), _cell(item.description, styles),
         _cell(item.location, styles), _details(item, styles)]
        for n, item in enumerate(items, start=1)
    ]
    cells = [[_cell(text, styles) for text in header], *rows]
    return _table(cells, [12 * mm, 41 * mm, 54 * mm, 36 * mm, 37 * mm], header=True)


def _signatures_table(checklist: WorkHandoverChecklist, styles: _Styles) -> Table:
    header = ["角色 / Role", "签字人 / Signed by", "签字时间 (UTC) / Signed at (UTC)"]
    rows = []
    for role in SignatureRole:
        signature = checklist.signature(role)
        if signature is None:
            rows.append([role.label, "未签字 / not signed", ""])
        else:
            when = signature.signed_at.strftime("%Y-%m-%d %H:%M:%S")
            rows.append([role.label, _person(signature.signed_by), when])
    cells = [[_cell(text, styles) for text in row] for row in [header, *rows]]
    return _table(cells, [60 * mm, 65 * mm, 55 * mm], header=True)


def _two_lines(label: str, styles: _Styles) -> Paragraph:
    """'中文 / English' with the English on its own line: CJK wrapping would split its words."""
    return Paragraph(" /<br/>".join(escape(part) for part in label.split(" / ")), styles.body)


def _details(item: ChecklistItem, styles: _Styles) -> Paragraph:
    details = [
        ("联系人 / Contact", item.contact),
        ("资产编号 / Asset no.", item.asset_number),
        ("任务 / Task", item.camunda_task_id),
    ]
    lines = [escape(f"{label}: {value}") for label, value in details if value]
    return Paragraph("<br/>".join(lines), styles.body)


def _person(person: Person) -> str:
    return f"{person.name} ({person.id})"


def _table(cells: list[list[Paragraph]], widths: list[float], *, header: bool) -> Table:
    table = Table(cells, colWidths=widths, repeatRows=1 if header else 0)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    table.setStyle(TableStyle(style))
    return table
