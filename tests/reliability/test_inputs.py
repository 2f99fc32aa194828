"""Every form we deploy, submitted with hostile input through REST as the person it is for.

The only outcomes allowed: accepted (only fields the form lets the person write), after which the
instance goes on to a person again or ends,
with no incident and no step retrying; a 400 from the engine naming a refused field; or a BPMN
error that puts the form back with a message (which is "accepted" followed by the same form).
Never a 500, an incident, or an instance left retrying.
"""

from __future__ import annotations

import time
from typing import Any, Callable

import pytest
import requests
from hypothesis import HealthCheck, Phase, given, settings

from tests.reliability.conftest import SCALE
from tests.reliability.figures import FIGURES
from tests.reliability.inputs import as_form_submit, submissions, writable_fields
from tests.reliability.load import HandoverLoad
from tests.reliability.rig import ROOT, Rig
from tests.support.cooperation import APPLICATION, HEADS, PMO, REQUESTER, Cooperation
from tests.support.driver import wait_until
from tests.support.handover import wait_for_notice

SHARING_PUBLISHER = "wu.hao"  # sales
SETTLE_S = 30 if SCALE.full else 15  # a step retrying that long is a persistent failure, not a slow one
START_FORMS = {  # form -> (process, a person allowed to start it)
    "work-handover-notice.form": ("work-handover", "chen.jing"),
    "delegation-start.form": ("delegation", "yang.fan"),
    "responsibility-review-start.form": ("responsibility-review", "wang.jianguo"),
    "project-cooperation-application.form": ("project-cooperation", "yang.fan"),
    "information-sharing-publish.form": ("information-sharing", SHARING_PUBLISHER),
}
HANDOVER_TASK_FORMS = {  # form -> the task it is the form of, reached by the people before it
    "work-handover-checklist.form": "Task_FillChecklist",
    "work-handover-verify.form": "Task_VerifyChecklist",
    "work-handover-sign.form": "Task_GiverSigns",
}
COOPERATION_TASK_FORMS = {  # form -> the task it is the form of, in a project driven there by its people
    "project-cooperation-feasibility-organise.form": "Task_OrganiseFeasibility",
    "project-cooperation-feasibility-assess.form": "Task_AssessFeasibility",
    "project-cooperation-agreement.form": "Task_DraftAgreement",
}
SHARING_TASK_FORMS = {  # form -> the task it is the form of, in a share driven there by its people
    "information-sharing-correct.form": "Task_CorrectRequest",
    "information-sharing-acknowledge.form": "Task_Acknowledge",
    "information-sharing-answer.form": "Task_AnswerFeedback",
}
# A public share of project progress needs no approval and is acknowledged by each department; one
# for Marketing of confidential customer information comes back to its publisher to be corrected.
PUBLIC_SHARE = {"title": "项目周报 / Weekly project report", "category": "project-progress", "sensitivity": "public",
                "summary": "本周进度 / this week", "content": "A 线完成 80% / line A 80% done",
                "targetDepartments": ["production"], "channels": ["email"]}
DISALLOWED_SHARE = {**PUBLIC_SHARE, "category": "customer", "sensitivity": "confidential",
                    "targetDepartments": ["marketing"]}
RECEIVER = "he.jun"  # production
# No shrinking: every refused outcome is counted and listed as it comes, and a shrink would replay
# dozens of examples that each wait SETTLE_S for an instance left retrying.
FUZZ = settings(max_examples=SCALE.examples, deadline=None, derandomize=not SCALE.full, database=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                       HealthCheck.data_too_large])


def judge(system: Rig, form: str, values: dict[str, Any], response: requests.Response,
          instance: str | None) -> str | None:
    """Why this outcome is not allowed, or None."""
    FIGURES.add("inputs tried")
    if response.status_code == 400:
        named = [key for key in values if key in response.text]
        return None if named else f"400 names none of the submitted fields: {response.text[:200]}"
    if not response.ok:
        return f"answered {response.status_code}: {response.text[:200]}"
    extra = sorted(set(values) - {f.key for f in writable_fields(ROOT / "forms" / form)})
    # Accepted is only right for what the form lets a person write; what became of the instance is
    # listed as well, so one defect does not hide the other.
    problems = [f"accepted fields that are not on the form: {', '.join(extra)}" if extra else None,
                _still_working(system, instance) if instance else None]
    return "; ".join(p for p in problems if p) or None


def _still_working(system: Rig, instance: str) -> str | None:
    deadline = time.monotonic() + SETTLE_S
    while time.monotonic() < deadline:
        if system.admin.get("/incident", processInstanceId=instance):
            break
        if not system.admin.external_tasks(processInstanceId=instance):
            return None  # back with a person (the next form or the same one with a message) or ended
        time.sleep(0.3)
    incidents = system.admin.get("/incident", processInstanceId=instance)
    if incidents:
        return f"incident at {incidents[0]['activityId']}: {incidents[0]['incidentMessage'][:200]}"
    return f"still retrying after {SETTLE_S} s at {system.admin.instance(instance).waiting_at()}"


def _record(found: list[str], form: str, values: dict[str, Any], problem: str | None) -> None:
    if problem:
        shown = {k: (v[:40] + "…" if isinstance(v, str) and len(v) > 40 else v) for k, v in values.items()}
        found.append(FIGURES.defect("mismatches", f"input: {form} {shown!r}: {problem}"))


