"""通用文档 / The shared document parts: Chinese line-breaking rules on every wrapped text, and times
as a Chinese office reads them. The PDFs are rendered with the Debian font and read back with
pdftotext, line by line, as they are laid out on the page."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from pypdf import PdfReader
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Spacer

from workers.shared.documents import (
    CANNOT_END_LINE,
    CANNOT_START_LINE,
    Styles,
    UndrawableText,
    break_lines,
    local_date,
    local_time,
    register_font,
    render_pdf,
    table,
    zone_label,
)

BEIJING = ZoneInfo("Asia/Shanghai")
CELL_PADDING = 6  # points, each side: reportlab's default for a table cell
# At 9 pt in a 52 mm cell, 15 characters fit on a line: the 16th, where the natural break falls,
# is a full-width comma.
CELL_MM = 52
FITS = 15
CELL_WIDTH = CELL_MM * mm - 2 * CELL_PADDING
PAGE_FITS = 55  # in the 180 mm frame of an A4 page with 15 mm margins
PAGE_PREFIX = "本" * (PAGE_FITS - FITS)
BEFORE_COMMA = "接收人对第二项存放位置提出疑问，交接人已补充说明并更新了存放位置。"
# The 15th character opens a title: it would end the first line.
BEFORE_TITLE = "请接收人于下周三下班之前阅读《采购管理办法》全文并签字确认收到。"


def laid_out_lines(pdf: bytes) -> list[str]:
    """The PDF's text lines as drawn, without the layout's spaces."""
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True, timeout=60).stdout.decode()
    return ["".join(line.split()) for line in text.splitlines() if line.strip()]


def cell_pdf(text: str, width_mm: float = CELL_MM) -> bytes:
    styles = Styles()
    return render_pdf([table([[styles.text(text)]], [width_mm], header=False)], title="t", subject="s")


def paragraph_pdf(text: str) -> bytes:
    """`text` in the page's frame (180 mm, padded like a cell), after as many characters as make its
    natural break fall where it falls in the cell."""
    styles = Styles()
    return render_pdf([styles.text(PAGE_PREFIX + text)], title="t", subject="s")


def test_the_examples_break_where_the_rules_forbid_it_at_this_width() -> None:
    """The examples are what the tests claim: a greedy cut at the cell's width would start a line
    with ， and end one with 《 (so the rule, not luck, keeps the lines below right)."""
    font = register_font()
    assert int(CELL_WIDTH // _width("接", font)) == FITS
    assert BEFORE_COMMA[FITS] == "，"
    assert BEFORE_TITLE[FITS - 1] == "《"
    assert int((180 * mm - 2 * CELL_PADDING) // _width("接", font)) == PAGE_FITS


def _width(char: str, font: str) -> float:
    return stringWidth(char, font, 9)


@pytest.mark.parametrize("text", [BEFORE_COMMA, BEFORE_TITLE])
@pytest.mark.parametrize("render", [cell_pdf, paragraph_pdf], ids=["table cell", "paragraph"])
def test_no_wrapped_line_starts_with_a_closing_mark_or_ends_with_an_opening_one(text: str, render) -> None:
    lines = laid_out_lines(render(text))
    assert len(lines) > 1, f"the text should wrap: {lines}"
    for line in lines:
        assert line[0] not in CANNOT_START_LINE, f"a line starts with {line[0]!r}: {lines}"
        assert line[-1] not in CANNOT_END_LINE, f"a line ends with {line[-1]!r}: {lines}"


def test_wrapping_keeps_every_character_in_order() -> None:
    assert "".join(laid_out_lines(cell_pdf(BEFORE_COMMA))) == BEFORE_COMMA


def test_the_comma_goes_down_with_the_character_before_it() -> None:
    lines = break_lines(BEFORE_COMMA, CELL_WIDTH, register_font(), 9)
    assert lines[0] == BEFORE_COMMA[:FITS - 1]
    assert lines[1].startswith(BEFORE_COMMA[FITS - 1:FITS + 1])  # "问，"


def test_an_english_word_is_not_split_across_lines() -> None:
    lines = break_lines("笔记本电脑 ThinkPad X1 Carbon 已交接", 60, register_font(), 9)
    assert lines == ["笔记本电脑", "ThinkPad X1", "Carbon 已交接"]


def test_an_id_longer_than_the_line_is_cut_where_the_line_is_full() -> None:
    digest = "3f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a"
    lines = break_lines(f"SHA-256: {digest}", 100, register_font(), 9)
    assert lines[0] == "SHA-256:"
    assert "".join(lines[1:]) == digest and len(lines) > 2


def test_a_path_or_an_id_breaks_after_a_separator_rather_than_inside_a_name() -> None:
    font = register_font()
    assert break_lines("共享盘 \\\\fs01\\marketing\\analysis", 60, font, 9) == [
        "共享盘 \\\\fs01\\", "marketing\\", "analysis"]
    assert break_lines("任务 / Task: 7ccfb576-edd5-11f1-8c7c-02fc00000001", 100, font, 9) == [
        "任务 / Task: 7ccfb576-", "edd5-11f1-8c7c-", "02fc00000001"]


def test_a_newline_in_the_text_starts_a_new_line() -> None:
    assert laid_out_lines(cell_pdf("第一行\n第二行", 60)) == ["第一行", "第二行"]


def test_text_the_font_cannot_draw_is_still_refused() -> None:
    with pytest.raises(UndrawableText, match=r"U\+1F600"):
        cell_pdf("交接 😀")


def test_a_utc_time_just_after_midnight_in_beijing_shows_the_beijing_date() -> None:
    assert local_time(datetime(2026, 11, 30, 16, 48, tzinfo=timezone.utc), BEIJING) == "2026年12月1日 00:48"


def test_dates_and_zones_are_written_as_a_chinese_reader_expects() -> None:
    assert local_date(date(2026, 12, 9)) == "2026年12月9日"
    assert zone_label(BEIJING, datetime(2026, 12, 1, tzinfo=timezone.utc)) == "北京时间 Asia/Shanghai (UTC+08:00)"
    assert zone_label(ZoneInfo("Europe/Berlin"), datetime(2026, 7, 1, tzinfo=timezone.utc)) == "Europe/Berlin (UTC+02:00)"


def test_a_heading_moves_to_the_next_page_with_what_it_heads() -> None:
    styles = Styles()
    # The spacer leaves room for the heading but not for the table under it.
    flowables = [Spacer(0, 240 * mm), *styles.section("核对记录 / Verification record"),
                 table([[styles.text("第一行\n第二行\n第三行\n第四行")]] * 4, [60], header=False)]
    pages = PdfReader(io.BytesIO(render_pdf(flowables, title="t", subject="s"))).pages
    assert "核对记录" not in pages[0].extract_text()
    assert "核对记录" in pages[1].extract_text()


def test_a_heading_over_a_long_table_stays_where_it_is_and_the_table_follows() -> None:
    styles = Styles()
    flowables = [Spacer(0, 100 * mm), *styles.section("交接事项 / Items handed over"),
                 table([[styles.text(f"第 {n} 行")] for n in range(1, 121)], [60], header=False)]
    first_page = PdfReader(io.BytesIO(render_pdf(flowables, title="t", subject="s"))).pages[0].extract_text()
    assert "交接事项" in first_page and "第 1 行" in first_page, "a page left blank before a long table"


def test_a_table_row_taller_than_a_page_continues_on_the_next_with_every_character() -> None:
    """A checklist row may hold 2,000 characters (MaxLength.TEXT): in a narrow column that is
    taller than an A4 page, which stopped the whole PDF (reportlab's LayoutError)."""
    styles = Styles()
    text = (BEFORE_COMMA * 60)[:2000]
    pdf = render_pdf([table([[styles.text("第 1 项"), styles.text(text)]], [20, 54], header=False)],
                     title="t", subject="s")
    pages = PdfReader(io.BytesIO(pdf)).pages
    assert len(pages) > 1
    drawn = "".join("".join(page.extract_text().split()) for page in pages)
    assert drawn == "第1项" + text


def test_a_row_continued_on_the_next_page_keeps_the_line_breaking_rules() -> None:
    lines = laid_out_lines(cell_pdf((BEFORE_COMMA * 60)[:2000], width_mm=54))
    assert len(lines) > 80
    assert [line for line in lines if line[0] in CANNOT_START_LINE] == []
    assert max(len(line) for line in lines) <= FITS, "a continued line is as long as the cell allows"
