"""The minutes of a coordination meeting (项目协调会会议纪要) as a PDF: bilingual, Chinese first, from
the shared document parts; deterministic, so a retried filing writes the same bytes the archive holds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pydantic import BaseModel
from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from workers.processes.project_cooperation_implementation.meetings import Meeting, MeetingKind
from workers.shared.documents import CJK_FONT_FILE, Styles, local_date, local_time, render_pdf, table, zone_label
from workers.shared.properties import parse_time_zone

TITLE = "项目协调会会议纪要 / Coordination Meeting Minutes"
KINDS = {MeetingKind.REGULAR: "定期项目协调会 / Regular coordination meeting",
         MeetingKind.SPECIAL: "专项协调会议 / Special coordination meeting"}
NONE = "无 / none"


class MinutesItem(BaseModel):
    id: str
    item: str
    department_name: str
    due_date: date


class Minutes(BaseModel):
    """What the minutes print: the meeting, who was invited, what the project owner recorded."""

    company: str
    project_name: str
    business_key: str
    process_instance_id: str
    meeting: Meeting
    time_zone: str
    organizer: str  # the project owner's name
    invited: list[str]  # the involved department heads' names, with their departments
    called_by: str | None = None
    attendees: str
    discussion: str
    decisions: str
    action_items: list[MinutesItem]


def render_minutes_pdf(minutes: Minutes, *, font_file: Path = CJK_FONT_FILE) -> bytes:
    styles = Styles(font_file)
    zone = parse_time_zone(minutes.time_zone)
    meeting = minutes.meeting
    facts = [
        ("项目 / Project", minutes.project_name),
        ("会议 / Meeting", meeting.title()),
        ("类型 / Kind", KINDS[meeting.kind]),
        ("时间 / Time", f"{local_time(meeting.starts_at, zone)} – {local_time(meeting.ends_at, zone)}"),
        ("时区 / Time zone", zone_label(zone, meeting.starts_at)),
        ("议题 / Topic", meeting.topic),
        *([("召集人 / Called by", minutes.called_by)] if minutes.called_by else []),
        *([("议程与原因 / Agenda and reason", meeting.agenda)] if meeting.agenda else []),
        ("组织者（项目负责人） / Organiser (project owner)", minutes.organizer),
        ("邀请 / Invited", "\n".join(minutes.invited)),
    ]
    flowables = [
        styles.text(minutes.company, styles.heading),
        styles.text(TITLE, styles.title),
        table([[styles.two_lines(k), styles.text(v)] for k, v in facts], [55, 125], header=False),
        Spacer(0, 5 * mm),
    ]
    for heading, text in (("出席人员 / Attendees", minutes.attendees), ("讨论内容 / Discussion", minutes.discussion),
                          ("决定事项 / Decisions", minutes.decisions or NONE)):
        flowables += [*styles.section(heading), styles.text(text), Spacer(0, 4 * mm)]
    flowables += styles.section("待办事项 / Action items")
    if minutes.action_items:
        header = ["编号 / No.", "事项 / Item", "负责部门 / Owning department", "完成期限 / Due date"]
        rows = [[styles.text(a.id), styles.text(a.item), styles.two_lines(a.department_name),
                 styles.text(local_date(a.due_date))] for a in minutes.action_items]
        flowables.append(table([[styles.two_lines(h) for h in header], *rows], [20, 85, 45, 30], header=True))
    else:
        flowables.append(styles.text(NONE))
    flowables += [Spacer(0, 5 * mm), styles.text(
        f"项目编号 / Project: {minutes.business_key} · 流程实例 / Process instance: {minutes.process_instance_id}",
        styles.small)]
    return render_pdf(flowables, title=TITLE, subject=f"{minutes.project_name} {meeting.id}")
