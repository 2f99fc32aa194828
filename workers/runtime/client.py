"""The REST calls the runtime makes, over one keep-alive session, each with a timeout.

Transient failures (connection refused while the engine restarts, 5xx, timeouts) are retried with
jittered exponential backoff; 4xx answers are not, they carry the engine's message instead. A 5xx
that names an engine exception other than optimistic locking (a value too long for its column,
ENGINE-03004/03083 around a SQL error) is the engine refusing what it was given: `EngineRefused`,
not retried here; the runner reports it as a failure so the task's retries end in an incident.

pycamunda is not on this path: it sets no timeouts, and its fetchAndLock neither sends
`includeExtensionProperties` nor keeps `extensionProperties` of the tasks it returns.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from tenacity import (
    Retrying,
    before_sleep_log,
    retry_if_exception,
    stop_after_delay,
    wait_random_exponential,
)

if TYPE_CHECKING:
    from workers.runtime.settings import Settings

log = logging.getLogger(__name__)


class EngineError(RuntimeError):
    """The engine answered with an error a retry will not fix (4xx)."""

    def __init__(self, status: int, method: str, path: str, body: Any) -> None:
        self.status = status
        self.body = body
        message = body.get("message") if isinstance(body, dict) else str(body)[:500]
        super().__init__(f"{method} {path} -> {status}: {message}")

    @property
    def error_type(self) -> str | None:
        return self.body.get("type") if isinstance(self.body, dict) else None


class EngineRefused(EngineError):
    """The engine answered 5xx with an exception of its own that repeating the call will not fix."""

    def __str__(self) -> str:  # the exception's type says more than 7.24's generic persistence message
        return super().__str__().replace(f"{self.status}: ", f"{self.status} {self.error_type}: ", 1)


# 5xx exceptions that a repeat may not meet again: a concurrent change of the same instance.
TRANSIENT_ENGINE_EXCEPTIONS = frozenset({"OptimisticLockingException"})


class EngineUnavailable(RuntimeError):
    """The engine did not answer (connection refused, timeout, 5xx)."""


def explain(exc: BaseException, *, base_url: str, user: str, credentials: str) -> str:
    """A failed engine call as a message for people: what is wrong and what to set.

    `credentials` names the settings that hold `user`'s password, e.g. CROSSDEPT_ENGINE_PASSWORD.
    """
    if isinstance(exc, EngineError):
        if exc.status == 401:
            return f"the engine at {base_url} rejects the credentials of user {user!r}: check {credentials}"
        return str(exc)
    return (f"cannot reach the engine at {base_url} ({exc}): start it (`crossdept engine start`) "
            "or set CROSSDEPT_ENGINE_URL")


def _is_transient(exc: BaseException) -> bool:
    return isinstance(exc, (EngineUnavailable, requests.ConnectionError, requests.Timeout))


@dataclass
class EngineClient:
    base_url: str
    user: str | None = None
    password: str | None = None
    timeout_s: float = 10.0
    retry_for_s: float = 60.0  # give up on transient failures after this long
    pool_size: int = 16

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=self.pool_size)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        if self.user:
            self.session.auth = (self.user, self.password or "")

    # --- plumbing
    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        timeout_s: float | None = None,
        retry_for_s: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """One call, retried while the engine is unavailable. Returns the decoded JSON (or None)."""
        retrying = Retrying(
            retry=retry_if_exception(_is_transient),
            wait=wait_random_exponential(multiplier=0.2, max=5),
            stop=stop_after_delay(self.retry_for_s if retry_for_s is None else retry_for_s),
            before_sleep=before_sleep_log(log, logging.WARNING),
            reraise=True,
        )
        return retrying(self._send, method, path, json, params, timeout_s or self.timeout_s, kwargs)

    def _send(
        self, method: str, path: str, body: Any, params: Any, timeout_s: float, kwargs: dict
    ) -> Any:
        response = self.session.request(
            method, self.base_url + path, json=body, params=params, timeout=timeout_s, **kwargs
        )
        if response.status_code >= 400:
            detail = _detail(response)
            if response.status_code < 500:
                raise EngineError(response.status_code, method, path, detail)
            if _names_lasting_exception(detail):
                raise EngineRefused(response.status_code, method, path, detail)
            raise EngineUnavailable(f"{method} {path} -> {response.status_code}: {response.text[:300]}")
        if response.status_code == 204 or not response.content:
            return None
        return response.json()

    def close(self) -> None:
        self.session.close()

    # --- external tasks
    def fetch_and_lock(
        self,
        worker_id: str,
        max_tasks: int,
        topics: list[dict[str, Any]],
        long_poll_ms: int,
        retry_for_s: float | None = None,
        use_priority: bool = True,
    ) -> list[dict[str, Any]]:
        body = {
            "workerId": worker_id,
            "maxTasks": max_tasks,
            "usePriority": use_priority,
            "asyncResponseTimeout": long_poll_ms,
            "topics": topics,
        }
        # The HTTP timeout must outlast the long poll, or every idle poll would look like a failure.
        timeout = self.timeout_s + long_poll_ms / 1000
        return self.request(
            "POST", "/external-task/fetchAndLock", json=body, timeout_s=timeout, retry_for_s=retry_for_s
        ) or []

    def complete(self, task_id: str, worker_id: str, variables: dict[str, Any]) -> None:
        self.request(
            "POST", f"/external-task/{task_id}/complete", json={"workerId": worker_id, "variables": variables}
        )

    def bpmn_error(
        self, task_id: str, worker_id: str, code: str, message: str, variables: dict[str, Any]
    ) -> None:
        self.request(
            "POST",
            f"/external-task/{task_id}/bpmnError",
            json={"workerId": worker_id, "errorCode": code, "errorMessage": message, "variables": variables},
        )

    def failure(
        self, task_id: str, worker_id: str, message: str, details: str, retries: int, retry_timeout_ms: int
    ) -> None:
        self.request(
            "POST",
            f"/external-task/{task_id}/failure",
            json={
                "workerId": worker_id,
                "errorMessage": message,
                "errorDetails": details,
                "retries": retries,
                "retryTimeout": retry_timeout_ms,
            },
        )

    def extend_lock(self, task_id: str, worker_id: str, new_duration_ms: int) -> None:
        self.request(
            "POST",
            f"/external-task/{task_id}/extendLock",
            json={"workerId": worker_id, "newDuration": new_duration_ms},
        )

    def unlock(self, task_id: str) -> None:
        self.request("POST", f"/external-task/{task_id}/unlock")


def _detail(response: requests.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _names_lasting_exception(detail: Any) -> bool:
    """The engine's own error body (a proxy's 502 page is not one) naming a non-transient exception."""
    kind = detail.get("type") if isinstance(detail, dict) else None
    return bool(kind) and kind not in TRANSIENT_ENGINE_EXCEPTIONS


def client_for(settings: "Settings", *, as_admin: bool = False) -> EngineClient:
    """A client as the workers' technical user, or as the admin (deployment, provisioning).

    Raises `MissingSecret` when the password is neither configured nor generated.
    """
    user, password = settings.admin_credentials() if as_admin else settings.worker_credentials()
    return EngineClient(
        settings.engine_url, user, password, timeout_s=settings.http_timeout_s, pool_size=settings.concurrency + 4
    )
