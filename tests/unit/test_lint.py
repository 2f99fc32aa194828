"""`lint_models`: what makes a set of models unfit to deploy or to run with our workers."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Callable

import pytest

from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables, Registry
from workers.engine.lint import Problem, lint_models

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="Definitions_Test" targetNamespace="http://bpmn.io/schema/bpmn">
  {errors}
  <bpmn:process id="test-process" isExecutable="true" {process_attributes}>
    {body}
  </bpmn:process>
</bpmn:definitions>
"""
HISTORY_TTL = 'camunda:historyTimeToLive="P30D"'

DMN13 = "https://www.omg.org/spec/DMN/20191111/MODEL/"
DMN11 = "http://www.omg.org/spec/DMN/20151101/dmn.xsd"
DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="{namespace}" xmlns:camunda="http://camunda.org/schema/1.0/dmn"
             id="Definitions_Policy" name="Policy" namespace="http://camunda.org/schema/1.0/dmn">
  <decision id="{decision_id}" name="Policy" {decision_attributes}>
    <decisionTable id="DecisionTable_Policy">
      <input id="Input_Department" label="Department">
        <inputExpression id="InputExpression_Department" typeRef="string"><text>department</text></inputExpression>
      </input>
      <output id="Output_Days" name="noticeDays" typeRef="integer" />
    </decisionTable>
  </decision>
