"""How a technical failure is retried: defaults, @topic values and the diagram's properties."""

from __future__ import annotations

import pytest

from workers.runtime.registry import Registry
from workers.runtime.retry_policy import PropertyError, RetryPolicy, parse_duration_s

POLICY = RetryPolicy(default_retries=3, default_backoff_s=10, max_backoff_s=60)


def spec(**kwargs: object):
    registry = Registry()
    registry.topic("t.x", **kwargs)(lambda: None)
    return registry["t.x"]


def test_first_failure_reports_all_configured_retries_and_the_first_backoff() -> None:
    decision = POLICY.next(spec(), {"retries": None})
    assert decision.retries == 3 and decision.attempt == 1
    assert 9_000 <= decision.retry_timeout_ms <= 11_000


def test_backoff_doubles_per_attempt_and_is_capped() -> None:
    second = POLICY.next(spec(), {"retries": 3})
    third = POLICY.next(spec(), {"retries": 2})
    fourth = POLICY.next(spec(), {"retries": 1})
    assert second.retries == 2 and 18_000 <= second.retry_timeout_ms <= 22_000
    assert third.retries == 1 and 36_000 <= third.retry_timeout_ms <= 44_000
    assert fourth.retries == 0 and 54_000 <= fourth.retry_timeout_ms <= 66_000  # 80 s capped at 60, +-10% jitter


def test_last_retry_reports_zero_which_raises_an_incident() -> None:
    assert POLICY.next(spec(), {"retries": 1}).retries == 0


def test_topic_values_override_settings_and_diagram_properties_override_both() -> None:
    topic = spec(retries=5, retry_backoff_s=1)
    assert POLICY.next(topic, {"retries": None}).retries == 5
    task = {"retries": None, "extensionProperties": {"retries": "1", "retryBackoff": "PT2M"}}
    decision = POLICY.next(topic, task)
    assert decision.retries == 1 and 54_000 <= decision.retry_timeout_ms <= 66_000


def test_broken_retries_property_goes_straight_to_an_incident_naming_it() -> None:
    decision = POLICY.next(spec(), {"retries": None, "extensionProperties": {"retries": "three"}})
    assert decision.retries == 0
    assert "camunda:property retries='three'" in decision.problem


@pytest.mark.parametrize(("text", "seconds"), [("PT30S", 30), ("PT1M30S", 90), ("P1D", 86400), ("12", 12), ("0.5", 0.5), ("PT0.2S", 0.2)])
def test_durations_are_read_as_iso_8601_or_seconds(text: str, seconds: float) -> None:
    assert parse_duration_s(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["soon", "PT", "P", "30s5"])
def test_unreadable_duration_is_rejected_with_the_expected_format(text: str) -> None:
    with pytest.raises(PropertyError, match="ISO-8601"):
        parse_duration_s(text)
