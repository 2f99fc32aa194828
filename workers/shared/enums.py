"""Enumerations whose members carry the bilingual label people see (forms, mails, PDFs), so a value
and its label are written once, side by side, and no process keeps a value→label table of its own."""

from __future__ import annotations

from enum import StrEnum


class LabelledEnum(StrEnum):
    """A value with its bilingual label, as forms, mails and documents show it: `NAME = value, label`."""

    label: str

    def __new__(cls, value: str, label: str) -> "LabelledEnum":
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member
