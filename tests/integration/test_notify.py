"""Notifications against a real SMTP server and a real HTTP receiver in the test process (no engine)."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from tests.conftest import free_port
from tests.support.receivers import Mailbox, Receiver, http_receiver, smtp_server
from workers.shared.notify import (
    Attachment, Bilingual, Notification, NotificationFailed, notify, parse_webhook_entry, post_webhook,
    send_mail,
)
from workers.shared.notify.mail import message_id
from workers.shared.notify.webhook import WebhookRefused
from workers.runtime.context import TaskContext
from workers.runtime.idempotency import OnceStore, SqliteOnceStore
from workers.runtime.settings import Settings
from workers.shared.organisation.model import Person

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
GIVER = Person(id="li.lei", name="李雷", email="li.lei@example.com", im_id="lilei", department="sales",
               title="销售代表 Sales representative", post_level=1)
TASK_LINK = "http://camunda.corp.example/camunda/app/tasklist/default/#/?task=task-42"
RECEIVER = Person(id="han.meimei", name="Han Meimei", email="han.meimei@example.com", department="sales",
                  title="销售代表 Sales representative", post_level=1)


def handover_notice(**overrides: Any) -> Notification:
    values: dict[str, Any] = dict(
        event_key="handover:pi-1:archived",
        recipients=[GIVER, RECEIVER],
        subject=Bilingual(zh="工作交接清单已归档", en="Hand-over checklist archived"),
        body=Bilingual(zh="您的交接清单副本见附件。", en="Your copy of the checklist is attached."),
        task_id="task-42",
        attachments=[Attachment(filename="交接清单.pdf", content=PDF, mime_type="application/pdf")],
    )
    values.update(overrides)
    return Notification(**values)


@pytest.fixture
def mailbox() -> Iterator[tuple[Mailbox, int]]:
    with smtp_server() as running:
        yield running


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with http_receiver() as running:
        yield running


def settings_for(smtp_port: int, webhook_urls: list[str] | None = None, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        smtp_host="127.0.0.1", smtp_port=smtp_port, mail_from="crossdept@corp.example",
        tasklist_url="http://camunda.corp.example/camunda/app/tasklist/default/",
        webhook_urls=webhook_urls or [], http_timeout_s=5,
    )
    return Settings(**{**values, **overrides})


# --- e-mail ---------------------------------------------------------------------------------------


def test_mail_is_bilingual_utf8_with_the_link_the_pdf_and_a_message_id_derived_from_the_event(mailbox) -> None:
    box, port = mailbox
    sent_id = send_mail(settings_for(port), handover_notice())

    [msg] = box.messages
    assert msg["Subject"] == "工作交接清单已归档 / Hand-over checklist archived"
    assert sent_id == msg["Message-ID"] == message_id("handover:pi-1:archived", "crossdept@corp.example")
    assert sorted(box.envelopes[0].rcpt_tos) == ["han.meimei@example.com", "li.lei@example.com"]
    assert [a.display_name for a in msg["To"].addresses] == ["李雷", "Han Meimei"]
    text = msg.get_body(("plain",)).get_content()
    assert text.index("您的交接清单副本见附件。") < text.index("Your copy of the checklist is attached."), text
    assert TASK_LINK in text
    [pdf] = list(msg.iter_attachments())
    assert (pdf.get_filename(), pdf.get_content_type(), pdf.get_content()) == ("交接清单.pdf", "application/pdf", PDF)


def test_same_event_gives_the_same_message_id_and_another_event_a_different_one() -> None:
    first = message_id("handover:pi-1:archived", "crossdept@corp.example")
    assert first == message_id("handover:pi-1:archived", "crossdept@corp.example")
    assert first != message_id("handover:pi-2:archived", "crossdept@corp.example")
    assert first.startswith("<") and first.endswith("@corp.example>")


def test_with_an_outbox_the_mail_is_written_as_one_eml_file_per_event_and_not_sent(mailbox, tmp_path: Path) -> None:
    box, port = mailbox
    outbox = tmp_path / "outbox"
    settings = settings_for(port, mail_outbox_dir=outbox)
    first = send_mail(settings, handover_notice())
    again = send_mail(settings, handover_notice())
    assert box.messages == [], "nothing goes to the SMTP server"
    [written] = list(outbox.iterdir())
    assert first == again and written.suffix == ".eml"
    msg = email.message_from_bytes(written.read_bytes(), policy=email.policy.default)
    assert msg["Message-ID"] == first and msg["Subject"] == "工作交接清单已归档 / Hand-over checklist archived"
    assert [a.get_filename() for a in msg.iter_attachments()] == ["交接清单.pdf"]


def test_mail_logs_in_when_a_user_is_configured(mailbox) -> None:
    box, _ = mailbox
    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        logins.append((data.login, data.password))
        return AuthResult(success=True)

    port = free_port()
    controller = Controller(box, hostname="127.0.0.1", port=port, authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        send_mail(settings_for(port, smtp_user="robot", smtp_password="s3cret"), handover_notice())
    finally:
        controller.stop()
    assert logins == [(b"robot", b"s3cret")]
    assert len(box.messages) == 1


def test_mail_refused_by_the_server_raises_with_its_reply(mailbox) -> None:
    box, port = mailbox
    box.refuse_with = "554 5.7.1 mailbox full"
    with pytest.raises(Exception, match="refused the e-mail.*554 5.7.1 mailbox full"):
        send_mail(settings_for(port), handover_notice())


def test_a_task_link_without_a_tasklist_address_is_refused_before_sending(mailbox) -> None:
    box, port = mailbox
    with pytest.raises(NotificationFailed, match="CROSSDEPT_TASKLIST_URL"):
        send_mail(settings_for(port, tasklist_url=None), handover_notice())
    assert box.messages == []


def test_tasklist_base_without_engine_name_links_to_the_default_engine() -> None:
    link = handover_notice().task_link("http://localhost:8080/camunda/app/tasklist/")
    assert link == "http://localhost:8080/camunda/app/tasklist/default/#/?task=task-42"


# --- webhooks -------------------------------------------------------------------------------------


DINGTALK = "https://oapi.dingtalk.com/robot/send?access_token=t"
FEISHU = "https://open.feishu.cn/open-apis/bot/v2/hook/t"
WECOM = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=t"


@pytest.mark.parametrize("entry, expected", [
    ("https://hooks.corp.example/crossdept", ("generic", "https://hooks.corp.example/crossdept")),
    (f"dingtalk:{DINGTALK}", ("dingtalk", DINGTALK)),
    (f"feishu:{FEISHU}", ("feishu", FEISHU)),
    (f" wecom:{WECOM} ", ("wecom", WECOM)),
])
def test_webhook_entry_prefix_names_the_flavour(entry: str, expected: tuple[str, str]) -> None:
    assert parse_webhook_entry(entry) == expected


def test_webhook_entry_with_an_unknown_prefix_is_rejected_with_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="dingtalk:, feishu: or wecom:"):
        parse_webhook_entry("slack:https://hooks.slack.com/services/x")


def test_generic_webhook_gets_event_subject_body_link_and_recipients(receiver: Receiver) -> None:
    post_webhook(settings_for(25), receiver.base_url + "/hook", handover_notice(), "generic")
    [body] = receiver.received["/hook"]
    assert body == {
        "event": "handover:pi-1:archived",
        "subject": {"zh": "工作交接清单已归档", "en": "Hand-over checklist archived"},
        "body": {"zh": "您的交接清单副本见附件。", "en": "Your copy of the checklist is attached."},
        "link": TASK_LINK,
        "recipients": [
            {"name": "李雷", "email": "li.lei@example.com", "imId": "lilei"},
            {"name": "Han Meimei", "email": "han.meimei@example.com", "imId": None},
        ],
    }


def test_dingtalk_robot_gets_markdown_with_link_and_mentions(receiver: Receiver) -> None:
    receiver.answer("/robot/send", (200, {"errcode": 0, "errmsg": "ok"}))
    post_webhook(settings_for(25), receiver.base_url + "/robot/send", handover_notice(), "dingtalk")
    [body] = receiver.received["/robot/send"]
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == "工作交接清单已归档 / Hand-over checklist archived"
    text = body["markdown"]["text"]
    assert text.index("您的交接清单副本见附件。") < text.index("Your copy of the checklist is attached.")
    assert f"({TASK_LINK})" in text
    assert "@lilei" in text and body["at"] == {"atUserIds": ["lilei"], "isAtAll": False}


def test_feishu_bot_gets_a_post_with_link_and_mentions(receiver: Receiver) -> None:
    receiver.answer("/hook/t", (200, {"code": 0, "msg": "success", "data": {}}))
    post_webhook(settings_for(25), receiver.base_url + "/hook/t", handover_notice(), "feishu")
    [body] = receiver.received["/hook/t"]
    assert body["msg_type"] == "post"
    post = body["content"]["post"]["zh_cn"]
    assert post["title"] == "工作交接清单已归档 / Hand-over checklist archived"
    assert post["content"] == [
        [{"tag": "text", "text": "您的交接清单副本见附件。"}],
        [{"tag": "text", "text": "Your copy of the checklist is attached."}],
        [{"tag": "a", "text": "办理任务 / Open the task",
          "href": TASK_LINK}],
        [{"tag": "at", "user_id": "lilei"}],
    ]


def test_wecom_robot_gets_markdown_with_link_and_mentions(receiver: Receiver) -> None:
    receiver.answer("/cgi-bin/webhook/send", (200, {"errcode": 0, "errmsg": "ok"}))
    post_webhook(settings_for(25), receiver.base_url + "/cgi-bin/webhook/send", handover_notice(), "wecom")
    [body] = receiver.received["/cgi-bin/webhook/send"]
    assert body["msgtype"] == "markdown"
    content = body["markdown"]["content"]
    assert content.startswith("**工作交接清单已归档 / Hand-over checklist archived**\n")
    assert f"[办理任务 / Open the task]({TASK_LINK})" in content
    assert "<@lilei>" in content


@pytest.mark.parametrize("flavour, answer, message", [
    ("dingtalk", {"errcode": 310000, "errmsg": "keywords not in content"}, "code 310000: keywords not in content"),
    ("wecom", {"errcode": 93000, "errmsg": "invalid webhook url"}, "code 93000: invalid webhook url"),
    ("feishu", {"code": 19024, "msg": "Key Words Not Found"}, "code 19024: Key Words Not Found"),
])
def test_robot_refusal_in_a_200_answer_raises_with_the_robots_message(
    receiver: Receiver, flavour: str, answer: dict[str, Any], message: str
) -> None:
    receiver.answer("/robot", (200, answer))
    with pytest.raises(WebhookRefused, match=message):
        post_webhook(settings_for(25), receiver.base_url + "/robot?access_token=secret-token", handover_notice(), flavour)


def test_webhook_answering_500_raises_without_showing_the_token(receiver: Receiver) -> None:
    receiver.answer("/hook", (500, {"error": "boom"}))
    with pytest.raises(WebhookRefused, match="answered HTTP 500") as raised:
        post_webhook(settings_for(25), receiver.base_url + "/hook?token=secret-token", handover_notice(), "generic")
    assert "secret-token" not in str(raised.value)


def test_unreachable_webhook_raises_without_showing_the_token() -> None:
    url = f"http://127.0.0.1:{free_port()}/robot/send?access_token=secret-token"
    with pytest.raises(WebhookRefused, match="could not be reached") as raised:
        post_webhook(settings_for(25), url, handover_notice(), "dingtalk")
    assert "secret-token" not in str(raised.value)


# --- once per event -------------------------------------------------------------------------------


def delivery(settings: Settings, store: OnceStore) -> TaskContext:
    """The task as the runtime hands it to a handler; a redelivery is simply another one of these."""
    return TaskContext(
        task_id="ext-task-1", topic="handover.notify-archived", worker_id="test-worker",
        process_instance_id="pi-1", process_definition_key="work-handover", business_key=None,
        activity_id="Task_NotifyArchived", activity_instance_id="Task_NotifyArchived:1", retries=None,
        once_store=store, settings=settings,
    )


def test_a_redelivered_task_sends_one_mail_and_one_message_per_webhook(
    mailbox, receiver: Receiver, tmp_path: Path
) -> None:
    box, port = mailbox
    receiver.answer("/ding", (200, {"errcode": 0, "errmsg": "ok"}))
    settings = settings_for(port, [receiver.base_url + "/generic", "dingtalk:" + receiver.base_url + "/ding"])
    store = SqliteOnceStore(tmp_path / "state" / "once.sqlite")

    notify(delivery(settings, store), handover_notice())
    notify(delivery(settings, store), handover_notice())

    assert len(box.messages) == 1
    assert {path: len(bodies) for path, bodies in receiver.received.items()} == {"/generic": 1, "/ding": 1}


def test_retry_after_a_failed_webhook_sends_the_webhook_but_not_the_mail_again(
    mailbox, receiver: Receiver, tmp_path: Path
) -> None:
    box, port = mailbox
    receiver.answer("/ding", (200, {"errcode": 310000, "errmsg": "sign not match"}),
                    (200, {"errcode": 0, "errmsg": "ok"}))
    settings = settings_for(port, [receiver.base_url + "/generic", "dingtalk:" + receiver.base_url + "/ding"])
    store = SqliteOnceStore(tmp_path / "state" / "once.sqlite")

    with pytest.raises(NotificationFailed, match="1 of 3 channels failed.*dingtalk webhook.*sign not match"):
        notify(delivery(settings, store), handover_notice())
    notify(delivery(settings, store), handover_notice())  # the runtime's retry

    assert len(box.messages) == 1
    assert {path: len(bodies) for path, bodies in receiver.received.items()} == {"/generic": 1, "/ding": 2}


def test_a_refused_mail_does_not_hold_back_the_webhooks_and_only_the_mail_is_retried(
    mailbox, receiver: Receiver, tmp_path: Path
) -> None:
    box, port = mailbox
    settings = settings_for(port, [receiver.base_url + "/generic"])
    store = SqliteOnceStore(tmp_path / "state" / "once.sqlite")

    box.refuse_with = "451 4.3.0 try again later"
    with pytest.raises(NotificationFailed, match="1 of 2 channels failed.*e-mail.*451 4.3.0 try again later"):
        notify(delivery(settings, store), handover_notice())
    box.refuse_with = None
    notify(delivery(settings, store), handover_notice())  # the runtime's retry

    assert len(box.messages) == 1
    assert len(receiver.received["/generic"]) == 1
