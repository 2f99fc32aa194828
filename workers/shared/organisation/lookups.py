"""Who is who, as the processes ask it: heads, superiors, the 监交人 of a hand-over, role members.

Pure functions over a validated `Organisation`; an unknown id raises KeyError naming it.
"""

from __future__ import annotations

from workers.shared.organisation.model import ROLE_GROUPS, Organisation, Person


def department_head(org: Organisation, department_id: str) -> Person:
    """The head (部门负责人) of a department."""
    head = org.department(department_id).head
    assert head is not None, "a validated organisation has a head for every department"
    return org.person(head)


def head_of(org: Organisation, person_id: str) -> Person:
    """The head of the person's department (the person themselves when they are the head)."""
    return department_head(org, org.person(person_id).department)


def superior(org: Organisation, person_id: str) -> Person | None:
    """The direct superior; None only for company leadership at the top."""
    superior_id = org.person(person_id).superior
    return None if superior_id is None else org.person(superior_id)


def superior_chain(org: Organisation, person_id: str) -> list[Person]:
    """The person's superiors, nearest first, up to the top of company leadership."""
    chain: list[Person] = []
    current = superior(org, person_id)
    while current is not None:
        chain.append(current)
        current = superior(org, current.id)
    return chain


def lowest_common_superior(org: Organisation, first_id: str, second_id: str) -> Person | None:
    """The hand-over supervisor (监交人): the nearest person above both of them.

    Neither of the two can supervise their own hand-over, so when one is the other's superior
    the supervisor is the next one up. None when the chains do not meet (two people at the top);
    the caller then asks leadership to name a supervisor, as the policy allows.
    """
    if first_id == second_id:
        raise ValueError(f"a hand-over needs two different people, got {first_id!r} twice")
    above_second = {p.id for p in superior_chain(org, second_id)}
    for candidate in superior_chain(org, first_id):
        if candidate.id in above_second:  # neither chain contains its own person
            return candidate
    return None


def department_members(org: Organisation, department_id: str) -> list[Person]:
    return [org.person(member) for member in org.department(department_id).members]


def role_members(org: Organisation, role: str) -> list[Person]:
    """Members of a company role: "leadership", "pmo", "audit", or "heads" (all department heads)."""
    if role not in ("leadership", "pmo", "audit", "heads"):
        raise KeyError(f"role {role!r} is not defined (leadership, pmo, audit, heads)")
    return [org.person(person_id) for person_id in org.role_member_ids(role)]


def group_members(org: Organisation, group_id: str) -> list[Person]:
    """Members of an engine group as provisioning makes it from the file (a department, or a role
    group); no one for a group the file does not define (camunda-admin, a group added by hand)."""
    if group_id in org.departments_by_id:
        return department_members(org, group_id)
    if group_id in ROLE_GROUPS:
        return role_members(org, group_id)
    return []
