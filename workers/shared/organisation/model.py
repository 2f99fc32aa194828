"""The organisation file (职责清单, people, company roles) as pydantic models, and its loader.

Structure is checked by pydantic; the policy's rules (§2: every department has a head, every
chain of superiors ends at company leadership, no work item owned twice, cross points name real
departments) by `check_organisation`. Every problem is reported as `<yaml path>: <rule>`, all of
them at once, so that one run of the loader is enough to fix a file.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Any, Iterator

from pydantic import BaseModel, ConfigDict, Field, model_validator
from typing_extensions import Annotated

from workers.shared.datafile import DataFileError, read_yaml, validate
from workers.shared.organisation.obligations import OBLIGATION_ID, SharingObligation


# Camunda checks resource ids against whitelist patterns: users against the one our engine
# configures (USER_ID_PATTERN), groups against Camunda's default, which allows no "-" or ".".
USER_ID_PATTERN = "[a-zA-Z0-9][a-zA-Z0-9._-]*"  # the engine is configured with it (workers.engine.lifecycle)
USER_ID = re.compile(USER_ID_PATTERN)
GROUP_ID = re.compile(r"[a-zA-Z0-9]+")
PROCESS_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_.-]*")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

# Company roles become engine groups of these ids, next to one group per department; a
# department id may therefore not be one of them.
ROLE_GROUPS: dict[str, str] = {
    "leadership": "公司领导 Company leadership",
    "pmo": "项目管理部门 Project management (PMO)",
    "audit": "内部审计 Internal audit",
    "heads": "部门负责人 Department heads",
}

# Each department's head is also in the group `<department id>heads`: the engine grants it READ
# on the tasks assigned to the department's members (engine/.../ReassignmentAuthorizationProvider),
# which the head's Tasklist view of their staff's open work lists.
HEADS_GROUP_SUFFIX = "heads"


def heads_group(department_id: str) -> str:
    return department_id + HEADS_GROUP_SUFFIX


Text = Annotated[str, Field(min_length=1)]


class _Strict(BaseModel):
    # A misspelt key ("haed") must be an error, not silently ignored.
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Responsibility(_Strict):
    """One line of a department's responsibility list (职责清单)."""

    work_item: Text
    workflow: Text
    standard: Text
    responsible_post: Text
    crosses: list[str] = Field(default_factory=list, description="Departments this item crosses (业务交叉点).")


class Company(_Strict):
    """The company as its documents name it (the hand-over checklist's heading), Chinese first."""

    name_zh: Text
    name_en: Text

    @model_validator(mode="before")
    @classmethod
    def _not_one_line(cls, data: Any) -> Any:
        if isinstance(data, str):  # the documents print each language apart, so one line cannot do
            raise ValueError(f"give the name in both languages as name_zh and name_en, not one line {data!r}")
        return data

    @property
    def label(self) -> str:
        return f"{self.name_zh} / {self.name_en}"


class Department(_Strict):
    id: str
    name_zh: Text
    name_en: Text
    head: str | None = None  # required by policy; checked by check_organisation to name the rule
    deputy: str | None = None
    members: list[str] = Field(default_factory=list, description="Derived from people when omitted.")
    core_business: list[Text] = Field(min_length=1)
    responsibilities: list[Responsibility] = Field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.name_zh} {self.name_en}"


class Person(_Strict):
    id: str
    name: Text
    email: Annotated[str, Field(pattern=EMAIL.pattern)]
    im_id: str | None = None
    department: str
    title: Text
    superior: str | None = None
    post_level: int = Field(ge=1, le=5, description="1 staff … 4 department head, 5 company leadership.")


class CompanyRoles(_Strict):
    """Each role lists department ids (all their members) and/or person ids."""

    leadership: list[str] = Field(min_length=1)
    pmo: list[str] = Field(min_length=1)
    audit: list[str] = Field(min_length=1)


