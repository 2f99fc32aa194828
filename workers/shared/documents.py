"""Bilingual PDF documents (Chinese first) every process files: font, styles, cells and tables.

The font is WenQuanYi Micro Hei from the Debian package fonts-wqy-microhei, embedded (as a subset)
so the Chinese renders anywhere and its text can be extracted. Rendering is deterministic
(reportlab's invariant mode): the same content gives the same bytes, so a retried archive step
produces copies identical to those a crashed attempt already stored.

Every text is wrapped here, by Chinese line-breaking rules (`break_lines`): no line starts with a
closing mark such as ，。、；：？！）」』》 and none ends with an opening one such as （「『《, and a Latin
word is not split. reportlab's own CJK wrapping knows neither the full-width comma nor the
opening marks, and cuts English words anywhere.

Times are printed in the company's time zone, Chinese first (`local_time`: 2026年12月1日 08:48).
"""

from __future__ import annotations

import io
from datetime import date, datetime, tzinfo
from functools import lru_cache, partial
from pathlib import Path
from typing import Any, Callable
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import CondPageBreak, Flowable, Paragraph, SimpleDocTemplate, Table, TableStyle

CJK_FONT_FILE = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
CJK_FONT_PACKAGE = "fonts-wqy-microhei"
SECTION_START = 35 * mm  # a heading and the first rows under it


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

    def text(self, text: str, style: ParagraphStyle | None = None) -> WrappedText:
        """Plain text as a paragraph, body style unless another is given; a newline starts a new line."""
        return self.lines(text.split("\n"), style)

    def lines(self, lines: list[str], style: ParagraphStyle | None = None) -> WrappedText:
        return WrappedText([ensure_drawable(line, self.font_file) for line in lines], style or self.body)

    def section(self, title: str) -> list[Flowable]:
        """A section's heading, on the next page when too little of this one is left for it and the
        start of what it heads (reportlab's keepWithNext would move a long table whole, leaving a
        page blank)."""
        return [CondPageBreak(SECTION_START), self.text(title, self.heading)]

    def two_lines(self, label: str) -> WrappedText:
        """'中文 / English' with the English on its own line, where a narrow cell reads best."""
        return self.lines(label.split(" / "))


# Chinese line-breaking rules (GB/T 15834 and common typesetting practice, 避头尾): marks that close
# or follow what they belong to never start a line, marks that open never end one.
CANNOT_START_LINE = frozenset("，。、；：？！）」』》〉】〕〗｝］’”…‰℃,.;:?!)]}%")
CANNOT_END_LINE = frozenset("（「『《〈【〔〖｛［‘“([{")


def _is_space(char: str) -> bool:
    return char.isspace()


def _is_wide(char: str) -> bool:
    """CJK ideographs, kana, Hangul and the full-width punctuation: a line may break beside them."""
    return ord(char) >= 0x2E80


# Inside a Latin run, a path, an id or a hyphenated word may break after these (a path's \ or /).
BREAK_AFTER_IN_WORD = frozenset("/\\-")


def may_break_between(before: str, after: str) -> bool:
    """Whether a line may end after `before` when `after` follows it."""
    if _is_space(after) or after in CANNOT_START_LINE or before in CANNOT_END_LINE:
        return False
    if _is_space(before) or before in BREAK_AFTER_IN_WORD:
        return True
    return _is_wide(before) or _is_wide(after)  # two Latin characters are one word: never split


def break_lines(text: str, width: float, font_name: str, font_size: float) -> list[str]:
    """`text` as the lines it fills at `width` points, by the Chinese rules; newlines are kept.

    A line is cut at its last allowed break; one with none (a long id or hash) is cut where it is
    full, moved back a character or two if that would start a line with a closing mark."""
    measure = partial(_char_width, font_name=font_name, font_size=font_size)
    return [line for paragraph in text.split("\n") for line in _fill(paragraph, width, measure)]


