"""Process `responsibility-review` (职责清单定期审核更新, policy §2).

prepare-items: one review item per department, its head resolved through delegations (代理);
record-list: a head's edited list, checked and kept as `reviewedList_<department>`;
detect-conflicts: leadership's decisions applied, duplicates and orphaned cross points found;
publish-organisation: the accepted lists as a new, archived version of the file, then provisioned.
"""

from __future__ import annotations

import json
import os
import secrets
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from workers import BusinessRejection, ProcessVariables, TaskContext, TaskProperties, topic
from workers.runtime import clock
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.shared.organisation.lookups import department_head
from workers.shared.archive import write_once
from workers.shared.organisation.provision import keep_initial_passwords, provision
from workers.processes.responsibility_review.review import (
    Lists,
    apply_decisions,
    detect_conflicts,
    dump,
    from_rows,
    new_version,
    to_rows,
    unified_diff,
)
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.properties import LocalPath
from workers.runtime.client import client_for
from workers.runtime.settings import Settings
from workers.runtime.variables import from_camunda

LIST_INVALID = "LIST_INVALID"
REVIEWED_LIST = "reviewedList_"  # + department id: a head's accepted list, on the process instance


class ReviewItem(ProcessVariables):
    department_id: str
    department_label: str
    responsibilities: list[dict[str, Any]]
    original_assignee: str
    assignee: str
    delegation_note: str = ""
    task_name: str


@topic("review.prepare-items", properties=OrganisationFile)
def prepare_items(properties: OrganisationFile, task: TaskContext) -> dict:
    path = properties.organisation_file
    org = load(path)
    delegations = active_delegations(task.engine)
    names = {p.id: p.name for p in org.people}
    items = []
    for department in org.departments:
        assignment = resolve_assignee(department_head(org, department.id).id, delegations)
        note = assignment.note(names)
        items.append(ReviewItem(
            department_id=department.id, department_label=department.label,
            responsibilities=to_rows(department.responsibilities),
            original_assignee=assignment.original_assignee, assignee=assignment.assignee,
            delegation_note=note,
            task_name=f"审核职责清单 / Review responsibility list: {department.label}" + (f"（{note}）" if note else ""),
        ).model_dump(by_alias=True))
    help_text = "; ".join(f"{d.id} = {d.label}" for d in org.departments)
    return {"organisationFile": str(path), "reviewItems": items, "departmentsHelp": help_text}


class SubmittedList(ProcessVariables):
    department_id: str
    responsibilities: Any = None
    review_items: list[ReviewItem]


@topic("review.record-list", errors=[LIST_INVALID])
def record_list(submitted: SubmittedList) -> dict:
    known = [item.department_id for item in submitted.review_items]
    items, problems = from_rows(submitted.responsibilities, known, submitted.department_id)
    if problems:
        raise BusinessRejection(LIST_INVALID, "；".join(problems), field="responsibilities")
    return {REVIEWED_LIST + submitted.department_id: items, "rejectionMessage": None}


class ReviewState(ProcessVariables):
    organisation_file: str
    review_items: list[ReviewItem]
    proposed_lists: Lists | None = None  # None until the first detection
    conflicts: list[dict[str, Any]] = []  # leadership's decisions on the previous round's conflicts
    open_conflicts: list[dict[str, Any]] = []  # those conflicts in full (a form submits only its fields)
    settled_items: list[str] = []


@topic("review.detect-conflicts")
def detect(state: ReviewState, task: TaskContext) -> dict:
    previous = load(Path(state.organisation_file))
    problems: list[str] = []
    if state.proposed_lists is None:
        lists = _reviewed_lists(task, [i.department_id for i in state.review_items])
        settled = list(state.settled_items)
    else:
        found = {c["id"]: c for c in state.open_conflicts}
        decisions = [{**found.get(row.get("id"), {}), **row} for row in state.conflicts]
        lists, dropped, problems = apply_decisions(previous, state.proposed_lists, decisions)
        settled = [*state.settled_items, *dropped]
    conflicts = detect_conflicts(previous, lists, settled)
    return {
        "proposedLists": lists,
        "conflicts": [c.as_row() for c in conflicts],
        "openConflicts": [c.as_row() for c in conflicts],
        "hasConflicts": bool(conflicts),
        "settledItems": settled,
        "decisionProblems": "；".join(problems) or None,
    }