class Organisation(_Strict):
    company: Company
    departments: list[Department] = Field(min_length=1)
    people: list[Person] = Field(min_length=1)
    roles: CompanyRoles
    process_starters: dict[str, list[str]] = Field(
        default_factory=dict, description="Process key → groups that may start it."
    )
    data_owners: dict[str, str] = Field(
        default_factory=dict,
        description="Information category (sharing-permissions) → the department owning that data; its head "
                    "approves confidential and secret shares of it (information-sharing).",
    )
    called_processes: list[str] = Field(
        default_factory=list,
        description="Keys of processes only other processes start (call activities: the approval block, a "
                    "project's phases): everyone may read them, as a task of theirs names them; nobody may start them.",
    )
    sharing_obligations: list[SharingObligation] = Field(
        default_factory=list, description="Regular shares a department owes others (process sharing-obligation)."
    )

    @model_validator(mode="after")
    def _derive_members(self) -> "Organisation":
        for department in self.departments:
            if not department.members:
                department.members = [p.id for p in self.people if p.department == department.id]
        return self

    # --- indexes (first occurrence wins; duplicates are reported by check_organisation)
    @cached_property
    def departments_by_id(self) -> dict[str, Department]:
        return {d.id: d for d in reversed(self.departments)}

    @cached_property
    def people_by_id(self) -> dict[str, Person]:
        return {p.id: p for p in reversed(self.people)}

    def department(self, department_id: str) -> Department:
        try:
            return self.departments_by_id[department_id]
        except KeyError:
            raise KeyError(f"department {department_id!r} is not defined") from None

    def person(self, person_id: str) -> Person:
        try:
            return self.people_by_id[person_id]
        except KeyError:
            raise KeyError(f"person {person_id!r} is not defined") from None

    def role_member_ids(self, role: str) -> list[str]:
        """People of a company role (leadership, pmo, audit) or of `heads`, in file order."""
        if role == "heads":
            wanted = {d.head for d in self.departments if d.head}
        else:
            entries = getattr(self.roles, role)
            wanted = {e for e in entries if e in self.people_by_id}
            wanted |= {m for e in entries if e in self.departments_by_id for m in self.department(e).members}
        return [p.id for p in self.people if p.id in wanted]

    def group_ids(self) -> list[str]:
        """Every engine group the organisation defines: departments, then roles."""
        return [d.id for d in self.departments] + list(ROLE_GROUPS)


class OrganisationError(DataFileError):
    """The organisation file is invalid; `problems` lists every `<path>: <rule>` found."""


# --- loading ---------------------------------------------------------------------------------


def load_organisation(path: Path | str) -> Organisation:
    return parse_organisation(read_yaml(path, OrganisationError), source=str(path))


def parse_organisation(data: Any, source: str = "<organisation>") -> Organisation:
    if not isinstance(data, dict):
        raise OrganisationError(source, ["the file must be a mapping with departments, people and roles"])
    organisation = validate(Organisation, data, source, OrganisationError)
    problems = check_organisation(organisation)
    if problems:
        raise OrganisationError(source, problems)
    return organisation


# --- the policy's rules ----------------------------------------------------------------------


def check_organisation(org: Organisation) -> list[str]:
    """Every rule violation as `<yaml path>: <rule>`; empty when the organisation is valid."""
    checks = (
        _ids, _department_posts, _members, _people_references, _superior_chains,
        _responsibilities, _roles, _process_starters, _data_owners, _sharing_obligations, _printed_names,
    )
    return [problem for check in checks for problem in check(org)]


def _printed_names(org: Organisation) -> Iterator[str]:
    """The names documents print (the company, departments, people) in characters their font draws:
    otherwise a hand-over would stop at its archive, after all three signatures."""
    from workers.shared.documents import FontMissingError, undrawable  # reportlab only where it is checked

    names = [("company.name_zh", org.company.name_zh), ("company.name_en", org.company.name_en)]
    names += [(f"departments[{i}].{key}", getattr(d, key)) for i, d in enumerate(org.departments)
              for key in ("name_zh", "name_en")]
    names += [(f"people[{i}].name", p.name) for i, p in enumerate(org.people)]
    for path, name in names:
        try:
            missing = undrawable(name)
        except FontMissingError:  # an operator's machine may provision without it; workers need it and say so
            return
        if missing:
            shown = ", ".join(f"U+{ord(c):04X}" for c in missing[:5])
            yield f"{path}: {name!r} has characters the documents' font cannot print ({shown})"


