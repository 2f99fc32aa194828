"""Staff of the demo organisation using the engine through REST, as Tasklist does for them.

`Staff` provisions the demo organisation (plus the starters a test needs), gives every person a
known password, deploys our models with the organisation file the test owns, and then acts as
any person: start a process, read a task's form variables, complete a task.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import requests
import yaml

from tests.support.driver import EngineDriver, wait_until
from workers.shared.organisation.model import Organisation, load_organisation, parse_organisation
from workers.shared.organisation.pickers import fill_options, form_bytes, organisation_options
from workers.shared.organisation.provision import provision
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings
from workers.runtime.variables import from_camunda, to_camunda

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "org" / "demo-organisation.yaml"
MODEL_ORGANISATION_FILE = 'value="org/demo-organisation.yaml"'


def demo_with_starters(target: Path, **starters: list[str]) -> Organisation:
    """A copy of the demo organisation at `target`, with more process starters."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["process_starters"].update(starters)
    target.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return parse_organisation(data, source=str(target))


class Staff:
    def __init__(self, engine: Settings, admin: EngineDriver) -> None:
        self.engine = engine
        self.admin = admin
        self.password = secrets.token_urlsafe(12)
        self._sessions: dict[str, requests.Session] = {}

    def provision(self, org: Organisation) -> None:
        user, password = self.engine.admin_credentials()
        client = EngineClient(self.engine.engine_url, user, password)
        try:
            provision(client, org, initial_password=lambda _: self.password,
                      protected_users=(self.engine.admin_user, self.engine.engine_user))
            for person in org.people:  # people made earlier in the session have other passwords
                client.request("PUT", f"/user/{person.id}/credentials",
                               json={"password": self.password, "authenticatedUserPassword": password})
        finally:
            client.close()

    def deploy(self, name: str, organisation_file: Path, bpmn: list[str], forms: list[str],
               decisions: tuple[str, ...] = (), edits: dict[str, str] | None = None) -> None:
        """Our models as they are, but reading `organisation_file` instead of the demo's, and with
        `edits` (text -> replacement) applied to the BPMN, as a process owner would in Modeler."""
        files = {}
        for model in bpmn:
            text = (ROOT / "bpmn" / model).read_text(encoding="utf-8")
            assert MODEL_ORGANISATION_FILE in text, f"{model} no longer names the demo organisation file"
            text = text.replace(MODEL_ORGANISATION_FILE, f'value="{organisation_file}"')
            for old, new in (edits or {}).items():
                assert old in text, f"{model} has no {old!r} to edit"
                text = text.replace(old, new)
            files[model] = text
        options = organisation_options(load_organisation(organisation_file))  # the pickers, as deploy fills them
        for form in forms:
            files[form] = form_bytes(fill_options(json.loads((ROOT / "forms" / form).read_bytes()), options)).decode()
        for decision in decisions:
            files[decision] = (ROOT / "dmn" / decision).read_text(encoding="utf-8")
        self.admin.deploy_xml(name, files)

    # --- as a person
    def session(self, user_id: str) -> requests.Session:
        if user_id not in self._sessions:
            session = requests.Session()
            session.auth = (user_id, self.password)
            self._sessions[user_id] = session
        return self._sessions[user_id]

    def webapp(self, user_id: str, app: str = "tasklist") -> tuple[requests.Session, requests.Response]:
        """Logs in to a webapp as its login form does (CSRF token from a page's cookie); the session
        then calls the engine API behind the webapps (/camunda/api/engine/engine/default/...)."""
        base = self.engine.engine_url.replace("/engine-rest", "/camunda")
        browser = requests.Session()
        browser.get(f"{base}/app/tasklist/", timeout=10)
        browser.headers["X-XSRF-TOKEN"] = browser.cookies.get("XSRF-TOKEN") or ""
        response = browser.post(f"{base}/api/admin/auth/user/default/login/{app}", timeout=10,
                                data={"username": user_id, "password": self.password})
        # The login starts a new session, which gets its token on its first request (Tasklist's pages
        # read it from the cookie each time): with the old one every POST would be refused with 403.
        page = browser.get(f"{base}/app/tasklist/", timeout=10)
        browser.headers["X-XSRF-TOKEN"] = page.cookies.get("XSRF-TOKEN") or browser.cookies.get("XSRF-TOKEN") or ""
        return browser, response

    def call(self, user_id: str, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session(user_id).request(method, self.engine.engine_url + path, timeout=30, **kwargs)
        assert response.ok, f"{user_id}: {method} {path} -> {response.status_code} {response.text}"
        return response.json() if response.content else None

    def start(self, user_id: str, key: str, variables: dict[str, Any]) -> str:
        body = {"variables": to_camunda(variables)}
        return self.call(user_id, "POST", f"/process-definition/key/{key}/start", json=body)["id"]

    def form_variables(self, user_id: str, task_id: str) -> dict[str, Any]:
        found = self.call(user_id, "GET", f"/task/{task_id}/form-variables", params={"deserializeValues": "false"})
        return from_camunda(found)

    def complete(self, user_id: str, task_id: str, variables: dict[str, Any]) -> None:
        # As Tasklist's Camunda Forms submit: lists and objects as Json, the rest untyped.
        typed = {name: ({"type": "Json", "value": json.dumps(value, ensure_ascii=False)}
                        if isinstance(value, (list, dict)) else {"value": value})
                 for name, value in variables.items()}
        self.call(user_id, "POST", f"/task/{task_id}/complete", json={"variables": typed})

    # --- what the engine shows
    def tasks(self, process_instance_id: str, **params: Any) -> list[dict[str, Any]]:
        return self.admin.get("/task", processInstanceId=process_instance_id, **params)

    def wait_for_tasks(self, process_instance_id: str, count: int, what: str, **params: Any) -> list[dict[str, Any]]:
        return wait_until(lambda: (found := self.tasks(process_instance_id, **params)) and len(found) >= count and found,
                          60, what, interval_s=0.3)

    def ended(self, process_instance_id: str) -> bool:
        found = self.admin.get("/history/process-instance", processInstanceId=process_instance_id)
        return bool(found) and found[0]["state"] in ("COMPLETED", "EXTERNALLY_TERMINATED")

    def delete(self, process_instance_id: str) -> None:
        if not self.ended(process_instance_id):
            self.admin.session.delete(f"{self.admin.url}/process-instance/{process_instance_id}", timeout=30)

