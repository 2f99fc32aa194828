"""`crossdept engine` against the real engine: one start for this module, on its own port and data."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from workers.runtime.settings import Settings
from workers.engine import lifecycle as tooling
from workers.engine import EngineSetupError
from workers.engine.access import WorkerAccess, ensure_worker_user
from workers.engine.lifecycle import EngineInfo

pytestmark = pytest.mark.engine

ORIGIN = "http://allowed.example"
TOPIC = "lifecycle-probe"

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" targetNamespace="http://crossdept.test">
  <bpmn:process id="{key}" isExecutable="true" {httl}>
    <bpmn:startEvent id="start"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="decide"/>
    <bpmn:businessRuleTask id="decide" camunda:decisionRef="approvers"
        camunda:mapDecisionResult="collectEntries" camunda:resultVariable="approvers"/>
    <bpmn:sequenceFlow id="f2" sourceRef="decide" targetRef="work"/>
    <bpmn:serviceTask id="work" camunda:type="external" camunda:topic="{topic}"/>
    <bpmn:sequenceFlow id="f3" sourceRef="work" targetRef="end"/>
    <bpmn:endEvent id="end"/>
  </bpmn:process>
</bpmn:definitions>
"""

# COLLECT hit policy + collectEntries: the result is a java.util.List, serialized in the default format.
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
    xmlns:camunda="http://camunda.org/schema/1.0/dmn" id="dd" name="approvers" namespace="http://crossdept.test">
  <decision id="approvers" name="approvers" camunda:historyTimeToLive="P1D">
    <decisionTable id="table" hitPolicy="COLLECT">
      <input id="in"><inputExpression id="expr" typeRef="string"><text>"any"</text></inputExpression></input>
      <output id="out" name="approver" typeRef="string"/>
      <rule id="r1"><inputEntry id="e1"><text></text></inputEntry><outputEntry id="o1"><text>"finance"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="e2"><text></text></inputEntry><outputEntry id="o2"><text>"legal"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def own_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, EngineInfo]]:
    port = free_port()
    settings = Settings(
        _env_file=None,
        engine_port=port,
        engine_url=f"http://localhost:{port}/engine-rest",
        data_dir=tmp_path_factory.mktemp("lifecycle"),  # cache_dir stays default: the jar is reused
        admin_password=None,
        engine_password=None,
        jdbc_url=None,
        cors_allowed_origins=[ORIGIN],
    )
    info = tooling.start_engine(settings, timeout_s=300)
    try:
        yield settings, info
    finally:
        tooling.stop_engine(settings)


@pytest.fixture(scope="module")
def settings(own_engine: tuple[Settings, EngineInfo]) -> Settings:
    return own_engine[0]


@pytest.fixture(scope="module")
def url(settings: Settings) -> str:
    return settings.engine_url


@pytest.fixture(scope="module")
def admin(settings: Settings) -> requests.Session:
    session = requests.Session()
    session.auth = settings.admin_credentials()
    return session


@pytest.fixture(scope="module")
def worker(settings: Settings) -> requests.Session:
    session = requests.Session()
    session.auth = settings.worker_credentials()
    return session


def deploy(admin: requests.Session, url: str, name: str, files: dict[str, str]) -> requests.Response:
    parts = {filename: (filename, content.encode()) for filename, content in files.items()}
    return admin.post(f"{url}/deployment/create", data={"deployment-name": name}, files=parts, timeout=30)


@pytest.fixture(scope="module")
def probe_key(admin: requests.Session, url: str) -> str:
    bpmn = BPMN.format(key="lifecycleProbe", topic=TOPIC, httl='camunda:historyTimeToLive="P1D"')
    response = deploy(admin, url, "lifecycle-probe", {"probe.bpmn": bpmn, "approvers.dmn": DMN})
    assert response.status_code == 200, response.text
    return "lifecycleProbe"


def create_user(admin: requests.Session, url: str, user: str, password: str) -> None:
    response = admin.post(f"{url}/user/create", timeout=10, json={
        "profile": {"id": user, "firstName": user, "lastName": "test"},
        "credentials": {"password": password},
    })
    assert response.status_code == 204, response.text


def fetch(session: requests.Session, url: str) -> list[dict]:
    response = session.post(f"{url}/external-task/fetchAndLock", timeout=10, json={
        "workerId": "lifecycle-test", "maxTasks": 10,
        "topics": [{"topicName": TOPIC, "lockDuration": 30_000, "variables": ["approvers"],
                    "deserializeValues": False}],
    })
    assert response.status_code == 200, response.text
    return response.json()


