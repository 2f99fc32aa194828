"""Coordination meetings (项目协调会): the cadence the agreement sets, and each meeting, regular or
special (专项协调会议), by its id (`R3`: the third of the cadence, `S1`: the first special one).

A regular meeting is computed from the schedule and its number, never stored: the cadence is data
(the agreement's interval and first date, the diagram's start time, duration and lead time), so the
same id always names the same meeting, on a retry too.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import Field, PlainSerializer

from workers.runtime.registry import ProcessVariables
from workers.shared.notify import Bilingual
from workers.shared.properties import parse_time_zone

REGULAR_PREFIX = "R"
SPECIAL_PREFIX = "S"
REGULAR_TOPIC = "项目进展与问题协调 / Progress and problems"


# 09:30, as the diagram's property gives it (a time is no JSON type of its own)
ClockText = Annotated[time, PlainSerializer(lambda moment: moment.isoformat("minutes"), return_type=str)]


class MeetingKind(StrEnum):
    REGULAR = "regular"
    SPECIAL = "special"


class MeetingSchedule(ProcessVariables):
    """The cadence (variable `meetingSchedule`): every `interval_days` from `first_date`."""

    first_date: date
    interval_days: int = Field(ge=1)
    start_time: ClockText
    duration_minutes: int = Field(ge=1)
    invitation_lead_days: int = Field(ge=0)
    time_zone: str


class Meeting(ProcessVariables):
    id: str
    kind: MeetingKind
    number: int
    starts_at: datetime
    ends_at: datetime
    topic: str
    agenda: str = ""
    called_by: str | None = None  # a special meeting's caller, as the engine recorded who completed the call
    called_by_department: str | None = None

    def name(self) -> Bilingual:
        if self.kind is MeetingKind.REGULAR:
            return Bilingual(zh=f"第 {self.number} 次项目协调会", en=f"coordination meeting {self.number}")
        return Bilingual(zh=f"第 {self.number} 次专项协调会议", en=f"special coordination meeting {self.number}")

    def title(self) -> str:
        """As forms and documents show it: `第 1 次专项协调会议 / Special coordination meeting 1`."""
        name = self.name()
        return f"{name.zh} / {name.en[0].upper()}{name.en[1:]}"


def regular_meeting(schedule: MeetingSchedule, number: int) -> Meeting:
    zone = parse_time_zone(schedule.time_zone)
    day = schedule.first_date + timedelta(days=schedule.interval_days * (number - 1))
    starts = datetime.combine(day, schedule.start_time, tzinfo=zone)
    return Meeting(id=f"{REGULAR_PREFIX}{number}", kind=MeetingKind.REGULAR, number=number, starts_at=starts,
                   ends_at=starts + timedelta(minutes=schedule.duration_minutes), topic=REGULAR_TOPIC)


def first_regular_number(schedule: MeetingSchedule, now: datetime) -> int:
    """The first meeting of the cadence still ahead: an implementation that starts after the agreed first
    date invites to no meeting already past."""
    number = 1
    while regular_meeting(schedule, number).starts_at <= now:
        number += 1
    return number


def invitation_time(schedule: MeetingSchedule, meeting: Meeting) -> datetime:
    """When the invitation goes out: `invitation_lead_days` before the meeting (at once when that has passed)."""
    return meeting.starts_at - timedelta(days=schedule.invitation_lead_days)


def regular_number(meeting_id: str) -> int:
    if not (meeting_id.startswith(REGULAR_PREFIX) and meeting_id[1:].isdigit()):
        raise ValueError(f"{meeting_id!r} is not the id of a regular coordination meeting (R1, R2, ...)")
    return int(meeting_id[1:])


def meeting_by_id(meeting_id: str, schedule: MeetingSchedule, specials: list[Meeting]) -> Meeting:
    if meeting_id.startswith(SPECIAL_PREFIX):
        found = [m for m in specials if m.id == meeting_id]
        if not found:
            raise LookupError(f"no special meeting {meeting_id!r} in specialMeetings "
                              f"({', '.join(m.id for m in specials) or 'none'})")
        return found[0]
    return regular_meeting(schedule, regular_number(meeting_id))


def special_meeting(number: int, topic: str, agenda: str, day: date, start: time, schedule: MeetingSchedule,
                    called_by: str, department: str) -> Meeting:
    starts = datetime.combine(day, start, tzinfo=parse_time_zone(schedule.time_zone))
    return Meeting(id=f"{SPECIAL_PREFIX}{number}", kind=MeetingKind.SPECIAL, number=number, starts_at=starts,
                   ends_at=starts + timedelta(minutes=schedule.duration_minutes), topic=topic, agenda=agenda,
                   called_by=called_by, called_by_department=department)
