"""Process `delegation` (代理): register who does a person's work while they are away.

The registration is checked here; a valid one waits in the engine at its end timer, which is
what makes it a delegation (see workers/organisation/delegation.py). A rejection goes back to the
initiator with a message that names the field to fix.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import NoReturn

from workers import BusinessRejection, TaskContext, topic
from workers.processes.delegation.variables import ValidateDelegationInput, ValidateDelegationOutput
from workers.shared.delegation import now_utc
from workers.shared.history import started_by
from workers.shared.organisation.lookups import superior_chain
from workers.shared.organisation.model import Organisation
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.properties import TimeZone
from workers.shared.text import MaxLength, check_fields, rejection_message

INVALID = "DELEGATION_INVALID"


class DelegationSettings(OrganisationFile):
    time_zone: TimeZone = timezone.utc  # of dates entered without one


@topic("delegation.validate", errors=[INVALID], properties=DelegationSettings)
def validate_delegation(request: ValidateDelegationInput, properties: DelegationSettings,
                        task: TaskContext) -> ValidateDelegationOutput:
    typed = text_problems(request)
    if typed:
        raise BusinessRejection(INVALID, rejection_message(typed))  # each line names its field
    org = load(properties.organisation_file)
    zone = properties.time_zone
    principal = _person(org, request.principal, "principal", "被代理人 / absent person")
    delegate = _person(org, request.delegate, "delegate", "代理人 / delegate")
    if delegate == principal:
        _reject("delegate", "代理人不能是被代理人本人 / the delegate must be someone other than the absent person")
    starts = parse_moment(request.start_date, "startDate", zone, end_of_day=False)
    ends = parse_moment(request.end_date, "endDate", zone, end_of_day=True)
    if ends <= starts:
        _reject("endDate", "结束时间须晚于开始时间 / the end must be after the start")
    if ends <= now_utc():
        _reject("endDate", "结束时间已过 / the end is already in the past")
    _check_initiator(org, started_by(task), principal)  # the engine's start user, not a variable
    return ValidateDelegationOutput(
        principal=principal, delegate=delegate,
        principal_name=org.person(principal).name, delegate_name=org.person(delegate).name,
        delegation_starts=starts, delegation_ends=ends,
        rejection_message=None,
    )


# The registration form's typed fields, as it labels them.
_TEXT_FIELDS = (("principal", "被代理人", MaxLength.ID, False), ("delegate", "代理人", MaxLength.ID, False),
                ("startDate", "开始", MaxLength.ID, False), ("endDate", "结束", MaxLength.ID, False),
                ("reason", "原因", MaxLength.TEXT, True))


def text_problems(request: ValidateDelegationInput) -> list[str]:
    """Types, lengths and characters first: the checks below read the fields as text."""
    return check_fields(request.model_dump(by_alias=True), _TEXT_FIELDS)


def parse_moment(value: str | None, field: str, zone: tzinfo, *, end_of_day: bool) -> datetime:
    """A form's date or date-time; a bare date means the start of that day (or, for an end, its end)."""
    if not value or not value.strip():
        _reject(field, "必填 / is required")
    text = value.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day + timedelta(days=1) if end_of_day else day, time())
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        _reject(field, f"'{text}' 不是日期 / is not a date (e.g. 2026-12-01 or 2026-12-01T09:00+08:00)")
    return (moment if moment.tzinfo else moment.replace(tzinfo=zone)).astimezone(timezone.utc)


def _person(org: Organisation, person_id: str | None, field: str, label: str) -> str:
    if not person_id or not person_id.strip():
        _reject(field, f"{label} 必填 / is required")
    person_id = person_id.strip()
    if person_id not in org.people_by_id:
        _reject(field, f"{label} '{person_id}' 不在组织中 / is not a person of the organisation")
    return person_id


def _check_initiator(org: Organisation, initiator: str | None, principal: str) -> None:
    if initiator == principal:
        return
    if initiator and initiator in {p.id for p in superior_chain(org, principal)}:
        return
    who = initiator or "(unknown)"
    _reject("principal", f"只有本人或其上级可以登记代理；{who} 不是 {principal} 本人或上级 / "
                         f"only the person or one of their superiors may register a delegate; "
                         f"{who} is neither {principal} nor above them")


def _reject(field: str, message: str) -> NoReturn:
    raise BusinessRejection(INVALID, message, field=field)
