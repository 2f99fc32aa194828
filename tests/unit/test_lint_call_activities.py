"""`lint_models` across call activities (the approval block, a project's phases): a `camunda:in`
target counts as written in the called process, a `camunda:out` target in the caller; a called
process names its inputs (`calledWithInputs`) and every caller must pass them; `variables="all"` is
refused both ways."""

from __future__ import annotations

from pathlib import Path

from tests.unit.test_lint import (
    BPMN,
    HISTORY_TTL,
    contract_workers,
    found,
    reads_planned_date,
    service_task,
    write,
)
from workers.engine.lint import Problem, lint_models
from workers.runtime.registry import ProcessVariables

CALLED = "called-phase"


def write_process(root: Path, process_id: str, body: str, extension: str = "") -> Path:
    text = BPMN.format(body=extension + body, errors="", process_attributes=HISTORY_TTL).replace(
        'id="test-process"', f'id="{process_id}"')
    return write(root, f"bpmn/{process_id}.bpmn", text)


def call_activity(*mappings: str, called: str = CALLED) -> str:
    return (f'<bpmn:callActivity id="CallActivity_Phase" calledElement="{called}" camunda:calledElementBinding="latest">'
            f'<bpmn:extensionElements>{"".join(mappings)}</bpmn:extensionElements></bpmn:callActivity>')


def declares(*inputs: str) -> str:
    return ('<bpmn:extensionElements><camunda:properties><camunda:property name="calledWithInputs" '
            f'value="{",".join(inputs)}" /></camunda:properties></bpmn:extensionElements>')


class OutcomeInput(ProcessVariables):
    outcome: str


def reads_outcome(data: OutcomeInput) -> None: ...


def test_a_variable_the_caller_passes_in_counts_as_written_in_the_called_process(tmp_path: Path) -> None:
    write_process(tmp_path, CALLED, service_task("t.check", "Task_Check"))
    write_process(tmp_path, "caller", call_activity('<camunda:in source="due" target="plannedDate" />'))
    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date}), "unwritten-variable") == []


def test_a_variable_nobody_passes_in_is_still_unwritten_in_the_called_process(tmp_path: Path) -> None:
    write_process(tmp_path, CALLED, service_task("t.check", "Task_Check"))
    write_process(tmp_path, "caller", call_activity('<camunda:in source="due" target="otherName" />'))
    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date}), "unwritten-variable") == [
        (f"{CALLED}.bpmn", "Task_Check")]


def test_a_variable_passed_into_another_process_does_not_count_here(tmp_path: Path) -> None:
    write_process(tmp_path, CALLED, service_task("t.check", "Task_Check"))
    write_process(tmp_path, "caller", call_activity('<camunda:in source="due" target="plannedDate" />',
                                                    called="elsewhere"))
    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date}), "unwritten-variable") == [
        (f"{CALLED}.bpmn", "Task_Check")]


def test_a_variable_the_called_process_returns_counts_as_written_in_the_caller(tmp_path: Path) -> None:
    write_process(tmp_path, "caller", call_activity('<camunda:out source="approvalOutcome" target="outcome" />')
                  + service_task("t.route", "Task_Route"))
    assert found(tmp_path, contract_workers(**{"t.route": reads_outcome}), "unwritten-variable") == []


def test_declared_inputs_count_as_written_in_the_called_process(tmp_path: Path) -> None:
    write_process(tmp_path, CALLED, service_task("t.check", "Task_Check"), declares("plannedDate"))
    assert found(tmp_path, contract_workers(**{"t.check": reads_planned_date}), "unwritten-variable") == []


def test_a_caller_that_does_not_pass_a_declared_input_is_reported(tmp_path: Path) -> None:
    write_process(tmp_path, CALLED, "", declares("approvalStep", "approvalKind"))
    write_process(tmp_path, "caller", call_activity('<camunda:in source="kind" target="approvalKind" />'))
    problems = [p for p in _lint(tmp_path) if p.rule == "call-activity-inputs"]
    assert [(p.file.name, p.element_id) for p in problems] == [("caller.bpmn", "CallActivity_Phase")]
    assert "approvalStep" in problems[0].message and "approvalKind" not in problems[0].message


def test_a_caller_passing_every_declared_input_is_accepted(tmp_path: Path) -> None:
    write_process(tmp_path, CALLED, "", declares("approvalStep"))
    write_process(tmp_path, "caller", call_activity('<camunda:in sourceExpression="${\'x\'}" target="approvalStep" />'))
    assert found(tmp_path, contract_workers(), "call-activity-inputs") == []


def test_all_variables_into_or_out_of_a_called_process_are_refused(tmp_path: Path) -> None:
    write_process(tmp_path, "caller", call_activity('<camunda:in variables="all" />', '<camunda:out variables="all" />'))
    problems = [p for p in _lint(tmp_path) if p.rule == "call-activity-mapping"]
    assert [p.element_id for p in problems] == ["CallActivity_Phase", "CallActivity_Phase"]
    assert 'camunda:in variables="all"' in problems[0].message
    assert 'camunda:out variables="all"' in problems[1].message


def _lint(root: Path) -> list[Problem]:
    return lint_models(root, contract_workers())

