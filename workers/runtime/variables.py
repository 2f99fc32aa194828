"""Camunda typed variables <-> plain Python values.

The engine sends `{"name": {"type": "Integer", "value": 3, "valueInfo": {}}}`; handlers see `{"name": 3}`.
Objects come back from the engine as Json, or as Object in the application/json serialization format
(DMN collect results, for instance); both become dicts and lists here. A File variable (a kept PDF)
comes without its content, which the engine sends only from its `/data` endpoint: it becomes a
`FileVariable` naming the file; Bytes come base64-encoded and become bytes.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from enum import Enum
from typing import Any, Mapping

from pydantic import BaseModel

INT32 = range(-(2**31), 2**31)
# A String variable is one VARCHAR(4000) column in H2 and PostgreSQL (TEXT_, counted in characters);
# a longer str goes as a Json string, which the engine keeps in a byte array without that limit, and
# decodes to the same str.
STRING_COLUMN_CHARS = 4000
# Camunda's REST date format: 2026-11-28T14:32:00.000+0000
CAMUNDA_DATE_FORMAT = "%Y-%m-%dT%H:%M:%S.%f%z"


class VariableTypeError(ValueError):
    """A variable of a type this runtime does not convert; the message names the variable."""


@dataclass(frozen=True)
class FileVariable:
    """A File variable as the engine lists it: its name and type, not its bytes (fetch them from the
    variable's `/data` endpoint)."""

    filename: str | None
    mime_type: str | None
    encoding: str | None


def from_camunda(variables: Mapping[str, Mapping[str, Any]] | None) -> dict[str, Any]:
    return {name: decode_value(name, typed) for name, typed in (variables or {}).items()}


def decode_value(name: str, typed: Mapping[str, Any]) -> Any:
    kind = (typed.get("type") or "Null").lower()
    value = typed.get("value")
    if kind == "file":  # listed without its content, so before the check for a missing value
        info = typed.get("valueInfo") or {}
        return FileVariable(info.get("filename"), info.get("mimeType"), info.get("encoding"))
    if value is None or kind == "null":
        return None
    if kind in ("string", "boolean", "integer", "long", "short"):
        return value
    if kind == "double":
        return float(value)
    if kind == "date":
        return parse_camunda_date(value)
    if kind == "bytes":
        try:
            return base64.b64decode(value, validate=True)
        except (binascii.Error, TypeError) as error:
            raise VariableTypeError(f"variable {name!r} is Bytes but not base64: {error}") from error
    if kind == "json":
        return json.loads(value) if isinstance(value, str) else value
    if kind == "object":
        fmt = (typed.get("valueInfo") or {}).get("serializationDataFormat")
        if fmt == "application/json":
            return json.loads(value) if isinstance(value, str) else value
        raise VariableTypeError(
            f"variable {name!r} is a Java object serialized as {fmt!r}; set the engine's "
            "default-serialization-format to application/json so workers can read it"
        )
    raise VariableTypeError(f"variable {name!r} has type {typed.get('type')!r}, which workers do not read")


def to_camunda(values: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: encode_value(name, value) for name, value in values.items()}


def encode_value(name: str, value: Any) -> dict[str, Any]:
    if value is None:
        return {"type": "Null", "value": None}
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, bool):  # before int: bool is an int in Python
        return {"type": "Boolean", "value": value}
    if isinstance(value, int):
        return {"type": "Integer" if value in INT32 else "Long", "value": value}
    if isinstance(value, float):
        return {"type": "Double", "value": value}
    if isinstance(value, str):
        if len(value) > STRING_COLUMN_CHARS:
            return {"type": "Json", "value": json.dumps(value, ensure_ascii=False)}
        return {"type": "String", "value": value}
    if isinstance(value, datetime):
        return {"type": "Date", "value": format_camunda_date(value)}
    if isinstance(value, date):  # Camunda has no date-only type; forms send dates as ISO strings too
        return {"type": "String", "value": value.isoformat()}
    if isinstance(value, BaseModel):
        return {"type": "Json", "value": value.model_dump_json(by_alias=True)}
    if isinstance(value, (dict, list, tuple)):
        return {"type": "Json", "value": json.dumps(value, ensure_ascii=False, default=_json_default)}
    raise VariableTypeError(
        f"variable {name!r}: cannot send a {type(value).__name__} to the engine "
        "(use str, int, float, bool, datetime, date, dict, list, a pydantic model or None)"
    )


def format_camunda_date(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}" + value.strftime("%z")


def parse_camunda_date(value: str) -> datetime:
    try:
        return datetime.strptime(value, CAMUNDA_DATE_FORMAT)
    except ValueError:
        return datetime.fromisoformat(value)


def _json_default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json", by_alias=True)
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
