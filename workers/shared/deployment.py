"""What a deployment of our models is made of, for `crossdept deploy` and for provisioning, which
redeploys the forms whose pickers changed: both must send the same name and source, or the
engine's `deploy-changed-only` would compare them with different predecessors."""

from __future__ import annotations

from typing import Any

from workers.runtime.client import EngineClient

DEPLOYMENT_NAME = "crossdept"
DEPLOYMENT_SOURCE = "crossdept deploy"
PAGE = 100


def deployment_parts(resources: list[tuple[str, bytes]], name: str = DEPLOYMENT_NAME) -> list[tuple[str, Any]]:
    parts: list[tuple[str, Any]] = [
        ("deployment-name", (None, name)),
        ("deployment-source", (None, DEPLOYMENT_SOURCE)),
        ("enable-duplicate-filtering", (None, "true")),
        ("deploy-changed-only", (None, "true")),
    ]
    return parts + [(file_name, (file_name, data, "application/octet-stream")) for file_name, data in resources]


def latest_forms(client: EngineClient, name: str = DEPLOYMENT_NAME) -> dict[str, Any]:
    """The newest deployed version of each form (its JSON), by file name. With
    `deploy-changed-only` a deployment holds only what changed, so the older deployments are read
    too, newest first."""
    found: dict[str, Any] = {}
    first = 0
    while True:
        page = client.request("GET", "/deployment", params={
            "name": name, "sortBy": "deploymentTime", "sortOrder": "desc", "firstResult": first, "maxResults": PAGE,
        }) or []
        for deployment in page:
            for resource in client.request("GET", f"/deployment/{deployment['id']}/resources") or []:
                if resource["name"].endswith(".form") and resource["name"] not in found:
                    found[resource["name"]] = client.request(
                        "GET", f"/deployment/{deployment['id']}/resources/{resource['id']}/data")
        if len(page) < PAGE:
            return found
        first += PAGE

