"""Sync the organisation into the engine: users, groups, memberships, grants, Tasklist filters.

Idempotent: the engine is read first and only differences are written, so a second run changes
nothing. What we manage is recognisable, and nothing else is touched:
- groups of type `crossdept-department` (one per department, id = department id),
  `crossdept-role` (leadership, pmo, audit, heads) and `crossdept-heads` (one per department,
  `<department id>heads`, its head: the engine lets it read the tasks of the department's members);
- users that are members of those groups (a user is never deleted while it belongs to any
  other group, e.g. camunda-admin, nor when it is one of `protected_users`);
- GRANT authorizations of our groups on the resource types we hand out (Application, Filter,
  ProcessDefinition, ProcessInstance), and of our users on our filters; Camunda's own defaults (a
  group's READ on itself, a user's grants on a filter of their own) stay;
- Task filters whose properties carry `crossdept: <filter key>`;
- the options of the deployed forms' people and department pickers (redeployed when they change).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from workers.shared.organisation.model import ROLE_GROUPS, Organisation, Person, heads_group
from workers.shared.organisation.pickers import sync_form_options
from workers.runtime.client import EngineClient
from workers.runtime.permissions import Resource
from workers.runtime.settings import write_private

DEPARTMENT_GROUP = "crossdept-department"
ROLE_GROUP = "crossdept-role"
HEADS_GROUP = "crossdept-heads"
OUR_GROUP_TYPES = (DEPARTMENT_GROUP, ROLE_GROUP, HEADS_GROUP)

GRANT = 1
APPLICATION, GROUP, FILTER = Resource.APPLICATION, Resource.GROUP, Resource.FILTER
PROCESS_DEFINITION, PROCESS_INSTANCE = Resource.PROCESS_DEFINITION, Resource.PROCESS_INSTANCE
MANAGED_RESOURCE_TYPES = frozenset({APPLICATION, FILTER, PROCESS_DEFINITION, PROCESS_INSTANCE})

PAGE = 200
KINDS = ("users", "groups", "memberships", "authorizations", "filters", "forms")
INITIAL_PASSWORDS = "initial-passwords.txt"  # in the secrets folder, for the operator to hand out


@dataclass(frozen=True)
class FilterSpec:
    key: str
    name: str
    description: str
    color: str
    query: dict[str, Any]
    reader: tuple[str, str] | None = None  # ("user" | "group", id) who may see it; None: all staff
    variables: tuple[tuple[str, str], ...] = ()  # (variable, label) Tasklist shows on each task of the list


# Expressions are evaluated per request in the engine (stored queries allow them; ad-hoc
# queries do not), so four shared filters serve everybody with their own tasks.
_MINE = {"assigneeExpression": "${currentUser()}"}
_MY_GROUPS = {"candidateGroupsExpression": "${currentUserGroups()}", "includeAssignedTasks": True}
_MINE_OR_MY_GROUPS = {"orQueries": [{**_MINE, **_MY_GROUPS}]}
_NEWEST_FIRST = {"sorting": [{"sortBy": "created", "sortOrder": "desc"}]}
_DUE_FIRST = {"sorting": [{"sortBy": "dueDate", "sortOrder": "asc"}]}

FILTERS: tuple[FilterSpec, ...] = (
    FilterSpec("my-tasks", "我的待办 / My tasks", "分配给我的任务 / Tasks assigned to me",
               "#2b6cb0", {**_MINE, **_NEWEST_FIRST}),
    FilterSpec("department-tasks", "部门待办 / My department's tasks",
               "我所在部门和角色的任务（含已认领） / Tasks of my department and roles, claimed or not",
               "#2f855a", {**_MY_GROUPS, **_NEWEST_FIRST}),
    FilterSpec("due-soon", "即将到期 / Due soon", "两天内到期的任务 / My tasks due within two days",
               "#d69e2e", {"dueAfterExpression": "${now()}",
                           "dueBeforeExpression": "${dateTime().plusDays(2)}",
                           **_MINE_OR_MY_GROUPS, **_DUE_FIRST}),
    FilterSpec("overdue", "已逾期 / Overdue", "已超过期限的任务 / My tasks past their due date",
               "#c53030", {"dueBeforeExpression": "${now()}", **_MINE_OR_MY_GROUPS, **_DUE_FIRST}),
)


def filter_specs(org: Organisation) -> list[FilterSpec]:
    """The shared filters, then the views of progress, which a stored query cannot express for
    everybody at once (no expression names an instance's initiator or a department's members):
    one "started by me" per person, one "my staff's open work" per department for its head. The
    engine grants the tasks they list READ to those people (ReassignmentAuthorizationProvider)."""
    started = [FilterSpec(f"started-by:{p.id}", "我发起的 / Started by me",
                          "我发起的流程中未完成的步骤、办理人和期限 / Open steps of the processes I started: "
                          "who holds each and by when", "#6b46c1",
                          {"processVariables": [{"name": "initiator", "operator": "eq", "value": p.id}], **_DUE_FIRST},
                          ("user", p.id))
               for p in org.people]
    staff = [FilterSpec(f"staff-of:{d.id}", f"员工待办·{d.name_zh} / {d.name_en} staff's open work",
                        f"{d.name_zh}员工手上的任务（所有流程） / Tasks held by members of {d.name_en}, in any process",
                        "#2c7a7b", {"assigneeIn": [m for m in d.members if m != d.head], **_DUE_FIRST},
                        ("group", heads_group(d.id)))
             for d in org.departments if [m for m in d.members if m != d.head]]
    return [*FILTERS, *started, *staff, *received_filters(org)]


# Contract C: every task of an information-sharing instance for a receiving department (its
# acknowledgement) has the department as candidate group, and the instance carries these variables;
# `shareVersion` (1, 2, … for corrections) marks an instance as a share whatever its process key.
SHARE_VARIABLES = (("title", "标题 / Title"), ("shareVersion", "版本 / Version"),
                   ("category", "信息分类 / Classification"), ("sensitivity", "敏感程度 / Sensitivity"))


def received_filters(org: Organisation) -> list[FilterSpec]:
    """本部门收到的信息 per department, read by its members only: the shares sent to it that are still
    to be acknowledged, newest first, with title, version, classification and sensitivity on each card.
    Opening one is opening its acknowledgement task, which the engine lets the candidate group read;
    what was acknowledged already is in Tasklist's navbar view of the same name (crossdept-received.js,
    from the engine's history) and in the department's received register (workers.shared.received)."""
    return [FilterSpec(f"received-by:{d.id}", f"本部门收到的信息·{d.name_zh} / Received by {d.name_en}",
                       f"发给{d.name_zh}、尚待确认收到的共享信息 / Information shared with {d.name_en}, "
                       "waiting for its acknowledgement", "#b7791f",
                       {"candidateGroup": d.id, "includeAssignedTasks": True,
                        "processVariables": [{"name": "shareVersion", "operator": "gteq", "value": 1}],
                        **_NEWEST_FIRST},
                       ("group", d.id), SHARE_VARIABLES)
            for d in org.departments]


class ProvisionError(RuntimeError):
    """The organisation cannot be provisioned as is; the message says why and what to do."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    removed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.removed


