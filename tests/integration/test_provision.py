"""Provisioning the organisation into the real engine: idempotent, least privilege, and staff see
their own department's work in Tasklist's filters, and no other department's."""

from __future__ import annotations

import json
import secrets
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
import typer
import yaml
from pydantic import SecretStr
from typer.testing import CliRunner

from tests.support.bpmn import NS
from tests.support.driver import EngineDriver
from workers.cli import provision as cli
from workers.shared.organisation.model import Organisation, load_organisation, parse_organisation
from workers.shared.organisation.provision import INITIAL_PASSWORDS, KINDS, ProvisionReport, provision
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
SALES_USER, ENGINEERING_USER = "wu.hao", "xu.ming"

# Initial passwords of the users this module creates, so that they can log in.
_passwords: dict[str, str] = {}


def _initial_password(user_id: str) -> str:
    return _passwords.setdefault(user_id, secrets.token_urlsafe(12))


@pytest.fixture(scope="module")
def demo() -> Organisation:
    return load_organisation(DEMO)


def demo_variant(change: Any) -> Organisation:
    """The demo organisation with `change` applied to its YAML data, validated like a file."""
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    change(data)
    return parse_organisation(data, source="variant of " + DEMO.name)


@pytest.fixture(scope="module")
def client(engine: Settings) -> Iterator[EngineClient]:
    user, password = engine.admin_credentials()
    client = EngineClient(engine.engine_url, user, password)
    yield client
    client.close()


@pytest.fixture(scope="module")
def sync(engine: Settings, client: EngineClient, demo: Organisation) -> Iterator[Any]:
    """provision() as the CLI calls it; the demo organisation is in place before and after."""

    def run(org: Organisation) -> ProvisionReport:
        return provision(client, org, initial_password=_initial_password,
                         protected_users=(engine.admin_user, engine.engine_user))

    # Users made earlier in the session have passwords this module does not know.
    for user_id in (SALES_USER, ENGINEERING_USER):
        if client.request("GET", "/user", params={"id": user_id}):
            client.request("DELETE", f"/user/{user_id}")
    run(demo)
    yield run
    run(demo)


def as_user(user_id: str) -> requests.Session:
    session = requests.Session()
    session.auth = (user_id, _passwords[user_id])
    return session


def user_task_process(key: str, **task_attributes: str) -> str:
    attributes = " ".join(f'camunda:{name}="{value}"' for name, value in task_attributes.items())
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="Defs_{key}">
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Task_Work"/>
    <bpmn:userTask id="Task_Work" name="处理 / Work on it" {attributes}/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Work" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""


def engine_snapshot(admin: EngineDriver) -> dict[str, Any]:
    """Everything provisioning may write, as the engine reports it (ids included)."""
    groups = sorted((g["id"], g["name"], g["type"]) for g in admin.get("/group", maxResults=10_000))
    return {
        "users": sorted((u["id"], u["firstName"], u["lastName"], u["email"])
                        for u in admin.get("/user", maxResults=10_000)),
        "groups": groups,
        "memberships": {g: sorted(u["id"] for u in admin.get("/user", memberOfGroup=g, maxResults=10_000))
                        for g, _, _ in groups},
        "authorizations": sorted(
            (a["id"], a["type"], a["userId"], a["groupId"], a["resourceType"], a["resourceId"],
             tuple(sorted(a["permissions"])))
            for a in admin.get("/authorization", maxResults=10_000)
        ),
        "filters": sorted(json.dumps(f, sort_keys=True, ensure_ascii=False) for f in admin.get("/filter")),
    }


def counts(report: ProvisionReport) -> dict[str, tuple[int, int, int]]:
    return {kind: (c.created, c.updated, c.removed) for kind, c in report.counts.items()}


def filter_tasks(session: requests.Session, engine: Settings, filter_id: str) -> list[str]:
    response = session.get(f"{engine.engine_url}/filter/{filter_id}/list", timeout=10)
    assert response.status_code == 200, f"filter list as {session.auth[0]}: {response.text}"
    return [task["processInstanceId"] for task in response.json()]


# --- idempotency -----------------------------------------------------------------------------


def test_second_provisioning_changes_nothing(sync: Any, admin: EngineDriver, demo: Organisation) -> None:
    sync(demo)
    before = engine_snapshot(admin)
    started = time.monotonic()
    report = sync(demo)
    print(f"\nsecond provisioning of the demo organisation: {time.monotonic() - started:.2f} s")
    assert counts(report) == {kind: (0, 0, 0) for kind in KINDS}
    assert not report.open_tasks and not report.removed_users
    assert engine_snapshot(admin) == before


