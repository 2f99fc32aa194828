"""People and department pickers: the forms' marked fields list the organisation, by name."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from workers.shared.organisation.model import load_organisation
from workers.shared.organisation.pickers import (
    OPTIONS_PROPERTY, PickerError, fill_options, form_bytes, has_pickers, organisation_options,
)

ROOT = Path(__file__).resolve().parents[2]
ORG = load_organisation(ROOT / "org" / "demo-organisation.yaml")
# Every field a person or a department is chosen in, in every process: kind of picker by key.
PICKED = {
    "work-handover-notice": {"giverId": "people", "receiverId": "people", "receivingDepartmentId": "departments"},
    "delegation-start": {"principal": "people", "delegate": "people"},
    "delegation-correct": {"principal": "people", "delegate": "people"},
    "responsibility-review-decision": {"owner": "departments"},
    "project-cooperation-application": {"projectOwner": "people", "person": "people", "department": "departments"},
    "project-cooperation-agreement": {"department": "departments"},
}


def _form(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "forms" / f"{name}.form").read_text(encoding="utf-8"))


def _fields(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for component in components:
        if component.get("key"):
            found[component["key"]] = component
        found |= _fields(component.get("components") or [])
    return found


def test_a_person_is_listed_by_name_and_department_with_the_id_as_value() -> None:
    people = organisation_options(ORG)["people"]
    assert {"label": "马琳（生产部） ma.lin", "value": "ma.lin"} in people
    assert [p["value"] for p in people] == [p.id for p in ORG.people]


def test_a_department_is_listed_by_its_names_with_the_id_as_value() -> None:
    assert {"label": "销售部 Sales", "value": "sales"} in organisation_options(ORG)["departments"]


@pytest.mark.parametrize("name", sorted(PICKED))
def test_people_and_departments_are_searchable_selects_marked_for_the_organisation(name: str) -> None:
    fields = _fields(_form(name)["components"])
    for key, kind in PICKED[name].items():
        assert (fields[key]["type"], fields[key].get("searchable"), fields[key]["properties"]) == (
            "select", True, {OPTIONS_PROPERTY: kind}), f"{name}: {key}"


def test_the_project_applications_departments_are_a_taglist_filled_with_every_department() -> None:
    form = _form("project-cooperation-application")
    departments = _fields(form["components"])["departments"]
    assert (departments["type"], departments["properties"]) == ("taglist", {OPTIONS_PROPERTY: "departments"})
    filled = _fields(fill_options(form, organisation_options(ORG))["components"])["departments"]
    assert [v["value"] for v in filled["values"]] == [d.id for d in ORG.departments]
    assert "searchable" not in filled, "a taglist always searches; form-js knows no such property on it"


def test_no_other_form_field_asks_for_an_id_to_be_typed() -> None:
    typed = {(path.stem, key) for path in (ROOT / "forms").glob("*.form")
             for key, field in _fields(json.loads(path.read_text(encoding="utf-8"))["components"]).items()
             if field["type"] == "textfield" and key.endswith("Id") and not field.get("readonly")}
    assert typed == set()


def test_filling_lists_the_organisation_and_keeps_everything_else() -> None:
    form = _form("work-handover-notice")
    filled = fill_options(form, organisation_options(ORG))
    fields = _fields(filled["components"])
    assert [o["value"] for o in fields["receiverId"]["values"]] == [p.id for p in ORG.people]
    assert [o["value"] for o in fields["receivingDepartmentId"]["values"]] == [d.id for d in ORG.departments]
    assert fields["reason"] == _fields(form["components"])["reason"]
    assert _fields(form["components"])["receiverId"]["values"] == []  # the model file itself is left as it is


def test_filling_again_with_other_options_gives_what_filling_once_gives() -> None:
    form = _form("delegation-start")
    options = organisation_options(ORG)
    fewer = {kind: values[:2] for kind, values in options.items()}
    assert form_bytes(fill_options(fill_options(form, fewer), options)) == form_bytes(fill_options(form, options))


def test_an_unknown_kind_of_picker_names_the_form_field_and_rule() -> None:
    form = {"id": "f", "components": [{"type": "select", "key": "who", "properties": {OPTIONS_PROPERTY: "robots"}}]}
    with pytest.raises(PickerError, match="form 'f', field 'who': crossdept:options must be one of departments, people"):
        fill_options(form, organisation_options(ORG))


def test_a_form_without_pickers_is_recognised() -> None:
    assert not has_pickers(_form("work-handover-sign")) and has_pickers(_form("responsibility-review-decision"))
