"""Small test processes, written as BPMN the engine parses (no diagram layout: the engine needs none)."""

from __future__ import annotations

from xml.sax.saxutils import quoteattr

NS = (
    'xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:camunda="http://camunda.org/schema/1.0/bpmn" '
    'targetNamespace="http://crossdept.test"'
)


def service_task_process(
    key: str,
    topic: str,
    *,
    properties: dict[str, str] | None = None,
    catch_error: str | None = None,
    then_wait: bool = True,
) -> str:
    """start -> external task `topic` -> user task "Task_Wait" (so variables stay visible) -> end.

    `catch_error` adds an error boundary event on the service task leading to user task
    "Task_FixInput", with the error message in variable `rejectionMessage`.
    """
    props = ""
    if properties:
        items = "".join(f"<camunda:property name={quoteattr(k)} value={quoteattr(v)}/>" for k, v in properties.items())
        props = f"<bpmn:extensionElements><camunda:properties>{items}</camunda:properties></bpmn:extensionElements>"
    after = "Task_Wait" if then_wait else "End"
    wait = (
        '<bpmn:userTask id="Task_Wait" name="Wait"/>'
        '<bpmn:sequenceFlow id="Flow_3" sourceRef="Task_Wait" targetRef="End"/>'
        if then_wait
        else ""
    )
    error = ""
    error_def = ""
    if catch_error:
        error_def = f'<bpmn:error id="Error_1" errorCode={quoteattr(catch_error)} name={quoteattr(catch_error)}/>'
        error = (
            '<bpmn:boundaryEvent id="Boundary_Rejected" attachedToRef="Task_Service">'
            '<bpmn:errorEventDefinition errorRef="Error_1" camunda:errorMessageVariable="rejectionMessage"/>'
            "</bpmn:boundaryEvent>"
            '<bpmn:sequenceFlow id="Flow_4" sourceRef="Boundary_Rejected" targetRef="Task_FixInput"/>'
            '<bpmn:userTask id="Task_FixInput" name="Fix input"/>'
            '<bpmn:sequenceFlow id="Flow_5" sourceRef="Task_FixInput" targetRef="End"/>'
        )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions {NS} id="Defs_{key}">
  {error_def}
  <bpmn:process id="{key}" isExecutable="true" camunda:historyTimeToLive="P1D">
    <bpmn:startEvent id="Start"/>
    <bpmn:sequenceFlow id="Flow_1" sourceRef="Start" targetRef="Task_Service"/>
    <bpmn:serviceTask id="Task_Service" name="Service" camunda:type="external" camunda:topic="{topic}">{props}</bpmn:serviceTask>
    <bpmn:sequenceFlow id="Flow_2" sourceRef="Task_Service" targetRef="{after}"/>
    {wait}
    {error}
    <bpmn:endEvent id="End"/>
  </bpmn:process>
</bpmn:definitions>
"""
