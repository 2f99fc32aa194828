"""The `camunda:properties` of an element of a deployed model file, as the engine delivers them to the
worker: tests read the process owner's settings back from the model instead of repeating them."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
_CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def element_properties(bpmn: str | Path, element_id: str) -> dict[str, str]:
    """`bpmn`: a file name under bpmn/ or a path; every property of the element `element_id`."""
    path = Path(bpmn) if Path(bpmn).is_absolute() else ROOT / "bpmn" / bpmn
    for element in ET.parse(path).iter():
        if element.get("id") == element_id:
            return {p.get("name"): p.get("value") for p in element.iter(f"{_CAMUNDA}property")}
    raise KeyError(f"{path.name} has no element {element_id}")