def test_start_reports_urls_and_new_secrets(own_engine: tuple[Settings, EngineInfo]) -> None:
    settings, info = own_engine
    assert info.rest_url == settings.engine_url
    assert info.tasklist_url == f"http://localhost:{settings.engine_port}/camunda/app/tasklist/"
    assert set(info.new_secrets) == {"admin-password", "engine-password"}
    assert requests.get(info.tasklist_url, timeout=10).status_code == 200
    # The root redirects to the webapps (index-redirect-enabled).
    root = requests.get(f"http://localhost:{settings.engine_port}/", timeout=10, allow_redirects=False)
    assert root.status_code in (301, 302) and "/camunda/app/" in root.headers["Location"]


def test_rest_requires_authentication(settings: Settings, url: str, admin: requests.Session) -> None:
    assert requests.get(f"{url}/user", timeout=10).status_code == 401
    # Not the admin: a failed login locks that user for a few seconds.
    assert requests.get(f"{url}/user", auth=("nobody", "wrong"), timeout=10).status_code == 401
    assert admin.get(f"{url}/user", timeout=10).status_code == 200


def test_history_time_to_live_is_required(admin: requests.Session, url: str) -> None:
    bpmn = BPMN.format(key="noTtl", topic=TOPIC, httl="")
    response = deploy(admin, url, "no-ttl", {"no-ttl.bpmn": bpmn, "approvers.dmn": DMN})
    assert response.status_code == 400
    assert "ENGINE-12018" in response.text


def test_authorization_is_enabled(admin: requests.Session, url: str, probe_key: str) -> None:
    create_user(admin, url, "plain-user", "plain-password")
    plain = requests.Session()
    plain.auth = ("plain-user", "plain-password")

    assert plain.get(f"{url}/process-definition", timeout=10).json() == []
    assert [d["key"] for d in admin.get(f"{url}/process-definition", timeout=10).json()] == [probe_key]
    # Without the workers' grants fetchAndLock silently finds nothing.
    admin.post(f"{url}/process-definition/key/{probe_key}/start", json={}, timeout=10).raise_for_status()
    assert fetch(plain, url) == []


def test_ensure_worker_user_is_idempotent(settings: Settings, admin: requests.Session, url: str) -> None:
    def grants() -> list[dict]:
        return admin.get(f"{url}/authorization", params={"userIdIn": settings.engine_user}, timeout=10).json()

    before = grants()  # start_engine already ran it once
    again = ensure_worker_user(settings)
    assert again == WorkerAccess(user_created=False, password_updated=False, authorizations_created=0)
    assert len(grants()) == len(before)
    by_resource = {(g["resourceType"], g["resourceId"]): set(g["permissions"]) for g in grants()
                   if g["resourceType"] in (6, 7, 8)}  # definitions, tasks, instances (not its own user)
    assert by_resource == {
        (6, "*"): {"READ", "READ_INSTANCE", "UPDATE_INSTANCE", "READ_HISTORY"},
        # the workers start corrected shares and obligation occurrences, and no other process
        (6, "information-sharing"): {"CREATE_INSTANCE"}, (6, "sharing-obligation"): {"CREATE_INSTANCE"},
        (8, "*"): {"CREATE", "READ", "UPDATE"}, (7, "*"): {"READ", "TASK_ASSIGN"}}


def test_ensure_worker_user_narrows_a_grant_wider_than_declared(
    settings: Settings, admin: requests.Session, url: str
) -> None:
    """An engine set up by an older release gave the workers' user TASK UPDATE (complete any task)."""
    query = {"userIdIn": settings.engine_user, "resourceType": 7, "resourceId": "*"}
    task_grant = admin.get(f"{url}/authorization", params=query, timeout=10).json()[0]
    widened = admin.put(f"{url}/authorization/{task_grant['id']}", timeout=10, json={
        **task_grant, "permissions": ["READ", "UPDATE", "TASK_ASSIGN", "TASK_WORK"]})
    assert widened.status_code == 204, widened.text

    assert ensure_worker_user(settings).authorizations_changed == 1
    narrowed = admin.get(f"{url}/authorization", params=query, timeout=10).json()[0]
    assert set(narrowed["permissions"]) == {"READ", "TASK_ASSIGN"}


def test_worker_fetches_and_completes_with_json_variables(
    admin: requests.Session, worker: requests.Session, url: str, probe_key: str
) -> None:
    started = admin.post(f"{url}/process-definition/key/{probe_key}/start", json={}, timeout=10)
    instance = started.json()["id"]

    tasks = {task["processInstanceId"]: task for task in fetch(worker, url)}
    assert instance in tasks
    approvers = tasks[instance]["variables"]["approvers"]
    assert approvers["valueInfo"]["serializationDataFormat"] == "application/json"
    assert approvers["value"] == '["finance","legal"]'

    done = worker.post(f"{url}/external-task/{tasks[instance]['id']}/complete",
                       json={"workerId": "lifecycle-test"}, timeout=10)
    assert done.status_code == 204, done.text
    history = admin.get(f"{url}/history/process-instance/{instance}", timeout=10).json()
    assert history["state"] == "COMPLETED"


