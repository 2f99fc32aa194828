"""The forms' people and department pickers on the real engine: `crossdept deploy` writes the
organisation into them, provisioning redeploys only the forms whose options changed, and a
deployment without an organisation file keeps what they list."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.support.driver import EngineDriver
from tests.support.staff import DEMO, Staff
from workers.engine.deploy import deploy
from workers.runtime.client import EngineClient
from workers.runtime.settings import Settings
from workers.shared.deployment import latest_forms
from workers.shared.organisation.model import load_organisation, parse_organisation
from workers.shared.organisation.pickers import organisation_options
from workers.shared.organisation.provision import provision

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
FORMS = [ROOT / "forms" / name for name in ("work-handover-notice.form", "delegation-start.form",
                                            "work-handover-sign.form")]
NEWCOMER = {"id": "gao.yuan", "name": "高远", "email": "gao.yuan@example.com", "department": "sales",
            "title": "销售代表 Sales Representative", "superior": "li.qiang", "post_level": 1}


@pytest.fixture(scope="module")
def client(engine: Settings) -> EngineClient:
    return EngineClient(engine.engine_url, *engine.admin_credentials())


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, client: EngineClient) -> Iterator[Staff]:
    staff = Staff(engine, admin)
    staff.provision(load_organisation(DEMO))
    deploy(client, ROOT, files=FORMS, options=organisation_options(load_organisation(DEMO)))
    yield staff
    staff.provision(load_organisation(DEMO))


def sync(staff: Staff, client: EngineClient, org: Any) -> list[str]:
    report = provision(client, org, initial_password=lambda _: staff.password,
                       protected_users=(staff.engine.admin_user, staff.engine.engine_user))
    return report.redeployed_forms


def listed(client: EngineClient, form: str, key: str) -> list[str]:
    [field] = [c for c in latest_forms(client)[form]["components"] if c.get("key") == key]
    return [option["value"] for option in field["values"]]


def people_picker_forms(client: EngineClient) -> list[str]:
    """The deployed forms with a people picker anywhere (also inside a dynamic list), by name."""
    def pickers(components: list[dict[str, Any]]) -> Iterator[str]:
        for component in components:
            yield (component.get("properties") or {}).get("crossdept:options", "")
            yield from pickers(component.get("components") or [])
    return sorted(name for name, form in latest_forms(client).items() if "people" in pickers(form["components"]))


def test_deployed_pickers_list_the_organisation(staff: Staff, client: EngineClient) -> None:
    demo = load_organisation(DEMO)
    assert listed(client, "work-handover-notice.form", "receiverId") == [p.id for p in demo.people]
    assert listed(client, "work-handover-notice.form", "receivingDepartmentId") == [d.id for d in demo.departments]


def test_provisioning_the_same_organisation_redeploys_no_form(staff: Staff, client: EngineClient) -> None:
    assert sync(staff, client, load_organisation(DEMO)) == []


def test_a_newcomer_is_listed_by_redeploying_only_the_forms_with_people_pickers(
    staff: Staff, client: EngineClient
) -> None:
    # Other tests of the session may have deployed more forms with people pickers (delegation-correct).
    with_people = people_picker_forms(client)
    assert {"delegation-start.form", "work-handover-notice.form"} <= set(with_people)
    assert "work-handover-sign.form" not in with_people
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["people"].append(NEWCOMER)
    assert sorted(sync(staff, client, parse_organisation(data, source="demo plus a newcomer"))) == with_people
    assert "gao.yuan" in listed(client, "delegation-start.form", "delegate")
    assert sorted(sync(staff, client, load_organisation(DEMO))) == with_people
    assert "gao.yuan" not in listed(client, "work-handover-notice.form", "giverId")


def test_deploying_without_an_organisation_keeps_the_pickers(staff: Staff, client: EngineClient) -> None:
    result = deploy(client, ROOT, files=FORMS)
    assert result.changed_files == []
    assert "ma.lin" in listed(client, "work-handover-notice.form", "receiverId")
