"""Delegation (代理): who does a person's work while they are away.

A delegation is registered through the `delegation` process and lives in the engine, not here:
a running `delegation` instance waiting at its end timer (`WAITING_ACTIVITY`) is a registered
delegation, and it is active once its start has passed. `active_delegations` reads them from the
engine; `resolve_assignee` is a pure function over what it read, so the processes (and the tests)
can ask "who gets this work now, and for whom?".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from workers.runtime import clock
from workers.runtime.client import EngineClient
from workers.runtime.variables import from_camunda, parse_camunda_date

PROCESS_KEY = "delegation"
WAITING_ACTIVITY = "Event_DelegationEnds"  # the timer the registered delegation waits at
# Variables the `delegation.validate` worker writes once a registration is valid.
PRINCIPAL, DELEGATE, STARTS, ENDS = "principal", "delegate", "delegationStarts", "delegationEnds"
MAX_CHAIN = 5  # a delegate who is away too hands on, but not forever


@dataclass(frozen=True)
class Delegation:
    principal: str
    delegate: str
    starts: datetime
    ends: datetime
    process_instance_id: str = ""

    def active_at(self, moment: datetime) -> bool:
        return self.starts <= moment < self.ends


@dataclass(frozen=True)
class Assignment:
    """Who gets the work (`assignee`) and whose work it is (`original_assignee`)."""

    original_assignee: str
    assignee: str
    delegation: Delegation | None = None

    @property
    def delegated(self) -> bool:
        return self.assignee != self.original_assignee

    def note(self, names: dict[str, str] | None = None) -> str:
        """For the task's name and description: '代理 / delegate for 陈静 (chen.jing)'; empty if not delegated."""
        if not self.delegated:
            return ""
        name = (names or {}).get(self.original_assignee)
        whom = f"{name} ({self.original_assignee})" if name else self.original_assignee
        return f"代理 / delegate for {whom}"

    def as_variables(self, names: dict[str, str] | None = None) -> dict[str, Any]:
        return {"originalAssignee": self.original_assignee, "assignee": self.assignee,
                "delegationNote": self.note(names)}


def now_utc() -> datetime:
    return clock.now()


def resolve_assignee(
    person_id: str, delegations: Iterable[Delegation], at: datetime | None = None
) -> Assignment:
    """The person, or their delegate while a delegation of theirs is active.

    When several delegations of one person are active, the one that started last wins. A
    delegate who is away themselves hands on to their own delegate, up to MAX_CHAIN steps; a
    chain that comes back to someone already in it stops before them.
    """
    moment = at or now_utc()
    active: dict[str, Delegation] = {}
    for delegation in sorted(delegations, key=lambda d: d.starts):
        if delegation.active_at(moment):
            active[delegation.principal] = delegation
    assignee, first, seen = person_id, None, {person_id}
    for _ in range(MAX_CHAIN):
        delegation = active.get(assignee)
        if delegation is None or delegation.delegate in seen:
            break
        first = first or delegation
        assignee = delegation.delegate
        seen.add(assignee)
    return Assignment(person_id, assignee, first)


def active_delegations(client: EngineClient, at: datetime | None = None) -> list[Delegation]:
    """Registered delegations read from the engine, those active at `at` (default: now)."""
    moment = at or now_utc()
    instances = client.request(
        "GET", "/process-instance",
        params={"processDefinitionKey": PROCESS_KEY, "activityIdIn": WAITING_ACTIVITY, "maxResults": 1000},
    ) or []
    if not instances:
        return []
    ids = ",".join(instance["id"] for instance in instances)
    found = client.request(
        "GET", "/variable-instance",
        params={"processInstanceIdIn": ids, "deserializeValues": "false", "maxResults": 10000},
    ) or []
    by_instance: dict[str, dict[str, Any]] = {}
    for variable in found:
        if variable["name"] in (PRINCIPAL, DELEGATE, STARTS, ENDS):
            by_instance.setdefault(variable["processInstanceId"], {})[variable["name"]] = variable
    delegations = [_delegation(pid, variables) for pid, variables in by_instance.items()]
    return [d for d in delegations if d is not None and d.active_at(moment)]


def _delegation(process_instance_id: str, typed: dict[str, Any]) -> Delegation | None:
    values = from_camunda(typed)
    if not all(values.get(name) for name in (PRINCIPAL, DELEGATE, STARTS, ENDS)):
        return None  # not (yet) a complete registration
    return Delegation(values[PRINCIPAL], values[DELEGATE], _aware(values[STARTS]), _aware(values[ENDS]),
                      process_instance_id)


def _aware(value: datetime | str) -> datetime:
    moment = parse_camunda_date(value) if isinstance(value, str) else value
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
