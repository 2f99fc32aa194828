"""Per-task settings from the diagram: a service task's `camunda:properties`, typed.

    class NoticeSettings(TaskProperties):
        time_zone: TimeZone                      # camunda:property timeZone
        deadline_time: ClockTime = Field(examples=["18:00"])

    @topic("handover.check-notice", properties=NoticeSettings)
    def check_notice(check: NoticeCheck, settings: NoticeSettings) -> dict: ...

The engine delivers them as strings with the fetched task (`extensionProperties`). They are the
process owner's to set in Camunda Modeler, so a wrong or missing one is an incident naming the
element, the property and the rule: retrying cannot fix a diagram, redeploying it can.
Reusable property types (time zone, clock time, file path) are in `workers.shared.properties`;
the duration type is here because the retry policy reads `retryBackoff` with it.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Mapping, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, ValidationError
from pydantic.alias_generators import to_camel

P = TypeVar("P", bound="TaskProperties")

_ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class TaskProperties(BaseModel):
    """Base of a topic's properties model: snake_case here, camelCase in the diagram.

    Properties the model does not name are ignored: the retry policy reads `retries` and
    `retryBackoff` from the same task.
    """

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="ignore", frozen=True)


class PropertyError(ValueError):
    """A property value that breaks its type's rule; the message is the rule, e.g. 'not a duration: ...'."""


class InvalidProperties(Exception):
    """The task's properties do not fit the topic's properties model; names element, property and rule."""

    def __init__(self, activity_id: str | None, problems: list[str]) -> None:
        self.activity_id = activity_id
        self.problems = problems
        where = activity_id or "the service task"
        them = "it" if len(problems) == 1 else "them"
        super().__init__(f"{where}: {'; '.join(problems)}: set {them} on this task in Camunda Modeler")


def read_properties(model: type[P], properties: Mapping[str, str] | None, activity_id: str | None) -> P:
    try:
        return model.model_validate(dict(properties or {}))
    except ValidationError as exc:
        raise InvalidProperties(activity_id, _describe(model, exc)) from None


def _describe(model: type[TaskProperties], exc: ValidationError) -> list[str]:
    examples = {(f.alias or name): f.examples for name, f in model.model_fields.items()}
    problems = []
    for error in exc.errors(include_url=False):
        name = ".".join(str(part) for part in error["loc"])
        if error["type"] == "missing":
            example = examples.get(name)
            problems.append(f"camunda:property {name} is missing" + (f" (e.g. {example[0]})" if example else ""))
            continue
        # Our own types raise the rule itself; pydantic's own messages ("Input should be ...") read as rules too.
        rule = str(error["ctx"]["error"]) if error["type"] == "value_error" else error["msg"]
        problems.append(f"camunda:property {name}={error['input']!r}: {rule}")
    return problems


def parse_duration_s(text: str) -> float:
    """'PT30S', 'PT1M30S', 'P1D' or plain seconds ('30', '0.5') -> seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    match = _ISO_DURATION.match(text.upper())
    if not match or text.upper() in ("P", "PT"):
        raise PropertyError("not a duration: use ISO-8601 like PT30S or PT5M, or seconds")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return parts.get("days", 0) * 86400 + parts.get("hours", 0) * 3600 + parts.get("minutes", 0) * 60 + parts.get("seconds", 0)


def _whole_number(value: Any) -> Any:
    if isinstance(value, str) and not value.strip().isdigit():
        raise PropertyError("must be a whole number >= 0")
    return value


def _duration(value: Any) -> Any:
    return parse_duration_s(value) if isinstance(value, str) else value


DurationSeconds = Annotated[float, BeforeValidator(_duration)]
"""An ISO-8601 duration (`PT30S`, `PT5M`, `P1D`) or plain seconds, read as seconds."""

WholeNumber = Annotated[int, BeforeValidator(_whole_number)]
