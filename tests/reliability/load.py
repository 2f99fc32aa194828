"""A steady load of work hand-overs driven as their people do: a department head gives notice in
the start form, the giver fills the checklist, the receiver verifies it, giver, receiver and
supervisor sign, each through REST with their own account. The driver keeps going through
engine restarts and refused calls, as people click again, and stops at its deadline.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests

from tests.reliability.inputs import as_form_submit
from tests.reliability.rig import Rig
from tests.support.handover import notice, open_task_for, planned_for_notice_given_today
from workers.runtime.variables import from_camunda

# (head giving notice, giver, receiver, receiving department): staff of the head's own department,
# a post change needing 3 working days' notice (handover-policy).
PAIRS = [("chen.jing", "yang.fan", "wu.hao", "sales"), ("zhang.wei", "xu.ming", "lin.xiao", "finance"),
         ("song.jie", "tang.ning", "ma.lin", "production"), ("guo.hong", "lin.xiao", "luo.fang", "projectoffice"),
         ("zhou.gang", "ma.lin", "zheng.yu", "marketing")]
ITEMS = [{"category": "documents", "description": "项目文档 / Project documents", "location": "Git"},
         {"category": "equipment", "description": "笔记本电脑 / Laptop", "location": "3F", "assetNumber": "IT-1"}]
CONFLICT_SIGNS = ("updated by another transaction", "ENGINE-03077")  # optimistic locking
TRANSIENT = (requests.ConnectionError, requests.Timeout)


@dataclass
class HandoverLoad:
    rig: Rig
    count: int
    tag: str = field(default_factory=lambda: secrets.token_hex(3))
    instances: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # refused calls the driver repeated
    moved: dict[str, str] = field(default_factory=dict)  # another process's task of a giver -> its receiver
    numbers: dict[str, int] = field(default_factory=dict)  # instance -> its number in the load
    initiators: dict[str, str] = field(default_factory=dict)  # instance -> the head who started it

    @property
    def business_key_like(self) -> str:
        return f"rel-{self.tag}-%"

    def start_all(self, deadline_s: float = 120, move_tasks: bool = False) -> None:
        """Start the hand-overs; with `move_tasks`, each of the first len(PAIRS) givers holds a task
        of another process, which their hand-over must move to the receiver exactly once."""
        planned = planned_for_notice_given_today(3)
        deadline = time.monotonic() + deadline_s
        for number in range(self.count):
            head, giver, receiver, department = PAIRS[number % len(PAIRS)]
            if move_tasks and number < len(PAIRS):
                self.moved[open_task_for(self.rig.staff, giver)] = receiver
            body = {"variables": _untyped(notice(giver, receiver, department, planned)),
                    "businessKey": f"rel-{self.tag}-{number}"}
            started = self._call(head, "POST", "/process-definition/key/work-handover/start", deadline, json=body)
            self.instances.append(started["id"])
            self.numbers[started["id"]] = number
            self.initiators[started["id"]] = head

    def ended(self) -> set[str]:
        found = self.rig.admin.get("/history/process-instance", processDefinitionKey="work-handover",
                                   processInstanceBusinessKeyLike=self.business_key_like, finished="true",
                                   maxResults=10_000)
        return {i["id"] for i in found}

    def drive(self, timeout_s: float, stop: threading.Event | None = None) -> set[str]:
        """Complete every task of ours as its assignee until all instances ended, `stop` is set or
        the time is up; returns the instances that have not ended."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not (stop and stop.is_set()):
            try:
                open_ = set(self.instances) - self.ended()
                if not open_:
                    return set()
                tasks = self.rig.admin.get("/task", processDefinitionKey="work-handover", maxResults=1000,
                                           processInstanceBusinessKeyLike=self.business_key_like)
            except (*TRANSIENT, requests.HTTPError) as err:
                self.errors.append(f"query: {err}")
                time.sleep(1)
                continue
            mine = [t for t in tasks if t["taskDefinitionKey"] in ANSWERS and t["assignee"]]
            for task in mine:
                self._complete(task, deadline)
            if not mine:
                time.sleep(0.3)
        return set(self.instances) - self._ended_or_all_open()

    def drive_to(self, key: str, timeout_s: float) -> dict[str, Any]:
        """Drive the first instance until it waits at task `key`; returns that task."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            tasks = self.rig.staff.tasks(self.instances[0])
            found = [t for t in tasks if t["taskDefinitionKey"] == key]
            if found:
                return found[0]
            for task in tasks:
                if task["taskDefinitionKey"] in ANSWERS and task["assignee"]:
                    self._complete(task, deadline)
            time.sleep(0.3)
        raise AssertionError(f"instance {self.instances[0]} did not reach {key} within {timeout_s} s")

    def moves(self) -> tuple[list[str], list[str]]:
        """(tasks not moved to their receiver, tasks moved more than once), from the engine's log
        of who each task was assigned to."""
        missing, twice = [], []
        for task_id, receiver in self.moved.items():
            log = self.rig.admin.get("/history/identity-link-log", taskId=task_id, type="assignee",
                                     operationType="add")
            to_receiver = [entry for entry in log if entry["userId"] == receiver]
            if not to_receiver:
                missing.append(f"task {task_id} was never moved to {receiver}")
            if len(to_receiver) > 1:
                twice.append(f"task {task_id} moved to {receiver} {len(to_receiver)} times")
        return missing, twice

    def _ended_or_all_open(self) -> set[str]:
        try:
            return self.ended()
        except (*TRANSIENT, requests.HTTPError):
            return set()

    def _complete(self, task: dict[str, Any], deadline: float) -> None:
        assignee = task["assignee"]
        try:
            values = ANSWERS[task["taskDefinitionKey"]](self, assignee, task)
            self._call(assignee, "POST", f"/task/{task['id']}/complete", deadline,
                       json={"variables": as_form_submit(values)})
        except _Gone:
            pass  # completed by an earlier attempt whose answer was lost, or cancelled by a timer

    def form_variables(self, user: str, task_id: str) -> dict[str, Any]:
        return from_camunda(self._call(user, "GET", f"/task/{task_id}/form-variables", time.monotonic() + 30,
                                       params={"deserializeValues": "false"}))

    def _call(self, user: str, method: str, path: str, deadline: float, **kwargs: Any) -> Any:
        """One person's REST call, repeated while the engine is away or refuses it as a concurrent
        update; a 404 on a task means it is gone (done or cancelled)."""
        session = self.rig.staff.session(user)
        while True:
            try:
                response = session.request(method, self.rig.settings.engine_url + path, timeout=30, **kwargs)
            except TRANSIENT as err:
                response, problem = None, f"{method} {path}: {type(err).__name__}"
            else:
                if response.ok:
                    return response.json() if response.content else None
                if response.status_code == 404 and "/task/" in path:
                    raise _Gone()
                problem = f"{user}: {method} {path} -> {response.status_code} {response.text[:300]}"
                if response.status_code != 500 or not any(sign in response.text for sign in CONFLICT_SIGNS):
                    if response.status_code < 500:
                        raise AssertionError(problem)
            self.errors.append(problem)
            if time.monotonic() > deadline:
                raise AssertionError(f"gave up at the deadline: {problem}")
            time.sleep(0.5)


class _Gone(Exception):
    pass


def _checklist(load: HandoverLoad, user: str, task: dict[str, Any]) -> dict[str, Any]:
    """The rows of the giver's open tasks as the form pre-fills them, then the items they add. A
    giver's later hand-overs in the same load leave those rows out: the first one moves the tasks."""
    first = load.numbers.get(task["processInstanceId"], len(PAIRS)) < len(PAIRS)
    rows = load.form_variables(user, task["id"]).get("checklistItems") or [] if first else []
    return {"checklistItems": [r for r in rows if r.get("camundaTaskId")] + ITEMS}


def _verify(load: HandoverLoad, user: str, task: dict[str, Any]) -> dict[str, Any]:
    rows = load.form_variables(user, task["id"])["verificationItems"]
    return {"verificationItems": [{"categoryLabel": r["categoryLabel"], "description": r["description"],
                                   "verdict": "accept"} for r in rows]}


ANSWERS = {
    "Task_FillChecklist": _checklist,
    "Task_VerifyChecklist": _verify,
    "Task_GiverSigns": lambda load, user, task: {"signatureConfirmed": True},
    "Task_ReceiverSigns": lambda load, user, task: {"signatureConfirmed": True},
    "Task_SupervisorConfirms": lambda load, user, task: {"supervisorVerdict": "sign", "signatureConfirmed": True},
}


def _untyped(values: dict[str, Any]) -> dict[str, Any]:
    return {name: {"value": value} for name, value in values.items()}


