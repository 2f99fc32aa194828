"""The checks of what people enter in phase 4, as pure functions: each problem one bilingual line
naming the field by its form label (Chinese first), so the form can show what to correct.
"""

from __future__ import annotations

import re
from datetime import date, time
from typing import Any

from pydantic import BaseModel

from workers.processes.project_cooperation_implementation.labels import ACTION_ITEM, CALL, MILESTONE, MINUTES
from workers.processes.project_cooperation_implementation.variables import MilestoneRow
from workers.shared.documents import undrawable
from workers.shared.text import MaxLength, check_rows, check_text, field_name, row

_CLOCK = re.compile(r"([01][0-9]|2[0-3]):([0-5][0-9])")
ON_MINUTES = "会议纪要上 / on the minutes"


def parse_date(value: Any, name: str, problems: list[str]) -> date | None:
    """A form's date (`2026-12-03`; a datetime field may add a time, which is ignored)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        problems.append(f"{name}: {value!r} 不是日期，如 2026-12-03 / is not a date like 2026-12-03")
        return None


# --- special coordination meeting ------------------------------------------------------------------
class MeetingCall(BaseModel):
    topic: str
    agenda: str
    day: date
    start: time


def meeting_call(values: dict[str, Any], today: date) -> tuple[MeetingCall | None, list[str]]:
    problems = (check_text(values.get("meetingCallTopic"), "meetingCallTopic", CALL["meetingCallTopic"], MaxLength.LINE,
                           required=True, undrawable=undrawable, printed_on=ON_MINUTES)
                + check_text(values.get("meetingCallAgenda"), "meetingCallAgenda", CALL["meetingCallAgenda"],
                             MaxLength.TEXT, required=True, multiline=True, undrawable=undrawable, printed_on=ON_MINUTES))
    date_name = field_name(CALL["meetingCallDate"], "meetingCallDate")
    day = parse_date(values.get("meetingCallDate"), date_name, problems)
    if day is None and not any(p.startswith(date_name) for p in problems):
        problems.append(f"{date_name}: 必填 / is required")
    if day is not None and day < today:
        problems.append(f"{date_name}: {day} 已经过去，请选今天或以后的日期 / {day} has passed: choose today or later")
    start = _clock(values.get("meetingCallTime"), field_name(CALL["meetingCallTime"], "meetingCallTime"), problems)
    if problems:
        return None, problems
    assert day is not None and start is not None
    return MeetingCall(topic=values["meetingCallTopic"].strip(), agenda=values["meetingCallAgenda"].strip(),
                       day=day, start=start), []


def _clock(value: Any, name: str, problems: list[str]) -> time | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        problems.append(f"{name}: 必填 / is required")
        return None
    match = _CLOCK.fullmatch(text)
    if not match:
        problems.append(f"{name}: {text!r} 不是时:分，如 14:30 / is not a time like 14:30")
        return None
    return time(int(match[1]), int(match[2]))


# --- minutes ---------------------------------------------------------------------------------------
class ActionItem(BaseModel):
    item: str
    department: str
    due_date: date


def minutes_problems(values: dict[str, Any], involved: list[str], today: date) -> list[str]:
    """Attendees and discussion required, decisions optional; every action item with its text, an involved
    department and a due date not before today."""
    problems = []
    for key, required in (("meetingAttendees", True), ("meetingDiscussion", True), ("meetingDecisions", False)):
        problems += check_text(values.get(key), key, MINUTES[key], MaxLength.TEXT, required=required, multiline=True,
                               undrawable=undrawable, printed_on=ON_MINUTES)
    rows = values.get("actionItems")
    listed = check_rows(rows, "actionItems", MINUTES["actionItems"])
    if listed or not rows:
        return problems + listed
    for number, item in enumerate(rows, start=1):
        problems += _action_item_problems(item if isinstance(item, dict) else {}, row(number), involved, today)
    return problems


def _action_item_problems(item: dict[str, Any], where: tuple[str, str], involved: list[str], today: date) -> list[str]:
    problems = check_text(item.get("item"), "item", ACTION_ITEM["item"], MaxLength.LINE, where=where, required=True,
                          undrawable=undrawable, printed_on=ON_MINUTES)
    department = item.get("department")
    name = field_name(ACTION_ITEM["department"], "department", where)
    if not department:
        problems.append(f"{name}: 必填 / is required")
    elif department not in involved:
        problems.append(f"{name}: {department} 不是本项目的参与部门（{', '.join(involved)}） / "
                        f"{department} is not an involved department of this project ({', '.join(involved)})")
    due_name = field_name(ACTION_ITEM["dueDate"], "dueDate", where)
    due = parse_date(item.get("dueDate"), due_name, problems)
    if due is None and not any(p.startswith(due_name) for p in problems):
        problems.append(f"{due_name}: 必填 / is required")
    elif due is not None and due < today:
        problems.append(f"{due_name}: {due} 已经过去，期限不能早于今天 {today} / {due} has passed: "
                        f"the due date cannot be before today ({today})")
    return problems


def action_items(rows: list[dict[str, Any]] | None) -> list[ActionItem]:
    """The rows once `minutes_problems` found none."""
    return [ActionItem(item=r["item"].strip(), department=r["department"], due_date=date.fromisoformat(str(r["dueDate"])[:10]))
            for r in rows or []]


# --- milestones ------------------------------------------------------------------------------------
def recorded_milestones(agreed: list[MilestoneRow], submitted: Any, today: date) -> tuple[list[MilestoneRow], list[str]]:
    """The agreement's milestones with the actual dates and reasons the owner entered (by id; a row the
    form does not send keeps none); an actual date must be a date not after today."""
    rows = {r.get("id"): r for r in submitted if isinstance(r, dict)} if isinstance(submitted, list) else {}
    problems: list[str] = []
    recorded = []
    for number, milestone in enumerate(agreed, start=1):
        given = rows.get(milestone.id, {})
        where = row(number, "行", "row")
        name = field_name(MILESTONE["actualDate"], "actualDate", where)
        actual = parse_date(given.get("actualDate"), name, problems)
        if actual is not None and actual > today:
            problems.append(f"{name}: {actual} 还没到，只记录已达成的日期 / {actual} is in the future: record a date reached")
        problems += check_text(given.get("reason"), "reason", MILESTONE["reason"], MaxLength.LINE, where=where,
                               undrawable=undrawable, printed_on="报告上 / on the report")
        reason = given.get("reason") if isinstance(given.get("reason"), str) else ""
        recorded.append(milestone.model_copy(update={"actual_date": actual, "reason": (reason or "").strip(),
                                                     "late_days": None}))
    return recorded, problems


def completion_problems(milestones: list[MilestoneRow]) -> list[str]:
    """Implementation is complete only when every milestone was reached or says why not."""
    return [f"{field_name(MILESTONE['actualDate'], 'actualDate', row(n, '行', 'row'))}: {m.id} {m.name} "
            f"没有实际完成日期，请填写日期或原因 / has no actual date: enter it or a reason"
            for n, m in enumerate(milestones, start=1) if m.actual_date is None and not m.reason]


def milestone_summary(milestones: list[MilestoneRow], today: date) -> str:
    lines = []
    for m in milestones:
        late = m.days_late(today)
        if m.actual_date is None:
            state = (f"未达成，已逾期 {late} 天 / not reached, {late} days late" if late
                     else "未达成 / not reached yet")
        else:
            state = (f"{m.actual_date} 达成，逾期 {late} 天 / reached {m.actual_date}, {late} days late" if late
                     else f"{m.actual_date} 按期达成 / reached on time {m.actual_date}")
        lines.append(f"{m.id} {m.name}（计划 / due {m.due_date}）：{state}")
    return "\n".join(lines)