def test_demo_is_provisioned_with_department_and_role_groups(
    sync: Any, admin: EngineDriver, demo: Organisation
) -> None:
    snapshot = engine_snapshot(admin)
    group_ids = {g for g, _, _ in snapshot["groups"]}
    assert {d.id for d in demo.departments} | {"leadership", "pmo", "audit", "heads"} <= group_ids
    assert snapshot["memberships"]["sales"] == ["li.qiang", "sun.li", "wu.hao"]
    assert snapshot["memberships"]["leadership"] == ["liu.min", "wang.jianguo"]
    assert "zhang.wei" in snapshot["memberships"]["heads"]
    assert ("zhang.wei", "张伟", "", "zhang.wei@example.com") in snapshot["users"]


# --- what staff can do -----------------------------------------------------------------------


def test_staff_see_only_their_departments_tasks_in_the_filters(
    sync: Any, engine: Settings, admin: EngineDriver, demo: Organisation
) -> None:
    report = sync(demo)
    admin.deploy_xml("org-test-sales-task", {
        "sales-task.bpmn": user_task_process("org-test-sales-task", candidateGroups="sales"),
    })
    instance = admin.start("org-test-sales-task")
    sales, engineering = as_user(SALES_USER), as_user(ENGINEERING_USER)

    department_filter = report.filter_ids["department-tasks"]
    assert instance in filter_tasks(sales, engine, department_filter)
    assert instance not in filter_tasks(engineering, engine, department_filter)

    visible = sales.get(f"{engine.engine_url}/filter", timeout=10).json()
    assert sorted(f["name"] for f in visible) == sorted(
        ["我的待办 / My tasks", "部门待办 / My department's tasks", "即将到期 / Due soon", "已逾期 / Overdue",
         "我发起的 / Started by me", "本部门收到的信息·销售部 / Received by Sales"]
    )


def test_due_soon_and_overdue_filters_follow_the_due_date(
    sync: Any, engine: Settings, admin: EngineDriver, demo: Organisation
) -> None:
    report = sync(demo)
    admin.deploy_xml("org-test-due-task", {
        "due-task.bpmn": user_task_process("org-test-due-task", candidateGroups="sales", dueDate="${due}"),
    })
    now = datetime.now(timezone.utc)
    stamp = "%Y-%m-%dT%H:%M:%S.000+0000"
    overdue = admin.start("org-test-due-task", {"due": ((now - timedelta(days=1)).strftime(stamp), "String")})
    due_soon = admin.start("org-test-due-task", {"due": ((now + timedelta(days=1)).strftime(stamp), "String")})
    later = admin.start("org-test-due-task", {"due": ((now + timedelta(days=10)).strftime(stamp), "String")})
    sales = as_user(SALES_USER)

    soon_list = filter_tasks(sales, engine, report.filter_ids["due-soon"])
    overdue_list = filter_tasks(sales, engine, report.filter_ids["overdue"])
    assert due_soon in soon_list and overdue not in soon_list and later not in soon_list
    assert overdue in overdue_list and due_soon not in overdue_list and later not in overdue_list
    engineering = as_user(ENGINEERING_USER)
    assert overdue not in filter_tasks(engineering, engine, report.filter_ids["overdue"])


def test_staff_may_use_tasklist_and_start_only_the_processes_the_file_allows(
    sync: Any, engine: Settings, admin: EngineDriver, demo: Organisation
) -> None:
    sync(demo_variant(lambda data: data["process_starters"].update({"org-test-start": ["sales"]})))
    admin.deploy_xml("org-test-start", {"start.bpmn": user_task_process("org-test-start", candidateGroups="sales")})
    sales, engineering = as_user(SALES_USER), as_user(ENGINEERING_USER)

    access = {"permissionName": "ACCESS", "resourceName": "application", "resourceType": 0,
              "resourceId": "tasklist"}
    assert sales.get(f"{engine.engine_url}/authorization/check", params=access, timeout=10).json()["authorized"]

    start = f"{engine.engine_url}/process-definition/key/org-test-start/start"
    assert sales.post(start, json={}, timeout=10).status_code == 200
    refused = engineering.post(start, json={}, timeout=10)
    assert refused.status_code in (403, 404), f"engineering could start a sales process: {refused.text}"


