"""A share whose audience the engine enforces, for the access tests (engine and browser).

The test model `tests/models/sharing-access-demo.bpmn` declares its audience variables as
`information-sharing` does; `Sharing` provisions the demo organisation with it startable by Finance,
deploys it, publishes as a person and decides the audience as the workers' user (what the sharing
check worker does), so every grant comes from the engine, none from the test.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

from tests.support.driver import EngineDriver, wait_until
from tests.support.staff import Staff, demo_with_starters
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

MODELS = Path(__file__).resolve().parents[1] / "models"
KEY = "sharing-access-demo"
TOPIC = "sharing-access-demo.decide-audience"
PUBLISHER = "lin.xiao"            # finance, publishes
GROUP_READER = "wu.hao"           # sales: the audience group, and Task_ReadShare's candidates
NAMED_READER = "zhou.gang"        # production's head, named in the audience's users
# Outside the audience: a colleague of the named reader, someone with no part in it, and the
# publisher's department head, who elsewhere reads his staff's tasks (员工待办).
OUTSIDERS = ("ma.lin", "xu.ming", "guo.hong")
AUDIENCE = {"sharingAudienceGroups": ["sales"], "sharingAudienceUsers": [NAMED_READER]}

# Every way to read an instance, its tasks, variables and history that Tasklist, Cockpit or a REST
# client has; {instance}, {read} (Sales' task) and {check} (the publisher's task) are filled in.
# "(all)" asks without naming the instance: what an outsider would try to find it.
READS = {
    "GET /task": "/task?processInstanceId={instance}",
    "GET /task (all)": "/task?maxResults=1000",
    "GET /task/{id}": "/task/{read}",
    "GET /task/{id} (publisher's task)": "/task/{check}",
    "GET /task/{id}/variables": "/task/{read}/variables",
    "GET /task/{id}/variables (publisher's task)": "/task/{check}/variables",
    "GET /task/{id}/form-variables": "/task/{read}/form-variables",
    "GET /task/{id}/identity-links": "/task/{read}/identity-links",
    "GET /task/{id}/comment": "/task/{read}/comment",
    "GET /process-instance": "/process-instance?processInstanceIds={instance}",
    "GET /process-instance (all)": "/process-instance?maxResults=1000",
    "GET /process-instance/{id}": "/process-instance/{instance}",
    "GET /process-instance/{id}/variables": "/process-instance/{instance}/variables",
    "GET /process-instance/{id}/activity-instances": "/process-instance/{instance}/activity-instances",
    "GET /process-instance/{id}/comment": "/process-instance/{instance}/comment",
    "GET /variable-instance": "/variable-instance?processInstanceIdIn={instance}",
    "GET /variable-instance (all)": "/variable-instance?maxResults=1000",
    "GET /execution": "/execution?processInstanceId={instance}",
    "GET /incident": "/incident?processInstanceId={instance}",
    "GET /external-task": "/external-task?processInstanceId={instance}",
    "GET /history/process-instance": "/history/process-instance?processInstanceId={instance}",
    "GET /history/process-instance (all)": "/history/process-instance?maxResults=1000",
    "GET /history/task": "/history/task?processInstanceId={instance}",
    "GET /history/variable-instance": "/history/variable-instance?processInstanceId={instance}",
    "GET /history/variable-instance (all)": "/history/variable-instance?maxResults=1000",
    "GET /history/detail": "/history/detail?processInstanceId={instance}",
    "GET /history/detail (all)": "/history/detail?maxResults=1000",
    "GET /history/activity-instance": "/history/activity-instance?processInstanceId={instance}",
    "GET /history/identity-link-log": "/history/identity-link-log?taskId={read}",
    "GET /history/identity-link-log (all)": "/history/identity-link-log?maxResults=1000",
    "GET /history/user-operation": "/history/user-operation?processInstanceId={instance}",
    "GET /history/user-operation (all)": "/history/user-operation?maxResults=1000",
    "GET /history/decision-instance": "/history/decision-instance?processInstanceId={instance}"
                                      "&includeInputs=true&includeOutputs=true",
    "GET /history/incident": "/history/incident?processInstanceId={instance}",
    "GET /history/external-task-log": "/history/external-task-log?processInstanceId={instance}",
    "GET /history/job-log": "/history/job-log?processInstanceId={instance}",
}


def leak(response: requests.Response, marker: str, instance: str) -> str | None:
    """What an outsider's answer gives away: the content anywhere, or the instance in a success."""
    if marker in response.text:
        return f"{response.status_code} with the content: {response.text[:200]}"
    if response.ok and instance in response.text:
        return f"{response.status_code} naming the instance: {response.text[:200]}"
    if response.status_code not in (200, 401, 403, 404):
        return f"unexpected {response.status_code}: {response.text[:200]}"
    return None


