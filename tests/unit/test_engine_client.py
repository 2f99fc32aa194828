"""Which engine answers the client retries and which it raises at once (the session's answers faked)."""

from __future__ import annotations

import json

import pytest
import requests
from pytest_mock import MockerFixture

from workers.runtime.client import EngineClient, EngineRefused, EngineUnavailable

TOO_LONG = {"type": "ProcessEngineException",
            "message": "ENGINE-03004 Exception while executing Database Operation 'INSERT VariableInstanceEntity': "
                       "Value too long for column \"TEXT_ CHARACTER VARYING(4000)\""}


def answer(status: int, body: object) -> requests.Response:
    response = requests.Response()
    response.status_code = status
    response._content = (json.dumps(body) if not isinstance(body, str) else body).encode()
    return response


def test_a_500_naming_a_persistence_exception_is_refused_at_once_with_the_engines_message(
        mocker: MockerFixture) -> None:
    client = EngineClient("http://engine.test/engine-rest", retry_for_s=30)
    sent = mocker.patch.object(client.session, "request", return_value=answer(500, TOO_LONG))
    with pytest.raises(EngineRefused, match="Value too long for column"):
        client.complete("t1", "w1", {})
    assert sent.call_count == 1, "a refusal is not repeated by the client"


@pytest.mark.parametrize("status, body", [(500, {"type": "OptimisticLockingException", "message": "x"}),
                                          (502, "<html>Bad gateway</html>")])
def test_optimistic_locking_and_a_5xx_without_the_engines_body_stay_transient(
        mocker: MockerFixture, status: int, body: object) -> None:
    client = EngineClient("http://engine.test/engine-rest", retry_for_s=0)
    mocker.patch.object(client.session, "request", return_value=answer(status, body))
    with pytest.raises(EngineUnavailable):
        client.complete("t1", "w1", {})
