"""Bilingual PDF documents (Chinese first) every process files: font, styles, cells and tables.

The font is WenQuanYi Micro Hei from the Debian package fonts-wqy-microhei, embedded (as a subset)
so the Chinese renders anywhere and its text can be extracted. Rendering is deterministic
(reportlab's invariant mode): the same content gives the same bytes, so a retried archive step
produces copies identical to those a crashed attempt already stored.
"""

from __future__ import annotations

import io
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Table, TableStyle

CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK_FONT_PACKAGE = "fonts-wqy-microhei"


class FontMissingError(RuntimeError):
    """The CJK font is not installed: a technical failure an operator fixes with apt-get."""


class UndrawableText(ValueError):
    """Text the font cannot draw: reportlab would leave blank boxes while the record keeps the text,
    so rendering refuses it (the first check of a form rejects such characters, naming the field)."""


# Whitespace a paragraph lays out as space: the font needs no glyph for it.
_LAID_OUT_AS_SPACE = frozenset("\n\r\t")


@lru_cache(maxsize=4)
def _drawable_codepoints(font_file: Path) -> frozenset[int]:
    register_font(font_file)  # the same check that the font is installed, and the same face
    subfont = {"subfontIndex": 0} if font_file.suffix.lower() == ".ttc" else {}
    return frozenset(TTFont("cmap", str(font_file), **subfont).face.charToGlyph)


def undrawable(text: str, font_file: Path = CJK_FONT_FILE) -> list[str]:
    """The characters of `text` the font has no glyph for, in order, each once (emoji, Arabic, ...)."""
    drawable = _drawable_codepoints(font_file)
    return list(dict.fromkeys(c for c in text if ord(c) not in drawable and c not in _LAID_OUT_AS_SPACE))


def ensure_drawable(text: str, font_file: Path = CJK_FONT_FILE) -> str:
    missing = undrawable(text, font_file)
    if missing:
        shown = ", ".join(f"U+{ord(c):04X}" for c in missing[:10])
        raise UndrawableText(f"the font {font_file.name} cannot draw {shown} in {text[:80]!r}; "
                             "the document would show blanks where the record has text")
    return text


class Styles:
    """The paragraph styles of a document in the CJK font."""

    def __init__(self, font_file: Path = CJK_FONT_FILE) -> None:
        font = register_font(font_file)
        self.font_file = font_file
        self.title = ParagraphStyle("title", fontName=font, fontSize=16, leading=22, spaceAfter=4 * mm)
        self.heading = ParagraphStyle("heading", fontName=font, fontSize=12, leading=16, spaceAfter=2 * mm)
        self.body = ParagraphStyle("body", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
        self.small = ParagraphStyle("small", fontName=font, fontSize=7, leading=9, wordWrap="CJK")

    def text(self, text: str, style: ParagraphStyle | None = None) -> Paragraph:
        """Plain text (escaped) as a paragraph, body style unless another is given."""
        return Paragraph(escape(ensure_drawable(text, self.font_file)), style or self.body)

    def lines(self, lines: list[str]) -> Paragraph:
        return Paragraph("<br/>".join(escape(ensure_drawable(line, self.font_file)) for line in lines), self.body)

    def two_lines(self, label: str) -> Paragraph:
        """'中文 / English' with the English on its own line: CJK wrapping would split its words."""
        return self.lines(label.split(" / "))


def register_font(font_file: Path = CJK_FONT_FILE) -> str:
    name = f"CJK-{font_file.stem}"
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    if not font_file.is_file():
        raise FontMissingError(
            f"the Chinese font {font_file} is missing, so documents cannot be rendered; "
            f"install the Debian package {CJK_FONT_PACKAGE} (apt-get install {CJK_FONT_PACKAGE})"
        )
    subfont = {"subfontIndex": 0} if font_file.suffix.lower() == ".ttc" else {}
    pdfmetrics.registerFont(TTFont(name, str(font_file), **subfont))
    return name


def table(cells: list[list[Paragraph]], widths_mm: list[float], *, header: bool) -> Table:
    """A gridded table; a header row repeats on every page."""
    result = Table(cells, colWidths=[w * mm for w in widths_mm], repeatRows=1 if header else 0)
    style: list[tuple[Any, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.whitesmoke))
    result.setStyle(TableStyle(style))
    return result


def render_pdf(flowables: list[Any], *, title: str, subject: str) -> bytes:
    """An A4 PDF with the same bytes for the same content."""
    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out, pagesize=A4, invariant=1,
        leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm, bottomMargin=15 * mm,
        title=title, subject=subject, creator="crossdept",
    )
    doc.build(flowables)
    return out.getvalue()
