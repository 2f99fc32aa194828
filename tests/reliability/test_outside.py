"""The fault switches themselves: a fault that does not happen would make every figure a lie."""

from __future__ import annotations

import socket
import threading
from pathlib import Path
from typing import Iterator

import pytest

from tests.reliability.outside import LOOPBACK, Proxy
from tests.reliability.rig import archive_duplicates
from workers.shared.archive import TEMP_SUFFIX


@pytest.fixture
def echo_port() -> Iterator[int]:
    server = socket.create_server((LOOPBACK, 0))

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=lambda c=conn: [c.sendall(d) for d in iter(lambda: c.recv(1024), b"")],
                             daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    yield server.getsockname()[1]
    server.close()


def _exchange(port: int) -> bytes | str:
    """What came back through the proxy: the bytes, "silence" after 2 s, or "closed"."""
    try:
        with socket.create_connection((LOOPBACK, port), timeout=2) as sock:
            sock.sendall(b"ping")
            return sock.recv(16) or "closed"
    except socket.timeout:
        return "silence"
    except ConnectionError:
        return "closed"


def test_the_proxy_forwards_then_stalls_silently_then_closes(echo_port: int) -> None:
    proxy = Proxy(echo_port)
    try:
        assert _exchange(proxy.port) == b"ping"
        proxy.set_mode("stall")
        assert _exchange(proxy.port) == "silence"
        proxy.set_mode("close")
        assert _exchange(proxy.port) == "closed"
        proxy.set_mode("pass")
        assert _exchange(proxy.port) == b"ping"
    finally:
        proxy.stop()


def test_an_archive_copy_written_twice_or_left_half_written_is_a_duplicate(tmp_path: Path) -> None:
    folder = tmp_path / "2026" / "instance-1"
    folder.mkdir(parents=True)
    for holder in ("archive", "giver", "receiver"):
        (folder / f"checklist-{holder}.pdf").write_bytes(b"%PDF")
    assert archive_duplicates(tmp_path) == []
    (folder / "checklist-giver (1).pdf").write_bytes(b"%PDF")
    (folder / f".checklist-receiver.pdf.x1y2{TEMP_SUFFIX}").write_bytes(b"%P")
    assert len(archive_duplicates(tmp_path)) == 2
