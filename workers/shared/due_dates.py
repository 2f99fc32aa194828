"""A user task's due date from a lead time its process owner sets, counted in company working days.

The service task just before the user task carries the settings as `camunda:properties` (Modeler:
Extensions → Properties) and its handler returns the due date with the reminder settings:

    dueWorkingDays="5" timeZone="Asia/Shanghai" deadlineTime="18:00" calendarFile="org/company-calendar.yaml"
    reminderIntervalHours="24" escalateAfterReminders="2"

The output field is the process's `IsoDateTime` (ISO text with its offset, as the timer reads it);
the user task then reads `camunda:dueDate="${<x>Due}"`, and a non-interrupting timer
`R/${<x>Due}/PT${reminderIntervalHours}H` on it leads to the process's reminder topic
(`reminders.reminder_topic`). The due date is the end (`deadlineTime`) of the `dueWorkingDays`-th
working day after the start, by the company calendar (workers.shared.calendar): a lead time of 3
given on a Friday ends on Wednesday, and later on a holiday week. Each instance reads the properties
of the definition it was started from, so a lead time changed and redeployed holds for new instances.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from workers.runtime import clock
from workers.runtime.properties import TaskProperties, WholeNumber
from workers.runtime.registry import ProcessVariables
from workers.shared.calendar import load_calendar
from workers.shared.properties import ClockTime, LocalPath, TimeZone


class ReminderProperties(TaskProperties):
    """How often an overdue task is reminded, and after how many reminders its holder's head hears:
    on a service task before a user task whose due date someone else sets (a form's date)."""

    reminder_interval_hours: int = Field(ge=1, examples=[24])  # 催办 this often once it is overdue
    escalate_after_reminders: int = Field(ge=0, examples=[2])  # then the holder's head hears too


class LeadTime(TaskProperties):
    """The lead time of the user task that follows this service task, in company working days."""

    due_working_days: WholeNumber = Field(examples=[5])  # working days the person has, the start day not counted
    time_zone: TimeZone = Field(examples=["Asia/Shanghai"])  # the company's: which day it is, when it ends
    deadline_time: ClockTime = Field(examples=["18:00"])  # the due day ends at this time
    calendar_file: LocalPath = Field(examples=["org/company-calendar.yaml"])  # holidays, make-up working days

    def due(self, start: datetime | None = None) -> datetime:
        """The end of the `due_working_days`-th working day after `start` (now, unless a later event
        such as a meeting starts the count)."""
        calendar = load_calendar(self.calendar_file.resolve())
        return calendar.deadline(start or clock.now(), self.due_working_days, self.time_zone, self.deadline_time)


class DueDateSettings(LeadTime, ReminderProperties):
    """The lead time and the reminders after it, where this step sets both (a process whose first step
    already set the reminders gives later steps only a `LeadTime`)."""


class ReminderSettings(ProcessVariables):
    """What the reminder timer (`PT${reminderIntervalHours}H`) and topic read, returned with each due
    date: the settings of the latest step."""

    reminder_interval_hours: int
    escalate_after_reminders: int


def reminder_settings(settings: ReminderProperties) -> dict[str, int]:
    """The reminder fields of an output that also carries a due date: `**reminder_settings(p)`."""
    return {"reminder_interval_hours": settings.reminder_interval_hours,
            "escalate_after_reminders": settings.escalate_after_reminders}
