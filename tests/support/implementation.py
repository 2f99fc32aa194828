"""Process project-cooperation-implementation in tests: deployed as a process owner would (the test's
edits applied, the pickers filled from the organisation), started as project-cooperation's call
activity starts it, with contract B's inputs (tests/integration and tests/browser use it)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.driver import EngineDriver
from workers.runtime.variables import to_camunda
from workers.shared.organisation.model import Organisation
from workers.shared.organisation.pickers import fill_options, form_bytes, organisation_options

ROOT = Path(__file__).resolve().parents[2]
SHANGHAI = ZoneInfo("Asia/Shanghai")
KEY = "project-cooperation-implementation"
BPMN = "project-cooperation-implementation.bpmn"
FORMS = ["cooperation-implementation-call-meeting.form", "cooperation-implementation-minutes.form",
         "cooperation-implementation-action-item.form", "cooperation-implementation-progress.form"]
# Invitations 10 days ahead with the agreement's 7-day cadence from tomorrow: meetings 1 and 2 are due
# at once, meeting 3 waits. Retries a second apart.
EDITS = {'name="invitationLeadDays" value="2"': 'name="invitationLeadDays" value="10"',
         'value="PT30S"': 'value="PT1S"'}
INVOLVED = ["marketing", "sales", "engineering"]
OWNER = "huang.lei"  # 技术部 Engineering, the project owner
TOPICS_PREFIX = "cooperation-implementation."


def today() -> date:
    return datetime.now(SHANGHAI).date()


def contract_inputs(organisation_file: Path, business_key: str) -> dict[str, Any]:
    """What project-cooperation's call activity passes (contract B)."""
    first = today() + timedelta(days=1)
    return {
        "initiator": "chen.jing", "projectName": "智能仓储 / Smart warehouse", "projectOwner": OWNER,
        "requestingDepartment": "marketing", "involvedDepartments": INVOLVED,
        "application": {"project_name": "智能仓储 / Smart warehouse", "project_owner": OWNER,
                        "requesting_department": "marketing", "departments": INVOLVED},
        "agreement": {"meeting_interval_days": 7, "first_meeting_date": first.isoformat(), "budget": 120000,
                      "milestones": [{"id": "M1", "name": "方案设计 / Design", "due_date": (today() - timedelta(days=3)).isoformat()},
                                     {"id": "M2", "name": "样机交付 / Prototype", "due_date": (today() + timedelta(days=30)).isoformat()}]},
        # started directly, without the root that holds the earlier PDFs: `plan` copies every listed
        # document onto the instance, and one found nowhere is an incident
        "projectDocuments": [],
        "organisationFile": str(organisation_file),
    }


def deploy(admin: EngineDriver, org: Organisation) -> None:
    text = (ROOT / "bpmn" / BPMN).read_text(encoding="utf-8")
    for old, new in EDITS.items():
        assert old in text, f"{BPMN} has no {old!r} to edit"
        text = text.replace(old, new)
    options = organisation_options(org)
    files = {BPMN: text, **{f: form_bytes(fill_options(json.loads((ROOT / "forms" / f).read_bytes()), options)).decode()
                            for f in FORMS}}
    admin.deploy_xml("cooperation-implementation-test", files)


def start(admin: EngineDriver, variables: dict[str, Any], business_key: str) -> str:
    response = admin.session.post(f"{admin.url}/process-definition/key/{KEY}/start", timeout=30,
                                  json={"variables": to_camunda(variables), "businessKey": business_key})
    assert response.ok, response.text
    return response.json()["id"]
