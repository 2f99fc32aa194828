"""本部门收到的信息 / Received by my department on the real engine: the provisioned filter shows a
department's members the shares sent to it that wait for acknowledgement, with title, version,
classification and sensitivity; they can open them; other departments see neither the filter nor
the task. (The delivery is a stand-in model with contract C's variables and candidate groups.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.support.driver import EngineDriver, wait_until
from tests.support.staff import DEMO, Staff
from workers.runtime.settings import Settings
from workers.shared.organisation.model import parse_organisation

pytestmark = pytest.mark.engine

MODEL = Path(__file__).resolve().parents[1] / "models" / "received-share.bpmn"
PRODUCTION, FINANCE, SALES = "he.jun", "lin.xiao", "wu.hao"  # staff, not heads
OURS: set[str] = set()  # the instances this module's fixture started


@pytest.fixture(scope="module")
def shares(engine: Settings, admin: EngineDriver) -> dict[str, Any]:
    OURS.clear()  # the browser test uses this fixture too, in its own module scope, before this module
    staff = Staff(engine, admin)
    staff.provision(parse_organisation(yaml.safe_load(DEMO.read_text(encoding="utf-8"))))
    admin.deploy_xml("received-share-test", {"received-share.bpmn": MODEL.read_text(encoding="utf-8")})

    def share(title: str, version: int, targets: list[str], sensitivity: str) -> str:
        instance = admin.start("test-received-share", {
            "title": (title, "String"), "category": ("customer", "String"), "sensitivity": (sensitivity, "String"),
            "shareVersion": (version, "Integer"), "targetDepartments": (json.dumps(targets), "Json")})
        for department in targets:  # what contract C's engine plugin grants a share's audience: READ on it
            response = admin.session.post(f"{admin.url}/authorization/create", timeout=30, json={
                "type": 1, "permissions": ["READ"], "groupId": department, "resourceType": 8, "resourceId": instance})
            assert response.ok, response.text
        OURS.add(instance)
        return instance

    orders = share("第 49 周客户订单 / Week 49 customer orders", 2, ["production", "sales"], "internal")
    budget = share("预算执行月报 / Budget execution", 1, ["finance"], "confidential")
    return {"staff": staff, "orders": orders, "budget": budget}


def received_filter(staff: Staff, user: str, department: str) -> dict[str, Any] | None:
    found = staff.call(user, "GET", "/filter", params={"resourceType": "Task"})
    return next((f for f in found if (f.get("properties") or {}).get("crossdept") == f"received-by:{department}"), None)


def listed(staff: Staff, user: str, filter_id: str) -> list[dict[str, Any]]:
    """The filter's list as Tasklist asks it (HAL), with the variables the filter names per task; only
    this module's shares (other tests on the session engine, the browser's among them, leave shares
    of this model and real ones open for the same departments)."""
    response = staff.session(user).post(f"{staff.engine.engine_url}/filter/{filter_id}/list", json={},
                                        headers={"Accept": "application/hal+json"}, timeout=30)
    assert response.ok, response.text
    body = response.json()
    assert "_embedded" in body, body
    values = {v["_links"]["self"]["href"]: v for v in body.get("_embedded", {}).get("variable", [])}
    tasks = [t for t in body.get("_embedded", {}).get("task", []) if t["processInstanceId"] in OURS]
    for task in tasks:
        embedded = task.get("_embedded", {}).get("variable", [])
        task["shown"] = {v["name"]: v["value"] for v in embedded} or {
            v["name"]: v["value"] for v in values.values() if v.get("processInstanceId") == task["processInstanceId"]}
    return tasks


def test_a_member_sees_what_their_department_received_with_version_and_labels(shares: dict[str, Any]) -> None:
    staff: Staff = shares["staff"]
    view = received_filter(staff, PRODUCTION, "production")
    assert view is not None and view["name"] == "本部门收到的信息·生产部 / Received by Production"
    assert [v["name"] for v in view["properties"]["variables"]] == ["title", "shareVersion", "category", "sensitivity"]
    tasks = wait_until(lambda: listed(staff, PRODUCTION, view["id"]), 20, "production's received list")
    assert [t["processInstanceId"] for t in tasks] == [shares["orders"]]
    assert tasks[0]["shown"] == {  # Tasklist reads them with the instance READ the audience has
"title": "第 49 周客户订单 / Week 49 customer orders", "shareVersion": 2,
                                 "category": "customer", "sensitivity": "internal"}


def test_a_member_opens_the_share_from_the_list(shares: dict[str, Any]) -> None:
    staff: Staff = shares["staff"]
    view = received_filter(staff, PRODUCTION, "production")
    [task] = listed(staff, PRODUCTION, view["id"])
    variables = staff.call(PRODUCTION, "GET", f"/task/{task['id']}/variables")
    assert variables["title"]["value"] == "第 49 周客户订单 / Week 49 customer orders"


def test_another_department_has_neither_the_filter_nor_the_share(shares: dict[str, Any]) -> None:
    staff: Staff = shares["staff"]
    assert received_filter(staff, FINANCE, "production") is None
    finance_view = received_filter(staff, FINANCE, "finance")
    assert [t["processInstanceId"] for t in listed(staff, FINANCE, finance_view["id"])] == [shares["budget"]]
    production_task = staff.admin.get("/task", processInstanceId=shares["orders"], candidateGroup="production")[0]
    response = staff.session(FINANCE).get(f"{staff.engine.engine_url}/task/{production_task['id']}/variables",
                                          timeout=30)
    assert response.status_code in (403, 404), response.text


def test_an_acknowledged_share_leaves_the_list(shares: dict[str, Any]) -> None:
    staff: Staff = shares["staff"]
    view = received_filter(staff, SALES, "sales")
    [task] = listed(staff, SALES, view["id"])
    staff.call(SALES, "POST", f"/task/{task['id']}/claim", json={"userId": SALES})
    staff.complete(SALES, task["id"], {})
    assert listed(staff, SALES, view["id"]) == []
    assert [t["processInstanceId"] for t in listed(staff, PRODUCTION, received_filter(staff, PRODUCTION, "production")["id"])] == [shares["orders"]]
