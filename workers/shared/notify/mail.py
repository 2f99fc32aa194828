"""The e-mail channel: one UTF-8 message to all recipients over SMTP."""

from __future__ import annotations

import hashlib
import smtplib
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING

from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from workers.shared.notify import Notification


class MailNotSent(RuntimeError):
    """The SMTP server could not be reached or refused the message."""


def message_id(event_key: str, mail_from: str) -> str:
    """The same Message-ID for every send of one event, so mail clients can drop a duplicate too."""
    digest = hashlib.sha256(event_key.encode("utf-8")).hexdigest()[:40]
    domain = mail_from.rpartition("@")[2] or "crossdept.invalid"
    return f"<crossdept.{digest}@{domain}>"


def build_message(settings: Settings, notification: Notification) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = notification.subject.line()
    msg["From"] = settings.mail_from
    msg["To"] = [Address(person.name, addr_spec=person.email) for person in notification.recipients]
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id(notification.event_key, settings.mail_from)
    text = notification.body.paragraphs()
    link = notification.task_link(settings.tasklist_url)
    if link:
        text += f"\n\n办理任务 / Open the task: {link}"
    msg.set_content(text + "\n", charset="utf-8")
    for attachment in notification.attachments:
        maintype, _, subtype = attachment.mime_type.partition("/")
        msg.add_attachment(attachment.content, maintype=maintype, subtype=subtype, filename=attachment.filename,
                           params=dict(attachment.mime_params))
    return msg


def send_mail(settings: Settings, notification: Notification) -> str:
    """Send the notification by e-mail (or write it to the outbox folder); returns its Message-ID."""
    msg = build_message(settings, notification)
    if settings.mail_outbox_dir is not None:
        return _write_to_outbox(settings.mail_outbox_dir, msg)
    server = f"{settings.smtp_host}:{settings.smtp_port}"
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.http_timeout_s) as smtp:
            if settings.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.smtp_user:
                smtp.login(settings.smtp_user, _password(settings))
            smtp.send_message(msg)
    except smtplib.SMTPResponseException as exc:
        reply = exc.smtp_error.decode("utf-8", "replace") if isinstance(exc.smtp_error, bytes) else exc.smtp_error
        raise MailNotSent(
            f"the mail server {server} refused the e-mail for {notification.event_key!r}: {exc.smtp_code} {reply}"
        ) from None
    except (smtplib.SMTPException, OSError) as exc:
        raise MailNotSent(
            f"could not send the e-mail for {notification.event_key!r} through {server}: "
            f"{type(exc).__name__}: {exc}; check CROSSDEPT_SMTP_HOST/PORT/STARTTLS/USER"
        ) from None
    return msg["Message-ID"]


def _write_to_outbox(folder: Path, msg: EmailMessage) -> str:
    """One .eml file per message, named by its Message-ID, so a repeated event overwrites nothing new."""
    folder.mkdir(parents=True, exist_ok=True)
    name = msg["Message-ID"].strip("<>").replace("@", "_at_")
    temporary = folder / f".{name}.tmp"
    temporary.write_bytes(bytes(msg))
    temporary.replace(folder / f"{name}.eml")
    return msg["Message-ID"]


def _password(settings: Settings) -> str:
    if settings.smtp_password is None:
        raise MailNotSent("CROSSDEPT_SMTP_USER is set but CROSSDEPT_SMTP_PASSWORD is not: set both, or neither")
    return settings.smtp_password.get_secret_value()
