"""The authorization matrix on live hand-overs: one waiting for its checklist, one at its three
signatures, and one ended, whose giver had another process's task moved to the receiver."""

from __future__ import annotations

from typing import Any, Iterable

import pytest

from tests.reliability.access import Check, Matrix, task_readers
from tests.reliability.conftest import SCALE
from tests.reliability.figures import FIGURES
from tests.reliability.load import HandoverLoad
from tests.reliability.rig import Rig
from tests.support.driver import wait_until
from workers.shared.organisation.model import Organisation, load_organisation

SIGNING = {"Task_GiverSigns", "Task_ReceiverSigns", "Task_SupervisorConfirms"}


@pytest.fixture(scope="module")
def org(system: Rig) -> Organisation:
    return load_organisation(system.organisation_file)


@pytest.fixture(scope="module")
def matrix(system: Rig, org: Organisation) -> Matrix:
    sessions = {person.id: system.staff.session(person.id) for person in org.people}
    worker = system.staff.session(system.settings.engine_user)
    worker.auth = system.settings.worker_credentials()
    sessions[system.settings.engine_user] = worker
    return Matrix(system.settings.engine_url, sessions, worker=system.settings.engine_user)


@pytest.fixture(scope="module")
def live(system: Rig) -> dict[str, Any]:
    """Instances at three stages; the ended one moved `moved`, its giver's task, to its receiver."""
    ended = HandoverLoad(system, 1)
    ended.start_all(move_tasks=True)
    assert not ended.drive(180), "the hand-over to check reassignment against did not end"
    waiting = HandoverLoad(system, 2)
    waiting.start_all()
    checklist = waiting.rig.staff.wait_for_tasks(waiting.instances[0], 1, "the first checklist")[0]
    waiting._complete(checklist, deadline=0)
    verify = wait_until(lambda: [t for t in system.staff.tasks(waiting.instances[0])
                                 if t["taskDefinitionKey"] == "Task_VerifyChecklist"], 60, "the verification")[0]
    waiting._complete(verify, deadline=0)
    system.staff.wait_for_tasks(waiting.instances[0], 3, "the signatures", taskDefinitionKeyIn=",".join(SIGNING))
    system.staff.wait_for_tasks(waiting.instances[1], 1, "the second checklist")
    tasks = [t for i in waiting.instances for t in system.staff.tasks(i)]
    tasks += [system.admin.get(f"/task/{moved}") for moved in ended.moved]
    FIGURES.add("instances run", 3)
    return {"instances": waiting.instances + ended.instances, "tasks": tasks,
            "initiators": {**ended.initiators, **waiting.initiators}}


def _count(checks: Iterable[Check]) -> list[str]:
    found = []
    for check in checks:
        FIGURES.add("access checks made")
        if check.mismatch:
            found.append(FIGURES.defect("mismatches", f"access: {check}"))
    return found


def test_who_may_start_each_process_follows_its_process_starters(matrix: Matrix, org: Organisation,
                                                                 system: Rig) -> None:
    deployed = {d["key"] for d in system.admin.get("/process-definition", latestVersion="true")}
    # Called processes (the approval block) are in no process_starters entry: nobody may start them.
    processes = sorted((set(org.process_starters) | set(org.called_processes)) & deployed)
    assert {"work-handover", "project-cooperation", "approval"} <= set(processes)
    found = _count(matrix.starts(org, who, key) for key in processes for who in matrix.sessions)
    assert not found, "\n".join(found)


def test_people_see_and_read_exactly_their_own_tasks_those_they_started_and_their_staffs(
        matrix: Matrix, live: dict[str, Any], org: Organisation) -> None:
    readers = task_readers(org, live["initiators"])
    found = _count(check for who in matrix.people for check in matrix.task_checks(who, live["tasks"], readers))
    assert not found, "\n".join(found)


def test_nobody_reads_an_instance_s_variables_or_history_directly(matrix: Matrix, live: dict[str, Any]) -> None:
    found = _count(check for who in matrix.people for instance in live["instances"]
                   for check in matrix.instance_checks(who, instance))
    assert not found, "\n".join(found)


def test_nobody_completes_another_person_s_task(matrix: Matrix, live: dict[str, Any]) -> None:
    found = _count(matrix.completes_others(who, task) for task in live["tasks"] for who in _others(matrix, task))
    assert not found, "\n".join(found)


def _others(matrix: Matrix, task: dict[str, Any]) -> list[str]:
    """Everyone but the assignee; in the CI subset the workers' user and the first other person."""
    others = [who for who in matrix.sessions if who not in (task["assignee"], matrix.worker)]
    # The workers' user last: if it can complete the task, the people's checks come first.
    return (others if SCALE.full else others[:1]) + [matrix.worker]
