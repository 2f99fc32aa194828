"""The policy's checks of project cooperation (§3.1), pure functions over what a form submitted.

Each problem is one bilingual line naming the field by its form label (`labels`), all of them at once,
so one correction fixes the form. A check that passes returns the typed record (`records`).
"""

from __future__ import annotations

from datetime import date
from typing import Any, Mapping

from workers.processes.project_cooperation.labels import AGREEMENT, APPLICATION, ASSESS, ORGANISE
from workers.processes.project_cooperation.records import (
    AgreedMilestone,
    Agreement,
    Application,
    Criterion,
    FeasibilityScores,
    Milestone,
    Participant,
    Risk,
    Work,
)
from workers.shared.organisation.model import Organisation
from workers.shared.text import MaxLength, all_problems, check_fields, check_rows, check_text, field_name, row

MIN_DEPARTMENTS = 2  # cross-department work: the requesting department and at least one other
# Sanity bounds, not policy: what a number must stay within to be stored (the engine's Long, Double)
# and printed; the policy's thresholds are in dmn/cooperation-approvers.dmn.
MAX_BUDGET = 10**12  # CNY
MAX_MEETING_INTERVAL_DAYS = 365
SHOWN_CHARS = 40  # of a wrong value quoted in a message: the message stays far below the String column


def _shown(value: Any) -> str:
    """A wrong value as a message quotes it, cut short (a rejection is stored as a String variable)."""
    text = repr(value)
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "…"

APPLICATION_TEXTS = [("projectName", APPLICATION["projectName"], MaxLength.LINE, False)] + [
    (key, APPLICATION[key], MaxLength.TEXT, True) for key in ("background", "goal", "content", "expectedResults")]
AGREEMENT_TEXTS = [(key, AGREEMENT[key], MaxLength.TEXT, True)
                   for key in ("rightsObligations", "qualityRequirements", "breachLiability")]


def _label(labels: Mapping[str, str], key: str, where: tuple[str, str] = ("", "")) -> str:
    return field_name(labels[key], key.rsplit(".", 1)[-1], where)


def _missing(values: Mapping[str, Any], fields: list, labels: Mapping[str, str]) -> list[str]:
    """The required text fields left empty (check_fields names the other problems of those filled)."""
    return [f"{_label(labels, key)}: 必填 / is required" for key, *_ in fields
            if values.get(key) is None or (isinstance(values[key], str) and not values[key].strip())]


def parse_day(value: Any, labels: Mapping[str, str], key: str, problems: list[str],
              where: tuple[str, str] = ("", "")) -> date | None:
    """A form's date (`2026-12-03`, or a datetime's first ten characters), or a problem naming it."""
    name = _label(labels, key, where)
    if value is None or not str(value).strip():
        problems.append(f"{name}: 日期必填 / is required")
        return None
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        problems.append(f"{name}: {_shown(value)} 不是日期，如 2026-12-03 / is not a date like 2026-12-03")
        return None


def _rows(values: Mapping[str, Any], key: str, labels: Mapping[str, str], problems: list[str]) -> list[dict]:
    rows = values.get(key)
    found = check_rows(rows, key, labels[key])
    problems += found
    if found or rows is None:
        return []
    return [r if isinstance(r, dict) else {} for r in rows]


