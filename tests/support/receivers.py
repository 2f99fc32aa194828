"""A real SMTP server and a real HTTP receiver, in the test process, for tests that claim notifications."""

from __future__ import annotations

import contextlib
import email
import email.policy
import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from tests.conftest import free_port


# --- a real SMTP server ---------------------------------------------------------------------------


@dataclass
class Mailbox:
    messages: list[email.message.EmailMessage] = field(default_factory=list)
    envelopes: list[Envelope] = field(default_factory=list)
    refuse_with: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        if self.refuse_with:
            return self.refuse_with
        self.envelopes.append(envelope)
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        return "250 OK"


@contextlib.contextmanager
def smtp_server() -> Iterator[tuple[Mailbox, int]]:
    box, port = Mailbox(), free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield box, port
    finally:
        controller.stop()


# --- a real HTTP receiver -------------------------------------------------------------------------


@dataclass
class Receiver:
    base_url: str
    received: dict[str, list[Any]] = field(default_factory=dict)
    answers: dict[str, list[tuple[int, dict[str, Any]]]] = field(default_factory=dict)

    def answer(self, path: str, *replies: tuple[int, dict[str, Any]]) -> None:
        """Answer the next requests to `path` with these (status, JSON) in turn, then 200 {}."""
        self.answers[path] = list(replies)


class _JsonHandler(BaseHTTPRequestHandler):
    def answer_json(self, status: int, reply: dict[str, Any]) -> None:
        data = json.dumps(reply).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *args: Any) -> None:
        pass


@contextlib.contextmanager
def _serving(server: ThreadingHTTPServer, handler: type[BaseHTTPRequestHandler]) -> Iterator[None]:
    server.RequestHandlerClass = handler
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def http_receiver() -> Iterator[Receiver]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = Receiver(base_url=f"http://127.0.0.1:{server.server_address[1]}")
    lock = threading.Lock()

    class Handler(_JsonHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            path = urlsplit(self.path).path
            with lock:
                state.received.setdefault(path, []).append(body)
                queued = state.answers.get(path, [])
                status, reply = queued.pop(0) if queued else (200, {})
            self.answer_json(status, reply)

    with _serving(server, Handler):
        yield state


# --- a system-interface receiver that checks signatures --------------------------------------------


@dataclass
class InterfaceReceiver:
    """What the receiving system got: accepted documents in order, and the reasons it refused others."""

    url: str
    secret: str
    tolerance_s: float = 300
    accepted: list[dict[str, Any]] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    fail_next: list[int] = field(default_factory=list)  # statuses to answer (after verifying) before accepting


@contextlib.contextmanager
def interface_receiver(secret: str, *, tolerance_s: float = 300) -> Iterator[InterfaceReceiver]:
    """A real HTTP endpoint verifying with `verify_signature`: 401 with the reason on a bad signature, a
    stale timestamp or a replayed event; 200 otherwise (or the queued `fail_next` statuses first)."""
    from workers.shared.notify.interface import EVENT_HEADER, SignatureRejected, verify_signature

    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    state = InterfaceReceiver(url=f"http://127.0.0.1:{server.server_address[1]}/inbound", secret=secret,
                              tolerance_s=tolerance_s)
    lock = threading.Lock()

    class Handler(_JsonHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            with lock:
                if state.fail_next:  # a failing system has not taken the event: it may come again
                    self.answer_json(state.fail_next.pop(0), {"error": "temporarily unavailable"})
                    return
                try:
                    verify_signature(state.secret, dict(self.headers.items()), raw, time.time(),
                                     state.tolerance_s, seen=state.seen)
                except SignatureRejected as exc:
                    state.refused.append(str(exc))
                    self.answer_json(401, {"error": str(exc)})
                    return
                state.accepted.append(json.loads(raw))
                state.events.append(self.headers[EVENT_HEADER])
            self.answer_json(200, {"ok": True})

    with _serving(server, Handler):
        yield state