</definitions>
"""


def write(root: Path, relative: str, text: str) -> Path:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def write_bpmn(root: Path, body: str, *, errors: str = "", process_attributes: str = HISTORY_TTL) -> Path:
    text = BPMN.format(body=body, errors=errors, process_attributes=process_attributes)
    return write(root, "bpmn/test-process.bpmn", text)


def write_dmn(
    root: Path, decision_id: str = "handover-policy", *, namespace: str = DMN13,
    decision_attributes: str = 'camunda:historyTimeToLive="P30D"',
) -> Path:
    text = DMN.format(namespace=namespace, decision_id=decision_id, decision_attributes=decision_attributes)
    return write(root, "dmn/policy.dmn", text)


def write_form(root: Path, components: list[dict], *, form_id: str = "handover-request", schema_version: int = 16) -> Path:
    form = {"id": form_id, "type": "default", "schemaVersion": schema_version, "components": components}
    return write(root, f"forms/{form_id}.form", json.dumps(form, ensure_ascii=False, indent=2))


def service_task(topic: str, task_id: str = "Task_Archive") -> str:
    return f'<bpmn:serviceTask id="{task_id}" camunda:type="external" camunda:topic="{topic}" />'


def workers(*topics: str, errors: tuple[str, ...] = ()) -> Registry:
    registry = Registry()

    def handler() -> None: ...

    for topic in topics:
        registry.topic(topic, errors=errors)(handler)
    return registry


def found(root: Path, registry: Registry, rule: str) -> list[tuple[str | None, str | None]]:
    """(file name, element id) of each problem of `rule`."""
    return [
        (p.file.name if p.file else None, p.element_id)
        for p in lint_models(root, registry)
        if p.rule == rule
    ]


# --- unregistered-topic --------------------------------------------------------------------------


def test_topic_without_registered_worker_is_rejected(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"))

    assert found(tmp_path, workers(), "unregistered-topic") == [("test-process.bpmn", "Task_Archive")]


def test_topic_with_registered_worker_is_accepted(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"))

    assert lint_models(tmp_path, workers("handover.archive")) == []


def test_message_end_event_topic_without_registered_worker_is_rejected(tmp_path: Path) -> None:
    write_bpmn(
        tmp_path,
        '<bpmn:endEvent id="EndEvent_Notify"><bpmn:messageEventDefinition id="Notify" '
        'camunda:type="external" camunda:topic="handover.notify" /></bpmn:endEvent>',
    )

    assert found(tmp_path, workers(), "unregistered-topic") == [("test-process.bpmn", "EndEvent_Notify")]


def test_unregistered_topic_message_suggests_the_registered_topic_it_resembles(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archiv"))

    [problem] = [p for p in lint_models(tmp_path, workers("handover.archive")) if p.rule == "unregistered-topic"]

    assert "did you mean 'handover.archive'?" in problem.message


# --- unused-worker -------------------------------------------------------------------------------


def test_worker_whose_topic_no_process_uses_is_reported(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"))

    assert found(tmp_path, workers("handover.archive", "handover.shred"), "unused-worker") == [(None, None)]


def test_worker_whose_topic_a_process_uses_is_accepted(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"))

    assert found(tmp_path, workers("handover.archive"), "unused-worker") == []


# --- missing-form and form-binding ---------------------------------------------------------------


def user_task(form_ref: str, binding: str | None = "latest") -> str:
    binding_attribute = f' camunda:formRefBinding="{binding}"' if binding else ""
    return f'<bpmn:userTask id="Task_Verify" camunda:formRef="{form_ref}"{binding_attribute} />'


def test_form_reference_without_such_form_is_rejected(tmp_path: Path) -> None:
    write_form(tmp_path, [], form_id="handover-request")
    write_bpmn(tmp_path, user_task("handover-checklist"))

    assert found(tmp_path, workers(), "missing-form") == [("test-process.bpmn", "Task_Verify")]


def test_form_reference_to_a_form_id_is_accepted(tmp_path: Path) -> None:
    write_form(tmp_path, [], form_id="handover-checklist")
    write_bpmn(tmp_path, user_task("handover-checklist"))

    assert lint_models(tmp_path, workers()) == []


def test_start_event_form_reference_without_such_form_is_rejected(tmp_path: Path) -> None:
    write_bpmn(
        tmp_path,
        '<bpmn:startEvent id="StartEvent_Requested" camunda:formRef="handover-request" '
        'camunda:formRefBinding="latest" />',
    )

    assert found(tmp_path, workers(), "missing-form") == [("test-process.bpmn", "StartEvent_Requested")]


def test_form_reference_without_binding_is_rejected_as_the_engine_refuses_it(tmp_path: Path) -> None:
    write_form(tmp_path, [], form_id="handover-checklist")
    write_bpmn(tmp_path, user_task("handover-checklist", binding=None))

    [problem] = [p for p in lint_models(tmp_path, workers()) if p.rule == "form-binding"]

    assert (problem.element_id, problem.severity) == ("Task_Verify", "error")


def test_form_bound_by_deployment_is_a_warning(tmp_path: Path) -> None:
    write_form(tmp_path, [], form_id="handover-checklist")
    write_bpmn(tmp_path, user_task("handover-checklist", binding="deployment"))

    [problem] = lint_models(tmp_path, workers())

    assert (problem.rule, problem.severity) == ("form-binding", "warning")


# --- missing-decision ----------------------------------------------------------------------------


def rule_task(decision_ref: str) -> str:
    return (
        f'<bpmn:businessRuleTask id="Task_Decide" camunda:decisionRef="{decision_ref}" '
        'camunda:mapDecisionResult="singleEntry" camunda:resultVariable="noticeDays" />'
    )


def test_decision_reference_without_such_decision_is_rejected(tmp_path: Path) -> None:
    write_dmn(tmp_path, "handover-policy")
    write_bpmn(tmp_path, rule_task("handover-rules"))

    assert found(tmp_path, workers(), "missing-decision") == [("test-process.bpmn", "Task_Decide")]


def test_decision_reference_to_a_decision_id_is_accepted(tmp_path: Path) -> None:
    write_dmn(tmp_path, "handover-policy")
    write_bpmn(tmp_path, rule_task("handover-policy"))

    assert lint_models(tmp_path, workers()) == []


# --- missing-history-ttl -------------------------------------------------------------------------


def test_executable_process_without_history_time_to_live_is_rejected(tmp_path: Path) -> None:
    write_bpmn(tmp_path, "", process_attributes="")

    assert found(tmp_path, workers(), "missing-history-ttl") == [("test-process.bpmn", "test-process")]


def test_process_that_is_not_executable_needs_no_history_time_to_live(tmp_path: Path) -> None:
    text = BPMN.format(body="", errors="", process_attributes="").replace(
        'isExecutable="true"', 'isExecutable="false"'
    )
    write(tmp_path, "bpmn/test-process.bpmn", text)

    assert lint_models(tmp_path, workers()) == []


def test_decision_without_history_time_to_live_is_rejected(tmp_path: Path) -> None:
    write_dmn(tmp_path, "handover-policy", decision_attributes="")

    assert found(tmp_path, workers(), "missing-history-ttl") == [("policy.dmn", "handover-policy")]


def test_decision_with_history_time_to_live_is_accepted(tmp_path: Path) -> None:
    write_dmn(tmp_path, "handover-policy")

    assert lint_models(tmp_path, workers()) == []


def test_decision_in_the_dmn_1_1_namespace_is_checked_too(tmp_path: Path) -> None:
    write_dmn(tmp_path, "handover-policy", namespace=DMN11, decision_attributes="")

    assert found(tmp_path, workers(), "missing-history-ttl") == [("policy.dmn", "handover-policy")]


# --- unsupported-form-component and unsupported-form-schema --------------------------------------


def test_filepicker_inside_a_group_is_rejected_naming_its_key(tmp_path: Path) -> None:
    write_form(tmp_path, [
        {"id": "Group_Handover", "type": "group", "label": "Hand-over", "components": [
            {"id": "Field_Attachment", "key": "attachment", "type": "filepicker", "label": "附件 / Attachment"},
        ]},
    ])

    [problem] = lint_models(tmp_path, workers())

    assert (problem.rule, problem.element_id) == ("unsupported-form-component", "Field_Attachment")
    assert "'attachment'" in problem.message


def test_form_of_components_tasklist_renders_is_accepted(tmp_path: Path) -> None:
    write_form(tmp_path, [
        {"id": "Field_Department", "key": "department", "type": "textfield", "label": "部门 / Department"},
        {"id": "List_Items", "type": "dynamiclist", "path": "items", "components": [
            {"id": "Field_Item", "key": "item", "type": "textarea", "label": "Item"},
            {"id": "Field_Done", "key": "done", "type": "checkbox", "label": "Done"},
        ]},
    ])

    assert lint_models(tmp_path, workers()) == []


def test_condition_naming_a_list_rows_field_without_this_is_rejected(tmp_path: Path) -> None:
    write_form(tmp_path, [
        {"id": "List_Items", "type": "dynamiclist", "path": "checklistItems", "components": [
            {"id": "Field_Category", "key": "category", "type": "textfield", "label": "类别 / Category"},
            {"id": "Field_Asset", "key": "assetNumber", "type": "textfield", "label": "资产编号 / Asset number",
             "conditional": {"hide": '=category != "equipment"'}},
            {"id": "Field_Contact", "key": "contact", "type": "textfield", "label": "联系人 / Contact",
             "conditional": {"hide": '=this.category != "customerInformation and category"'}},
        ]},
    ])

    [problem] = lint_models(tmp_path, workers())

    assert (problem.rule, problem.element_id) == ("list-row-condition", "Field_Asset")
    assert "write this.category" in problem.message


def test_a_picker_of_an_unknown_kind_or_not_a_select_is_rejected(tmp_path: Path) -> None:
    write_form(tmp_path, [
        {"id": "Field_Giver", "key": "giverId", "type": "select", "label": "交出人 / Giver",
         "properties": {"crossdept:options": "people"}},
        {"id": "Field_Receiver", "key": "receiverId", "type": "select", "label": "接收人 / Receiver",
         "properties": {"crossdept:options": "person"}},
        {"id": "Field_Department", "key": "departmentId", "type": "textfield", "label": "部门 / Department",
         "properties": {"crossdept:options": "departments"}},
    ])

    assert [(p.rule, p.element_id) for p in lint_models(tmp_path, workers())] == [
        ("picker-options", "Field_Receiver"), ("picker-options", "Field_Department")]


def test_a_taglist_picks_several_people_or_departments(tmp_path: Path) -> None:
    write_form(tmp_path, [{"id": "Field_Departments", "key": "departments", "type": "taglist",
                           "label": "涉及部门 / Departments involved", "properties": {"crossdept:options": "departments"}}])

    assert lint_models(tmp_path, workers()) == []


def test_form_with_schema_version_newer_than_tasklist_renders_is_rejected(tmp_path: Path) -> None:
    write_form(tmp_path, [], form_id="handover-request", schema_version=17)

    assert found(tmp_path, workers(), "unsupported-form-schema") == [("handover-request.form", "handover-request")]


def test_form_with_schema_version_16_is_accepted(tmp_path: Path) -> None:
    write_form(tmp_path, [], schema_version=16)

    assert lint_models(tmp_path, workers()) == []


# --- uncaught-bpmn-error -------------------------------------------------------------------------

INCOMPLETE_ERROR = '<bpmn:error id="Error_Incomplete" name="Incomplete" errorCode="CHECKLIST_INCOMPLETE" />'


def boundary(error_ref: str | None, attached_to: str = "Task_Archive") -> str:
    ref = f' errorRef="{error_ref}"' if error_ref else ""
    return (
        f'<bpmn:boundaryEvent id="Boundary_Error" attachedToRef="{attached_to}">'
        f'<bpmn:errorEventDefinition id="ErrorDef"{ref} /></bpmn:boundaryEvent>'
    )


def test_bpmn_error_the_worker_throws_without_a_catching_boundary_event_is_rejected(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"), errors=INCOMPLETE_ERROR)
    registry = workers("handover.archive", errors=("CHECKLIST_INCOMPLETE",))

    [problem] = lint_models(tmp_path, registry)

    assert (problem.rule, problem.element_id) == ("uncaught-bpmn-error", "Task_Archive")
    assert "'CHECKLIST_INCOMPLETE'" in problem.message


def test_bpmn_error_caught_by_a_boundary_event_with_its_error_code_is_accepted(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive") + boundary("Error_Incomplete"), errors=INCOMPLETE_ERROR)
    registry = workers("handover.archive", errors=("CHECKLIST_INCOMPLETE",))

    assert lint_models(tmp_path, registry) == []


def test_bpmn_error_caught_by_a_catch_all_boundary_event_is_accepted(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("handover.archive") + boundary(None))
    registry = workers("handover.archive", errors=("CHECKLIST_INCOMPLETE",))

    assert lint_models(tmp_path, registry) == []


def test_boundary_event_for_another_error_code_does_not_catch_the_error(tmp_path: Path) -> None:
    other_error = '<bpmn:error id="Error_Other" errorCode="SOMETHING_ELSE" />'
    write_bpmn(tmp_path, service_task("handover.archive") + boundary("Error_Other"), errors=other_error)
    registry = workers("handover.archive", errors=("CHECKLIST_INCOMPLETE",))

    assert found(tmp_path, registry, "uncaught-bpmn-error") == [("test-process.bpmn", "Task_Archive")]


def test_boundary_event_on_another_task_does_not_catch_the_error(tmp_path: Path) -> None:
    body = service_task("handover.archive") + service_task("handover.notify", "Task_Notify") + boundary(
        "Error_Incomplete", attached_to="Task_Notify"
    )
    write_bpmn(tmp_path, body, errors=INCOMPLETE_ERROR)
    registry = workers("handover.archive", "handover.notify", errors=("CHECKLIST_INCOMPLETE",))

    assert found(tmp_path, registry, "uncaught-bpmn-error") == [("test-process.bpmn", "Task_Archive")]


def test_bpmn_error_caught_by_an_error_event_subprocess_is_accepted(tmp_path: Path) -> None:
    event_subprocess = (
        '<bpmn:subProcess id="SubProcess_OnError" triggeredByEvent="true">'
        '<bpmn:startEvent id="StartEvent_OnError"><bpmn:errorEventDefinition id="OnError" '
        'errorRef="Error_Incomplete" /></bpmn:startEvent></bpmn:subProcess>'
    )
    write_bpmn(tmp_path, service_task("handover.archive") + event_subprocess, errors=INCOMPLETE_ERROR)
    registry = workers("handover.archive", errors=("CHECKLIST_INCOMPLETE",))

    assert lint_models(tmp_path, registry) == []


# --- parse-error ---------------------------------------------------------------------------------


def test_malformed_bpmn_is_reported_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "bpmn/broken.bpmn", '<?xml version="1.0"?>\n<bpmn:definitions xmlns:bpmn="x">\n<oops>\n')

    [problem] = lint_models(tmp_path, workers())

    assert (problem.file.name, problem.rule) == ("broken.bpmn", "parse-error")
    assert problem.message.startswith("line 4")


def test_malformed_form_is_reported_with_its_line(tmp_path: Path) -> None:
    write(tmp_path, "forms/broken.form", '{\n  "id": "broken",\n  "components": [\n}\n')

    [problem] = lint_models(tmp_path, workers())

    assert (problem.file.name, problem.rule) == ("broken.form", "parse-error")
    assert problem.message.startswith("line 4")


def test_xml_that_is_not_bpmn_is_reported(tmp_path: Path) -> None:
    write(tmp_path, "bpmn/notes.bpmn", "<notes>not a model</notes>")

    assert found(tmp_path, workers(), "parse-error") == [("notes.bpmn", None)]


def test_unreadable_model_does_not_make_every_worker_look_unused(tmp_path: Path) -> None:
    write(tmp_path, "bpmn/broken.bpmn", "<bpmn:definitions")

    assert found(tmp_path, workers("handover.archive"), "unused-worker") == []


# --- the whole --------------------------------------------------------------------------------


def test_empty_folders_have_no_problems(tmp_path: Path) -> None:
    for folder in ("bpmn", "dmn", "forms"):
        (tmp_path / folder).mkdir()

    assert lint_models(tmp_path, workers()) == []


def test_problem_reads_as_file_element_rule_and_message() -> None:
    problem = Problem(Path("bpmn/x.bpmn"), "Task_Archive", "unregistered-topic", "topic 'handover.archive' ...")

    assert str(problem) == "bpmn/x.bpmn: Task_Archive [unregistered-topic] topic 'handover.archive' ..."


def test_the_repository_models_lint_clean_against_the_registered_workers() -> None:
    from workers.catalog import load_registry

    root = Path(__file__).resolve().parents[2]

    assert [str(p) for p in lint_models(root, load_registry()) if p.severity == "error"] == []


# --- crossdept lint ------------------------------------------------------------------------------


def run_lint_command(root: Path, registry: Registry, monkeypatch) -> tuple[int, str]:
    import typer
    from rich.console import Console
    from typer.testing import CliRunner

    import workers.cli.lint as command

    monkeypatch.setattr(command, "load_registry", lambda modules: registry)
    monkeypatch.setattr(command, "console", Console(width=400, highlight=False))
    app = typer.Typer()
    app.command()(command.lint)
    result = CliRunner().invoke(app, ["--root", str(root)])
    return result.exit_code, result.output


def test_lint_command_fails_and_names_file_element_and_rule(tmp_path: Path, monkeypatch) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"))

    exit_code, output = run_lint_command(tmp_path, workers(), monkeypatch)

    assert exit_code == 1, output
    assert "test-process.bpmn" in output and "Task_Archive [unregistered-topic]" in output


def test_lint_command_passes_clean_models(tmp_path: Path, monkeypatch) -> None:
    write_bpmn(tmp_path, service_task("handover.archive"))

    exit_code, output = run_lint_command(tmp_path, workers("handover.archive"), monkeypatch)

    assert (exit_code, output.strip()) == (0, "1 model checked, no problems")


# --- unwritten-variable and variable-type ----------------------------------------------------------


class PlannedDateInput(ProcessVariables):
    planned_date: date


class PlannedDateOutput(ProcessVariables):
    planned_date: date


class PlannedDateText(ProcessVariables):
    planned_date: str


class PlannedDateAsTyped(ProcessVariables):
    planned_date: Annotated[str | None, AsTyped(date)] = None


def contract_workers(**handlers: Callable[..., object]) -> Registry:
    registry = Registry()
    for topic, handler in handlers.items():
        registry.topic(topic)(handler)
    return registry


def reads_planned_date(data: PlannedDateInput) -> None: ...


def writes_planned_date() -> PlannedDateOutput: ...


def reads_and_writes_planned_date(data: PlannedDateInput) -> PlannedDateOutput: ...


def reads_planned_date_as_text(data: PlannedDateText) -> None: ...


def reads_planned_date_as_typed(data: PlannedDateAsTyped) -> None: ...


CHECK = service_task("t.check", "Task_Check")


def test_variable_a_topic_requires_that_nothing_in_the_process_writes_is_reported(tmp_path: Path) -> None:
    write_bpmn(tmp_path, CHECK)

    [problem] = [p for p in lint_models(tmp_path, contract_workers(**{"t.check": reads_planned_date}))
                 if p.rule == "unwritten-variable"]

    assert (problem.file.name, problem.element_id) == ("test-process.bpmn", "Task_Check")
    assert "topic t.check reads 'plannedDate', which nothing in process test-process writes" in problem.message


def form_field(key: str) -> dict:
    return {"type": "textfield", "key": key, "id": f"Field_{key}"}


def row_list(path: str, *row_keys: str) -> dict:
    return {"type": "dynamiclist", "path": path, "id": f"List_{path}", "components": [form_field(k) for k in row_keys]}


START_FORM = ('<bpmn:startEvent id="StartEvent_Given" camunda:formRef="handover-request" '
              'camunda:formRefBinding="latest" />')
SOURCES = {
    "start form field": (START_FORM + CHECK, [form_field("plannedDate")]),
    "user task form field in a group": (
        '<bpmn:userTask id="Task_Fill" camunda:formRef="handover-request" camunda:formRefBinding="latest" />' + CHECK,
        [{"type": "group", "id": "Group_1", "components": [form_field("plannedDate")]}]),
    "form dynamic list": (START_FORM + CHECK, [row_list("plannedDate", "day")]),
    "camunda:initiator": ('<bpmn:startEvent id="StartEvent_Given" camunda:initiator="plannedDate" />' + CHECK, None),
    "start listener": (
        '<bpmn:startEvent id="StartEvent_Given"><bpmn:extensionElements><camunda:executionListener '
        'expression="${execution.setVariable(\'plannedDate\', now())}" event="start" />'
        '</bpmn:extensionElements></bpmn:startEvent>' + CHECK, None),
    "task listener": (
        '<bpmn:userTask id="Task_Fill"><bpmn:extensionElements><camunda:taskListener '
        'expression="${task.execution.setVariable(&quot;plannedDate&quot;, now())}" event="complete" />'
        '</bpmn:extensionElements></bpmn:userTask>' + CHECK, None),
    "input parameter of the task": (
        '<bpmn:serviceTask id="Task_Check" camunda:type="external" camunda:topic="t.check"><bpmn:extensionElements>'
        '<camunda:inputOutput><camunda:inputParameter name="plannedDate">2026-12-03</camunda:inputParameter>'
        '</camunda:inputOutput></bpmn:extensionElements></bpmn:serviceTask>', None),
    "input parameter of the subprocess around it": (
        '<bpmn:subProcess id="SubProcess_Review"><bpmn:extensionElements><camunda:inputOutput>'
        '<camunda:inputParameter name="plannedDate">${item.prop("day")}</camunda:inputParameter>'
        '</camunda:inputOutput></bpmn:extensionElements>' + CHECK + '</bpmn:subProcess>', None),
    "multi-instance element variable": (
        '<bpmn:subProcess id="SubProcess_Review"><bpmn:multiInstanceLoopCharacteristics '
        'camunda:collection="${days}" camunda:elementVariable="plannedDate" />' + CHECK + '</bpmn:subProcess>', None),
    "output parameter": (
        '<bpmn:userTask id="Task_Fill"><bpmn:extensionElements><camunda:inputOutput>'
        '<camunda:outputParameter name="plannedDate">${day}</camunda:outputParameter>'
        '</camunda:inputOutput></bpmn:extensionElements></bpmn:userTask>' + CHECK, None),
    "decision result": (
        '<bpmn:businessRuleTask id="Task_Decide" camunda:decisionRef="handover-policy" '
        'camunda:resultVariable="plannedDate" camunda:mapDecisionResult="singleEntry" />' + CHECK, None),
    "BPMN error message variable": (
        CHECK + '<bpmn:boundaryEvent id="Event_Invalid" attachedToRef="Task_Check"><bpmn:errorEventDefinition '
        'id="Def_Invalid" camunda:errorMessageVariable="plannedDate" /></bpmn:boundaryEvent>', None),
    "another topic's output": (service_task("t.plan", "Task_Plan") + CHECK, None),
}


@pytest.mark.parametrize(("body", "form"), SOURCES.values(), ids=SOURCES.keys())
def test_variable_a_topic_requires_is_accepted_from_each_kind_of_writer(
    tmp_path: Path, body: str, form: list[dict] | None
) -> None:
    write_bpmn(tmp_path, body)
    if form is not None:
        write_form(tmp_path, form)
    registry = contract_workers(**{"t.check": reads_planned_date, "t.plan": writes_planned_date})

    assert found(tmp_path, registry, "unwritten-variable") == []


def test_a_list_rows_field_is_not_a_process_variable(tmp_path: Path) -> None:
    write_bpmn(tmp_path, START_FORM + CHECK)
    write_form(tmp_path, [row_list("checklistItems", "plannedDate")])

    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date}), "unwritten-variable") == [
        ("test-process.bpmn", "Task_Check")]


def test_a_topics_own_output_does_not_write_what_it_reads(tmp_path: Path) -> None:
    write_bpmn(tmp_path, CHECK)

    registry = contract_workers(**{"t.check": reads_and_writes_planned_date})

    assert found(tmp_path, registry, "unwritten-variable") == [("test-process.bpmn", "Task_Check")]


def test_an_input_parameter_of_another_task_is_not_seen_by_the_topic(tmp_path: Path) -> None:
    write_bpmn(tmp_path, SOURCES["input parameter of the task"][0].replace('"Task_Check"', '"Task_Other"') + CHECK)

    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date}), "unwritten-variable") == [
        ("test-process.bpmn", "Task_Check")]


def test_a_variable_with_a_default_is_not_required(tmp_path: Path) -> None:
    write_bpmn(tmp_path, CHECK)

    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date_as_typed}), "unwritten-variable") == []


def test_a_variable_with_two_types_in_one_process_is_reported_with_both(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("t.plan", "Task_Plan") + service_task("t.show", "Task_Show"))
    registry = contract_workers(**{"t.plan": writes_planned_date, "t.show": reads_planned_date_as_text})

    [problem] = [p for p in lint_models(tmp_path, registry) if p.rule == "variable-type"]

    assert problem.element_id == "test-process"
    assert "'plannedDate' has 2 types" in problem.message
    assert "date in t.plan output" in problem.message and "str in t.show input" in problem.message


def test_a_variable_read_as_typed_counts_as_the_type_it_becomes(tmp_path: Path) -> None:
    write_bpmn(tmp_path, service_task("t.plan", "Task_Plan") + service_task("t.form", "Task_Form"))
    registry = contract_workers(**{"t.plan": writes_planned_date, "t.form": reads_planned_date_as_typed})

    assert found(tmp_path, registry, "variable-type") == []


def test_the_repositorys_models_keep_the_variable_contract_with_its_workers() -> None:
    from workers.catalog import load_registry

    root = Path(__file__).resolve().parents[2]
    problems = [p for p in lint_models(root, load_registry()) if p.rule in ("unwritten-variable", "variable-type")]

    assert problems == [], "\n".join(map(str, problems))
