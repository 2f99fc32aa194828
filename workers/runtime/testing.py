"""Run a topic's handler as the worker would, without an engine (compare Temporal's ActivityEnvironment).

    env = HandlerEnvironment(now=datetime(2026, 12, 1, 9, tzinfo=timezone.utc))
    env.engine.answer("GET", "/process-instance", [])
    outcome = env.run("handover.resolve-parties", {"giverId": "yang.fan", ...},
                      properties={"organisationFile": "org/demo-organisation.yaml"})
    assert outcome == BpmnError("HANDOVER_INVALID", ..., {})

The handler gets exactly what the worker would give it: only the variables its input model reads,
encoded as the engine delivers them and decoded by the runtime; its properties validated; a
TaskContext whose engine is `env.engine`, whose `once` is an in-memory store and whose settings are
`env.settings`; and `workers.runtime.clock.now()` pinned to `env.now`. It runs through the worker's
own `run_handler`, so its outcome is what the worker would report, with variables decoded.
"""

from __future__ import annotations

import copy
import tempfile
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Mapping, Union

from workers.runtime import clock
from workers.runtime.execution import Completion, Rejection, run_handler, task_context
from workers.runtime.idempotency import OnceStore, SqliteOnceStore
from workers.runtime.registry import Registry, TopicSpec, default_registry
from workers.runtime.retry_policy import RetryPolicy
from workers.runtime.settings import Settings
from workers.runtime.variables import encode_value, from_camunda


@dataclass(frozen=True)
class Typed:
    """A variable given exactly as the engine sends it, e.g. Typed("Object", "[...]", {...})."""

    type: str
    value: Any
    value_info: dict[str, Any] = field(default_factory=dict)


# --- outcomes, as the engine would receive them, variables decoded ---------------------------------
@dataclass(frozen=True)
class Completed:
    variables: dict[str, Any]


@dataclass(frozen=True)
class BpmnError:
    code: str
    message: str
    variables: dict[str, Any]


@dataclass(frozen=True)
class Failed:
    message: str
    incident: bool  # no retries left: the engine raises an incident
    retries: int
    details: str = field(repr=False)


Outcome = Union[Completed, BpmnError, Failed]


# --- the engine ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, Any] | None
    json: Any


class UnexpectedRequest(AssertionError):
    """The handler asked the fake engine something no test answer covers."""


Answer = Union[Any, Callable[[Request], Any]]


@dataclass
class FakeEngine:
    """Answers `request()` from canned responses keyed by method + path (+ params), and records
    every request. An answer may be a callable taking the Request (to raise an EngineError, say)."""

    requests: list[Request] = field(default_factory=list)
    _answers: dict[tuple[str, str, str | None], Answer] = field(default_factory=dict, init=False, repr=False)

    def answer(self, method: str, path: str, response: Answer, *, params: Mapping[str, Any] | None = None) -> "FakeEngine":
        """Without `params` the answer holds for any parameters; with them, only for exactly those."""
        self._answers[(method.upper(), path, _params_key(params))] = response
        return self

    def request(self, method: str, path: str, *, json: Any = None, params: dict[str, Any] | None = None,
                **_: Any) -> Any:
        request = Request(method.upper(), path, copy.deepcopy(params), copy.deepcopy(json))
        self.requests.append(request)
        for key in ((request.method, path, _params_key(params)), (request.method, path, None)):
            if key in self._answers:
                response = self._answers[key]
                return response(request) if callable(response) else copy.deepcopy(response)
        known = "\n  ".join(f"{m} {p}" + (f" {q}" if q else "") for m, p, q in self._answers) or "(none)"
        raise UnexpectedRequest(f"unexpected engine request {request.method} {path} params={params} "
                                f"json={json}; answered are:\n  {known}")

    def requested(self, method: str, path: str) -> list[Request]:
        return [r for r in self.requests if r.method == method.upper() and r.path == path]


def _params_key(params: Mapping[str, Any] | None) -> str | None:
    return None if params is None else repr(sorted((k, str(v)) for k, v in params.items()))


# --- the environment -------------------------------------------------------------------------------
@dataclass
class HandlerEnvironment:
    engine: FakeEngine = field(default_factory=FakeEngine)
    now: datetime | None = None  # None: the real time, read once per run
    settings: Settings | None = None  # None: defaults, with a throwaway data_dir
    once_store: OnceStore | None = None  # None: in memory, kept across this environment's runs
    registry: Registry = field(default_factory=lambda: default_registry)
    _folder: Any = field(default=None, init=False, repr=False)  # the default settings' data_dir

    def __post_init__(self) -> None:
        if self.settings is None:
            self._folder = tempfile.TemporaryDirectory(prefix="crossdept-harness-")
            self.settings = Settings(worker_id="harness", data_dir=Path(self._folder.name))
        if self.once_store is None:
            self.once_store = SqliteOnceStore(Path(":memory:"))

    def run(
        self,
        topic: str,
        variables: Mapping[str, Any] | None = None,
        *,
        properties: Mapping[str, str] | None = None,
        activity_id: str = "Task_UnderTest",
        process_instance_id: str | None = None,
        business_key: str | None = None,
        retries: int | None = None,
    ) -> Outcome:
        """`retries` is the engine's count for the task: None on the first delivery, 1 on the last retry."""
        spec = self._spec(topic)
        task = {
            "id": f"task-{uuid.uuid4().hex[:8]}", "topicName": topic, "workerId": self.settings.worker_id,
            "processInstanceId": process_instance_id or f"process-{uuid.uuid4().hex[:8]}",
            "processDefinitionKey": None, "businessKey": business_key, "activityId": activity_id,
            "activityInstanceId": f"{activity_id}:1", "retries": retries,
            "variables": _delivered(spec, variables or {}), "extensionProperties": dict(properties or {}),
        }
        context = task_context(task, worker_id=self.settings.worker_id, once_store=self.once_store,
                               settings=self.settings, engine=self.engine)
        with clock.pinned(self.now or clock.now()):
            outcome = run_handler(spec, task, context, RetryPolicy.from_settings(self.settings))
        if isinstance(outcome, Completion):
            return Completed(from_camunda(outcome.variables))
        if isinstance(outcome, Rejection):
            return BpmnError(outcome.code, outcome.message, from_camunda(outcome.variables))
        return Failed(outcome.message, outcome.incident, outcome.retries, outcome.details)

    def _spec(self, topic: str) -> TopicSpec:
        if topic not in self.registry and self.registry is default_registry:
            from workers.catalog import load_registry  # the process modules register their topics on import

            load_registry()
        if topic not in self.registry:
            raise KeyError(f"no worker registered for topic {topic!r}; known: {', '.join(self.registry.names())}")
        return self.registry[topic]


def _delivered(spec: TopicSpec, variables: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """What fetchAndLock would return: the variables the input model reads, Camunda-typed."""
    wanted = set(spec.variable_names)
    return {name: _typed(name, value) for name, value in variables.items() if name in wanted}


def _typed(name: str, value: Any) -> dict[str, Any]:
    if isinstance(value, Typed):
        return {"type": value.type, "value": value.value, "valueInfo": value.value_info}
    return encode_value(name, value)
