"""A one-step process for following progress: `initiator` set by the engine, one user task held
by the person named at start, shared by the engine and browser tests of the progress views."""

from __future__ import annotations

import contextlib
from typing import Any, Iterator

from tests.support.bpmn import NS
from tests.support.staff import Staff

KEY = "progress-probe"
INITIATOR = "chen.jing"  # head of marketing
HOLDER, HOLDER_HEAD, COLLEAGUE = "xu.ming", "zhang.wei", "huang.lei"  # engineering: member, head, deputy
OTHER_HOLDER, OTHER_HEAD = "ma.lin", "zhou.gang"  # production
PROBE = f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="Defs_{KEY}">
  <bpmn:process id="{KEY}" name="进度探针 / Progress probe" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start" camunda:initiator="initiator">
      <bpmn:extensionElements><camunda:properties>
        <camunda:property name="allowedVariables" value="holder"/>
      </camunda:properties></bpmn:extensionElements>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Task_Work"/>
    <bpmn:userTask id="Task_Work" name="处理 / Work on it" camunda:assignee="${{holder}}"/>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Work" targetRef="End"/>
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""


@contextlib.contextmanager
def probe_task(staff: Staff, holder: str = HOLDER) -> Iterator[dict[str, Any]]:
    """An instance started by INITIATOR, waiting at its task held by `holder`; deleted afterwards."""
    instance = staff.start(INITIATOR, KEY, {"holder": holder})
    try:
        [task] = staff.wait_for_tasks(instance, 1, "the probe's task")
        yield task
    finally:
        staff.delete(instance)
