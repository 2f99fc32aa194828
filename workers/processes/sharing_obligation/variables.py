"""The variables of process `sharing-obligation`: what the assignment writes from the organisation
file (nothing a person types), the 准备并发布 form's fields, what information-sharing gives back, and
what the records return."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, PlainSerializer

from workers.runtime.registry import ProcessVariables

# `camunda:dueDate="${deadline}"` and `R/${deadline}/${reminderInterval}` need ISO text with its offset.
IsoDateTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]


class Occurrence(ProcessVariables):
    """Which obligation and deadline this instance is, as the assignment wrote them."""

    obligation_id: str
    deadline: IsoDateTime
    organisation_file: str


class AssignOutput(Occurrence):
    obligation_title: str
    owner_department: str
    owner_department_label: str
    target_departments: list[str]
    target_departments_label: str
    category: str
    sensitivity: str
    deadline_label: str  # in the company's time zone, for the form
    preparer: str  # the head, or their delegate
    original_preparer: str
    delegation_note: str
    catch_up_note: str  # empty unless the workers were down when the task should have appeared
    reminder_interval: str
    escalate_after_reminders: int


class OverdueInput(Occurrence):
    escalate_after_reminders: int
    reminders_sent: dict[str, int] = Field(default_factory=dict)


class OverdueOutput(ProcessVariables):
    reminders_sent: dict[str, int]
    deadline_missed: bool
    missed_record: str  # the data file's path under the archive root


class RecordFulfilmentInput(Occurrence):
    obligation_title: str
    owner_department: str
    target_departments: list[str]
    category: str
    sensitivity: str
    summary: str
    content: str | None = None  # the form gives the content or a link to it
    content_link: str | None = None
    channels: list[str]
    published_share_instance: str  # the call activity's camunda:out, from the called instance
    published_share_version: int | None = None
    share_published_at: datetime | None = None  # unset when the publisher withdrew the share


class RecordFulfilmentOutput(ProcessVariables):
    prepared_by: str  # the completer of the task, from the engine's history
    prepared_at: IsoDateTime
    on_time: bool
    fulfilment_record: str