def test_changed_worker_password_is_brought_back(
    settings: Settings, admin: requests.Session, worker: requests.Session, url: str
) -> None:
    changed = admin.put(f"{url}/user/{settings.engine_user}/credentials", timeout=10, json={
        "password": "someone-changed-it", "authenticatedUserPassword": settings.admin_credentials()[1],
    })
    assert changed.status_code == 204, changed.text
    assert worker.get(f"{url}/external-task", timeout=10).status_code == 401

    assert ensure_worker_user(settings).password_updated is True
    assert worker.get(f"{url}/external-task", timeout=10).status_code == 200


def lock_lines(settings: Settings, user: str) -> list[str]:
    """Camunda logs IDENTITY-001/002 each time a failed login locks a user (for a while or for good)."""
    return [line for line in tooling.tail_log(tooling.log_path(settings), 100_000)
            if f"The user with id '{user}' is" in line and "locked" in line]


def webapp_login(settings: Settings, user: str, password: str) -> requests.Response:
    """Tasklist's login form: its CSRF filter wants the XSRF-TOKEN cookie of a page back as a header."""
    base = f"http://localhost:{settings.engine_port}/camunda"
    browser = requests.Session()
    browser.get(f"{base}/app/tasklist/", timeout=10)
    token = browser.cookies.get("XSRF-TOKEN")
    return browser.post(f"{base}/api/admin/auth/user/default/login/tasklist", timeout=10,
                        data={"username": user, "password": password}, headers={"X-XSRF-TOKEN": token or ""})


def test_a_stranger_cannot_lock_out_the_workers_user(
    settings: Settings, admin: requests.Session, worker: requests.Session, url: str
) -> None:
    user, password = settings.worker_credentials()
    for attempt in range(30):
        anonymous = requests.get(f"{url}/external-task", auth=(user, f"guess-{attempt}"), timeout=10)
        assert anonymous.status_code == 401
    # Through the identity service too, where ensure_worker_user checks the password.
    wrong = admin.post(f"{url}/identity/verify", json={"username": user, "password": "guess"}, timeout=10)
    assert wrong.json()["authenticated"] is False
    # And through the webapps' login form.
    assert webapp_login(settings, user, "guess").status_code == 401

    fetched = worker.post(f"{url}/external-task/fetchAndLock", timeout=10, json={
        "workerId": "lifecycle-test", "maxTasks": 1, "topics": [{"topicName": "nothing", "lockDuration": 1000}],
    })
    assert fetched.status_code == 200, "the workers' user was locked by a stranger's wrong passwords"
    right = admin.post(f"{url}/identity/verify", json={"username": user, "password": password}, timeout=10)
    assert right.json()["authenticated"] is True
    assert ensure_worker_user(settings).password_updated is False
    assert lock_lines(settings, user) == []  # no failed attempt was counted in its user row


def test_staff_wrong_passwords_still_lock_them_for_a_while(admin: requests.Session, url: str, settings: Settings) -> None:
    create_user(admin, url, "throttled-user", "right-password")
    assert webapp_login(settings, "throttled-user", "wrong").status_code == 401
    # Locked for login-delay-base (1 s): even the right password is refused meanwhile.
    assert requests.get(f"{url}/user", auth=("throttled-user", "right-password"), timeout=10).status_code == 401
    assert len(lock_lines(settings, "throttled-user")) == 1
    time.sleep(1.5)
    assert requests.get(f"{url}/user", auth=("throttled-user", "right-password"), timeout=10).status_code == 200


def test_cors_for_configured_origins(url: str) -> None:
    def preflight(origin: str) -> requests.Response:
        return requests.options(f"{url}/process-definition", timeout=10, headers={
            "Origin": origin, "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        })

    allowed = preflight(ORIGIN)
    assert allowed.status_code == 200  # not 401: preflights carry no credentials
    assert allowed.headers["Access-Control-Allow-Origin"] == ORIGIN
    assert preflight("http://other.example").status_code == 403


def test_status_second_start_and_stop(settings: Settings, own_engine: tuple[Settings, EngineInfo]) -> None:
    info = own_engine[1]
    status = tooling.engine_status(settings)
    assert (status.running, status.pid, status.rest_answering) == (True, info.pid, True)
    with pytest.raises(EngineSetupError, match="already running"):
        tooling.start_engine(settings)

    assert tooling.stop_engine(settings) is True
    status = tooling.engine_status(settings)
    assert (status.running, status.rest_answering) == (False, False)
    assert not tooling.pid_path(settings).exists()
    assert info.process is not None and info.process.poll() is not None
    assert "Process Engine default closed" in Path(status.log_path).read_text(encoding="utf-8")
    assert tooling.stop_engine(settings) is False
