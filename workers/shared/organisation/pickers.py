"""People and department pickers: form fields marked with the property `crossdept:options` get
the organisation's people or departments as the options of a searchable select.

Tasklist renders a start form before any process variable exists, so the options cannot come from
a variable: they are written into the form itself, by `crossdept deploy` and again by provisioning
whenever the organisation changes (only the forms whose options changed are redeployed). The
values stay the ids the workers validate; the labels are what people search: 姓名（部门） id, so
that both the Chinese name and its pinyin id find a person.
"""

from __future__ import annotations

import copy
import json
from typing import Any

from workers.runtime.client import EngineClient
from workers.shared.deployment import deployment_parts, latest_forms
from workers.shared.organisation.model import Organisation

OPTIONS_PROPERTY = "crossdept:options"
PEOPLE, DEPARTMENTS = "people", "departments"
# A select picks one; a taglist several (the project application's departments). Both list `values`.
PICKER_TYPES = ("select", "taglist")

Options = dict[str, list[dict[str, str]]]


class PickerError(ValueError):
    """A form asks for options we do not know; the message names the form, the field and the rule."""


def organisation_options(org: Organisation) -> Options:
    people = [{"label": f"{p.name}（{org.department(p.department).name_zh}） {p.id}", "value": p.id}
              for p in org.people]
    departments = [{"label": d.label, "value": d.id} for d in org.departments]
    return {PEOPLE: people, DEPARTMENTS: departments}


def fill_options(form: dict[str, Any], options: Options) -> dict[str, Any]:
    """A copy of `form` whose marked fields list `options`; the same options give the same form,
    whatever the fields listed before."""
    filled = copy.deepcopy(form)
    for component in _marked(filled.get("components") or []):
        kind = component["properties"][OPTIONS_PROPERTY]
        if kind not in options:
            raise PickerError(f"form {form.get('id')!r}, field {component.get('key')!r}: "
                              f"{OPTIONS_PROPERTY} must be one of {', '.join(sorted(options))}, not {kind!r}")
        component["values"] = options[kind]
        if component.get("type") == "select":  # a taglist always searches
            component["searchable"] = True
        for dynamic in ("valuesKey", "valuesExpression"):  # form-js would prefer them to `values`
            component.pop(dynamic, None)
    return filled


def has_pickers(form: dict[str, Any]) -> bool:
    return any(True for _ in _marked(form.get("components") or []))


def form_bytes(form: dict[str, Any]) -> bytes:
    """One serialisation for every path that deploys a filled form, so that the engine's
    `deploy-changed-only` sees an unchanged form as unchanged."""
    return (json.dumps(form, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def sync_form_options(client: EngineClient, org: Organisation) -> list[str]:
    """Redeploy the deployed forms whose pickers no longer list the organisation as it is;
    returns their file names."""
    options = organisation_options(org)
    changed = []
    for name, form in sorted(latest_forms(client).items()):
        if isinstance(form, dict) and has_pickers(form):
            filled = fill_options(form, options)
            if filled != form:
                changed.append((name, form_bytes(filled)))
    if changed:
        client.request("POST", "/deployment/create", files=deployment_parts(changed))
    return [name for name, _ in changed]


def deployed_options(client: EngineClient) -> Options:
    """The options the deployed forms list now: what a deployment without an organisation file
    keeps, so that deploying the models never empties a picker until provisioning runs again."""
    options: Options = {PEOPLE: [], DEPARTMENTS: []}
    for form in latest_forms(client).values():
        for component in _marked(form.get("components") or []) if isinstance(form, dict) else ():
            kind = component["properties"][OPTIONS_PROPERTY]
            if kind in options and not options[kind]:
                options[kind] = component.get("values") or []
    return options


def _marked(components: list[dict[str, Any]]) -> Any:
    for component in components:
        if OPTIONS_PROPERTY in (component.get("properties") or {}):
            yield component
        yield from _marked(component.get("components") or [])
