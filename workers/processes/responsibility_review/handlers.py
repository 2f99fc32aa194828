"""Process `responsibility-review` (职责清单定期审核更新, policy §2).

prepare-items: one review item per department, its head resolved through delegations (代理);
record-list: a head's edited list, checked and kept as `reviewedList_<department>`;
detect-conflicts: leadership's decisions applied, duplicates and orphaned cross points found;
publish-organisation: the accepted lists as a new, archived version of the file, then provisioned.
"""

from __future__ import annotations

import json
import os
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from workers import BusinessRejection, TaskContext, TaskProperties, topic
from workers.runtime import clock
from workers.shared.delegation import active_delegations, resolve_assignee
from workers.shared.history import started_by
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
from workers.processes.responsibility_review.variables import (
    REVIEWED_LIST,
    ConflictRow,
    DetectConflictsInput,
    DetectConflictsOutput,
    PrepareItemsOutput,
    PublishOrganisationInput,
    PublishOrganisationOutput,
    RecordListInput,
    RecordListOutput,
    ReviewItem,
)
from workers.shared.organisation.file import OrganisationFile, load
from workers.shared.properties import LocalPath
from workers.runtime.client import client_for
from workers.runtime.settings import Settings, generate_password
from workers.runtime.variables import from_camunda
from workers.shared.text import rejection_message

LIST_INVALID = "LIST_INVALID"


@topic("review.prepare-items", properties=OrganisationFile)
def prepare_items(properties: OrganisationFile, task: TaskContext) -> PrepareItemsOutput:
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
        ))
    help_text = "; ".join(f"{d.id} = {d.label}" for d in org.departments)
    return PrepareItemsOutput(organisation_file=str(path), review_items=items, departments_help=help_text)


@topic("review.record-list", errors=[LIST_INVALID])
def record_list(submitted: RecordListInput) -> RecordListOutput:
    known = [item.department_id for item in submitted.review_items]
    items, problems = from_rows(submitted.responsibilities, known, submitted.department_id)
    if problems:
        raise BusinessRejection(LIST_INVALID, rejection_message(problems), field="responsibilities")
    return RecordListOutput.accepted(submitted.department_id, items)


@topic("review.detect-conflicts")
def detect(state: DetectConflictsInput, task: TaskContext) -> DetectConflictsOutput:
    previous = load(Path(state.organisation_file))
    problems: list[str] = []
    if state.proposed_lists is None:
        lists = _reviewed_lists(task, [i.department_id for i in state.review_items])
        settled = list(state.settled_items)
    else:
        found = {c.id: c.model_dump(by_alias=True) for c in state.open_conflicts}
        decisions = [{**found.get(row.get("id"), {}), **row} for row in state.conflicts]
        lists, dropped, problems = apply_decisions(previous, state.proposed_lists, decisions)
        settled = [*state.settled_items, *dropped]
    conflicts = detect_conflicts(previous, lists, settled)
    rows = [ConflictRow.model_validate(c.as_row()) for c in conflicts]
    return DetectConflictsOutput(proposed_lists=lists, conflicts=rows, open_conflicts=rows, has_conflicts=bool(rows),
                                 settled_items=settled, decision_problems="；".join(problems) or None)


def _reviewed_lists(task: TaskContext, departments: list[str]) -> Lists:
    typed = task.engine.request(
        "GET", f"/process-instance/{task.process_instance_id}/variables", params={"deserializeValues": "false"}
    ) or {}
    values = from_camunda({name: typed[name] for name in typed if name.startswith(REVIEWED_LIST)})
    missing = [d for d in departments if REVIEWED_LIST + d not in values]
    if missing:  # cannot happen after every head's task; an incident says so if it does
        raise RuntimeError(f"no reviewed list for department(s) {', '.join(missing)}")
    return {d: values[REVIEWED_LIST + d] for d in departments}


class PublishSettings(TaskProperties):
    archive_dir: LocalPath | None = None  # where versions are archived; default: the archive root's organisation/


@topic("review.publish-organisation", properties=PublishSettings)
def publish(review: PublishOrganisationInput, properties: PublishSettings, task: TaskContext) -> PublishOrganisationOutput:
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
    return PublishOrganisationOutput(**published, provisioned_changes=sum(c.total for c in report.counts.values()),
                                     provisioned_new_users=report.created_users)


def _write_version(review: PublishOrganisationInput, task: TaskContext, archive: Path) -> dict[str, Any]:
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
        {"processInstanceId": task.process_instance_id, "startedBy": started_by(task),  # the engine's, not a variable
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
    password = generate_password(16)
    keep_initial_passwords(settings.secrets_dir, {user_id: password})
    return password
