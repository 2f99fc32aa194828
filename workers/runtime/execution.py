"""One task, from the fetched JSON to the outcome the engine should be told; no reporting.

The worker loop (`runner.Worker`) and the handler harness (`testing.run_topic`) both run handlers
through `run_handler`, so what a test sees is what the engine would be told.
"""

from __future__ import annotations

import traceback
from dataclasses import dataclass
from typing import Any, Union

from pydantic import BaseModel, ValidationError

from workers.runtime.context import TaskContext
from workers.runtime.errors import BusinessRejection, EvidenceMismatch, InvalidInput
from workers.runtime.properties import InvalidProperties, read_properties
from workers.runtime.registry import TopicSpec
from workers.runtime.retry_policy import RetryPolicy
from workers.runtime.variables import from_camunda, to_camunda

INVALID_INPUT = "INVALID_INPUT"  # the BPMN error code for variables that do not fit the input model


@dataclass(frozen=True)
class Completion:
    variables: dict[str, dict[str, Any]]  # Camunda-typed, as sent with `complete`


@dataclass(frozen=True)
class Rejection:
    code: str
    message: str
    variables: dict[str, dict[str, Any]]  # Camunda-typed, as sent with `bpmnError`


@dataclass(frozen=True)
class Failure:
    message: str
    details: str  # the traceback, shown in Cockpit's incident details
    retries: int  # left after this failure; 0 raises an incident
    retry_timeout_ms: int

    @property
    def incident(self) -> bool:
        return self.retries == 0


Outcome = Union[Completion, Rejection, Failure]


def task_context(task: dict[str, Any], *, worker_id: str, once_store: Any, settings: Any, engine: Any) -> TaskContext:
    return TaskContext(
        task_id=task["id"],
        topic=task["topicName"],
        worker_id=worker_id,
        process_instance_id=task["processInstanceId"],
        process_definition_key=task.get("processDefinitionKey"),
        business_key=task.get("businessKey"),
        activity_id=task.get("activityId"),
        activity_instance_id=task.get("activityInstanceId"),
        retries=task.get("retries"),
        extension_properties=dict(task.get("extensionProperties") or {}),
        once_store=once_store,
        settings=settings,
        engine=engine,
    )


def run_handler(spec: TopicSpec, task: dict[str, Any], context: TaskContext, retry_policy: RetryPolicy) -> Outcome:
    """Validate, call, classify: a declared rejection is a BPMN error, invalid variables are one too
    when the topic declares INVALID_INPUT, invalid properties are an incident at once (retrying cannot
    fix a diagram), anything else is a failure retried by the policy."""
    try:
        return Completion(to_camunda(call_handler(spec, task, context)))
    except BusinessRejection as rejection:
        if rejection.code not in spec.errors:
            return failure(spec, task, _UndeclaredError(spec, rejection), retry_policy)
        try:
            return Rejection(rejection.code, str(rejection), to_camunda(rejection.variables))
        except Exception as exc:  # a variable the engine cannot take: the worker's bug, not the user's
            return failure(spec, task, exc, retry_policy)
    except InvalidInput as invalid:
        if INVALID_INPUT in spec.errors:
            return Rejection(INVALID_INPUT, str(invalid), {})
        return failure(spec, task, invalid, retry_policy, retries_left=0)  # retrying cannot fix variables
    except InvalidProperties as invalid:
        return failure(spec, task, invalid, retry_policy, retries_left=0)
    except EvidenceMismatch as mismatch:
        return failure(spec, task, mismatch, retry_policy, retries_left=0)
    except Exception as exc:
        return failure(spec, task, exc, retry_policy)


def call_handler(spec: TopicSpec, task: dict[str, Any], context: TaskContext) -> dict[str, Any]:
    """The handler's output variables; raises InvalidInput or InvalidProperties before calling it."""
    received: dict[str, Any] = {"context": context}
    if spec.input_model is not None:
        received["input"] = _validated_input(spec, task)
    if spec.properties_model is not None:
        received["properties"] = read_properties(spec.properties_model, task.get("extensionProperties"),
                                                 task.get("activityId"))
    result = spec.handler(*(received[role] for role in spec.parameters))
    if result is None:
        return {}
    if isinstance(result, BaseModel):
        return result.model_dump(by_alias=True, exclude_unset=False)
    if isinstance(result, dict):
        return result
    raise TypeError(f"worker for {spec.name} returned {type(result).__name__}; return a pydantic model, a dict or None")


def failure(
    spec: TopicSpec, task: dict[str, Any], exc: BaseException, retry_policy: RetryPolicy, retries_left: int | None = None
) -> Failure:
    decision = retry_policy.next(spec, task)
    message = f"{type(exc).__name__}: {exc}"
    if decision.problem:
        message += f" (and {decision.problem})"
    retries = decision.retries if retries_left is None else retries_left
    return Failure(message, "".join(traceback.format_exception(exc)), retries, decision.retry_timeout_ms)


def _validated_input(spec: TopicSpec, task: dict[str, Any]) -> BaseModel:
    assert spec.input_model is not None
    values = from_camunda(task.get("variables"))
    try:
        return spec.input_model.model_validate(values)
    except ValidationError as exc:
        raise InvalidInput(spec.name, _describe(exc)) from exc


class _UndeclaredError(Exception):
    def __init__(self, spec: TopicSpec, rejection: BusinessRejection) -> None:
        declared = ", ".join(sorted(spec.errors)) or "none"
        super().__init__(
            f"worker raised BPMN error {rejection.code!r} ({rejection}) but declares only [{declared}] in "
            f"@topic({spec.name!r}, errors=...); the diagram may not catch it"
        )


def _describe(exc: ValidationError) -> list[str]:
    return [
        f"variable '{'.'.join(str(p) for p in error['loc'])}': {error['msg']}"
        for error in exc.errors(include_url=False)
    ]