def _reviewed_lists(task: TaskContext, departments: list[str]) -> Lists:
    typed = task.engine.request(
        "GET", f"/process-instance/{task.process_instance_id}/variables", params={"deserializeValues": "false"}
    ) or {}
    values = from_camunda({name: typed[name] for name in typed if name.startswith(REVIEWED_LIST)})
    missing = [d for d in departments if REVIEWED_LIST + d not in values]
    if missing:  # cannot happen after every head's task; an incident says so if it does
        raise RuntimeError(f"no reviewed list for department(s) {', '.join(missing)}")
    return {d: values[REVIEWED_LIST + d] for d in departments}


class AcceptedReview(ProcessVariables):
    organisation_file: str
    proposed_lists: Lists
    initiator: str | None = None  # None when the schedule started it
    reason: str | None = None


class PublishSettings(TaskProperties):
    archive_dir: LocalPath | None = None  # where versions are archived; default: the archive root's organisation/


@topic("review.publish-organisation", properties=PublishSettings)
def publish(review: AcceptedReview, properties: PublishSettings, task: TaskContext) -> dict:
    settings = task.settings
    archive = properties.archive_dir or settings.archive_root / "organisation"
    published = task.once("publish-organisation", lambda: _write_version(review, task, archive))
    org = load(Path(review.organisation_file))
    # Creating users, groups and grants takes the admin's rights, as `crossdept provision` does.
    admin = client_for(settings, as_admin=True)
    try:
        report = provision(admin, org, initial_password=partial(_initial_password, settings),
                           protected_users=(settings.admin_user, settings.engine_user))
    finally:
        admin.close()
    return {**published, "provisionedChanges": sum(c.total for c in report.counts.values()),
            "provisionedNewUsers": report.created_users}


def _write_version(review: AcceptedReview, task: TaskContext, archive: Path) -> dict[str, Any]:
    """previous.yaml (exactly as it was), organisation.yaml, changes.diff and review.json in
    archive/<file stem>/v<N>-<time>/, then the new version replaces the organisation file."""
    path = Path(review.organisation_file)
    previous_text = path.read_text(encoding="utf-8")
    before = yaml.safe_load(previous_text)
    after, _ = new_version(before, review.proposed_lists, source=f"review {task.process_instance_id}")
    folder_root = archive / path.stem
    version = 1 + max((int(p.name[1:].split("-")[0]) for p in folder_root.glob("v*-*")
                       if p.name[1:].split("-")[0].isdigit()), default=0)
    stamp = clock.now()
    folder = folder_root / f"v{version:03d}-{stamp:%Y%m%dT%H%M%SZ}"
    folder.mkdir(parents=True, exist_ok=False)
    header = (f"# {path.name}, version {version}: accepted in responsibility review {task.process_instance_id} "
              f"on {stamp:%Y-%m-%d %H:%M} UTC.\n# Written by crossdept; the previous version, with its "
              f"comments, is in {folder / 'previous.yaml'}.\n")
    text = header + dump(after)
    diff = unified_diff(before, after, f"{path.name} (before)", f"{path.name} (version {version})")
    write_once(folder / "previous.yaml", previous_text.encode())
    write_once(folder / "organisation.yaml", text.encode())
    write_once(folder / "changes.diff", diff.encode())
    write_once(folder / "review.json", json.dumps(
        {"processInstanceId": task.process_instance_id, "startedBy": review.initiator,
         "reason": review.reason,
         "version": version, "acceptedAt": stamp.isoformat()}, ensure_ascii=False, indent=2).encode())
    temporary = path.with_name(path.name + ".new")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)
    changed = sum(1 for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---"))
    return {"organisationVersion": version, "organisationArchive": str(folder),
            "organisationDiff": str(folder / "changes.diff"), "changedLines": changed}


def _initial_password(settings: Settings, user_id: str) -> str:
    """New people in the accepted version get the configured or a generated password, kept privately."""
    if settings.staff_initial_password is not None:
        return settings.staff_initial_password.get_secret_value()
    password = secrets.token_urlsafe(12)
    keep_initial_passwords(settings.secrets_dir, {user_id: password})
    return password