@dataclass(frozen=True)
class Share:
    instance: str
    business_key: str
    marker: str  # in the title, the content, a comment and an incident: found by anyone who may read it


class Sharing:
    def __init__(self, engine: Settings, admin: EngineDriver, organisation_file: Path) -> None:
        self.staff = Staff(engine, admin)
        self.staff.provision(demo_with_starters(organisation_file, **{KEY: ["finance"]}))
        admin.deploy_xml(KEY, {name: (MODELS / name).read_text(encoding="utf-8")
                               for name in (f"{KEY}.bpmn", f"{KEY}-retention.dmn", f"{KEY}-read.form")})
        self.worker = requests.Session()
        self.worker.auth = engine.worker_credentials()
        self.url = engine.engine_url

    # --- as people
    def request(self, user: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.staff.session(user).request(method, self.url + path, timeout=30, **kwargs)

    def publish(self, **audience: list[str]) -> Share:
        """Finance publishes; the workers' user then decides the audience (default: Sales and zhou.gang)."""
        marker = f"SECRET-{uuid.uuid4().hex[:10]}"
        business_key = f"share-{marker}"
        body = {"businessKey": business_key, "variables": to_camunda(
            {"title": f"预算执行 / Budget execution {marker}", "content": f"机密内容 / confidential content {marker}"})}
        response = self.request(PUBLISHER, "POST", f"/process-definition/key/{KEY}/start", json=body)
        assert response.ok, f"{PUBLISHER} may publish: {response.status_code} {response.text}"
        share = Share(response.json()["id"], business_key, marker)
        self.decide_audience(share, **(audience or AUDIENCE))
        self.staff.wait_for_tasks(share.instance, 2, "the share's two user tasks")
        return share

    def task(self, share: Share, key: str) -> dict[str, Any]:
        [task] = self.staff.tasks(share.instance, taskDefinitionKey=key)
        return task

    # --- as the workers' user
    def decide_audience(self, share: Share, **variables: list[str]) -> requests.Response:
        locked = wait_until(lambda: self._fetch(share), 30, f"the audience task of {share.business_key}")
        typed = {name: {"type": "Json", "value": json.dumps(value)} for name, value in variables.items()}
        response = self.worker.post(f"{self.url}/external-task/{locked['id']}/complete", timeout=30,
                                    json={"workerId": "access-test", "variables": typed})
        assert response.ok, f"the workers' user decides the audience: {response.status_code} {response.text}"
        return response

    def _fetch(self, share: Share) -> dict[str, Any] | None:
        response = self.worker.post(f"{self.url}/external-task/fetchAndLock", timeout=30, json={
            "workerId": "access-test", "maxTasks": 1,
            "topics": [{"topicName": TOPIC, "lockDuration": 30_000, "businessKey": share.business_key}]})
        response.raise_for_status()
        found = response.json()
        return found[0] if found else None

    def set_audience(self, share: Share, name: str, value: Any) -> requests.Response:
        """The workers' user changes the audience, as a corrected version may."""
        return self.worker.put(f"{self.url}/process-instance/{share.instance}/variables/{name}", timeout=30,
                               json={"type": "Json", "value": json.dumps(value)})
