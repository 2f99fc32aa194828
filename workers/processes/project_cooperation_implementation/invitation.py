"""The meeting invitation as an iCalendar file (RFC 5545, `METHOD:REQUEST`), built with `icalendar`.

Mail clients (Outlook, Apple Mail, Thunderbird, DingTalk and Feishu mail) offer to accept it and put
it in the calendar. The UID is stable per meeting and instance, so should an invitation ever be sent
again, a calendar updates the one meeting instead of adding a second; the start carries the company's
zone (`DTSTART;TZID=Asia/Shanghai`) with its VTIMEZONE, so it shows at the right hour anywhere.
"""

from __future__ import annotations

from datetime import datetime
from icalendar import Calendar, Event, vCalAddress, vText

from workers.processes.project_cooperation_implementation.meetings import Meeting
from workers.shared.organisation.model import Person

PRODID = "-//crossdept//project cooperation//ZH"
MIME_TYPE = "text/calendar"
# method: what makes a mail client treat the attachment as an invitation; charset: MIME text defaults to
# US-ASCII, and the names and summary are Chinese
MIME_PARAMS = {"method": "REQUEST", "charset": "utf-8"}


def meeting_uid(meeting: Meeting, process_instance_id: str, domain: str) -> str:
    return f"{meeting.id}.{process_instance_id}@{domain}"


def build_invitation(meeting: Meeting, *, uid: str, project_name: str, organizer: Person, attendees: list[Person],
                     stamped_at: datetime, description: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", "REQUEST")
    calendar.add("calscale", "GREGORIAN")
    event = Event()
    event.add("uid", uid)
    event.add("sequence", 0)
    event.add("dtstamp", stamped_at)
    event.add("dtstart", meeting.starts_at)
    event.add("dtend", meeting.ends_at)
    event.add("summary", f"{project_name}：{meeting.title()}：{meeting.topic}")
    event.add("description", description)
    event.add("status", "CONFIRMED")
    event["organizer"] = _address(organizer, role=None)
    for person in attendees:
        event.add("attendee", _address(person, role="REQ-PARTICIPANT"), encode=0)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _address(person: Person, role: str | None) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    address.params["cn"] = vText(person.name)
    if role:
        address.params["role"] = vText(role)
        address.params["partstat"] = vText("NEEDS-ACTION")
        address.params["rsvp"] = vText("TRUE")
    return address

