"""Property types for `TaskProperties` models: what process owners write in Camunda Modeler.

    class NoticeSettings(TaskProperties):
        time_zone: TimeZone = Field(examples=["Asia/Shanghai"])
        deadline_time: ClockTime = Field(examples=["18:00"])

Each type raises its rule ("not a known time zone (e.g. Asia/Shanghai)"); the runtime adds the
element and the property to it (see workers.runtime.properties).
"""

from __future__ import annotations

from datetime import time, tzinfo
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BeforeValidator, PlainValidator

from workers.runtime.properties import DurationSeconds, PropertyError

__all__ = ["ClockTime", "DurationSeconds", "ElementId", "LocalPath", "TimeZone", "parse_time_zone"]


def parse_time_zone(name: str) -> tzinfo:
    """An IANA zone name ('Asia/Shanghai') -> its zone; the one time-zone parser of the workers."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError, AttributeError):
        raise PropertyError("not a known time zone (e.g. Asia/Shanghai)") from None


def _time_zone(value: Any) -> tzinfo:
    return value if isinstance(value, tzinfo) else parse_time_zone(value)


def _clock_time(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise PropertyError("not a time of day like 18:00") from None


def _element_id(value: Any) -> Any:
    if isinstance(value, str) and not value.strip():
        raise PropertyError("empty: name the BPMN element's id (e.g. Task_FillChecklist)")
    return value.strip() if isinstance(value, str) else value


def _in_working_folder(path: Path) -> Path:
    # Relative to the folder the worker runs in, as `make up` and the docker image start it: the
    # diagrams say org/demo-organisation.yaml, wherever the repository is checked out.
    return path.expanduser().resolve()


TimeZone = Annotated[tzinfo, PlainValidator(_time_zone)]
"""An IANA time zone, e.g. Asia/Shanghai."""

ClockTime = Annotated[time, BeforeValidator(_clock_time)]
"""A time of day, e.g. 18:00."""

ElementId = Annotated[str, BeforeValidator(_element_id)]
"""The id of another element of the same diagram, e.g. Task_FillChecklist."""

LocalPath = Annotated[Path, AfterValidator(_in_working_folder)]
"""A file or folder on the worker's machine; a relative path is taken from the worker's working folder."""
