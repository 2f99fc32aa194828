"""What Tasklist's 描述 / Description tab shows: a user task's BPMN documentation (or what a create
listener sets). Staff read it, so every user task of every process has one, Chinese first, with
the English after " / "."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

BPMN_DIR = Path(__file__).resolve().parents[2] / "bpmn"
BPMN, CAMUNDA = "http://www.omg.org/spec/BPMN/20100524/MODEL", "http://camunda.org/schema/1.0/bpmn"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def sets_description_on_create(task: ET.Element) -> bool:
    return any(listener.get("event") == "create" and "setDescription" in (listener.get("expression") or "")
               for listener in task.iter(f"{{{CAMUNDA}}}taskListener"))


def user_tasks() -> list[tuple[str, ET.Element]]:
    """Those whose description is their documentation: a create listener's text replaces it (the
    responsibility review's delegation note)."""
    return [(f"{path.name}:{task.get('id')}", task) for path in sorted(BPMN_DIR.glob("*.bpmn"))
            for task in ET.parse(path).getroot().iter(f"{{{BPMN}}}userTask") if not sets_description_on_create(task)]


@pytest.mark.parametrize("name,task", user_tasks(), ids=[name for name, _ in user_tasks()])
def test_every_user_task_describes_itself_in_chinese_first_with_english(name: str, task: ET.Element) -> None:
    documentation = task.find(f"{{{BPMN}}}documentation")
    assert documentation is not None and documentation.text, f"{name}: no documentation, Tasklist's 描述 tab is empty"
    chinese, _, english = documentation.text.partition(" / ")
    assert CHINESE.search(chinese) and chinese.strip()[0] >= "\u2e80", f"{name}: does not start in Chinese: {chinese!r}"
    assert re.search(r"[A-Za-z]{3}", english) and not CHINESE.search(english.replace("监交人", "").replace("完成", "")), (
        f"{name}: no English after ' / ': {documentation.text!r}")