@dataclass(frozen=True)
class OpenTask:
    user_id: str
    relation: str  # "assignee" or "candidate"
    task_id: str
    name: str | None
    process_instance_id: str | None


@dataclass
class ProvisionReport:
    counts: dict[str, Counts] = field(default_factory=lambda: {kind: Counts() for kind in KINDS})
    created_users: list[str] = field(default_factory=list)
    removed_users: list[str] = field(default_factory=list)
    open_tasks: list[OpenTask] = field(default_factory=list)  # of removed users: to reassign
    kept_users: dict[str, list[str]] = field(default_factory=dict)  # gone from the file, other groups
    filter_ids: dict[str, str] = field(default_factory=dict)  # filter key → engine id
    redeployed_forms: list[str] = field(default_factory=list)  # their pickers listed another organisation

    @property
    def changed(self) -> bool:
        return any(c.total for c in self.counts.values())


def provision(
    client: EngineClient,
    org: Organisation,
    *,
    initial_password: Callable[[str], str],
    protected_users: Iterable[str] = (),
) -> ProvisionReport:
    """Make the engine match `org`; `initial_password(user_id)` is asked only for new users."""
    protected = set(protected_users)
    clash = sorted(protected & set(org.people_by_id))
    if clash:
        raise ProvisionError(f"people {clash} are technical users of the engine; give them other ids")
    report = ProvisionReport()
    groups = _Groups(client, org)
    groups.check_no_foreign_clash()
    members = {g: {u["id"] for u in _list(client, "/user", memberOfGroup=g)} for g in groups.existing}

    groups.create_and_update(report.counts["groups"])
    _sync_users(client, org, initial_password, report)
    _sync_memberships(client, org, members, report.counts["memberships"])
    specs = filter_specs(org)
    report.filter_ids = _sync_filters(client, specs, report.counts["filters"])
    _sync_authorizations(client, _desired_grants(org, specs, report.filter_ids), groups, org,
                         report.counts["authorizations"])

    # Our users are the members of our groups: those no longer in the file leave last, once
    # out of our groups, so that the tasks reported for them are their own, not their group's.
    leavers = set().union(*members.values()) - set(org.people_by_id) - protected
    for user_id in sorted(leavers):
        _remove_person(client, user_id, report)
    groups.remove_stale(report.counts)
    report.redeployed_forms = sync_form_options(client, org)
    report.counts["forms"].updated += len(report.redeployed_forms)
    return report


