"""Tell people about an event by e-mail and IM webhook, once per event however often a task is delivered.

A handler builds a `Notification` (who: people of the organisation, what, in both languages, and the user task it is about) and
calls `notify(task, notification)`. Each channel is one side effect recorded under the event key, so a
redelivered task sends nothing twice, and a retry after a failure sends only what did not go out.
Code that is not a handler (the to-do watcher, `workers.shared.notify.watch`) calls `deliver` with the
settings and a `once` of its own.
"""

from __future__ import annotations

import hashlib
from typing import Any, Callable, Protocol

from pydantic import BaseModel, ConfigDict, Field

from workers.shared.notify.mail import send_mail
from workers.shared.notify.webhook import Flavour, parse_webhook_entry, post_webhook
from workers.runtime.context import TaskContext
from workers.shared.organisation.model import Person
from workers.runtime.settings import Settings


class Bilingual(BaseModel):
    """A text in Chinese and English; rendered Chinese first."""

    model_config = ConfigDict(frozen=True)

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def line(self) -> str:
        return f"{self.zh} / {self.en}"

    def paragraphs(self) -> str:
        return f"{self.zh}\n\n{self.en}"


class Attachment(BaseModel):
    model_config = ConfigDict(frozen=True)

    filename: str = Field(min_length=1)
    content: bytes
    mime_type: str = Field("application/octet-stream", pattern=r"^[\w.+-]+/[\w.+-]+$")


class Notification(BaseModel):
    """One event told to some people. `event_key` names the event (e.g. `handover:<instance>:notice`)."""

    model_config = ConfigDict(frozen=True)

    event_key: str = Field(min_length=1)
    recipients: list[Person] = Field(min_length=1)
    subject: Bilingual
    body: Bilingual
    task_id: str | None = Field(None, description="The Camunda user task to link to in Tasklist.")
    attachments: list[Attachment] = Field(default_factory=list)

    def task_link(self, tasklist_url: str | None) -> str | None:
        """The Tasklist 7 deep link to the task: `<tasklist>/default/#/?task=<id>`."""
        if self.task_id is None:
            return None
        if not tasklist_url:
            raise NotificationFailed(
                f"cannot link event {self.event_key!r} to task {self.task_id}: set CROSSDEPT_TASKLIST_URL "
                "to the Tasklist address, e.g. http://camunda.example.com/camunda/app/tasklist/default/"
            )
        base = tasklist_url.rstrip("/")
        if base.endswith("/app/tasklist"):  # Tasklist serves one engine per path segment; ours is `default`
            base += "/default"
        return f"{base}/#/?task={self.task_id}"


class NotificationFailed(RuntimeError):
    """Some channel did not take the notification; the others were sent and are not repeated on retry."""


class Once(Protocol):
    """Runs `action` once for `key` (TaskContext.once, or a watcher's own scope of the once store)."""

    def __call__(self, key: str, action: Callable[[], Any]) -> Any: ...


def notify(task: TaskContext, notification: Notification, *, mail: bool = True, im: bool = True) -> None:
    """Send the e-mail and every configured webhook once for this event, then raise if any failed."""
    deliver(task.settings, task.once, notification, mail=mail, im=im)


def deliver(settings: Settings, once: Once, notification: Notification, *, mail: bool = True, im: bool = True) -> None:
    """`notify` for callers without a task: each channel once under `once`, then raise if any failed.
    `mail` / `im` leave out the e-mail or the IM webhooks, for a process whose policy decides the
    channels (information sharing)."""
    notification.task_link(settings.tasklist_url)  # a missing Tasklist address fails before anything is sent
    webhooks = [parse_webhook_entry(entry) for entry in settings.webhook_urls] if im else []
    key = notification.event_key
    sends: list[tuple[str, str, Callable[[], object]]] = [
        (f"mail:{key}", "e-mail", lambda: send_mail(settings, notification)),
    ] if mail else []
    for flavour, url in webhooks:
        # The URL holds the robot's token: the durable record keeps only a digest of it.
        url_digest = hashlib.sha256(url.encode()).hexdigest()[:16]
        sends.append((f"webhook:{url_digest}:{key}", f"{flavour} webhook", _poster(settings, url, notification, flavour)))
    failures: list[tuple[str, Exception]] = []
    for once_key, channel, send in sends:
        try:
            once(once_key, send)
        except Exception as exc:  # one broken channel must not hold back the others
            failures.append((channel, exc))
    if failures:
        raise NotificationFailed(
            f"notification {key!r} was not delivered everywhere ({len(failures)} of {len(sends)} channels failed; "
            "the others are done and will not repeat): " + "; ".join(f"{channel}: {exc}" for channel, exc in failures)
        ) from failures[0][1]


def _poster(settings: Settings, url: str, notification: Notification, flavour: Flavour) -> Callable[[], None]:
    return lambda: post_webhook(settings, url, notification, flavour)  # binds this loop's url and flavour


__all__ = [
    "Attachment", "Bilingual", "Notification", "NotificationFailed", "Once", "Person",
    "deliver", "notify", "parse_webhook_entry", "post_webhook", "send_mail",
]
