"""What a Camunda Form lets a person type, read from the form JSON, and the hostile submissions
hypothesis builds from it: wrong types, missing and extra fields, huge and empty strings, mixed
scripts, right-to-left text, emoji, NUL, HTML and script payloads, negative and enormous numbers,
dates in the past (a hand-over before its notice)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

NASTY_TEXT = ["", " ", "x" * 100_000, "交接 hand-over передача تسليم", "\u202eRTL override\u202c مرحبا",
              "📦🧑‍💻🇨🇳", "a\x00b", "<b>bold</b>", "<script>alert(1)</script>", "'; DROP TABLE ACT_RU_TASK; --",
              "{{ 7*7 }} ${7*7}", "\ud7ff\ue000"]
NASTY_NUMBERS = [-1, 0, -10**30, 10**40, 1e308, -1e308, 0.5]
EXTRA_FIELDS = ["supervisorId", "initiator", "giverId", "noticeSubmittedAt", "crossdeptExtra"]


@dataclass(frozen=True)
class Field:
    key: str
    type: str
    options: tuple[str, ...] = ()
    columns: tuple["Field", ...] = ()  # a dynamic list's row fields


def writable_fields(form: Path) -> list[Field]:
    return _fields(json.loads(form.read_text(encoding="utf-8"))["components"])


def _fields(components: list[dict[str, Any]]) -> list[Field]:
    found = []
    for component in components:
        if component.get("readonly") or component.get("disabled"):
            continue
        if component["type"] == "dynamiclist":
            found.append(Field(component["path"], "dynamiclist", columns=tuple(_fields(component["components"]))))
        elif component.get("key"):
            options = tuple(v["value"] for v in component.get("values", []))
            found.append(Field(component["key"], component["type"], options))
        else:
            found += _fields(component.get("components", []))
    return found


def nasty_value(field: Field) -> st.SearchStrategy[Any]:
    wrong = st.one_of(st.sampled_from(NASTY_TEXT), st.sampled_from(NASTY_NUMBERS), st.booleans(), st.none(),
                      st.just(["a", 1]), st.just({"nested": "<script>"}), st.text(max_size=40))
    if field.type == "dynamiclist":
        row = st.fixed_dictionaries({}, optional={c.key: st.one_of(nasty_value(c), _plausible(c))
                                                  for c in field.columns})
        return st.one_of(wrong, st.lists(row, max_size=4))
    return st.one_of(wrong, _plausible(field))


def _plausible(field: Field) -> st.SearchStrategy[Any]:
    if field.options:
        return st.sampled_from(field.options)
    if field.type == "number":
        return st.integers(min_value=-10**6, max_value=10**6)
    if field.type == "checkbox":
        return st.booleans()
    if field.type == "datetime":  # the past as well: a hand-over planned before its notice
        return st.integers(-400, 400).map(lambda days: (date.today() + timedelta(days=days)).isoformat())
    return st.text(max_size=60)


def submissions(fields: list[Field]) -> st.SearchStrategy[dict[str, Any]]:
    """Any subset of the form's fields (missing ones), hostile values, sometimes extra fields."""
    return st.fixed_dictionaries({}, optional={
        **{f.key: nasty_value(f) for f in fields},
        **{name: st.sampled_from(NASTY_TEXT[3:6]) for name in EXTRA_FIELDS if name not in {f.key for f in fields}},
    })


def as_form_submit(values: dict[str, Any]) -> dict[str, Any]:
    """As Tasklist's Camunda Forms submit: lists and objects as Json, the rest untyped."""
    return {name: ({"type": "Json", "value": json.dumps(value, ensure_ascii=False)}
                   if isinstance(value, (list, dict)) else {"value": value}) for name, value in values.items()}