def _department(org: Organisation, value: Any, name: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{name}: 必填 / is required")
        return None
    if value not in org.departments_by_id:
        problems.append(f"{name}: 没有部门 {_shown(value)} / no department {_shown(value)}")
        return None
    return value


def _person(org: Organisation, value: Any, name: str, problems: list[str]) -> str | None:
    if not isinstance(value, str) or not value.strip():
        problems.append(f"{name}: 必填 / is required")
        return None
    if value not in org.people_by_id:
        problems.append(f"{name}: 没有人员 {_shown(value)} / no person with user id {_shown(value)}")
        return None
    return value


def check_application(values: Mapping[str, Any], org: Organisation, initiator: str | None
                      ) -> tuple[Application | None, list[str]]:
    """The 《项目合作申请表》 (issue 12 step 1): ≥ 2 departments, all existing, the initiator's own
    among them; dates in order and milestones inside them; each person in a department named; the
    project owner from an involved department."""
    problems = check_fields(values, APPLICATION_TEXTS)
    problems += _missing(values, APPLICATION_TEXTS, APPLICATION)
    start = parse_day(values.get("startDate"), APPLICATION, "startDate", problems)
    end = parse_day(values.get("endDate"), APPLICATION, "endDate", problems)
    if start and end and end < start:
        problems.append(f"{_label(APPLICATION, 'endDate')}: {end} 早于开始日期 {start} / is before the start date {start}")
    milestones = _milestones(values, start, end, problems)
    departments = _departments(values, org, problems)
    requesting = _requesting_department(org, initiator, departments, problems)
    people = _people(values, org, departments, problems)
    owner = _person(org, values.get("projectOwner"), _label(APPLICATION, "projectOwner"), problems)
    if owner and departments and org.person(owner).department not in departments:
        person = org.person(owner)
        problems.append(f"{_label(APPLICATION, 'projectOwner')}: {person.name} 所在的"
                        f"{org.department(person.department).name_zh}不是涉及部门 / {person.name}'s department "
                        f"{org.department(person.department).name_en} is not involved")
    if problems:
        return None, problems
    assert start and end and owner and requesting
    return Application(
        project_name=values["projectName"].strip(), background=values["background"].strip(),
        goal=values["goal"].strip(), content=values["content"].strip(),
        expected_results=values["expectedResults"].strip(), start_date=start, end_date=end,
        milestones=milestones, departments=departments, people=people, project_owner=owner,
        requesting_department=requesting), []


def _milestones(values: Mapping[str, Any], start: date | None, end: date | None, problems: list[str]) -> list[Milestone]:
    found = []
    for n, item in enumerate(_rows(values, "milestones", APPLICATION, problems), start=1):
        where = row(n)
        own: list[str] = check_text(item.get("name"), "name", APPLICATION["milestones.name"], MaxLength.LINE,
                                    where=where, required=True)
        due = parse_day(item.get("dueDate"), APPLICATION, "milestones.dueDate", own, where)
        if due and start and end and not start <= due <= end:
            own.append(f"{_label(APPLICATION, 'milestones.dueDate', where)}: {due} 不在项目期间 {start} 至 {end} 内 / "
                       f"is outside the project's {start} to {end}")
        problems += own
        if not own and due:
            found.append(Milestone(name=item["name"].strip(), due_date=due))
    return found


def _departments(values: Mapping[str, Any], org: Organisation, problems: list[str]) -> list[str]:
    name = _label(APPLICATION, "departments")
    chosen = values.get("departments")
    if chosen is None:
        chosen = []
    if not isinstance(chosen, list):
        problems.append(f"{name}: 须为部门列表 / must be a list of departments")
        return []
    known = []
    for value in dict.fromkeys(v for v in chosen if isinstance(v, str)):
        if value in org.departments_by_id:
            known.append(value)
        else:
            problems.append(f"{name}: 没有部门 {_shown(value)} / no department {_shown(value)}")
    if len(known) < MIN_DEPARTMENTS:
        problems.append(f"{name}: 至少选择 {MIN_DEPARTMENTS} 个部门（含本部门），现有 {len(known)} 个 / "
                        f"choose at least {MIN_DEPARTMENTS} departments (yours included), has {len(known)}")
    return known


def _requesting_department(org: Organisation, initiator: str | None, departments: list[str],
                           problems: list[str]) -> str | None:
    """The initiator's own department, as the organisation file says (never a form field)."""
    person = org.people_by_id.get(initiator or "")
    if person is None:
        problems.append(f"申请人 / Applicant: {initiator!r} 不在组织文件中，无法确定需求部门 / is not in the "
                        "organisation file, so the requesting department is unknown")
        return None
    department = org.department(person.department)
    if departments and department.id not in departments:
        problems.append(f"{_label(APPLICATION, 'departments')}: 须包含需求部门（您的部门）{department.name_zh} / "
                        f"must include the requesting department (yours), {department.name_en}")
    return department.id


def _people(values: Mapping[str, Any], org: Organisation, departments: list[str], problems: list[str]) -> list[Participant]:
    found = []
    for n, item in enumerate(_rows(values, "people", APPLICATION, problems), start=1):
        where = row(n, "人", "person")
        own: list[str] = []
        person = _person(org, item.get("person"), _label(APPLICATION, "people.person", where), own)
        department = _department(org, item.get("department"), _label(APPLICATION, "people.department", where), own)
        own += check_text(item.get("role"), "role", APPLICATION["people.role"], MaxLength.LINE, where=where, required=True)
        if department and departments and department not in departments:
            own.append(f"{_label(APPLICATION, 'people.department', where)}: {org.department(department).name_zh}"
                       f"不是涉及部门 / {org.department(department).name_en} is not one of the departments involved")
        elif person and department and org.person(person).department != department:
            own.append(f"{_label(APPLICATION, 'people.person', where)}: {org.person(person).name} 不属于"
                       f"{org.department(department).name_zh} / {org.person(person).name} is not in "
                       f"{org.department(department).name_en}")
        problems += own
        if not own and person and department:
            found.append(Participant(person=person, department=department, role=item["role"].strip()))
    return found


# --- feasibility ---------------------------------------------------------------------------------
SCORES = ("technical", "economic", "operational")


def check_brief(values: Mapping[str, Any], today: date) -> tuple[date | None, list[str]]:
    """The PMO's arrangements: a due date from today on, and what to assess."""
    problems = check_text(values.get("assessmentBrief"), "assessmentBrief", ORGANISE["assessmentBrief"],
                          MaxLength.TEXT, required=True, multiline=True)
    due = parse_day(values.get("assessmentDue"), ORGANISE, "assessmentDue", problems)
    if due and due < today:
        problems.append(f"{_label(ORGANISE, 'assessmentDue')}: {due} 早于今天 {today} / is before today, {today}")
        due = None
    return due, problems


def check_assessment(values: Mapping[str, Any]) -> list[str]:
    """Each score a whole number 1–5, each comment given."""
    problems = []
    for kind in SCORES:
        key = f"{kind}Score"
        score = values.get(key)
        if isinstance(score, float) and score.is_integer():
            score = int(score)
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            problems.append(f"{_label(ASSESS, key)}: 须为 1 至 5 的整数，收到 {_shown(values.get(key))} / "
                            f"must be a whole number from 1 to 5")
        problems += check_text(values.get(f"{kind}Comment"), f"{kind}Comment", ASSESS[f"{kind}Comment"],
                               MaxLength.TEXT, required=True, multiline=True)
    return problems


def score_summary(assessments: list[FeasibilityScores]) -> tuple[int, float]:
    """The lowest and the average of every score of every department: the decision's inputs."""
    scores = [s for a in assessments for s in a.scores]
    return min(scores), round(sum(scores) / len(scores), 2)


def revision_comments(assessments: list[FeasibilityScores], names: Mapping[str, str]) -> str:
    """The departments' comments as the requester reads them on the revision form."""
    lines = []
    for a in assessments:
        lines.append(f"{names.get(a.department, a.department)}：技术 / technical {a.technical_score}，"
                     f"经济 / economic {a.economic_score}，操作 / operational {a.operational_score}")
        lines += [f"  {label}: {comment}" for label, comment in (
            ("技术 / Technical", a.technical_comment), ("经济 / Economic", a.economic_comment),
            ("操作 / Operational", a.operational_comment))]
    return "\n".join(lines)


# --- agreement -----------------------------------------------------------------------------------
def check_agreement(values: Mapping[str, Any], application: Application,
                    org: Organisation) -> tuple[Agreement | None, list[str]]:
    """Every involved department has work and at least one acceptance criterion; milestones inside the
    project's dates; budget ≥ 0; the meeting cadence a whole number of days."""
    problems = check_fields(values, AGREEMENT_TEXTS)
    problems += _missing(values, AGREEMENT_TEXTS, AGREEMENT)
    involved = application.departments
    division = _department_rows(values, "division", "work", involved, problems)
    criteria = _department_rows(values, "acceptanceCriteria", "criterion", involved, problems)
    for key, rows, zh, en in (("division", division, "分工", "work"),
                              ("acceptanceCriteria", criteria, "验收标准", "acceptance criterion")):
        for missing in [org.department(d) for d in involved if d not in {r["department"] for r in rows}]:
            problems.append(f"{_label(AGREEMENT, key)}: 涉及部门{missing.name_zh}没有{zh} / the involved department "
                            f"{missing.name_en} has no {en}")
    milestones = _agreed_milestones(values, application, problems)
    budget = values.get("budget")
    if isinstance(budget, bool) or not isinstance(budget, (int, float)) or not 0 <= budget <= MAX_BUDGET:
        problems.append(f"{_label(AGREEMENT, 'budget')}: 须为 0 至 {MAX_BUDGET:,} 元的金额，收到 {_shown(budget)} / "
                        f"must be an amount from 0 to {MAX_BUDGET:,}")
    try:
        risk = Risk(values.get("risk"))
    except ValueError:
        risk = None
        problems.append(f"{_label(AGREEMENT, 'risk')}: 请选择低、中或高 / choose low, medium or high")
    interval = values.get("meetingIntervalDays")
    if isinstance(interval, float) and interval.is_integer():
        interval = int(interval)
    if isinstance(interval, bool) or not isinstance(interval, int) or not 1 <= interval <= MAX_MEETING_INTERVAL_DAYS:
        problems.append(f"{_label(AGREEMENT, 'meetingIntervalDays')}: 须为 1 至 {MAX_MEETING_INTERVAL_DAYS} 天的整数 / "
                        f"must be a whole number of days from 1 to {MAX_MEETING_INTERVAL_DAYS}")
    first = parse_day(values.get("firstMeetingDate"), AGREEMENT, "firstMeetingDate", problems)
    if first and not application.start_date <= first <= application.end_date:
        problems.append(f"{_label(AGREEMENT, 'firstMeetingDate')}: {first} 不在项目期间 {application.start_date} 至 "
                        f"{application.end_date} 内 / is outside the project's {application.start_date} to {application.end_date}")
    if problems:
        return None, problems
    assert risk and first
    return Agreement(
        rights_obligations=values["rightsObligations"].strip(),
        division=[Work(department=r["department"], work=r["work"]) for r in division],
        milestones=milestones, budget=float(budget), risk=risk,
        quality_requirements=values["qualityRequirements"].strip(),
        acceptance_criteria=[Criterion(id=f"C{n}", department=r["department"], criterion=r["criterion"])
                             for n, r in enumerate(criteria, start=1)],
        breach_liability=values["breachLiability"].strip(), meeting_interval_days=interval,
        first_meeting_date=first), []


def _department_rows(values: Mapping[str, Any], key: str, text_key: str, involved: list[str],
                     problems: list[str]) -> list[dict[str, str]]:
    """Rows of (involved department, text): the division of work, the acceptance criteria."""
    found = []
    for n, item in enumerate(_rows(values, key, AGREEMENT, problems), start=1):
        where = row(n)
        own = check_text(item.get(text_key), text_key, AGREEMENT[f"{key}.{text_key}"], MaxLength.TEXT,
                         where=where, required=True, multiline=True)
        department = item.get("department")
        name = _label(AGREEMENT, f"{key}.department", where)
        if not isinstance(department, str) or not department.strip():
            own.append(f"{name}: 必填 / is required")
        elif department not in involved:
            own.append(f"{name}: {_shown(department)} 不是本项目的涉及部门 / is not one of the project's departments")
        problems += own
        if not own:
            found.append({"department": department, text_key: item[text_key].strip()})
    return found


def _agreed_milestones(values: Mapping[str, Any], application: Application, problems: list[str]) -> list[AgreedMilestone]:
    found = []
    start, end = application.start_date, application.end_date
    for n, item in enumerate(_rows(values, "agreementMilestones", AGREEMENT, problems), start=1):
        where = row(n)
        own = check_text(item.get("name"), "name", AGREEMENT["agreementMilestones.name"], MaxLength.LINE,
                         where=where, required=True)
        due = parse_day(item.get("dueDate"), AGREEMENT, "agreementMilestones.dueDate", own, where)
        if due and not start <= due <= end:
            own.append(f"{_label(AGREEMENT, 'agreementMilestones.dueDate', where)}: {due} 不在项目期间 {start} 至 {end} 内 / "
                       f"is outside the project's {start} to {end}")
        problems += own
        if not own and due:
            found.append(AgreedMilestone(id=f"M{len(found) + 1}", name=item["name"].strip(), due_date=due))
    return found


# --- leadership approval -------------------------------------------------------------------------
LEADERSHIP_ROLES = ("pmo-head", "vice-president", "general-manager")


def leadership_approvers(org: Organisation, roles: str) -> list[str]:
    """The decision's comma-separated roles as person ids, in order, each person once (a PMO head who
    is also vice president approves once). An unknown role or an unset post is the process owner's or
    the organisation's to fix: it raises, and the task becomes an incident saying which."""
    found: list[str] = []
    for role in (r.strip() for r in roles.split(",") if r.strip()):
        if role == "pmo-head":
            pmo = [e for e in org.roles.pmo if e in org.departments_by_id]
            if not pmo:
                raise ValueError("cooperation-approvers names pmo-head, but roles.pmo names no department")
            person = org.department(pmo[0]).head
        elif role in ("vice-president", "general-manager"):
            person = getattr(org.roles, role.replace("-", "_"))
            if person is None:
                raise ValueError(f"cooperation-approvers names {role}, but the organisation file has no "
                                 f"roles.{role.replace('-', '_')}: add the person there")
        else:
            raise ValueError(f"cooperation-approvers names the role {role!r}; known: {', '.join(LEADERSHIP_ROLES)}")
        if person and person not in found:
            found.append(person)
    if not found:
        raise ValueError("cooperation-approvers gave no approvers for this agreement: add a rule in dmn/cooperation-approvers.dmn")
    return found
