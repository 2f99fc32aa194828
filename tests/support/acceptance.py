"""The acceptance process (project-cooperation-acceptance) as tests start it: the contract-B inputs
of a three-department project, deployed with its forms, started directly as the root's call
activity would, or through tests/models/project-documents-root.bpmn, which holds earlier phases'
documents as File variables first."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.driver import EngineDriver, wait_until
from tests.support.staff import ROOT
from workers.runtime.variables import to_camunda
from workers.shared.organisation.model import load_organisation
from workers.shared.organisation.pickers import fill_options, form_bytes, organisation_options

FORMS = ["project-cooperation-acceptance-check.form", "project-cooperation-acceptance-rectify.form",
         "project-cooperation-assessment.form"]
PROJECT = "智能仓储试点 / Smart warehouse pilot"
DEPARTMENTS = ["sales", "engineering", "production"]
HEADS = {"sales": "li.qiang", "engineering": "zhang.wei", "production": "zhou.gang", "projectoffice": "hu.bin"}
OWNER, INITIATOR = "huang.lei", "wu.hao"
CRITERIA = [
    {"id": "C1", "department": "engineering", "criterion": "仓储系统通过压力测试 / The warehouse system passes the load test"},
    {"id": "C2", "department": "production", "criterion": "首批 100 台设备按期安装 / First 100 units installed on time"},
    {"id": "C3", "department": "sales", "criterion": "三家试点客户签收 / Three pilot customers sign off"},
]
APPLICATION_DOC = "doc_application_1"


def contract_inputs(organisation_file: Path, documents: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """What project-cooperation's CallActivity_Acceptance passes in (contract B)."""
    return {
        "initiator": INITIATOR, "projectName": PROJECT, "projectOwner": OWNER, "requestingDepartment": "sales",
        "involvedDepartments": DEPARTMENTS, "organisationFile": str(organisation_file),
        "application": {"project_name": PROJECT, "departments": DEPARTMENTS, "project_owner": OWNER,
                        "requesting_department": "sales"},
        "agreement": {"acceptance_criteria": CRITERIA, "budget": 300000, "risk": "medium", "meeting_interval_days": 14},
        "projectDocuments": documents or [],
    }


def deploy(admin: EngineDriver, organisation_file: Path, name: str) -> None:
    options = organisation_options(load_organisation(organisation_file))
    files = {model: (folder / model).read_text("utf-8") for folder, model in (
        (ROOT / "bpmn", "project-cooperation-acceptance.bpmn"), (ROOT / "tests" / "models", "project-documents-root.bpmn"))}
    for form in FORMS:
        files[form] = form_bytes(fill_options(json.loads((ROOT / "forms" / form).read_bytes()), options)).decode()
    admin.deploy_xml(name, files)


def start(admin: EngineDriver, key: str, business_key: str, variables: dict[str, Any]) -> str:
    response = admin.session.post(f"{admin.url}/process-definition/key/{key}/start",
                                  json={"businessKey": business_key, "variables": to_camunda(variables)}, timeout=30)
    assert response.ok, response.text
    return response.json()["id"]


def application_entry() -> dict[str, Any]:
    return {"kind": "application", "title": "《项目合作申请表》 / Project Cooperation Application", "version": 1,
            "variable": APPLICATION_DOC, "archive_path": "project-cooperation/PC-DOCS/application-v1.pdf",
            "sha256": "0" * 64}


def start_through_root(admin: EngineDriver, organisation_file: Path, business_key: str, pdf: bytes) -> str:
    """The stand-in root with the application PDF as its File variable, released into acceptance;
    returns the acceptance instance's id."""
    root = start(admin, "project-documents-root", business_key,
                 contract_inputs(organisation_file, [application_entry()]))
    uploaded = admin.session.post(f"{admin.url}/process-instance/{root}/variables/{APPLICATION_DOC}/data",
                                  files={"data": ("application.pdf", pdf, "application/pdf")},
                                  data={"valueType": "File"}, timeout=30)
    assert uploaded.ok, uploaded.text
    [hold] = admin.get("/task", processInstanceId=root)
    completed = admin.session.post(f"{admin.url}/task/{hold['id']}/complete", json={}, timeout=30)
    assert completed.ok, completed.text
    called = wait_until(lambda: admin.get("/process-instance", superProcessInstance=root), 30, "the acceptance instance")
    return called[0]["id"]
