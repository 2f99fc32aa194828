"""How often and how late a technical failure is retried before it becomes an incident.

Precedence: the service task's `camunda:properties` in the diagram (so a process owner can tune it in
Modeler), then `@topic(retries=..., retry_backoff_s=...)`, then the settings.

    <camunda:properties>
      <camunda:property name="retries" value="5" />
      <camunda:property name="retryBackoff" value="PT30S" />   <!-- or seconds: "30" -->
    </camunda:properties>

The first retry waits `retryBackoff`, each next one twice as long, capped, with a little jitter.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass
from typing import Any

from workers.runtime.registry import TopicSpec
from workers.runtime.settings import Settings

RETRIES_PROPERTY = "retries"
BACKOFF_PROPERTY = "retryBackoff"

_ISO_DURATION = re.compile(
    r"^P(?:(?P<days>\d+(?:\.\d+)?)D)?(?:T(?:(?P<hours>\d+(?:\.\d+)?)H)?(?:(?P<minutes>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<seconds>\d+(?:\.\d+)?)S)?)?$"
)


class PropertyError(ValueError):
    """A `camunda:property` with a value we cannot read; names the property and the rule."""


def parse_duration_s(text: str) -> float:
    """'PT30S', 'PT1M30S', 'P1D' or plain seconds ('30', '0.5') -> seconds."""
    text = text.strip()
    try:
        return float(text)
    except ValueError:
        pass
    match = _ISO_DURATION.match(text.upper())
    if not match or text.upper() in ("P", "PT"):
        raise PropertyError(f"{text!r} is not a duration: use ISO-8601 like PT30S or PT5M, or seconds")
    parts = {k: float(v) for k, v in match.groupdict().items() if v}
    return parts.get("days", 0) * 86400 + parts.get("hours", 0) * 3600 + parts.get("minutes", 0) * 60 + parts.get("seconds", 0)


@dataclass(frozen=True)
class RetryDecision:
    retries: int  # what to report to the engine; 0 raises an incident
    retry_timeout_ms: int
    attempt: int  # 1 for the first failure
    problem: str | None = None  # a broken retry property, reported with the failure


@dataclass(frozen=True)
class RetryPolicy:
    default_retries: int
    default_backoff_s: float
    max_backoff_s: float

    @classmethod
    def from_settings(cls, settings: Settings) -> "RetryPolicy":
        return cls(settings.retries, settings.retry_backoff_s, settings.retry_backoff_max_s)

    def configured(self, spec: TopicSpec, properties: dict[str, str]) -> tuple[int, float]:
        retries = self.default_retries if spec.retries is None else spec.retries
        backoff = self.default_backoff_s if spec.retry_backoff_s is None else spec.retry_backoff_s
        if RETRIES_PROPERTY in properties:
            raw = properties[RETRIES_PROPERTY]
            if not raw.strip().isdigit():
                raise PropertyError(f"camunda:property {RETRIES_PROPERTY}={raw!r}: must be a whole number >= 0")
            retries = int(raw)
        if BACKOFF_PROPERTY in properties:
            try:
                backoff = parse_duration_s(properties[BACKOFF_PROPERTY])
            except PropertyError as exc:
                raise PropertyError(f"camunda:property {BACKOFF_PROPERTY}: {exc}") from None
        return retries, backoff

    def next(self, spec: TopicSpec, task: dict[str, Any]) -> RetryDecision:
        """The engine's `retries` is None until the first failure is reported, then counts down."""
        problem = None
        try:
            retries, backoff = self.configured(spec, dict(task.get("extensionProperties") or {}))
        except PropertyError as exc:
            # Straight to an incident that names both the failure and the property to fix.
            retries, backoff, problem = 0, 0.0, str(exc)
        remaining = retries if task.get("retries") is None else max(task["retries"] - 1, 0)
        attempt = retries - remaining + 1
        delay = min(self.max_backoff_s, backoff * 2 ** max(attempt - 1, 0))
        delay *= random.uniform(0.9, 1.1) if delay else 1
        return RetryDecision(remaining, int(delay * 1000), attempt, problem)
