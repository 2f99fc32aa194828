"""A start by message, signal or condition carries only the start form's fields
(ENGINE-CROSSDEPT-08, engine/.../enforcement/EventStartRule), as a plain start does: every start
path a REST client has besides POST /process-definition/.../start and submit-form (covered in
test_engine_enforcement.py), tried as finance's lin.xiao (refused, the message names the variable,
nothing is started) and as the workers' user (allowed).

Run against tests/models/event-start-demo.bpmn, whose start event allows title and urgent."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
import requests

from tests.support.driver import EngineDriver
from tests.support.staff import Staff, demo_with_starters
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

pytestmark = pytest.mark.engine

MODELS = Path(__file__).resolve().parents[1] / "models"
KEY = "event-start-demo"
MESSAGE, SIGNAL = "event-start-demo-publish", "event-start-demo-signal"
STARTER = "lin.xiao"
PROCESS_DEFINITION, PROCESS_INSTANCE = 6, 8  # Camunda's resource type ids


class Events:
    def __init__(self, engine: Settings, admin: EngineDriver, organisation_file: Path) -> None:
        self.url = engine.engine_url
        self.admin = admin
        self.staff = Staff(engine, admin)
        self.staff.provision(demo_with_starters(organisation_file, **{KEY: ["finance"]}))
        admin.deploy_xml(KEY, {f"{KEY}.bpmn": (MODELS / f"{KEY}.bpmn").read_text(encoding="utf-8")})
        self.worker = requests.Session()
        self.worker.auth = engine.worker_credentials()
        self.worker_user = engine.engine_user

    def send(self, who: str, path: str, body: dict[str, Any]) -> requests.Response:
        session = self.worker if who == "workers" else self.staff.session(who)
        return session.post(self.url + path, json=body, timeout=30)

    def started(self, marker: str) -> list[dict[str, Any]]:
        return self.admin.get("/history/process-instance", processDefinitionKey=KEY, variables=f"title_eq_{marker}")


@pytest.fixture(scope="module")
def events(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Events]:
    events = Events(engine, admin, tmp_path_factory.mktemp("org") / "organisation.yaml")
    # The workers' user starts only the processes its packages declare; this test model is not one.
    # CREATE_INSTANCE only: it reads every definition already, and a second READ grant on the same
    # definition makes Camunda's conditional start query return its subscription twice, so
    # POST /condition starts two instances (measured on 7.24).
    grant = admin.session.post(f"{admin.url}/authorization/create", timeout=30, json={
        "type": 1, "permissions": ["CREATE_INSTANCE"], "userId": events.worker_user,
        "resourceType": PROCESS_DEFINITION, "resourceId": KEY}).json()
    yield events
    admin.session.delete(f"{admin.url}/authorization/{grant['id']}", timeout=30)
    for instance in admin.get("/process-instance", processDefinitionKey=KEY):
        admin.session.delete(f"{admin.url}/process-instance/{instance['id']}", timeout=30)


def message(variables: dict[str, Any], **options: Any) -> tuple[str, dict[str, Any]]:
    return "/message", {"messageName": MESSAGE, "processVariables": to_camunda(variables), **options}


def message_local(variables: dict[str, Any], **options: Any) -> tuple[str, dict[str, Any]]:
    return "/message", {"messageName": MESSAGE, "processVariablesLocal": to_camunda(variables), **options}


def signal(variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "/signal", {"name": SIGNAL, "variables": to_camunda(variables)}


def condition(variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    return "/condition", {"variables": to_camunda(variables)}


STARTS: dict[str, tuple[Callable[..., tuple[str, dict[str, Any]]], dict[str, Any], str]] = {
    "message": (message, {}, f"also by message '{MESSAGE}'"),
    "message to all": (message, {"all": True}, f"also by message '{MESSAGE}'"),
    "message, start only": (message, {"startMessagesOnly": True}, f"also by message '{MESSAGE}'"),
    "message, local variables": (message_local, {}, f"also by message '{MESSAGE}'"),
    "signal": (signal, {}, f"also by signal '{SIGNAL}'"),
    "condition": (condition, {}, "also by a conditional start"),
}


def body_of(how: str, variables: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    build, options, _ = STARTS[how]
    return build(variables, **options)


@pytest.mark.parametrize("how", list(STARTS))
def test_a_person_cannot_start_by_event_with_variables_outside_the_start_form(events: Events, how: str) -> None:
    marker = f"forged-{uuid.uuid4().hex[:8]}"
    path, body = body_of(how, {"title": marker, "urgent": True, "supervisorId": "zheng.yu"})
    response = events.send(STARTER, path, body)
    assert response.status_code == 400, f"{how}: expected 400, got {response.status_code}: {response.text}"
    text = response.json()["message"]
    for words in ("ENGINE-CROSSDEPT-08 process event-start-demo", "starts only with its start form's fields",
                  STARTS[how][2], "refused variable 'supervisorId'"):
        assert words in text, f"{how}: {words!r} not in {text!r}"
    assert "'title'" not in text and "'urgent'" not in text, f"{how}: the start form's fields pass: {text}"
    assert events.started(marker) == [], f"{how}: nothing was started"


@pytest.mark.parametrize("how", list(STARTS))
def test_a_person_may_start_by_event_with_the_start_forms_fields(events: Events, how: str) -> None:
    marker = f"allowed-{uuid.uuid4().hex[:8]}"
    path, body = body_of(how, {"title": marker, "urgent": True})
    response = events.send(STARTER, path, body)
    assert response.ok, f"{how}: {response.status_code} {response.text}"
    assert len(events.started(marker)) == 1, f"{how}: one instance was started"


@pytest.mark.parametrize("how", list(STARTS))
def test_the_workers_user_may_start_by_event_with_any_variables(events: Events, how: str) -> None:
    marker = f"workers-{uuid.uuid4().hex[:8]}"
    path, body = body_of(how, {"title": marker, "urgent": True, "supervisorId": "zheng.yu"})
    response = events.send("workers", path, body)
    assert response.ok, f"{how}: {response.status_code} {response.text}"
    [instance] = events.started(marker)
    [supervisor] = events.admin.get("/history/variable-instance", processInstanceId=instance["id"],
                                    variableName="supervisorId")
    assert supervisor["value"] == "zheng.yu"
