"""A person's completion of a user task while a worker ends a parallel branch of the same instance
(work-handover's checklist and its notice branch; engine/, CompletionRetryPlugin).

Both transactions change the same execution: the worker's ends its branch and folds the last
concurrent execution into the instance, the person's moves that execution on. The engine lets one
of the two commit and refuses the other (ENGINE-03005 optimistic locking, or ENGINE-03077 when the
execution's parent was deleted under it); a worker retries, but a person in Tasklist would see a
500 for a form that was fine. The engine runs such a completion again instead."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.driver import EngineDriver
from tests.support.staff import Staff, demo_with_starters
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

MODEL = Path(__file__).resolve().parents[1] / "models" / "parallel-branch-race.bpmn"
GIVER = "yang.fan"
PAIRS = 16  # enough simultaneous pairs that, without the retry, some completions lose the race
ENDPOINTS = ("complete", "submit-form")  # REST clients complete; Tasklist's Camunda Forms submit


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Staff:
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(tmp_path_factory.mktemp("org") / "organisation.yaml"))
    admin.deploy_xml("parallel-branch-race", {MODEL.name: MODEL.read_text(encoding="utf-8")})
    return staff


def _armed(admin: EngineDriver, staff: Staff) -> tuple[str, str, str]:
    """An instance at both wait states: (it, the notice's locked external task, the giver's task)."""
    instance = admin.start("parallel-branch-race", {"giverId": (GIVER, "String")})
    response = admin.session.post(f"{admin.url}/external-task/fetchAndLock", timeout=30, json={
        "workerId": "race", "maxTasks": 1,
        "topics": [{"topicName": "race.notify", "lockDuration": 60_000, "processInstanceId": instance}]})
    response.raise_for_status()
    [external] = response.json()
    [task] = staff.tasks(instance)
    return instance, external["id"], task["id"]


def _race(admin: EngineDriver, staff: Staff, external_id: str, task_id: str, endpoint: str) -> requests.Response:
    """Both completions let go at the same moment; returns the person's answer."""
    start = threading.Barrier(2)
    answers: dict[str, Any] = {}

    def worker() -> None:
        start.wait()
        admin.session.post(f"{admin.url}/external-task/{external_id}/complete", timeout=30,
                           json={"workerId": "race"})

    def person() -> None:
        start.wait()
        answers["person"] = staff.session(GIVER).post(f"{staff.engine.engine_url}/task/{task_id}/{endpoint}",
                                                      timeout=30, json={"variables": {}})

    threads = [threading.Thread(target=worker), threading.Thread(target=person)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers["person"]


def test_a_person_s_completion_survives_a_worker_ending_a_parallel_branch(admin: EngineDriver, staff: Staff) -> None:
    refused, moved_on = [], []
    for number in range(PAIRS):
        endpoint = ENDPOINTS[number % len(ENDPOINTS)]
        instance, external_id, task_id = _armed(admin, staff)
        answer = _race(admin, staff, external_id, task_id, endpoint)
        if not answer.ok:
            refused.append(f"{endpoint}: {answer.status_code} {answer.text[:200]}")
        else:  # the completion took effect once: the instance waits at the check, the task is gone
            moved_on.append((len(admin.get("/external-task", processInstanceId=instance, topicName="race.check")),
                             len(staff.tasks(instance))))
    assert not refused, f"{len(refused)} of {PAIRS} completions refused:\n" + "\n".join(refused)
    assert moved_on == [(1, 0)] * PAIRS
