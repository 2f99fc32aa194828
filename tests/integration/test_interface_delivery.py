"""The signed system-interface channel against a real HTTP receiver that verifies (no engine)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from tests.support.receivers import InterfaceReceiver, interface_receiver
from workers.runtime.context import TaskContext
from workers.runtime.idempotency import SqliteOnceStore
from workers.runtime.settings import Settings
from workers.shared.notify.interface import DEFAULT_SECRET_NAME, InterfaceRefused, post_signed

SECRET = "shared-secret-Zq81"
DOCUMENT = {"title": "预算执行月报 / Budget execution", "shareVersion": 1, "targetDepartments": ["sales"]}


@pytest.fixture
def receiver() -> Iterator[InterfaceReceiver]:
    with interface_receiver(SECRET) as running:
        yield running


def settings_for(tmp_path: Path, url: str | None, secret: str | None = SECRET) -> Settings:
    return Settings(_env_file=None, data_dir=tmp_path, interface_url=url, http_timeout_s=5,  # type: ignore[call-arg]
                    interface_secret=SecretStr(secret) if secret else None)


def test_a_signed_document_is_verified_and_taken_by_the_receiver(receiver: InterfaceReceiver, tmp_path: Path) -> None:
    post_signed(settings_for(tmp_path, receiver.url), None, DEFAULT_SECRET_NAME, DOCUMENT, "sharing:pi-1:interface")
    assert receiver.accepted == [DOCUMENT]
    assert receiver.events == ["sharing:pi-1:interface"]
    assert receiver.refused == []


def test_an_explicit_url_wins_over_the_setting(receiver: InterfaceReceiver, tmp_path: Path) -> None:
    post_signed(settings_for(tmp_path, "http://127.0.0.1:9/unused"), receiver.url, DEFAULT_SECRET_NAME,
                DOCUMENT, "evt-explicit")
    assert receiver.events == ["evt-explicit"]


def test_the_generated_secret_file_is_used_when_no_secret_is_set(tmp_path: Path) -> None:
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "interface-secret").write_text("from-the-file\n")
    with interface_receiver("from-the-file") as receiver:
        post_signed(settings_for(tmp_path, receiver.url, secret=None), None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-f")
    assert receiver.events == ["evt-f"]


def test_a_wrong_secret_is_refused_naming_the_endpoint_but_not_the_secret(
    receiver: InterfaceReceiver, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(InterfaceRefused) as refused:
        post_signed(settings_for(tmp_path, receiver.url, secret="wrong-secret-77"), None, DEFAULT_SECRET_NAME,
                    DOCUMENT, "evt-wrong")
    message = str(refused.value)
    assert f"the system interface at {receiver.url}" in message
    assert "HTTP 401" in message and "signature does not match" in message
    assert "CROSSDEPT_INTERFACE_SECRET" in message
    assert "wrong-secret-77" not in message and "wrong-secret-77" not in caplog.text
    assert receiver.accepted == []


def test_the_same_event_sent_again_is_refused_as_a_replay(receiver: InterfaceReceiver, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, receiver.url)
    post_signed(settings, None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-twice")
    with pytest.raises(InterfaceRefused, match="HTTP 401.*replay refused"):
        post_signed(settings, None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-twice")
    assert receiver.events == ["evt-twice"]


def test_a_server_error_is_a_failure_to_retry_and_the_retry_gets_through(
    receiver: InterfaceReceiver, tmp_path: Path
) -> None:
    receiver.fail_next = [503]
    settings = settings_for(tmp_path, receiver.url)
    with pytest.raises(InterfaceRefused, match="failed on event 'evt-503' with HTTP 503"):
        post_signed(settings, None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-503")
    post_signed(settings, None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-503")  # the runtime's retry
    assert receiver.events == ["evt-503"]


def test_an_unreachable_endpoint_names_it_without_the_query(tmp_path: Path) -> None:
    url = "http://127.0.0.1:9/inbound?token=abc123"
    with pytest.raises(InterfaceRefused, match=r"http://127.0.0.1:9/inbound could not be reached") as refused:
        post_signed(settings_for(tmp_path, url), None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-x")
    assert "abc123" not in str(refused.value)


def test_no_endpoint_configured_says_which_setting(tmp_path: Path) -> None:
    with pytest.raises(InterfaceRefused, match="CROSSDEPT_INTERFACE_URL"):
        post_signed(settings_for(tmp_path, None), None, DEFAULT_SECRET_NAME, DOCUMENT, "evt-none")


def test_a_redelivered_task_posts_once_under_task_once(receiver: InterfaceReceiver, tmp_path: Path) -> None:
    settings = settings_for(tmp_path, receiver.url)
    store = SqliteOnceStore(tmp_path / "state" / "once.sqlite")
    for _ in range(2):  # the engine delivers the same task twice
        task = TaskContext(
            task_id="ext-1", topic="sharing.deliver-interface", worker_id="w", process_instance_id="pi-7",
            process_definition_key="information-sharing", business_key=None, activity_id="Task_Interface",
            activity_instance_id="Task_Interface:1", retries=None, once_store=store, settings=settings,
        )
        task.once("interface:pi-7", lambda: post_signed(settings, None, DEFAULT_SECRET_NAME, DOCUMENT, "pi-7"))
    assert receiver.events == ["pi-7"]
