"""The IM channel: our generic JSON webhook, or the group robots of DingTalk, Feishu and WeCom.

A `CROSSDEPT_WEBHOOK_URLS` entry names its flavour as a prefix (`dingtalk:https://...`); a plain URL is
the generic webhook. Robot URLs carry their access token, so messages here show only scheme and host.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable, Literal, cast, get_args
from urllib.parse import urlsplit

import requests

from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from workers.shared.notify import Notification

Flavour = Literal["generic", "dingtalk", "feishu", "wecom"]
LINK_LABEL = "办理任务 / Open the task"


class WebhookRefused(RuntimeError):
    """The webhook could not be reached, answered non-2xx, or the robot answered with an error code."""


def parse_webhook_entry(entry: str) -> tuple[Flavour, str]:
    """`dingtalk:https://...` -> ("dingtalk", "https://..."); a plain http(s) URL is generic."""
    prefix, _, rest = entry.strip().partition(":")
    flavour, url = (prefix, rest) if prefix in get_args(Flavour) else ("generic", entry.strip())
    if urlsplit(url).scheme not in ("http", "https") or not urlsplit(url).netloc:
        raise ValueError(
            f"webhook entry {_where(entry)!r} in CROSSDEPT_WEBHOOK_URLS is not an http(s) URL, optionally "
            "prefixed with dingtalk:, feishu: or wecom: (e.g. dingtalk:https://oapi.dingtalk.com/robot/send?...)"
        )
    return cast(Flavour, flavour), url


def generic_payload(notification: Notification, link: str | None) -> dict[str, Any]:
    return {
        "event": notification.event_key,
        "subject": notification.subject.model_dump(),
        "body": notification.body.model_dump(),
        "link": link,
        "recipients": [
            {"name": p.name, "email": p.email, "imId": p.im_id} for p in notification.recipients
        ],
    }


def dingtalk_payload(notification: Notification, link: str | None) -> dict[str, Any]:
    ids = _im_ids(notification)
    text = f"#### {notification.subject.line()}\n\n{notification.body.paragraphs()}"
    if link:
        text += f"\n\n[{LINK_LABEL}]({link})"
    if ids:  # DingTalk notifies only the ids that are both in `at` and written as @id in the text
        text += "\n\n" + " ".join(f"@{i}" for i in ids)
    return {
        "msgtype": "markdown",
        "markdown": {"title": notification.subject.line(), "text": text},
        "at": {"atUserIds": ids, "isAtAll": False},
    }


def feishu_payload(notification: Notification, link: str | None) -> dict[str, Any]:
    lines = [[{"tag": "text", "text": notification.body.zh}], [{"tag": "text", "text": notification.body.en}]]
    if link:
        lines.append([{"tag": "a", "text": LINK_LABEL, "href": link}])
    if ids := _im_ids(notification):
        lines.append([{"tag": "at", "user_id": i} for i in ids])
    post = {"zh_cn": {"title": notification.subject.line(), "content": lines}}
    return {"msg_type": "post", "content": {"post": post}}


def wecom_payload(notification: Notification, link: str | None) -> dict[str, Any]:
    content = f"**{notification.subject.line()}**\n{notification.body.zh}\n{notification.body.en}"
    if link:
        content += f"\n[{LINK_LABEL}]({link})"
    if ids := _im_ids(notification):
        content += "\n" + " ".join(f"<@{i}>" for i in ids)
    return {"msgtype": "markdown", "markdown": {"content": content}}


PAYLOADS: dict[str, Callable[[Notification, str | None], dict[str, Any]]] = {
    "generic": generic_payload, "dingtalk": dingtalk_payload, "feishu": feishu_payload, "wecom": wecom_payload,
}


def post_webhook(settings: Settings, url: str, notification: Notification, flavour: Flavour = "generic") -> None:
    """POST the notification in the flavour's format; raise `WebhookRefused` unless it was accepted."""
    payload = PAYLOADS[flavour](notification, notification.task_link(settings.tasklist_url))
    where = f"the {flavour} webhook at {_where(url)}"
    try:
        response = requests.post(url, json=payload, timeout=settings.http_timeout_s)
    except requests.RequestException as exc:  # its text holds the full URL, token included
        raise WebhookRefused(f"{where} could not be reached ({type(exc).__name__})") from None
    if not response.ok:
        raise WebhookRefused(f"{where} answered HTTP {response.status_code}: {response.text[:300]}")
    if flavour != "generic":
        _check_robot_answer(where, flavour, response)


def _check_robot_answer(where: str, flavour: Flavour, response: requests.Response) -> None:
    """Robots answer HTTP 200 even when they refuse: the verdict is in the JSON body."""
    try:
        answer = response.json()
    except ValueError:
        raise WebhookRefused(f"{where} answered something that is not JSON: {response.text[:300]}") from None
    if flavour == "feishu":  # current answers carry code/msg; older ones StatusCode/StatusMessage
        code, message = answer.get("code", answer.get("StatusCode", 0)), answer.get("msg", answer.get("StatusMessage"))
    else:
        code, message = answer.get("errcode", 0), answer.get("errmsg")
    if code != 0:
        raise WebhookRefused(
            f"{where} refused the message with code {code}: {message} "
            "(check the robot's security settings: keywords, signature, IP allow-list)"
        )


def _im_ids(notification: Notification) -> list[str]:
    return [p.im_id for p in notification.recipients if p.im_id]


def _where(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.hostname or ''}{f':{parts.port}' if parts.port else ''}"