def _ids(org: Organisation) -> Iterator[str]:
    for i, department in enumerate(org.departments):
        if not GROUP_ID.fullmatch(department.id):
            yield (f"departments[{i}].id: {department.id!r} is not a valid Camunda group id "
                   "(letters and digits only)")
        if department.id in ROLE_GROUPS:
            yield f"departments[{i}].id: {department.id!r} is reserved for the company role group of that name"
        if department.id in {heads_group(d.id) for d in org.departments}:
            yield (f"departments[{i}].id: {department.id!r} is reserved for the heads group of department "
                   f"{department.id.removesuffix(HEADS_GROUP_SUFFIX)!r}")
    for i, person in enumerate(org.people):
        if not USER_ID.fullmatch(person.id):
            yield (f"people[{i}].id: {person.id!r} is not a valid Camunda user id "
                   "(letters, digits, '.', '_' and '-', starting with a letter or digit)")
        if person.id in org.departments_by_id:
            yield f"people[{i}].id: {person.id!r} is also a department id; role entries would be ambiguous"
    yield from _duplicates("departments", [d.id for d in org.departments], "id")
    yield from _duplicates("people", [p.id for p in org.people], "id")
    yield from _duplicates("people", [p.email.lower() for p in org.people], "email")


def _duplicates(section: str, values: list[str], field: str) -> Iterator[str]:
    seen: dict[str, int] = {}
    for i, value in enumerate(values):
        if value in seen:
            yield f"{section}[{i}].{field}: {value!r} is already used by {section}[{seen[value]}]"
        else:
            seen[value] = i


def _department_posts(org: Organisation) -> Iterator[str]:
    for i, department in enumerate(org.departments):
        if department.head is None:
            yield f"departments[{i}].head: is missing; every department needs a head (部门负责人)"
        for post in ("head", "deputy"):
            person_id = getattr(department, post)
            if person_id is None:
                continue
            person = org.people_by_id.get(person_id)
            if person is None:
                yield f"departments[{i}].{post}: person {person_id!r} is not defined"
            elif person.department != department.id:
                yield (f"departments[{i}].{post}: {person_id!r} belongs to department "
                       f"{person.department!r}, not {department.id!r}")
        if department.head is not None and department.head == department.deputy:
            yield f"departments[{i}].deputy: {department.deputy!r} is already the head"


def _members(org: Organisation) -> Iterator[str]:
    # `members` is optional in the file; when given it must agree with the people's departments.
    for i, department in enumerate(org.departments):
        expected = {p.id for p in org.people if p.department == department.id}
        for j, member in enumerate(department.members):
            if member not in org.people_by_id:
                yield f"departments[{i}].members[{j}]: person {member!r} is not defined"
            elif member not in expected:
                yield (f"departments[{i}].members[{j}]: {member!r} belongs to department "
                       f"{org.person(member).department!r}")
        for missing in sorted(expected - set(department.members)):
            yield f"departments[{i}].members: {missing!r} has this department but is not listed"
        if not expected:
            yield f"departments[{i}]: has no people; a department needs at least its head"


def _people_references(org: Organisation) -> Iterator[str]:
    for i, person in enumerate(org.people):
        if person.department not in org.departments_by_id:
            yield f"people[{i}].department: department {person.department!r} is not defined"
        if person.superior is not None and person.superior not in org.people_by_id:
            yield f"people[{i}].superior: person {person.superior!r} is not defined"


