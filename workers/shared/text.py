"""What a person may type into any process: one set of length limits and character rules.

Every first check of a form (the hand-over's notice, checklist, verification and send-back, the
delegation, the responsibility review) names its problems through `check_text`, so the same field
kind has the same limit everywhere and the message reads the same: the form's label (Chinese
first), the variable's key, the rule. The limits are far below the engine's 4,000-character String
column, and the forms set the same `validate.maxLength`, so Tasklist tells the person before
submitting.
"""

from __future__ import annotations

import unicodedata
from enum import IntEnum
from typing import Any, Callable, Iterable, Mapping


class MaxLength(IntEnum):
    """Characters per kind of field (what fits on a checklist line or in a mail, not a column)."""

    ID = 64  # a user, department or task id
    CODE = 40  # an asset number: the text on the asset's label
    LINE = 200  # a name, a location, a contact, a work item: one line of a table
    TEXT = 2000  # a description, a question, a reason, arrangements: a paragraph


MAX_ROWS = 200  # rows of a list a person fills in (checklist, verification, responsibilities)

# Characters that are never text: controls (NUL and friends) other than the line breaks and tabs a
# textarea sends, surrogates, private-use and unassigned code points, and the bidi embeddings,
# overrides and isolates that make a text read differently from what it contains.
_LINE_BREAKS = frozenset("\n\r\t")
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_NOT_TEXT = frozenset({"Cc", "Cs", "Co", "Cn"})

Undrawable = Callable[[str], list[str]]  # the characters of a text a document's font cannot draw


def codepoint(char: str) -> str:
    return f"U+{ord(char):04X}"


def _shown(char: str) -> str:
    """A character as a message can show it: controls and invisibles by code point only."""
    printable = unicodedata.category(char)[0] not in "CZ"
    return f"{char} ({codepoint(char)})" if printable else codepoint(char)


def _kind(value: Any) -> str:
    names = {list: "列表 / a list", dict: "对象 / an object", bool: "是否值 / a yes/no value",
             int: "数字 / a number", float: "数字 / a number"}
    return next((name for kind, name in names.items() if isinstance(value, kind)), type(value).__name__)


def forbidden_characters(text: str, *, multiline: bool) -> list[str]:
    """The characters of `text` that are not text, in order, each once."""
    allowed = _LINE_BREAKS if multiline else frozenset()
    found = [c for c in text if c not in allowed
             and (unicodedata.category(c) in _NOT_TEXT or c in _BIDI_CONTROLS)]
    return list(dict.fromkeys(found))


Where = tuple[str, str]  # the row, Chinese and English: ("第 2 项 ", "item 2 ")


def row(number: int, zh: str = "项", en: str = "item") -> Where:
    return f"第 {number} {zh} ", f"{en} {number} "


def field_name(label: str, key: str, where: Where = ("", "")) -> str:
    """`第 2 项 说明 / item 2 description`: the row and the form's label, then the row and the key; a
    bilingual label ("说明 / Description", as the form shows it) names the field by its label in
    both languages, without the key staff never see."""
    zh, bilingual, en = label.partition(" / ")
    return f"{where[0]}{zh} / {where[1]}{en if bilingual else key}"


def check_text(
    value: Any,
    key: str,
    label: str,
    max_len: int,
    *,
    where: Where = ("", ""),
    required: bool = False,
    multiline: bool = False,
    undrawable: Undrawable | None = None,
    printed_on: str = "文件上 / on the document",
) -> list[str]:
    """Every problem of one typed value, each a bilingual line naming the field; empty when fine.

    None and "" are absent (a form sends an empty field as either); `undrawable`, for a field that
    is printed, names the characters its document's font cannot draw.
    """
    name = field_name(label, key, where)
    if value is None or (isinstance(value, str) and not value.strip()):
        return [f"{name}: 必填 / is required"] if required else []
    if not isinstance(value, str):
        return [f"{name}: 须为文字，收到{_kind(value)} / must be text"]
    problems = []
    if len(value) > max_len:
        problems.append(f"{name}: 不能超过 {max_len} 个字符（现有 {len(value)} 个） / "
                        f"must be at most {max_len} characters (has {len(value)})")
    bad = forbidden_characters(value, multiline=multiline)
    if bad:
        problems.append(f"{name}: 含有不允许的控制字符 {', '.join(map(codepoint, bad[:5]))} / "
                        "contains control characters that are not text")
    if undrawable and not bad:
        zh_where, en_where = printed_on.split(" / ")
        problems += [f"{name}: 字符 {_shown(c)} 无法打印在{zh_where} / cannot be printed {en_where}"
                     for c in undrawable(value)[:5]]
    return problems


Field = tuple[str, str, int, bool]  # key, the form's Chinese label, max length, multiline (a textarea)


def check_fields(values: Mapping[str, Any], fields: Iterable[Field], *, undrawable: Undrawable | None = None,
                 printed_on: str = "文件上 / on the document") -> list[str]:
    """`check_text` for each of a form's typed fields, as the form delivered them (by key); with
    `undrawable` when the fields are printed on a document."""
    return all_problems(check_text(values.get(key), key, label, limit, multiline=multiline,
                                   undrawable=undrawable, printed_on=printed_on)
                        for key, label, limit, multiline in fields)


def check_rows(rows: Any, key: str, label: str) -> list[str]:
    """The list itself, when it is one: a list of at most MAX_ROWS rows (each row has its own rules)."""
    if rows is None:
        return []
    if not isinstance(rows, list):
        return [f"{field_name(label, key)}: 须为列表，收到{_kind(rows)} / must be a list of rows"]
    if len(rows) > MAX_ROWS:
        return [f"{field_name(label, key)}: 不能超过 {MAX_ROWS} 项（现有 {len(rows)} 项） / "
                f"must have at most {MAX_ROWS} rows (has {len(rows)})"]
    return []


def clipped(text: str, max_len: int, *, note: str = "…（已截断 / cut）") -> str:
    """A text cut to `max_len` characters, saying so: for a field no step can send back."""
    return text if len(text) <= max_len else text[: max_len - len(note)] + note


MAX_PROBLEMS_SHOWN = 20  # a rejection message stays readable, and far below the String column


def rejection_message(problems: list[str]) -> str:
    """The problems as the form's rejection message: the first MAX_PROBLEMS_SHOWN, and how many more."""
    shown = problems[:MAX_PROBLEMS_SHOWN]
    more = len(problems) - len(shown)
    return "\n".join(shown + ([f"……另有 {more} 个问题 / … and {more} more problems"] if more else []))


def all_problems(checks: Iterable[list[str]]) -> list[str]:
    return [problem for problems in checks for problem in problems]
