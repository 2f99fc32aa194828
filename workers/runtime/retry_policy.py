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
from dataclasses import dataclass
from typing import Any

from workers.runtime.properties import (  # PropertyError and parse_duration_s: re-exported for callers
    DurationSeconds,
    InvalidProperties,
    PropertyError,
    TaskProperties,
    WholeNumber,
    parse_duration_s,
    read_properties,
)
from workers.runtime.registry import TopicSpec
from workers.runtime.settings import Settings

__all__ = ["PropertyError", "RetryDecision", "RetryPolicy", "RetryProperties", "parse_duration_s"]


class RetryProperties(TaskProperties):
    """Both optional: absent, the topic's or the settings' values apply."""

    retries: WholeNumber | None = None
    retry_backoff: DurationSeconds | None = None


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

    def configured(self, spec: TopicSpec, task: dict[str, Any]) -> tuple[int, float]:
        """Raises InvalidProperties naming the element and the property when one is unreadable."""
        found = read_properties(RetryProperties, task.get("extensionProperties"), task.get("activityId"))
        retries = _first(found.retries, spec.retries, self.default_retries)
        backoff = _first(found.retry_backoff, spec.retry_backoff_s, self.default_backoff_s)
        return int(retries), float(backoff)

    def next(self, spec: TopicSpec, task: dict[str, Any]) -> RetryDecision:
        """The engine's `retries` is None until the first failure is reported, then counts down."""
        problem = None
        try:
            retries, backoff = self.configured(spec, task)
        except InvalidProperties as exc:
            # Straight to an incident that names both the failure and the property to fix.
            retries, backoff, problem = 0, 0.0, str(exc)
        remaining = retries if task.get("retries") is None else max(task["retries"] - 1, 0)
        attempt = retries - remaining + 1
        delay = min(self.max_backoff_s, backoff * 2 ** max(attempt - 1, 0))
        delay *= random.uniform(0.9, 1.1) if delay else 1
        return RetryDecision(remaining, int(delay * 1000), attempt, problem)


def _first(*values: float | None) -> float:
    return next(value for value in values if value is not None)