# --- groups ----------------------------------------------------------------------------------


class _Groups:
    """Our groups: wanted (from the file) and existing (in the engine, by type)."""

    def __init__(self, client: EngineClient, org: Organisation) -> None:
        self.client = client
        self.wanted = {d.id: {"id": d.id, "name": d.label, "type": DEPARTMENT_GROUP} for d in org.departments}
        self.wanted |= {g: {"id": g, "name": name, "type": ROLE_GROUP} for g, name in ROLE_GROUPS.items()}
        self.wanted |= {heads_group(d.id): {"id": heads_group(d.id), "name": f"{d.name_zh}负责人 Heads of {d.name_en}",
                                            "type": HEADS_GROUP} for d in org.departments}
        self.existing = {
            g["id"]: g for kind in OUR_GROUP_TYPES for g in _list(client, "/group", type=kind)
        }

    @property
    def stale(self) -> list[str]:
        return sorted(set(self.existing) - set(self.wanted))

    @property
    def managed(self) -> list[str]:
        return sorted(set(self.existing) | set(self.wanted))

    def check_no_foreign_clash(self) -> None:
        missing = sorted(set(self.wanted) - set(self.existing))
        if not missing:
            return
        foreign = _list(self.client, "/group", idIn=",".join(missing))
        if foreign:
            names = ", ".join(f"{g['id']!r} (type {g.get('type')!r})" for g in foreign)
            raise ProvisionError(
                f"groups {names} already exist in the engine and are not managed by crossdept: "
                "rename the department in the file, or delete those groups in Camunda Admin"
            )

    def create_and_update(self, counts: Counts) -> None:
        for group_id, wanted in self.wanted.items():
            existing = self.existing.get(group_id)
            if existing is None:
                self.client.request("POST", "/group/create", json=wanted)
                counts.created += 1
            elif (existing.get("name"), existing.get("type")) != (wanted["name"], wanted["type"]):
                self.client.request("PUT", f"/group/{group_id}", json=wanted)
                counts.updated += 1

    def remove_stale(self, counts: dict[str, Counts]) -> None:
        for group_id in self.stale:
            # Camunda keeps a deleted group's grants; a later group of the same id would inherit them.
            for grant in _list(self.client, "/authorization", groupIdIn=group_id):
                if grant["resourceType"] != GROUP:  # that one goes with the group
                    self.client.request("DELETE", f"/authorization/{grant['id']}")
                    counts["authorizations"].removed += 1
            self.client.request("DELETE", f"/group/{group_id}")
            counts["groups"].removed += 1


# --- users and memberships -------------------------------------------------------------------


def _profile(person: Person) -> dict[str, Any]:
    # Chinese names do not split reliably into first and last name: the full name goes first.
    return {"id": person.id, "firstName": person.name, "lastName": "", "email": person.email}


def _sync_users(
    client: EngineClient, org: Organisation, initial_password: Callable[[str], str], report: ProvisionReport
) -> None:
    existing = {u["id"]: u for u in _list(client, "/user")}
    counts = report.counts["users"]
    for person in org.people:
        wanted = _profile(person)
        current = existing.get(person.id)
        if current is None:
            body = {"profile": wanted, "credentials": {"password": initial_password(person.id)}}
            client.request("POST", "/user/create", json=body)
            report.created_users.append(person.id)
            counts.created += 1
        elif any((current.get(k) or "") != (wanted[k] or "") for k in ("firstName", "lastName", "email")):
            client.request("PUT", f"/user/{person.id}/profile", json=wanted)
            counts.updated += 1


def _wanted_members(org: Organisation) -> dict[str, set[str]]:
    wanted = {d.id: set(d.members) for d in org.departments}
    wanted |= {role: set(org.role_member_ids(role)) for role in ROLE_GROUPS}
    wanted |= {heads_group(d.id): {d.head} if d.head else set() for d in org.departments}
    return wanted


