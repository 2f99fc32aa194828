"""Camunda typed values <-> Python values, both ways, for every type the runtime supports."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta, timezone

import pytest

from workers.runtime.registry import ProcessVariables
from workers.runtime.variables import (
    FileVariable,
    VariableTypeError,
    decode_value,
    encode_value,
    format_camunda_date,
    from_camunda,
    to_camunda,
)


class Item(ProcessVariables):
    asset_number: str


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("交接清单", {"type": "String", "value": "交接清单"}),
        (42, {"type": "Integer", "value": 42}),
        (2**31, {"type": "Long", "value": 2**31}),
        (-(2**31) - 1, {"type": "Long", "value": -(2**31) - 1}),
        (2.5, {"type": "Double", "value": 2.5}),
        (True, {"type": "Boolean", "value": True}),
        (None, {"type": "Null", "value": None}),
        (date(2026, 10, 1), {"type": "String", "value": "2026-10-01"}),
    ],
)
def test_python_values_are_sent_with_their_camunda_type(value: object, expected: dict) -> None:
    assert encode_value("v", value) == expected


def test_datetime_is_sent_in_camunda_date_format_with_offset() -> None:
    cst = timezone(timedelta(hours=8))
    assert encode_value("due", datetime(2026, 11, 28, 9, 5, 7, 123456, tzinfo=cst)) == {
        "type": "Date",
        "value": "2026-11-28T09:05:07.123+0800",
    }


def test_naive_datetime_is_taken_as_utc() -> None:
    assert format_camunda_date(datetime(2026, 1, 2, 3, 4, 5)) == "2026-01-02T03:04:05.000+0000"


def test_dicts_lists_and_models_are_sent_as_json() -> None:
    encoded = to_camunda({"items": [{"assetNumber": "A-1"}], "item": Item(asset_number="A-2")})
    assert encoded["items"]["type"] == "Json" and json.loads(encoded["items"]["value"]) == [{"assetNumber": "A-1"}]
    assert encoded["item"]["type"] == "Json" and json.loads(encoded["item"]["value"]) == {"assetNumber": "A-2"}


def test_unsupported_python_value_names_the_variable() -> None:
    with pytest.raises(VariableTypeError, match="variable 'handle'"):
        encode_value("handle", object())


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ({"type": "String", "value": "x"}, "x"),
        ({"type": "Integer", "value": 3}, 3),
        ({"type": "Long", "value": 2**40}, 2**40),
        ({"type": "Double", "value": 1}, 1.0),
        ({"type": "Boolean", "value": False}, False),
        ({"type": "Null", "value": None}, None),
        ({"type": "Json", "value": '{"a": [1, 2]}'}, {"a": [1, 2]}),
        (
            {"type": "Object", "value": '[{"approver": "li.na"}]', "valueInfo": {"serializationDataFormat": "application/json", "objectTypeName": "java.util.ArrayList"}},
            [{"approver": "li.na"}],
        ),
    ],
)
def test_engine_values_are_read_as_python_values(typed: dict, expected: object) -> None:
    assert decode_value("v", typed) == expected


def test_engine_date_is_read_as_aware_datetime() -> None:
    value = decode_value("due", {"type": "Date", "value": "2026-11-28T09:05:07.123+0800"})
    assert value == datetime(2026, 11, 28, 1, 5, 7, 123000, tzinfo=timezone.utc)


def test_java_serialized_object_is_refused_with_the_fix() -> None:
    typed = {"type": "Object", "value": "rO0ABXNy", "valueInfo": {"serializationDataFormat": "application/x-java-serialized-object"}}
    with pytest.raises(VariableTypeError, match="default-serialization-format"):
        decode_value("approvers", typed)


def test_round_trip_keeps_every_supported_value() -> None:
    values = {"s": "是", "i": 7, "l": 2**33, "d": 0.25, "b": True, "n": None, "j": {"k": ["v"]}}
    assert from_camunda(to_camunda(values)) == values


def test_a_str_longer_than_the_string_column_goes_as_a_json_string_and_decodes_to_the_same_str() -> None:
    from workers.runtime.variables import STRING_COLUMN_CHARS, decode_value, encode_value
    at_limit, beyond = "交" * STRING_COLUMN_CHARS, "接" * (STRING_COLUMN_CHARS + 1) + '"\n\\'
    assert encode_value("s", at_limit) == {"type": "String", "value": at_limit}
    typed = encode_value("s", beyond)
    assert typed["type"] == "Json"
    assert decode_value("s", typed) == beyond


@pytest.mark.parametrize("value", [None, ""])  # the REST API lists a File without its content
def test_a_file_variable_is_named_not_lost_nor_refused(value: str | None) -> None:
    typed = {"type": "File", "value": value,
             "valueInfo": {"filename": "agreement-1.pdf", "mimeType": "application/pdf", "encoding": None}}
    decoded = from_camunda({"doc_agreement_1": typed, "projectName": {"type": "String", "value": "试点"}})
    assert decoded == {"doc_agreement_1": FileVariable("agreement-1.pdf", "application/pdf", None), "projectName": "试点"}


def test_bytes_are_decoded_from_base64() -> None:
    assert decode_value("raw", {"type": "Bytes", "value": "5Lit5paH", "valueInfo": {}}) == "中文".encode()


def test_bytes_that_are_not_base64_name_the_variable() -> None:
    with pytest.raises(VariableTypeError, match="variable 'raw' is Bytes"):
        decode_value("raw", {"type": "Bytes", "value": "not base64!", "valueInfo": {}})
