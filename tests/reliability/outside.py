"""The world around the workers, with switches for its faults: a mailbox that can go down and come
back on the same port, a webhook that can be slow or answer 500, and a loopback TCP proxy between
the workers and the engine that can close or silently stall every connection.

Every receiver records what it accepted, so duplicates are counted from what really arrived.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope

from tests.conftest import free_port

LOOPBACK = "127.0.0.1"


# --- mail -----------------------------------------------------------------------------------------


@dataclass
class _Box:
    accepted: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)  # (Message-ID, recipients)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_DATA(self, server: Any, session: Any, envelope: Envelope) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.accepted.append((str(message["Message-ID"]), tuple(sorted(envelope.rcpt_tos))))
        return "250 OK"


class Mailbox:
    """A real SMTP server on a fixed loopback port that `down()` stops and `up()` starts again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.box = _Box()
        self._controller: Controller | None = None
        self.up()

    def up(self) -> None:
        if self._controller is None:
            self._controller = Controller(self.box, hostname=LOOPBACK, port=self.port)
            self._controller.start()

    def down(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def duplicates(self) -> list[str]:
        """A message delivered twice to the same recipients (one event, one Message-ID)."""
        with self.box.lock:
            counted = Counter(self.box.accepted)
        return [f"mail {mid} to {', '.join(rcpt)} delivered {n} times" for (mid, rcpt), n in counted.items() if n > 1]


# --- webhook --------------------------------------------------------------------------------------


@dataclass
class Webhook:
    """A generic JSON webhook receiver; `status` and `delay_s` are what it does to the next calls."""

    base_url: str = ""
    status: int = 200
    delay_s: float = 0.0
    accepted: list[str] = field(default_factory=list)  # bodies answered 2xx, canonical JSON
    refused: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def duplicates(self) -> list[str]:
        with self.lock:
            counted = Counter(self.accepted)
        return [f"webhook call {body[:160]} accepted {n} times" for body, n in counted.items() if n > 1]


def start_webhook() -> tuple[Webhook, ThreadingHTTPServer]:
    state = Webhook()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            time.sleep(state.delay_s)
            status = state.status
            with state.lock:
                if status < 300:
                    state.accepted.append(json.dumps(body, sort_keys=True, ensure_ascii=False))
                else:
                    state.refused += 1
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
    server.daemon_threads = True
    state.base_url = f"http://{LOOPBACK}:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    return state, server


# --- the connection between workers and engine ----------------------------------------------------


class Proxy:
    """Loopback TCP proxy. mode "pass" forwards; "close" resets every open connection and closes
    new ones at once; "stall" keeps connections open but forwards nothing (a silent network)."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.mode = "pass"
        self._listener = socket.create_server((LOOPBACK, 0))
        self.port = self._listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, daemon=True, name="reliability-proxy").start()

    def set_mode(self, mode: str) -> None:
        self.mode = mode
        if mode == "close":
            with self._lock:
                doomed, self._open = list(self._open), set()
            for sock in doomed:
                _close(sock)

    def stop(self) -> None:
        self._stopped = True
        _close(self._listener)
        self.set_mode("close")

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if self.mode == "close":
                _close(client)
                continue
            try:
                upstream = socket.create_connection((LOOPBACK, self.target_port), timeout=5)
            except OSError:
                _close(client)
                continue
            upstream.settimeout(None)
            with self._lock:
                self._open.update((client, upstream))
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                while self.mode == "stall" and not self._stopped:
                    time.sleep(0.05)  # hold the bytes: the peer sees a connection that says nothing
                sink.sendall(data)
        except OSError:
            pass
        finally:
            with self._lock:
                self._open.discard(source)
                self._open.discard(sink)
            _close(source)
            _close(sink)


def _close(sock: socket.socket) -> None:
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    sock.close()
