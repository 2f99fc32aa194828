"""Per-instance history retention (engine/.../retention): an ended instance's history, with
everything under it, is removed as many days after its end as the variable its process declares
(retentionDaysVariable) says; without the declaration or a usable value the definition's
historyTimeToLive applies. Only the workers' user or an administrator writes that variable
(ENGINE-CROSSDEPT-09), and history cleanup deletes by it.

Run against tests/models/retention-demo.bpmn: finance's lin.xiao starts an instance, the test
decides its retention as the workers' user (what sharing.check-request does for a share), and
lin.xiao reviews it, which ends it. The real information-sharing process is tried in
tests/integration/test_information_sharing.py."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.support.driver import EngineDriver, wait_until
from tests.support.retention import assert_kept_for, history_under
from tests.support.staff import Staff, demo_with_starters
from workers.engine.lifecycle import log_path
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

pytestmark = pytest.mark.engine

MODELS = Path(__file__).resolve().parents[1] / "models"
KEY, PLAIN = "retention-demo", "retention-demo-plain"
TOPIC = "retention-demo.decide"
TTL_DAYS = 2  # both processes' historyTimeToLive, P2D
STARTER = "lin.xiao"
PROCESS_INSTANCE = 8  # Camunda's resource type id
# Everything an ended retention-demo instance has in its history (no incident, job or external-task log entry).
KINDS = ("process instance", "tasks", "variables", "details", "activity instances", "decision instances",
         "user operations")


class Demo:
    def __init__(self, engine: Settings, admin: EngineDriver, organisation_file: Path) -> None:
        self.engine = engine
        self.staff = Staff(engine, admin)
        self.staff.provision(demo_with_starters(organisation_file, **{KEY: ["finance"], PLAIN: ["finance"]}))
        admin.deploy_xml(KEY, {name: (MODELS / name).read_text(encoding="utf-8")
                               for name in (f"{KEY}.bpmn", f"{KEY}-decision.dmn")})
        self.worker = requests.Session()
        self.worker.auth = engine.worker_credentials()

    def request(self, user: str, method: str, path: str, **kwargs: Any) -> requests.Response:
        return self.staff.session(user).request(method, self.engine.engine_url + path, timeout=30, **kwargs)

    def start(self, key: str = KEY, **variables: Any) -> tuple[str, str]:
        business_key = f"retention-{uuid.uuid4().hex[:10]}"
        response = self.request(STARTER, "POST", f"/process-definition/key/{key}/start", json={
            "businessKey": business_key, "variables": to_camunda({"title": "保存期限测试 / retention test", **variables})})
        assert response.ok, f"{STARTER} starts {key}: {response.status_code} {response.text}"
        return response.json()["id"], business_key

    def decide(self, business_key: str, retention: dict[str, Any]) -> None:
        """As the workers' user: complete the instance's Task_DecideRetention with `retention`."""
        def fetched() -> dict[str, Any] | None:
            response = self.worker.post(f"{self.engine.engine_url}/external-task/fetchAndLock", timeout=30, json={
                "workerId": "retention-test", "maxTasks": 1,
                "topics": [{"topicName": TOPIC, "lockDuration": 30_000, "businessKey": business_key}]})
            response.raise_for_status()
            return next(iter(response.json()), None)
        locked = wait_until(fetched, 30, f"the retention task of {business_key}")
        response = self.worker.post(f"{self.engine.engine_url}/external-task/{locked['id']}/complete", timeout=30,
                                    json={"workerId": "retention-test", "variables": retention})
        assert response.ok, f"the workers' user decides the retention: {response.status_code} {response.text}"

    def review(self, instance: str, **variables: Any) -> requests.Response:
        [task] = self.staff.wait_for_tasks(instance, 1, f"the review of {instance}")
        return self.request(STARTER, "POST", f"/task/{task['id']}/complete", json={"variables": to_camunda(variables)})

    def run(self, retention: dict[str, Any], key: str = KEY) -> str:
        """An instance from start to end with `retention` decided by the workers' user."""
        instance, business_key = self.start(key)
        self.decide(business_key, retention)
        reviewed = self.review(instance)
        assert reviewed.ok, f"{STARTER} reviews: {reviewed.status_code} {reviewed.text}"
        wait_until(lambda: self.staff.ended(instance), 30, f"{instance} to end")
        return instance