def _superior_chains(org: Organisation) -> Iterator[str]:
    leadership = set(org.role_member_ids("leadership"))
    index = {p.id: i for i, p in reversed(list(enumerate(org.people)))}
    reported_cycles: set[frozenset[str]] = set()
    for i, person in enumerate(org.people):
        if person.superior is None and person.id not in leadership:
            yield (f"people[{i}].superior: is missing, but only company leadership may have no superior "
                   "(every chain of superiors must end at leadership)")
        chain = [person.id]
        current = person.superior
        while current is not None and current in org.people_by_id:
            if current in chain:
                cycle = chain[chain.index(current):]
                if frozenset(cycle) not in reported_cycles:
                    reported_cycles.add(frozenset(cycle))
                    first = min(cycle, key=index.__getitem__)
                    start = cycle.index(first)
                    ordered = cycle[start:] + cycle[:start] + [first]
                    yield (f"people[{index[first]}].superior: superiors form a cycle "
                           f"{' → '.join(ordered)}; every chain must end at company leadership")
                break
            chain.append(current)
            current = org.people_by_id[current].superior


def _responsibilities(org: Organisation) -> Iterator[str]:
    owners: dict[str, str] = {}
    for i, department in enumerate(org.departments):
        for j, item in enumerate(department.responsibilities):
            path = f"departments[{i}].responsibilities[{j}]"
            key = " ".join(item.work_item.split()).casefold()
            if key in owners:
                yield (f"{path}.work_item: {item.work_item!r} is already claimed by {owners[key]}; "
                       "a work item has exactly one owning department")
            else:
                owners[key] = f"{path} ({department.id})"
            yield from _other_departments(org, f"{path}.crosses", item.crosses, department.id)


def _other_departments(org: Organisation, path: str, listed: list[str], owner: str) -> Iterator[str]:
    """A list of departments besides the owning one: each defined, none the owner, none twice."""
    for k, department_id in enumerate(listed):
        if department_id == owner:
            yield f"{path}[{k}]: {department_id!r} is the owning department itself"
        elif department_id not in org.departments_by_id:
            yield f"{path}[{k}]: department {department_id!r} is not defined"
    for department_id, count in Counter(listed).items():
        if count > 1:
            yield f"{path}: {department_id!r} is listed {count} times"


def _roles(org: Organisation) -> Iterator[str]:
    for role in ("leadership", "pmo", "audit"):
        for k, entry in enumerate(getattr(org.roles, role)):
            if entry not in org.departments_by_id and entry not in org.people_by_id:
                yield f"roles.{role}[{k}]: {entry!r} is neither a department nor a person"


def _data_owners(org: Organisation) -> Iterator[str]:
    for category, department in org.data_owners.items():
        if department not in org.departments_by_id:
            yield f"data_owners.{category}: {department!r} is not a department"


def _process_starters(org: Organisation) -> Iterator[str]:
    groups = set(org.group_ids())
    for key, starters in org.process_starters.items():
        if not PROCESS_KEY.fullmatch(key):
            yield f"process_starters.{key}: is not a valid process key"
        if not starters:
            yield f"process_starters.{key}: names no group; remove the entry or name who may start it"
        for k, group in enumerate(starters):
            if group not in groups:
                yield (f"process_starters.{key}[{k}]: group {group!r} is neither a department nor a "
                       f"role group ({', '.join(ROLE_GROUPS)})")
    for i, key in enumerate(org.called_processes):
        if not PROCESS_KEY.fullmatch(key):
            yield f"called_processes[{i}]: {key!r} is not a valid process key"
        if key in org.process_starters:
            yield (f"called_processes[{i}]: {key!r} is also in process_starters; a called process is started by "
                   "its callers only, so staff must not be able to start it directly")


def _sharing_obligations(org: Organisation) -> Iterator[str]:
    yield from _duplicates("sharing_obligations", [o.id for o in org.sharing_obligations], "id")
    for i, obligation in enumerate(org.sharing_obligations):
        path = f"sharing_obligations[{i}]"
        if not OBLIGATION_ID.fullmatch(obligation.id):
            yield f"{path}.id: {obligation.id!r} must be lower-case letters, digits and '-' (it names every occurrence)"
        if obligation.owner not in org.departments_by_id:
            yield f"{path}.owner: department {obligation.owner!r} is not defined"
        yield from _other_departments(org, f"{path}.targets", obligation.targets, obligation.owner)
