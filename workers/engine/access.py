"""The workers' technical user and its least-privilege grants: the runtime's needs plus what each
process package declares in `WORKER_PERMISSIONS` (see `workers.catalog.worker_permissions`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests

from workers.catalog import worker_permissions
from workers.runtime.permissions import resource_of
from workers.engine import EngineSetupError
from workers.runtime.client import EngineClient, EngineError, EngineUnavailable, explain
from workers.runtime.settings import MissingSecret, Settings

GRANT = 1
# The engine exempts the workers' user from login throttling (engine/.../identity), so nothing but
# its password's length stands against guessing it; generated ones have 32 characters.
MIN_WORKER_PASSWORD_LENGTH = 20


@dataclass(frozen=True)
class WorkerAccess:
    user_created: bool
    password_updated: bool
    authorizations_created: int
    authorizations_changed: int = 0  # an existing grant brought to what is declared (wider or narrower)


class _Admin:
    """The engine's REST API as the admin, with errors for people (what is wrong, what to set)."""

    def __init__(self, settings: Settings, base_url: str) -> None:
        try:
            self.user, self.password = settings.admin_credentials()
        except MissingSecret as exc:
            raise EngineSetupError(str(exc)) from exc
        self.client = EngineClient(base_url, self.user, self.password, timeout_s=settings.http_timeout_s,
                                   retry_for_s=0)

    def call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            return self.client.request(method, path, **kwargs)
        except (EngineError, EngineUnavailable, requests.RequestException) as exc:
            raise EngineSetupError(explain(exc, base_url=self.client.base_url, user=self.user,
                                           credentials="CROSSDEPT_ADMIN_USER / CROSSDEPT_ADMIN_PASSWORD")) from exc

    def exists(self, path: str) -> bool:
        try:
            self.call("GET", path)
            return True
        except EngineSetupError as exc:
            if isinstance(exc.__cause__, EngineError) and exc.__cause__.status == 404:
                return False
            raise

    def close(self) -> None:
        self.client.close()


def ensure_worker_user(settings: Settings, base_url: str | None = None) -> WorkerAccess:
    """Create the workers' user and its least-privilege grants; safe to run again."""
    admin = _Admin(settings, base_url or settings.engine_url)
    try:
        return _ensure(admin, settings)
    finally:
        admin.close()


def _ensure(admin: _Admin, settings: Settings) -> WorkerAccess:
    try:
        user, password = settings.worker_credentials()
    except MissingSecret as exc:
        raise EngineSetupError(str(exc)) from exc
    if len(password) < MIN_WORKER_PASSWORD_LENGTH:
        raise EngineSetupError(
            f"CROSSDEPT_ENGINE_PASSWORD must have at least {MIN_WORKER_PASSWORD_LENGTH} characters "
            f"(it has {len(password)}): the engine never locks the workers' user {user!r} after wrong "
            "passwords, so only a long password stands against guessing. Leave it unset to have one generated"
        )

    user_created = password_updated = False
    if not admin.exists(f"/user/{user}/profile"):
        profile = {"id": user, "firstName": "crossdept", "lastName": "worker"}
        admin.call("POST", "/user/create", json={"profile": profile, "credentials": {"password": password}})
        user_created = True
    else:
        verified = admin.call("POST", "/identity/verify", json={"username": user, "password": password})
        if not (verified or {}).get("authenticated"):
            # The configured (or generated) password is authoritative: bring the engine in line.
            credentials = {"password": password, "authenticatedUserPassword": admin.password}
            admin.call("PUT", f"/user/{user}/credentials", json=credentials)
            # Failed logins (workers with the old password, the check above) lock the user for
            # a growing delay, and for good after 10 attempts.
            admin.call("POST", f"/user/{user}/unlock")
            password_updated = True

    created = changed = 0
    for target, permissions in worker_permissions().items():
        resource_type, resource_id = resource_of(target)
        outcome = _grant_exactly(admin, user, resource_type, resource_id, permissions)
        created += outcome == "created"
        changed += outcome == "changed"
    return WorkerAccess(user_created, password_updated, created, changed)


def _grant_exactly(admin: _Admin, user: str, resource_type: int, resource_id: str,
                   permissions: tuple[str, ...]) -> str | None:
    """The user's grant on the resource (every resource of the type for "*") holds exactly `permissions`: a grant wider
    than declared (e.g. TASK UPDATE from an older release, which lets the user complete any user
    task) is narrowed, not only widened. Returns "created", "changed" or None (already exact)."""
    query = {"userIdIn": user, "resourceType": int(resource_type), "resourceId": resource_id, "type": GRANT}
    existing = admin.call("GET", "/authorization", params=query) or []
    body = {"type": GRANT, "permissions": list(permissions), "userId": user,
            "groupId": None, "resourceType": int(resource_type), "resourceId": resource_id}
    if not existing:
        admin.call("POST", "/authorization/create", json=body)
        return "created"
    if set(existing[0]["permissions"]) == set(permissions):
        return None
    admin.call("PUT", f"/authorization/{existing[0]['id']}", json=body)
    return "changed"