def test_staff_read_the_models_of_the_files_processes_but_not_their_instances(
    sync: Any, engine: Settings, admin: EngineDriver, demo: Organisation
) -> None:
    """Tasklist shows a task's process name and diagram only to who may read the definition;
    engineering starts nothing here yet may be given a task of any of the file's processes."""
    sync(demo_variant(lambda data: data["process_starters"].update({"org-test-read": ["sales"]})))
    admin.deploy_xml("org-test-read", {"read.bpmn": user_task_process("org-test-read", candidateGroups="sales")})
    admin.deploy_xml("org-test-unlisted", {"unlisted.bpmn": user_task_process("org-test-unlisted")})
    instance = admin.start("org-test-read", {"secret": ("only for sales", "String")})
    engineering = as_user(ENGINEERING_USER)

    definition = engineering.get(f"{engine.engine_url}/process-definition/key/org-test-read", timeout=10)
    assert definition.status_code == 200, definition.text
    diagram = engineering.get(f"{engine.engine_url}/process-definition/key/org-test-read/xml", timeout=10)
    assert diagram.status_code == 200 and "Task_Work" in diagram.json()["bpmn20Xml"], diagram.text
    unlisted = engineering.get(f"{engine.engine_url}/process-definition/key/org-test-unlisted", timeout=10)
    assert unlisted.status_code in (403, 404), f"engineering reads a process the file does not name: {unlisted.text}"
    for path in ("/process-instance", "/history/process-instance", "/history/variable-instance"):
        seen = engineering.get(f"{engine.engine_url}{path}", params={"processInstanceId": instance}, timeout=10)
        assert seen.status_code == 200 and seen.json() == [], f"engineering sees {path} of the instance: {seen.text}"


# --- people leaving --------------------------------------------------------------------------


def test_person_removed_from_the_file_loses_their_user_and_their_open_task_is_reported(
    sync: Any, engine: Settings, admin: EngineDriver, demo: Organisation
) -> None:
    sync(demo)
    admin.deploy_xml("org-test-assigned", {
        "assigned.bpmn": user_task_process("org-test-assigned", assignee="ma.lin"),
    })
    instance = admin.start("org-test-assigned")
    without = demo_variant(lambda data: data.update(people=[p for p in data["people"] if p["id"] != "ma.lin"]))

    report = sync(without)

    assert report.removed_users == ["ma.lin"]
    assert [(t.user_id, t.relation, t.process_instance_id) for t in report.open_tasks] == [
        ("ma.lin", "assignee", instance)
    ]
    assert counts(report)["users"] == (0, 0, 1) and counts(report)["memberships"] == (0, 0, 1)
    assert admin.get("/user", id="ma.lin") == []
    assert admin.get("/task", processInstanceId=instance)[0]["assignee"] == "ma.lin"  # reported, not dropped


def _with_quality_department(data: dict[str, Any]) -> None:
    data["departments"].append({
        "id": "quality", "name_zh": "质量部", "name_en": "Quality", "head": "qian.yu",
        "core_business": ["质量管理 / Quality management"],
    })
    data["people"].append({
        "id": "qian.yu", "name": "钱宇", "email": "qian.yu@example.com", "department": "quality",
        "title": "质量部经理 Head of Quality", "superior": "wang.jianguo", "post_level": 4,
    })


def test_department_removed_from_the_file_loses_its_group_grants_and_people(
    sync: Any, admin: EngineDriver, demo: Organisation
) -> None:
    sync(demo_variant(_with_quality_department))
    assert admin.get("/authorization", groupIdIn="quality")  # Tasklist access, filters

    report = sync(demo)

    assert admin.get("/group", idIn="quality,qualityheads") == []
    assert admin.get("/authorization", groupIdIn="quality,qualityheads") == []
    assert admin.get("/user", id="qian.yu") == []
    # the department's group and its heads' group
    assert counts(report)["groups"] == (0, 0, 2) and report.removed_users == ["qian.yu"]


def test_cli_keeps_new_initial_passwords_private_and_never_prints_them(
    sync: Any, engine: Settings, demo: Organisation, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sync(demo)
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    _with_quality_department(data)
    org_file = tmp_path / "org.yaml"
    org_file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    admin_user, admin_password = engine.admin_credentials()
    settings = engine.model_copy(update={"data_dir": tmp_path / "data", "admin_password": SecretStr(admin_password)})
    monkeypatch.setattr(cli, "load_settings", lambda: settings)
    app = typer.Typer()
    app.command()(cli.provision)

    result = CliRunner().invoke(app, [str(org_file)])

    assert result.exit_code == 0, result.output
    saved = settings.secrets_dir / INITIAL_PASSWORDS
    assert saved.stat().st_mode & 0o777 == 0o600
    user, password = saved.read_text(encoding="utf-8").splitlines()[-1].split("\t")
    assert user == "qian.yu" and password not in result.output
    assert "qian.yu" in result.output and str(saved) in result.output.replace("\n", "")
    again = CliRunner().invoke(app, [str(org_file)])
    assert "nothing changed" in again.output and password not in again.output
    sync(demo)