@pytest.mark.parametrize("form", sorted(START_FORMS))
def test_a_start_form_answers_hostile_input_with_a_named_refusal_or_a_working_instance(
        system: Rig, form: str) -> None:
    process, starter = START_FORMS[form]
    found: list[str] = []

    @FUZZ
    @given(values=submissions(writable_fields(ROOT / "forms" / form)))
    def submit(values: dict[str, Any]) -> None:
        response = system.staff.session(starter).post(
            f"{system.settings.engine_url}/process-definition/key/{process}/start",
            json={"variables": as_form_submit(values)}, timeout=60)
        instance = response.json()["id"] if response.ok else None
        try:
            _record(found, form, values, judge(system, form, values, response, instance))
        finally:
            if instance:
                system.staff.delete(instance)

    submit()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("form", sorted(HANDOVER_TASK_FORMS))
def test_a_handover_task_form_answers_hostile_input_with_a_named_refusal_or_a_working_instance(
        system: Rig, form: str) -> None:
    found = _fuzz_task_form(system, form, _reacher(system, HANDOVER_TASK_FORMS[form]))
    assert not found, "\n".join(found)


def _fuzz_task_form(system: Rig, form: str, reach: Callable[[], dict[str, Any]]) -> list[str]:
    """Hostile submissions of `form`, each to a task `reach` gives, completed as its assignee (the
    PMO member luo.fang for the PMO group's unclaimed task); the outcomes not allowed."""
    found: list[str] = []

    @FUZZ
    @given(values=submissions(writable_fields(ROOT / "forms" / form)))
    def submit(values: dict[str, Any]) -> None:
        task = reach()
        response = system.staff.session(task["assignee"] or PMO).post(
            f"{system.settings.engine_url}/task/{task['id']}/complete",
            json={"variables": as_form_submit(values)}, timeout=60)
        _record(found, form, values, judge(system, form, values, response, task["processInstanceId"]))

    submit()
    return found


def _reacher(system: Rig, key: str) -> Callable[[], dict[str, Any]]:
    """A task at `key` for the next example: the last instance's, if it waits there again, else a
    new hand-over's, driven there by its people."""
    current: dict[str, Any] = {}

    def reach() -> dict[str, Any]:
        # The same form again (a refusal, or a check that sent it back) is a new task at the same key.
        again = current and system.staff.tasks(current["processInstanceId"], taskDefinitionKey=key)
        if again:
            current.update(again[0])
            return current
        load = HandoverLoad(system, 1)
        load.start_all()
        # As people do: the form is submitted after the notice went out (see wait_for_notice).
        wait_for_notice(system.staff, load.instances[0])
        FIGURES.add("instances run")
        current.clear()
        current.update(load.drive_to(key, 90))
        return current
    return reach


@pytest.mark.parametrize("form", sorted(COOPERATION_TASK_FORMS))
def test_a_cooperation_task_form_answers_hostile_input_with_a_named_refusal_or_a_working_instance(
        system: Rig, form: str) -> None:
    found = _fuzz_task_form(system, form, _cooperation_reacher(system, COOPERATION_TASK_FORMS[form]))
    assert not found, "\n".join(found)


def _cooperation_reacher(system: Rig, key: str) -> Callable[[], dict[str, Any]]:
    """A task at `key`: the last project's, if it waits there again, else a new project's, driven
    there by its people (the PMO organises, every head scores 4)."""
    current: dict[str, Any] = {}

    def reach() -> dict[str, Any]:
        again = current and system.staff.tasks(current["processInstanceId"], taskDefinitionKey=key)
        if again:
            current.update(again[0])
            return current
        run = Cooperation(system.staff, system.staff.start(REQUESTER, "project-cooperation", APPLICATION))
        FIGURES.add("instances run")
        if key != "Task_OrganiseFeasibility":
            run.organise()
            if key != "Task_AssessFeasibility":
                run.assess({department: 4 for department in HEADS})
        current.clear()
        current.update(run.task(key, f"the project at {key}")[0])
        return current
    return reach


@pytest.mark.parametrize("form", sorted(SHARING_TASK_FORMS))
def test_a_sharing_task_form_answers_hostile_input_with_a_named_refusal_or_a_working_instance(
        system: Rig, form: str) -> None:
    found = _fuzz_task_form(system, form, _sharing_reacher(system, SHARING_TASK_FORMS[form]))
    assert not found, "\n".join(found)


def _sharing_reacher(system: Rig, key: str) -> Callable[[], dict[str, Any]]:
    """A task at `key`: the last share's, if it waits there again, else a new share's, driven there
    by its people (Production's member claims the acknowledgement and asks a question)."""
    current: dict[str, Any] = {}

    def waiting(instance: str, at: str) -> dict[str, Any]:
        return wait_until(lambda: next(iter(system.staff.tasks(instance, taskDefinitionKey=at)), None), 90,
                          f"the share {instance} at {at}")

    def claimed(task: dict[str, Any]) -> dict[str, Any]:
        """The department's acknowledgement (a candidate group's), claimed by its member."""
        if task["assignee"]:
            return task
        system.staff.call(RECEIVER, "POST", f"/task/{task['id']}/claim", json={"userId": RECEIVER})
        return {**task, "assignee": RECEIVER}

    def reach() -> dict[str, Any]:
        again = current and system.staff.tasks(current["processInstanceId"], taskDefinitionKey=key)
        if again:
            current.update(claimed(again[0]))
            return current
        share = DISALLOWED_SHARE if key == "Task_CorrectRequest" else PUBLIC_SHARE
        instance = system.staff.start(SHARING_PUBLISHER, "information-sharing", share)
        FIGURES.add("instances run")
        task = claimed(waiting(instance, key if key == "Task_CorrectRequest" else "Task_Acknowledge"))
        if key == "Task_AnswerFeedback":
            system.staff.complete(RECEIVER, task["id"], {"feedbackKind": "question",
                                                         "feedbackText": "哪条线？/ Which line?"})
            task = waiting(instance, key)
        current.clear()
        current.update(task)
        return current
    return reach
