"""The provisioned views of progress: one "started by me" per person, one staff view per department."""

from __future__ import annotations

from pathlib import Path

from workers.shared.organisation.model import load_organisation
from workers.shared.organisation.provision import filter_specs

ORG = load_organisation(Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml")
SPECS = {spec.key: spec for spec in filter_specs(ORG)}


def test_each_person_alone_reads_the_open_steps_of_what_they_started() -> None:
    started = {key: spec for key, spec in SPECS.items() if key.startswith("started-by:")}
    assert len(started) == len(ORG.people)
    spec = started["started-by:chen.jing"]
    assert spec.reader == ("user", "chen.jing")
    assert spec.query["processVariables"] == [{"name": "initiator", "operator": "eq", "value": "chen.jing"}]


def test_a_heads_view_lists_the_tasks_held_by_their_staff_and_only_the_heads_group_reads_it() -> None:
    spec = SPECS["staff-of:engineering"]
    assert spec.reader == ("group", "engineeringheads")
    assert sorted(spec.query["assigneeIn"]) == ["huang.lei", "xu.ming"]  # the head's own tasks are in 我的待办


def test_the_shared_filters_come_first_and_are_read_by_all_staff() -> None:
    keys = list(SPECS)
    assert keys[:4] == ["my-tasks", "department-tasks", "due-soon", "overdue"]
    assert all(SPECS[key].reader is None for key in keys[:4])
