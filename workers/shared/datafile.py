"""Files an administrator maintains (the organisation, the company calendar): YAML read into a pydantic
model, every problem reported at once as `<path>: <rule>`, e.g. `years.2027.holidays[3]: ... is not a date`."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)


class DataFileError(ValueError):
    """A data file is invalid; `problems` lists every `<path>: <rule>` found."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        count = f"{len(problems)} problem{'s' if len(problems) != 1 else ''}"
        super().__init__(f"{source}: {count}:\n" + "\n".join(f"  - {p}" for p in problems))


def read_yaml(path: Path | str, error: type[DataFileError], loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> Any:
    """The file's YAML data; an unreadable file or bad YAML is `error` naming the line and column."""
    path = Path(path)
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)  # noqa: S506 (always a SafeLoader)
    except OSError as exc:
        raise error(str(path), [f"cannot read the file: {exc.strerror}"]) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise error(str(path), [f"{where}not valid YAML: {getattr(exc, 'problem', exc)}"]) from exc


def validate(model: type[M], data: Any, source: str, error: type[DataFileError], *, fields_hint: str = "",
             key_rule: str = "is not a valid key") -> M:
    """`data` as `model`, or `error` with one `<path>: <rule>` line per problem."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise error(source, [describe(problem, fields_hint, key_rule) for problem in exc.errors()]) from exc


def describe(problem: Any, fields_hint: str = "", key_rule: str = "is not a valid key") -> str:
    """A pydantic error as `<path>: <rule>`. `fields_hint` (e.g. "use complete, holidays or working_days")
    is added to an unknown field's message, `key_rule` says what a mapping's keys must be."""
    location = list(problem["loc"])
    if location[-1:] == ["[key]"]:
        return f"{yaml_path(location[:-1])}: {key_rule}"
    path = yaml_path(location)
    if problem["type"] == "missing":
        return f"{path}: is required"
    if problem["type"] == "extra_forbidden":
        return f"{path}: is not a known field" + (f" ({fields_hint})" if fields_hint else "")
    return f"{path}: {problem['msg']}"


def yaml_path(location: list[Any] | tuple[Any, ...]) -> str:
    """("departments", 3, "head") → "departments[3].head"."""
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "(top level)"
