"""`@topic`: how a function becomes the worker of an external-task topic.

    class ChecklistInput(ProcessVariables):
        checklist: list[ChecklistItem]

    @topic("handover.validate-checklist", errors=["CHECKLIST_INCOMPLETE"])
    def validate_checklist(data: ChecklistInput) -> ChecklistOutput: ...

The input model's fields are the variables fetched (nothing else is), the return value (a model or a
dict, or None) is what the task writes back; a returned model's type, from the return annotation, is
the topic's `output_model`, which `crossdept lint` uses to see what the task writes. A second parameter typed `TaskContext` receives the task's
metadata and the idempotency helper.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from types import UnionType
from typing import Any, Callable, Iterable, Iterator, Union, get_args, get_origin, get_type_hints

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

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
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            if name in self._topics:
                raise ValueError(
                    f"topic {name!r} is already handled by {self._topics[name].function_name}"
                )
            input_model, takes_context = _inspect_handler(name, handler)
            output_model = _output_model(handler)
            self._topics[name] = TopicSpec(
                name=name,
                handler=handler,
                input_model=input_model,
                takes_context=takes_context,
                output_model=output_model,
                errors=frozenset(errors),
                retries=retries,
                retry_backoff_s=retry_backoff_s,
                lock_duration_ms=lock_duration_ms,
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


def _inspect_handler(name: str, handler: Handler) -> tuple[type[BaseModel] | None, bool]:
    from workers.runtime.context import TaskContext  # the context imports nothing from here

    params = list(inspect.signature(handler).parameters.values())
    try:
        hints = get_type_hints(handler)
    except NameError as exc:
        raise TypeError(f"worker for {name!r}: cannot resolve a type hint ({exc}); define models at module level") from exc
    input_model: type[BaseModel] | None = None
    takes_context = False
    for param in params:
        annotation = hints.get(param.name)
        if annotation is TaskContext:
            takes_context = True
        elif inspect.isclass(annotation) and issubclass(annotation, BaseModel) and input_model is None:
            input_model = annotation
        else:
            raise TypeError(
                f"worker for {name!r}: parameter {param.name!r} must be typed as a pydantic model "
                "(the variables it reads) or TaskContext"
            )
    return input_model, takes_context


def _output_model(handler: Handler) -> Any:
    """The model(s) a handler declares it returns: the variables it writes (lint checks readers against it)."""
    returned = get_type_hints(handler).get("return")
    return returned if _models(returned) else None


def _models(annotation: Any) -> tuple[type[BaseModel], ...]:
    candidates = get_args(annotation) if get_origin(annotation) in (Union, UnionType) else (annotation,)
    return tuple(c for c in candidates if inspect.isclass(c) and issubclass(c, BaseModel))


default_registry = Registry()
topic = default_registry.topic
