"""The system-interface channel: a signed JSON document POSTed to another department's system.

The receiver must be able to tell that the document comes from us, unchanged, and only once, without a
TLS client certificate. So every request carries

- `X-Crossdept-Timestamp`: unix seconds when it was signed;
- `X-Crossdept-Signature`: `sha256=<hex HMAC-SHA256(secret, "<timestamp>.<raw body>")>`;
- `X-Crossdept-Event`: the event's idempotency key (the same on every retry of one event).

The body is the document in canonical JSON (sorted keys, no spaces, UTF-8), so the bytes signed are the
bytes sent and a receiver in any language can re-serialise to check. Signing the timestamp with the body
lets a receiver refuse old requests (`tolerance_s`); remembering event keys lets it refuse replays.
`verify_signature` is that receiver's side, used by our test receiver and offered to the other side.

A failure raises `InterfaceRefused`; the handler's runtime retries it with its backoff and ends it as an
incident with this message. The message names the endpoint (scheme, host, port, path) but never the
secret nor a query string, which may carry a token.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

import requests
from pydantic import SecretStr

from workers.runtime.settings import Settings

TIMESTAMP_HEADER = "X-Crossdept-Timestamp"
SIGNATURE_HEADER = "X-Crossdept-Signature"
EVENT_HEADER = "X-Crossdept-Event"
SIGNATURE_PREFIX = "sha256="
DEFAULT_SECRET_NAME = "interface-secret"  # CROSSDEPT_INTERFACE_SECRET, or data_dir/secrets/interface-secret


class InterfaceRefused(RuntimeError):
    """The endpoint could not be reached or did not accept the document (non-2xx)."""


class SignatureRejected(ValueError):
    """A received request is not signed by the shared secret, is too old, or repeats an event."""


def canonical_body(document: Mapping[str, Any]) -> bytes:
    """The one serialisation that is signed and sent: sorted keys, no whitespace, UTF-8 (Chinese kept)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>` of HMAC-SHA256 over `<timestamp>.<raw body>`."""
    mac = hmac.new(secret.encode("utf-8"), f"{timestamp}.".encode("ascii") + body, hashlib.sha256)
    return SIGNATURE_PREFIX + mac.hexdigest()


def signed_headers(secret: str, body: bytes, event_key: str, now: float) -> dict[str, str]:
    timestamp = int(now)
    return {
        "Content-Type": "application/json; charset=utf-8",
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: sign(secret, timestamp, body),
        EVENT_HEADER: event_key,
    }


def post_signed(
    settings: Settings, url: str | None, secret_name: str, document: dict[str, Any], event_key: str
) -> None:
    """POST `document` signed with the secret `secret_name` to `url` (None: CROSSDEPT_INTERFACE_URL).

    Wrap the call in `task.once(...)` under the same event key: a delivered event is not sent again.
    """
    if not event_key:
        raise ValueError("post_signed needs an event key: the receiver drops repeats by it")
    endpoint = url or settings.interface_url
    if not endpoint:
        raise InterfaceRefused(
            "no system-interface endpoint: set CROSSDEPT_INTERFACE_URL to the receiving system's address"
        )
    secret = settings.read_secret(secret_name, _configured_secret(settings, secret_name))
    body = canonical_body(document)
    headers = signed_headers(secret, body, event_key, time.time())
    where = f"the system interface at {endpoint_label(endpoint)}"
    try:
        response = requests.post(endpoint, data=body, headers=headers, timeout=settings.http_timeout_s)
    except requests.RequestException as exc:  # its text may hold the full URL
        raise InterfaceRefused(f"{where} could not be reached ({type(exc).__name__})") from None
    if 400 <= response.status_code < 500:
        raise InterfaceRefused(
            f"{where} refused event {event_key!r} with HTTP {response.status_code}: {response.text[:300]} "
            f"(401/403: check that both sides hold the same {_env_name(secret_name)} and that the clocks agree)"
        )
    if not response.ok:
        raise InterfaceRefused(
            f"{where} failed on event {event_key!r} with HTTP {response.status_code}: {response.text[:300]}"
        )


def verify_signature(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    now: float,
    tolerance_s: float = 300,
    *,
    seen: set[str],
) -> None:
    """Raise `SignatureRejected` unless `body` is signed with `secret`, signed within `tolerance_s` of
    `now` (either side: clocks drift), and its event is not in `seen`; then add the event to `seen`.

    `seen` needs to hold the events of the last `tolerance_s` only: older requests fail on the time.
    """
    lookup = {name.lower(): value for name, value in headers.items()}
    timestamp_text = lookup.get(TIMESTAMP_HEADER.lower(), "")
    signature = lookup.get(SIGNATURE_HEADER.lower(), "")
    event = lookup.get(EVENT_HEADER.lower(), "")
    if not (timestamp_text and signature and event):
        raise SignatureRejected(
            f"missing header: {TIMESTAMP_HEADER}, {SIGNATURE_HEADER} and {EVENT_HEADER} are all required"
        )
    if not timestamp_text.isdigit():
        raise SignatureRejected(f"{TIMESTAMP_HEADER} is not unix seconds: {timestamp_text[:20]!r}")
    timestamp = int(timestamp_text)
    # Compare before looking at the time, so a forged request learns nothing from which check failed.
    if not hmac.compare_digest(sign(secret, timestamp, body).encode(), signature.encode("utf-8", "replace")):
        raise SignatureRejected("signature does not match the body and timestamp")
    if abs(now - timestamp) > tolerance_s:
        raise SignatureRejected(
            f"timestamp {timestamp} is {abs(now - timestamp):.0f} s from the receiver's clock "
            f"(more than {tolerance_s:.0f} s): stale or replayed request"
        )
    if event in seen:
        raise SignatureRejected(f"event {event!r} was already received: replay refused")
    seen.add(event)


def endpoint_label(url: str) -> str:
    """scheme://host[:port]/path, without user info or query (they may carry credentials)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname or ''}{port}{parts.path}"


def _configured_secret(settings: Settings, secret_name: str) -> SecretStr | None:
    """The secret field of the settings named like the secret (`interface-secret` -> interface_secret):
    only a SecretStr field counts, so a name like `engine-url` cannot send a plain setting as the key."""
    value = getattr(settings, secret_name.replace("-", "_"), None)
    return value if isinstance(value, SecretStr) else None


def _env_name(secret_name: str) -> str:
    return f"CROSSDEPT_{secret_name.upper().replace('-', '_')}"
