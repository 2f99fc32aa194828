"""The authorization matrix: what each person may do, derived from the organisation file and the
least-privilege rule of provisioning, compared with what the engine answers that person.

Expectations are data, never the engine's answers: a person may start a process when one of their
groups (department, company roles, `heads`) is among its `process_starters`; sees, reads the
the variables of exactly the tasks assigned to them, of instances they started and of people in
the departments they head (the engine's READ for the two views 我发起的 and 员工待办), and
completes exactly the tasks assigned to them; reads no instance's variables or
history directly (staff read what their task's form shows, nothing more), and completes no one
else's task. The workers' technical user completes no user task, and starts exactly the processes
its declared permissions name (`WORKER_PERMISSIONS`: information sharing's corrected versions).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator

import requests

from workers.catalog import worker_permissions
from workers.runtime.permissions import Resource, resource_of
from workers.shared.organisation.model import ROLE_GROUPS, Organisation

INSTANCE_READS = {  # how a person could read an instance's variables or history directly
    "runtime variables": "/process-instance/{instance}/variables",
    "runtime variable-instance": "/variable-instance?processInstanceIdIn={instance}",
    "history variable-instance": "/history/variable-instance?processInstanceId={instance}",
    "history process-instance": "/history/process-instance?processInstanceId={instance}",
    "history task": "/history/task?processInstanceId={instance}",
}


@dataclass(frozen=True)
class Check:
    who: str
    what: str
    expected: bool  # allowed
    actual: bool
    answer: str

    @property
    def mismatch(self) -> bool:
        return self.expected != self.actual

    def __str__(self) -> str:
        verb = "may" if self.expected else "may not"
        return f"{self.who} {verb} {self.what}, engine answered {self.answer}"


def groups_of(org: Organisation, person_id: str) -> set[str]:
    if person_id not in org.people_by_id:
        return set()  # the workers' user is in no group of the organisation
    person = org.person(person_id)
    return {person.department} | {role for role in ROLE_GROUPS if person_id in org.role_member_ids(role)}


def may_start(org: Organisation, person_id: str, process_key: str) -> bool:
    return bool(groups_of(org, person_id) & set(org.process_starters.get(process_key, [])))


def worker_may_start(process_key: str) -> bool:
    """Whether the workers' user is granted CREATE_INSTANCE on this process by name (never on all)."""
    return any(resource_of(target) == (Resource.PROCESS_DEFINITION, process_key) and "CREATE_INSTANCE" in granted
               for target, granted in worker_permissions().items())


class Matrix:
    def __init__(self, engine_url: str, sessions: dict[str, requests.Session], worker: str) -> None:
        self.url = engine_url
        self.sessions = sessions  # every person, and the workers' user
        self.worker = worker

    @property
    def people(self) -> list[str]:
        """Everyone but the workers' user, which reads tasks and variables for its steps."""
        return [who for who in self.sessions if who != self.worker]

    def _request(self, who: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.sessions[who].request(method, self.url + path, timeout=30, **kwargs)

    def starts(self, org: Organisation, who: str, process_key: str) -> Check:
        # Tasklist's own question "which processes may I start", answered without starting one.
        response = self._request(who, "GET", "/process-definition", params={
            "key": process_key, "latestVersion": "true", "startablePermissionCheck": "true"})
        allowed = worker_may_start(process_key) if who == self.worker else may_start(org, who, process_key)
        return Check(who, f"start {process_key}", allowed,
                     response.ok and bool(response.json()), _answer(response))

    def task_checks(self, who: str, tasks: list[dict[str, Any]],
                    readers: Callable[[dict[str, Any]], set[str]]) -> Iterator[Check]:
        """`readers(task)`: who may see and read it, from the file and who started what."""
        response = self._request(who, "GET", "/task", params={"maxResults": 1000})
        visible = {t["id"] for t in response.json()} if response.ok else set()
        for task in tasks:
            own = who in readers(task)
            label = f"task {task['taskDefinitionKey']} of {task['assignee']} ({task['id']})"
            yield Check(who, f"see {label}", own, task["id"] in visible, _answer(response))
            read = self._request(who, "GET", f"/task/{task['id']}/variables")
            yield Check(who, f"read the variables of {label}", own, read.ok, _answer(read))

    def completes_others(self, who: str, task: dict[str, Any]) -> Check:
        response = self._request(who, "POST", f"/task/{task['id']}/complete", json={"variables": {}})
        return Check(who, f"complete task {task['taskDefinitionKey']} of {task['assignee']} ({task['id']})",
                     False, response.ok, _answer(response))

    def instance_checks(self, who: str, instance: str) -> Iterator[Check]:
        for what, template in INSTANCE_READS.items():
            response = self._request(who, "GET", template.format(instance=instance))
            readable = response.ok and bool(response.json())
            yield Check(who, f"read {what} of instance {instance}", False, readable, _answer(response))


def _answer(response: requests.Response) -> str:
    return f"{response.status_code} {response.text[:120]}"


def task_readers(org: Organisation, initiators: dict[str, str]) -> Callable[[dict[str, Any]], set[str]]:
    """The assignee, the person who started the task's instance and the heads of the assignee's
    department: what provisioning's heads groups and the engine's task grants promise."""
    def readers(task: dict[str, Any]) -> set[str]:
        assignee = task["assignee"]
        found = {assignee, initiators.get(task["processInstanceId"], assignee)}
        if assignee in org.people_by_id:
            head = org.department(org.person(assignee).department).head
            found |= {head} if head else set()
        return found
    return readers
