"""Called processes (the approval block, a project's phases) in the organisation file: every
department reads their definition, as Tasklist names a task's process only to who may read it, and
nobody is granted CREATE_INSTANCE, so staff cannot start them apart from their callers."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from workers.shared.organisation.model import OrganisationError, load_organisation, parse_organisation
from workers.shared.organisation.provision import PROCESS_DEFINITION, _desired_grants

DEMO = Path(__file__).parents[2] / "org" / "demo-organisation.yaml"


def test_the_demo_organisation_names_the_approval_block_as_called_and_not_startable() -> None:
    org = load_organisation(DEMO)
    assert "approval" in org.called_processes
    assert "approval" not in org.process_starters


def test_every_department_may_read_a_called_process_and_nobody_may_start_it() -> None:
    org = load_organisation(DEMO)
    grants = _desired_grants(org, [], {})
    on_approval = {key: permissions for key, permissions in grants.items()
                   if key[2] == PROCESS_DEFINITION and key[3] == "approval"}
    assert {key[1] for key in on_approval} == {d.id for d in org.departments}
    assert all(permissions == {"READ"} for permissions in on_approval.values())


def test_a_process_both_called_and_startable_is_refused() -> None:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["called_processes"] = ["approval", "delegation"]
    with pytest.raises(OrganisationError, match=r"called_processes\[1\]: 'delegation' is also in process_starters"):
        parse_organisation(data)