def _sync_memberships(
    client: EngineClient, org: Organisation, current: dict[str, set[str]], counts: Counts
) -> None:
    for group_id, members in _wanted_members(org).items():
        have = current.get(group_id, set())
        for user_id in sorted(members - have):
            client.request("PUT", f"/group/{group_id}/members/{user_id}")
            counts.created += 1
        for user_id in sorted(have - members):
            client.request("DELETE", f"/group/{group_id}/members/{user_id}")
            counts.removed += 1


def _remove_person(client: EngineClient, user_id: str, report: ProvisionReport) -> None:
    """Someone left the file: report their open work, then delete the user (unless shared)."""
    foreign = [g["id"] for g in _list(client, "/group", member=user_id)
               if g.get("type") not in OUR_GROUP_TYPES]
    if foreign:
        report.kept_users[user_id] = foreign
        return
    # Memberships of our groups are gone by now, so a candidate task here names them directly.
    for relation, query in (("assignee", {"assignee": user_id}), ("candidate", {"candidateUser": user_id})):
        for task in _list(client, "/task", **query):
            report.open_tasks.append(
                OpenTask(user_id, relation, task["id"], task.get("name"), task.get("processInstanceId"))
            )
    client.request("DELETE", f"/user/{user_id}")  # also deletes the user's own authorizations
    report.removed_users.append(user_id)
    report.counts["users"].removed += 1


# --- Tasklist filters ------------------------------------------------------------------------


def _meaningful(value: Any) -> Any:
    """A query without the empty defaults the engine adds when it stores one."""
    if isinstance(value, dict):
        kept = {k: _meaningful(v) for k, v in value.items()}
        return {k: v for k, v in kept.items() if v not in (None, False, [], {})}
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return sorted(value)  # id lists (assigneeIn) are sets in the engine: it answers them in any order
        return [_meaningful(v) for v in value]
    return value


def _filter_body(spec: FilterSpec, priority: int) -> dict[str, Any]:
    properties: dict[str, Any] = {"crossdept": spec.key, "priority": priority, "color": spec.color,
                                  "description": spec.description, "refresh": True}
    if spec.variables:
        properties["variables"] = [{"name": name, "label": label} for name, label in spec.variables]
    return {"resourceType": "Task", "name": spec.name, "owner": None, "query": spec.query,
            "properties": properties}


def _filter_matches(current: dict[str, Any], wanted: dict[str, Any]) -> bool:
    return (
        current.get("name") == wanted["name"]
        and current.get("owner") is None
        and (current.get("properties") or {}) == wanted["properties"]
        and _meaningful(current.get("query") or {}) == _meaningful(wanted["query"])
    )


def _sync_filters(client: EngineClient, specs: list[FilterSpec], counts: Counts) -> dict[str, str]:
    ours: dict[str, list[dict[str, Any]]] = {}
    for found in _list(client, "/filter", resourceType="Task"):
        key = (found.get("properties") or {}).get("crossdept")
        if isinstance(key, str):
            ours.setdefault(key, []).append(found)
    ids: dict[str, str] = {}
    for priority, spec in enumerate(specs, start=1):
        wanted = _filter_body(spec, priority)
        current, *duplicates = ours.pop(spec.key, []) or [None]
        if current is None:
            ids[spec.key] = client.request("POST", "/filter/create", json=wanted)["id"]
            counts.created += 1
        else:
            ids[spec.key] = current["id"]
            if not _filter_matches(current, wanted):
                client.request("PUT", f"/filter/{current['id']}", json=wanted)
                counts.updated += 1
        for extra in duplicates:
            client.request("DELETE", f"/filter/{extra['id']}")
            counts.removed += 1
    for retired in ours.values():  # filters we once made that are no longer defined
        for extra in retired:
            client.request("DELETE", f"/filter/{extra['id']}")  # deletes its grants too
            counts.removed += 1
    return ids


# --- authorizations --------------------------------------------------------------------------

GrantKey = tuple[str, str, int, str]  # "group" or "user", its id, resource type, resource id