@pytest.fixture(scope="module")
def demo(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Demo:
    return Demo(engine, admin, tmp_path_factory.mktemp("org") / "organisation.yaml")


def days(n: Any, type_: str = "Integer") -> dict[str, Any]:
    return {"retentionDays": {"type": type_, "value": n}}


def refused(response: requests.Response, status: int, *words: str) -> None:
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {response.text}"
    for word in words:
        assert word in response.json()["message"], f"{word!r} not in {response.json()['message']!r}"


# --- the removal time -----------------------------------------------------------------------------


@pytest.mark.parametrize("retention", [3, 45])
def test_an_ended_instance_is_kept_as_many_days_as_its_retention_says(demo: Demo, retention: int) -> None:
    instance = demo.run(days(retention))
    assert_kept_for(demo.staff.admin, instance, retention, KINDS)
    children = demo.staff.admin.get("/history/process-instance", superProcessInstanceId=instance)
    assert [c["processDefinitionKey"] for c in children] == ["retention-demo-child"], "the called instance is checked too"


def test_an_instance_deleted_before_its_end_is_kept_as_its_retention_says(demo: Demo) -> None:
    instance, business_key = demo.start()
    demo.decide(business_key, days(12))
    demo.staff.wait_for_tasks(instance, 1, f"the review of {instance}")
    deleted = demo.staff.admin.session.delete(f"{demo.staff.admin.url}/process-instance/{instance}", timeout=30)
    assert deleted.status_code == 204, deleted.text
    assert_kept_for(demo.staff.admin, instance, 12, ("process instance", "tasks", "variables", "decision instances"))


def test_a_process_without_the_property_keeps_its_time_to_live(demo: Demo) -> None:
    instance = demo.run(days(45), key=PLAIN)  # the variable alone means nothing
    assert_kept_for(demo.staff.admin, instance, TTL_DAYS, ("process instance", "tasks", "variables"))


@pytest.mark.parametrize("value, type_, why", [("forever", "String", "is a String (forever)"),
                                                (-5, "Integer", "is -5, not a number of days")])
def test_an_unusable_retention_falls_back_to_the_time_to_live_and_says_why(
        demo: Demo, value: Any, type_: str, why: str) -> None:
    instance = demo.run(days(value, type_))
    assert_kept_for(demo.staff.admin, instance, TTL_DAYS, KINDS)
    log = log_path(demo.engine)
    line = wait_until(lambda: next((line for line in log.read_text(encoding="utf-8", errors="replace").splitlines()
                                    if instance in line and "retention" in line), None), 10,
                      f"the engine's log line about {instance}")
    assert why in line and "'retentionDays'" in line and f"historyTimeToLive ({TTL_DAYS} days)" in line, line


def test_a_missing_retention_falls_back_to_the_time_to_live(demo: Demo) -> None:
    instance = demo.run({})
    assert_kept_for(demo.staff.admin, instance, TTL_DAYS, KINDS)


# --- who writes it --------------------------------------------------------------------------------


def test_a_person_cannot_start_with_a_retention_of_their_choice(demo: Demo) -> None:
    business_key = f"retention-forged-{uuid.uuid4().hex[:8]}"
    response = demo.request(STARTER, "POST", f"/process-definition/key/{KEY}/start", json={
        "businessKey": business_key, "variables": to_camunda({"title": "t", "retentionDays": 0})})
    refused(response, 403, "ENGINE-CROSSDEPT-09", "'retentionDays'", KEY, "how long the instance's history is kept")
    assert demo.staff.admin.get("/history/process-instance", processInstanceBusinessKey=business_key) == []


def test_nor_by_completing_a_task_or_setting_the_variable(demo: Demo) -> None:
    instance, business_key = demo.start()
    try:
        demo.decide(business_key, days(30))
        refused(demo.review(instance, retentionDays=0), 403, "ENGINE-CROSSDEPT-09", "'retentionDays'")
        admin = demo.staff.admin
        grant = admin.session.post(f"{admin.url}/authorization/create", timeout=30, json={
            "type": 1, "permissions": ["UPDATE"], "userId": STARTER, "resourceType": PROCESS_INSTANCE,
            "resourceId": instance}).json()
        try:
            path = f"/process-instance/{instance}/variables"
            refused(demo.request(STARTER, "PUT", f"{path}/retentionDays", json={"type": "Integer", "value": 0}), 403,
                    "ENGINE-CROSSDEPT-09")
            refused(demo.request(STARTER, "POST", path, json={"modifications": days(0)}), 403, "ENGINE-CROSSDEPT-09")
            refused(demo.request(STARTER, "DELETE", f"{path}/retentionDays"), 403, "ENGINE-CROSSDEPT-09")
            allowed = demo.request(STARTER, "PUT", f"{path}/note", json={"type": "String", "value": "ok"})
            assert allowed.status_code == 204, f"other variables stay Camunda's to allow: {allowed.text}"
        finally:
            admin.session.delete(f"{admin.url}/authorization/{grant['id']}", timeout=30)
        assert admin.history_variables(instance)["retentionDays"] == 30, "nothing was written"
        by_workers = demo.worker.put(f"{demo.engine.engine_url}/process-instance/{instance}/variables/retentionDays",
                                     json={"type": "Integer", "value": 7}, timeout=30)
        assert by_workers.status_code == 204, f"the workers' user may change it: {by_workers.text}"
        assert demo.review(instance).ok
        wait_until(lambda: demo.staff.ended(instance), 30, f"{instance} to end")
        assert_kept_for(admin, instance, 7, KINDS)
    finally:
        demo.staff.delete(instance)


# --- history cleanup ------------------------------------------------------------------------------


def test_history_cleanup_deletes_an_instance_whose_retention_passed_and_keeps_the_other(demo: Demo) -> None:
    admin = demo.staff.admin
    expired = demo.run(days(0))  # removed at its end: already past when the cleanup runs
    kept = demo.run(days(1))
    assert all(history_under(admin, expired)[kind] for kind in KINDS), "the expired instance has history to delete"
    job = admin.session.post(f"{admin.url}/history/cleanup", params={"immediatelyDue": "true"}, timeout=30)
    assert job.ok, job.text
    # Run it now rather than wait for the job executor (which may take it first: then it is done or running).
    admin.session.post(f"{admin.url}/job/{job.json()['id']}/execute", timeout=60)
    wait_until(lambda: not any(history_under(admin, expired).values()), 60, f"the cleanup of {expired}'s history")
    assert_kept_for(admin, kept, 1, KINDS)
