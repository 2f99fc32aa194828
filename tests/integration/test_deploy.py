"""`crossdept deploy`: one deployment of bpmn/, dmn/ and forms/, changed-only, errors for people."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest

from tests.support.bpmn import service_task_process
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings
from workers.engine.deploy import DeploymentRejected, deploy

pytestmark = pytest.mark.engine


@pytest.fixture
def admin_client(engine: Settings) -> EngineClient:
    return EngineClient(engine.engine_url, *engine.admin_credentials())


def write_project(root: Path, key: str) -> None:
    for folder in ("bpmn", "dmn", "forms"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "bpmn" / f"{key}.bpmn").write_text(service_task_process(key, "test.deploy.noop"), encoding="utf-8")
    form = {"id": f"{key}-form", "type": "default", "schemaVersion": 16, "components": [{"type": "textfield", "key": "note", "label": "备注 / Note"}]}
    (root / "forms" / f"{key}.form").write_text(json.dumps(form, ensure_ascii=False), encoding="utf-8")


def test_deploy_reports_new_then_nothing_then_only_the_changed_form(admin_client: EngineClient, tmp_path: Path) -> None:
    key = "test-deploy-" + uuid.uuid4().hex[:6]
    write_project(tmp_path, key)
    name = f"crossdept-{key}"

    first = deploy(admin_client, tmp_path, name=name)
    assert first.changed_files == [f"{key}.bpmn", f"{key}.form"]
    assert any(d.startswith(f"process {key} v1") for d in first.new_definitions)

    second = deploy(admin_client, tmp_path, name=name)
    assert not second.changed and second.deployment_id == first.deployment_id

    form_path = tmp_path / "forms" / f"{key}.form"
    form_path.write_text(form_path.read_text(encoding="utf-8").replace("Note", "Remark"), encoding="utf-8")
    third = deploy(admin_client, tmp_path, name=name)
    assert third.changed_files == [f"{key}.form"] and third.new_definitions == []


def test_parse_error_names_file_line_and_element(admin_client: EngineClient, tmp_path: Path) -> None:
    key = "test-broken-" + uuid.uuid4().hex[:6]
    write_project(tmp_path, key)
    path = tmp_path / "bpmn" / f"{key}.bpmn"
    path.write_text(path.read_text(encoding="utf-8").replace(' camunda:topic="test.deploy.noop"', ""), encoding="utf-8")

    with pytest.raises(DeploymentRejected) as rejected:
        deploy(admin_client, tmp_path, name=f"crossdept-{key}")
    problem = rejected.value.problems[0]
    line = next(n for n, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if 'id="Task_Service"' in text)
    assert problem.startswith(f"{key}.bpmn:{line} Task_Service: "), problem
    assert "topic" in problem, problem