def _desired_grants(
    org: Organisation, specs: list[FilterSpec], filter_ids: dict[str, str]
) -> dict[GrantKey, frozenset[str]]:
    """Least privilege: staff log into Tasklist and read the shared filters, each person their
    own "started by me", each head their staff's; starting a process is granted per process to
    the groups the file names, nothing more. Tasks themselves are readable through candidate and
    assignee links, and to initiators and heads, which the engine grants on its own. Everyone may
    READ the definitions of the file's processes, which anyone may be given a task of: Tasklist
    shows a task's process name and its 流程图 only to who may read the definition, and READ on a
    definition shows the model, not its instances or their variables (READ_INSTANCE does). The
    called processes (`called_processes`: the approval block, a project's phases) are read the same
    way and started by nobody: their callers start them, under the caller's own grants."""
    grants: dict[GrantKey, frozenset[str]] = {}
    for spec in specs:
        readers = [spec.reader] if spec.reader else [("group", d.id) for d in org.departments]
        for kind, reader in readers:
            grants[(kind, reader, FILTER, filter_ids[spec.key])] = frozenset({"READ"})
    for department in org.departments:
        grants[("group", department.id, APPLICATION, "tasklist")] = frozenset({"ACCESS"})
        for process_key in [*org.process_starters, *org.called_processes]:
            grants[("group", department.id, PROCESS_DEFINITION, process_key)] = frozenset({"READ"})
    for process_key, starters in org.process_starters.items():
        for group_id in starters:
            key = ("group", group_id, PROCESS_DEFINITION, process_key)
            grants[key] = grants.get(key, frozenset()) | {"READ", "CREATE_INSTANCE"}
            grants[("group", group_id, PROCESS_INSTANCE, "*")] = frozenset({"CREATE"})
    return grants


def _existing_grants(client: EngineClient, groups: _Groups, org: Organisation,
                     filter_ids: set[str]) -> dict[GrantKey, list[dict[str, Any]]]:
    """Ours: our groups' on the resource types we hand out, our people's on our filters (a
    person's grants on a filter they made themselves are theirs)."""
    existing: dict[GrantKey, list[dict[str, Any]]] = {}
    for grant in _list(client, "/authorization", groupIdIn=",".join(groups.managed), type=GRANT):
        if grant["resourceType"] in MANAGED_RESOURCE_TYPES:
            key = ("group", grant["groupId"], grant["resourceType"], grant["resourceId"])
            existing.setdefault(key, []).append(grant)
    for grant in _list(client, "/authorization", userIdIn=",".join(org.people_by_id), type=GRANT,
                       resourceType=FILTER):
        if grant["resourceId"] in filter_ids:
            existing.setdefault(("user", grant["userId"], FILTER, grant["resourceId"]), []).append(grant)
    return existing


def _sync_authorizations(
    client: EngineClient, wanted: dict[GrantKey, frozenset[str]], groups: _Groups, org: Organisation, counts: Counts
) -> None:
    filter_ids = {resource_id for _, _, resource_type, resource_id in wanted if resource_type == FILTER}
    existing = _existing_grants(client, groups, org, filter_ids)
    for key, permissions in wanted.items():
        kind, reader, resource_type, resource_id = key
        body = {"type": GRANT, "permissions": sorted(permissions),
                "userId": reader if kind == "user" else None, "groupId": reader if kind == "group" else None,
                "resourceType": resource_type, "resourceId": resource_id}
        current, *duplicates = existing.pop(key, []) or [None]
        if current is None:
            client.request("POST", "/authorization/create", json=body)
            counts.created += 1
        elif set(current["permissions"]) != permissions:
            client.request("PUT", f"/authorization/{current['id']}", json=body)
            counts.updated += 1
        existing[key] = duplicates  # left over: removed below
    for stale in existing.values():
        for grant in stale:
            client.request("DELETE", f"/authorization/{grant['id']}")
            counts.removed += 1


# --- plumbing --------------------------------------------------------------------------------


def _list(client: EngineClient, path: str, **params: Any) -> list[dict[str, Any]]:
    """Every result of a GET list query, page by page."""
    found: list[dict[str, Any]] = []
    while True:
        page = client.request("GET", path, params={**params, "firstResult": len(found), "maxResults": PAGE}) or []
        found.extend(page)
        if len(page) < PAGE:
            return found


def keep_initial_passwords(secrets_dir: Path, passwords: dict[str, str]) -> Path:
    """Keep new users' initial passwords privately (mode 0600). Appended, not replaced: an earlier
    list may not have been handed out yet."""
    path = secrets_dir / INITIAL_PASSWORDS
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    write_private(path, f"# {stamp}\n" + "".join(f"{user}\t{pw}\n" for user, pw in passwords.items()),
                  append=True)
    return path
