"""`@topic`: how a function becomes the worker of an external-task topic.

    class ChecklistInput(ProcessVariables):
        checklist: list[ChecklistItem]

    @topic("handover.validate-checklist", errors=["CHECKLIST_INCOMPLETE"])
    def validate_checklist(data: ChecklistInput) -> ChecklistOutput: ...

The input model's fields are the variables fetched (nothing else is), the return value (a model or a
dict, or None) is what the task writes back; a returned model's type, from the return annotation, is
the topic's `output_model`, which `crossdept lint` uses to see what the task writes. A parameter typed
`TaskContext` receives the task's metadata and the idempotency helper. With
`@topic(..., properties=SomeSettings)` (a `TaskProperties` model) a parameter typed `SomeSettings`
receives the task's `camunda:properties`, validated.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import UnionType
from typing import Any, Callable, Iterable, Iterator, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from workers.runtime.properties import TaskProperties

Handler = Callable[..., Any]


class ProcessVariables(BaseModel):
    """Base of every topic's input/output model: Python snake_case, camelCase in the process."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore")


@dataclass(frozen=True)
class TopicSpec:
    name: str
    handler: Handler
    input_model: type[BaseModel] | None
    takes_context: bool
    output_model: Any = None  # the return annotation if it is a model (or a union of models), else None
    errors: frozenset[str] = frozenset()
    retries: int | None = None
    retry_backoff_s: float | None = None
    lock_duration_ms: int | None = None
    properties_model: type[TaskProperties] | None = None
    # What each parameter receives, in signature order: "input", "properties" or "context".
    parameters: tuple[str, ...] = ()

    @property
    def variable_names(self) -> list[str]:
        """Exactly the process variables the handler reads."""
        if self.input_model is None:
            return []
        return [f.alias or name for name, f in self.input_model.model_fields.items()]

    @property
    def output_models(self) -> tuple[type[BaseModel], ...]:
        """Each shape the handler may return (one per alternative of a union)."""
        return _models(self.output_model)

    @property
    def function_name(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


@dataclass
class Registry:
    """Topic name -> spec. The module-level `topic` decorator fills `default_registry`."""

    _topics: dict[str, TopicSpec] = field(default_factory=dict)

    def topic(
        self,
        name: str,
        *,
        errors: Iterable[str] = (),
        retries: int | None = None,
        retry_backoff_s: float | None = None,
        lock_duration_ms: int | None = None,
        properties: type[TaskProperties] | None = None,
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self._topics:
                raise ValueError(
                    f"topic {name!r} is already handled by {self._topics[name].function_name}"
                )
            parameters = _inspect_handler(name, handler, properties)
            input_model = next((m for role, m in parameters if role == "input"), None)
            self._topics[name] = TopicSpec(
                name=name,
                handler=handler,
                input_model=input_model,
                takes_context=any(role == "context" for role, _ in parameters),
                output_model=_output_model(handler),
                errors=frozenset(errors),
                retries=retries,
                retry_backoff_s=retry_backoff_s,
                lock_duration_ms=lock_duration_ms,
                properties_model=properties,
                parameters=tuple(role for role, _ in parameters),
            )
            return handler

        return register

    def __getitem__(self, name: str) -> TopicSpec:
        return self._topics[name]

    def __contains__(self, name: object) -> bool:
        return name in self._topics

    def __iter__(self) -> Iterator[TopicSpec]:
        return iter(self._topics.values())

    def __len__(self) -> int:
        return len(self._topics)

    def names(self) -> list[str]:
        return sorted(self._topics)

    def subset(self, names: Iterable[str]) -> "Registry":
        wanted = list(names)
        unknown = [n for n in wanted if n not in self._topics]
        if unknown:
            raise KeyError(f"no worker registered for topic(s) {', '.join(unknown)}; known: {', '.join(self.names())}")
        return Registry({n: self._topics[n] for n in wanted})


def _inspect_handler(
    name: str, handler: Handler, properties: type[TaskProperties] | None
) -> list[tuple[str, type | None]]:
    """(role, model) per parameter: a TaskProperties model gets the properties, TaskContext the context,
    another pydantic model the variables; so a handler says what it receives by the types alone."""
    from workers.runtime.context import TaskContext  # the context imports nothing from here

    if properties is not None and not (inspect.isclass(properties) and issubclass(properties, TaskProperties)):
        raise TypeError(f"worker for {name!r}: properties= must be a TaskProperties model, got {properties!r}")
    try:
        hints = get_type_hints(handler)
    except NameError as exc:
        raise TypeError(f"worker for {name!r}: cannot resolve a type hint ({exc}); define models at module level") from exc
    roles: list[tuple[str, type | None]] = []
    for param in inspect.signature(handler).parameters.values():
        roles.append(_role(name, param.name, hints.get(param.name), properties, TaskContext))
    taken = [role for role, _ in roles]
    for role in ("input", "properties", "context"):
        if taken.count(role) > 1:
            raise TypeError(f"worker for {name!r}: more than one parameter receives the {role}")
    if properties is not None and "properties" not in taken:
        raise TypeError(f"worker for {name!r}: declares properties={properties.__name__} but no parameter "
                        f"is typed {properties.__name__} to receive them")
    return roles


def _role(name: str, param: str, annotation: Any, properties: type | None, context: type) -> tuple[str, type | None]:
    if annotation is context:
        return "context", None
    if inspect.isclass(annotation) and issubclass(annotation, TaskProperties):
        if annotation is not properties:
            raise TypeError(f"worker for {name!r}: parameter {param!r} is typed {annotation.__name__}, a "
                            f"TaskProperties model; declare it as @topic({name!r}, properties={annotation.__name__})")
        return "properties", annotation
    if inspect.isclass(annotation) and issubclass(annotation, BaseModel):
        return "input", annotation
    raise TypeError(
        f"worker for {name!r}: parameter {param!r} must be typed as a pydantic model (the variables it reads), "
        "a TaskProperties model (its camunda:properties) or TaskContext"
    )


def _output_model(handler: Handler) -> Any:
    """The model(s) a handler declares it returns: the variables it writes (lint checks readers against it)."""
    returned = get_type_hints(handler).get("return")
    return returned if _models(returned) else None


def _models(annotation: Any) -> tuple[type[BaseModel], ...]:
    candidates = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    return tuple(c for c in candidates if inspect.isclass(c) and issubclass(c, BaseModel))


default_registry = Registry()
topic = default_registry.topic