def _fill(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    lines: list[str] = []
    start = 0
    while True:
        start = _skip_spaces(text, start) if lines else start
        end = _line_end(text, start, width, measure)
        lines.append(text[start:end].rstrip())
        if end >= len(text):
            return lines
        start = end


def _line_end(text: str, start: int, width: float, measure: Callable[[str], float]) -> int:
    """Where the line starting at `start` ends (exclusive): len(text) if the rest fits."""
    used, last_break = 0.0, start
    for i in range(start, len(text)):
        char = text[i]
        if i > start and may_break_between(text[i - 1], char):
            last_break = i
        used += measure(char)
        if used > width and i > start and not _is_space(char):  # spaces may hang: they are stripped
            return last_break if last_break > start else _forced_cut(text, start, i)
    return len(text)


def _forced_cut(text: str, start: int, full_at: int) -> int:
    cut = full_at
    while cut - 1 > start and (text[cut] in CANNOT_START_LINE or text[cut - 1] in CANNOT_END_LINE):
        cut -= 1
    return cut


def _skip_spaces(text: str, index: int) -> int:
    while index < len(text) and _is_space(text[index]):
        index += 1
    return index


@lru_cache(maxsize=8192)
def _char_width(char: str, font_name: str, font_size: float) -> float:
    # reportlab's TrueType fonts have no kerning: a line is as wide as the sum of its characters.
    return pdfmetrics.stringWidth(char, font_name, font_size)


class WrappedText(Flowable):
    """Lines of plain text wrapped by `break_lines` at the width the frame or table cell gives, then
    drawn as a reportlab paragraph that breaks only there."""

    def __init__(self, lines: list[str], style: ParagraphStyle) -> None:
        super().__init__()
        self.source = lines
        self.style = style
        # reportlab only lays out the lines break_lines made: its own CJK pass would redo the work
        # character by character, several times per table cell (five times slower in all).
        self._laid_out_style = ParagraphStyle(f"{style.name}-laid-out", parent=style, wordWrap=None)
        self._at_width: dict[float, tuple[Paragraph, tuple[float, float]]] = {}
        self._paragraph: Paragraph | None = None

    def laid_out_lines(self, width: float) -> list[str]:
        style = self.style
        return [line for text in self.source for line in break_lines(text, width, style.fontName, style.fontSize)]

    def _paragraph_at(self, width: float) -> Paragraph:
        return Paragraph("<br/>".join(escape(line) for line in self.laid_out_lines(width)), self._laid_out_style)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803 (reportlab's names)
        if availWidth not in self._at_width:  # a table asks each cell's size at one width several times
            paragraph = self._paragraph_at(availWidth)
            self._at_width[availWidth] = paragraph, paragraph.wrap(availWidth, availHeight)
        self._paragraph, (self.width, self.height) = self._at_width[availWidth]
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Any]:  # noqa: N803
        # A table splits a tall cell at its column's width but lays it out inside the padding: the
        # lines must stay those of the width it was wrapped at, or each comes out too long for it.
        width = min(availWidth, self.width) if self._paragraph is not None else availWidth
        return self._paragraph_at(width).split(width, availHeight)

    def getSpaceBefore(self) -> float:  # noqa: N802
        return self.style.spaceBefore

    def getSpaceAfter(self) -> float:  # noqa: N802
        return self.style.spaceAfter

    def draw(self) -> None:
        assert self._paragraph is not None, "reportlab wraps a flowable before drawing it"
        self._paragraph.drawOn(self.canv, 0, 0)


def local_date(day: date) -> str:
    """A date as Chinese readers write it: 2026年12月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


def local_time(moment: datetime, zone: tzinfo) -> str:
    """An instant in the company's time zone, Chinese first, to the minute: 2026年12月1日 08:48."""
    local = moment.astimezone(zone)
    return f"{local_date(local.date())} {local:%H:%M}"


# What Chinese readers call the zones a company in China may run on; any other is shown by its name.
_ZONE_NAMES_ZH = {"Asia/Shanghai": "北京时间", "Asia/Hong_Kong": "香港时间", "Asia/Macau": "澳门时间",
                  "Asia/Taipei": "台北时间"}


def zone_label(zone: tzinfo, at: datetime) -> str:
    """The time zone as a reader checks it: 北京时间 Asia/Shanghai (UTC+08:00)."""
    offset = at.astimezone(zone).strftime("%z")
    named = _ZONE_NAMES_ZH.get(str(zone))
    return f"{named + ' ' if named else ''}{zone} (UTC{offset[:3]}:{offset[3:]})"


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
    """A gridded table; a header row repeats on every page, and a row taller than what is left of a
    page (a description of 2,000 characters is) continues on the next instead of stopping the PDF."""
    result = Table(cells, colWidths=[w * mm for w in widths_mm], repeatRows=1 if header else 0, splitInRow=1)
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
