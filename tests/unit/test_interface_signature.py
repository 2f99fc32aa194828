"""The system interface's signature, checked against HMAC-SHA256 computed here by hand (fixed clocks)."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from workers.shared.notify.interface import (
    SignatureRejected, canonical_body, endpoint_label, sign, signed_headers, verify_signature,
)

SECRET = "s3cret-for-tests"
SIGNED_AT = 1_764_633_600  # 2025-12-02T00:00:00Z
DOCUMENT = {"title": "客户订单周报", "version": 2, "category": "customer"}


def test_body_is_canonical_json_with_sorted_keys_no_spaces_and_chinese_kept() -> None:
    assert canonical_body(DOCUMENT) == '{"category":"customer","title":"客户订单周报","version":2}'.encode()


def test_signature_is_hmac_sha256_over_timestamp_dot_body() -> None:
    body = canonical_body(DOCUMENT)
    expected = hmac.new(SECRET.encode(), b"1764633600." + body, hashlib.sha256).hexdigest()
    assert sign(SECRET, SIGNED_AT, body) == f"sha256={expected}"
    assert signed_headers(SECRET, body, "evt-1", SIGNED_AT + 0.9)["X-Crossdept-Timestamp"] == "1764633600"


def test_known_vector_of_a_fixed_input() -> None:
    # HMAC-SHA256(key="key", message="1.{}"), written down once from `openssl dgst -sha256 -hmac key`.
    assert sign("key", 1, b"{}") == "sha256=1ba6b8171186efc613e8bcc0cbdab2748f24984d7c5a84faa2637afa0e40d224"


def headers_for(body: bytes, event: str = "sharing:pi-1:interface", at: int = SIGNED_AT) -> dict[str, str]:
    return signed_headers(SECRET, body, event, at)


def test_a_correctly_signed_request_is_accepted_once_and_remembered() -> None:
    body, seen = canonical_body(DOCUMENT), set()
    verify_signature(SECRET, headers_for(body), body, SIGNED_AT + 10, seen=seen)
    assert seen == {"sharing:pi-1:interface"}


def test_header_names_are_case_insensitive() -> None:
    body = canonical_body(DOCUMENT)
    lower = {name.lower(): value for name, value in headers_for(body).items()}
    verify_signature(SECRET, lower, body, SIGNED_AT, seen=set())


@pytest.mark.parametrize("tamper", ["body", "timestamp", "secret", "signature"])
def test_any_change_breaks_the_signature(tamper: str) -> None:
    body = canonical_body(DOCUMENT)
    headers, secret = headers_for(body), SECRET
    if tamper == "body":
        body = body.replace(b'"version":2', b'"version":3')
    elif tamper == "timestamp":
        headers["X-Crossdept-Timestamp"] = str(SIGNED_AT + 1)
    elif tamper == "secret":
        secret = "another-secret"
    else:
        headers["X-Crossdept-Signature"] = headers["X-Crossdept-Signature"][:-1] + "0"
        if headers["X-Crossdept-Signature"] == sign(SECRET, SIGNED_AT, body):
            headers["X-Crossdept-Signature"] = headers["X-Crossdept-Signature"][:-1] + "1"
    seen: set[str] = set()
    with pytest.raises(SignatureRejected, match="signature does not match"):
        verify_signature(secret, headers, body, SIGNED_AT, seen=seen)
    assert seen == set()  # a refused request does not use up its event


@pytest.mark.parametrize("offset", [301, -301, 10_000])
def test_a_timestamp_outside_the_tolerance_is_refused_as_stale(offset: int) -> None:
    body = canonical_body(DOCUMENT)
    with pytest.raises(SignatureRejected, match="stale"):
        verify_signature(SECRET, headers_for(body), body, SIGNED_AT + offset, seen=set())


def test_the_tolerance_is_inclusive_and_configurable() -> None:
    body = canonical_body(DOCUMENT)
    verify_signature(SECRET, headers_for(body), body, SIGNED_AT + 300, seen=set())
    with pytest.raises(SignatureRejected, match="stale"):
        verify_signature(SECRET, headers_for(body), body, SIGNED_AT + 31, 30, seen=set())


def test_a_replayed_event_is_refused_even_with_a_fresh_valid_signature() -> None:
    body, seen = canonical_body(DOCUMENT), set()
    verify_signature(SECRET, headers_for(body), body, SIGNED_AT, seen=seen)
    with pytest.raises(SignatureRejected, match="replay"):
        verify_signature(SECRET, headers_for(body), body, SIGNED_AT, seen=seen)
    resigned = headers_for(body, at=SIGNED_AT + 5)
    with pytest.raises(SignatureRejected, match="replay"):
        verify_signature(SECRET, resigned, body, SIGNED_AT + 5, seen=seen)


@pytest.mark.parametrize("missing", ["X-Crossdept-Timestamp", "X-Crossdept-Signature", "X-Crossdept-Event"])
def test_a_missing_header_is_named(missing: str) -> None:
    body = canonical_body(DOCUMENT)
    headers = headers_for(body)
    del headers[missing]
    with pytest.raises(SignatureRejected, match="missing header"):
        verify_signature(SECRET, headers, body, SIGNED_AT, seen=set())


def test_a_timestamp_that_is_not_a_number_is_refused() -> None:
    body = canonical_body(DOCUMENT)
    headers = headers_for(body) | {"X-Crossdept-Timestamp": "yesterday"}
    with pytest.raises(SignatureRejected, match="not unix seconds"):
        verify_signature(SECRET, headers, body, SIGNED_AT, seen=set())


def test_endpoint_label_drops_credentials_and_query() -> None:
    assert endpoint_label("https://user:pw@erp.example.com:8443/inbound?token=abc") == \
        "https://erp.example.com:8443/inbound"
