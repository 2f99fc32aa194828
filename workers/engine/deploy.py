"""Deploy bpmn/, dmn/ and forms/ as one deployment, so a changed form never lands without its diagram.

With `deploy-changed-only`, the engine keeps unchanged resources at their version and tells which
definitions are new; a parse error comes back per resource with line and element ids.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from workers.runtime.client import EngineClient, EngineError
from workers.shared.deployment import DEPLOYMENT_NAME, deployment_parts
from workers.shared.organisation.pickers import Options, deployed_options, fill_options, form_bytes, has_pickers

MODEL_FOLDERS = {"bpmn": ".bpmn", "dmn": ".dmn", "forms": ".form"}


@dataclass
class DeploymentResult:
    deployment_id: str | None
    files: list[Path]
    changed_files: list[str] = field(default_factory=list)  # resources in the new deployment
    new_definitions: list[str] = field(default_factory=list)  # "process work-handover v3 (...)", ...

    @property
    def changed(self) -> bool:
        return bool(self.changed_files)


class DeploymentRejected(RuntimeError):
    """The engine refused the models; `problems` are 'file:line element: message' lines for people."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("the engine rejected the deployment:\n" + "\n".join(f"  {p}" for p in problems))


def model_files(root: Path) -> list[Path]:
    return sorted(
        path for folder, suffix in MODEL_FOLDERS.items() for path in (root / folder).glob(f"*{suffix}")
    )


def deploy(client: EngineClient, root: Path, files: list[Path] | None = None, name: str = DEPLOYMENT_NAME,
           options: Options | None = None) -> DeploymentResult:
    """`options`: the people and departments the forms' pickers list (from the organisation
    file); without them, the pickers keep what the deployed forms list now."""
    files = model_files(root) if files is None else files
    if not files:
        return DeploymentResult(None, [])
    if options is None and any(path.suffix == ".form" for path in files):
        options = deployed_options(client)
    parts = deployment_parts([(path.name, _content(path, options)) for path in files], name)
    previous = _latest_deployment_id(client, name)
    try:
        answer = client.request("POST", "/deployment/create", files=parts)
    except EngineError as exc:
        if exc.status == 400 and isinstance(exc.body, dict) and exc.body.get("details"):
            raise DeploymentRejected(_parse_problems(exc.body["details"])) from exc
        raise
    if answer.get("id") == previous:  # duplicate filtering answered with the deployment we had
        return DeploymentResult(previous, files)
    resources = client.request("GET", f"/deployment/{answer['id']}/resources") or []
    return DeploymentResult(answer["id"], files, sorted(r["name"] for r in resources), _new_definitions(answer))


def _content(path: Path, options: Options | None) -> bytes:
    data = path.read_bytes()
    if path.suffix != ".form" or options is None:
        return data
    form = json.loads(data)
    return form_bytes(fill_options(form, options)) if has_pickers(form) else data


def _latest_deployment_id(client: EngineClient, name: str) -> str | None:
    found = client.request(
        "GET", "/deployment", params={"name": name, "sortBy": "deploymentTime", "sortOrder": "desc", "maxResults": 1}
    )
    return found[0]["id"] if found else None


def _new_definitions(answer: dict[str, Any]) -> list[str]:
    found = []
    for key, kind in (
        ("deployedProcessDefinitions", "process"),
        ("deployedDecisionDefinitions", "decision"),
        ("deployedDecisionRequirementsDefinitions", "decision requirements"),
        ("deployedCaseDefinitions", "case"),
    ):
        for definition in (answer.get(key) or {}).values():
            found.append(f"{kind} {definition['key']} v{definition['version']} ({definition.get('resource')})")
    return sorted(found)


def _parse_problems(details: dict[str, Any]) -> list[str]:
    problems = []
    for resource, report in details.items():
        for error in report.get("errors") or []:
            where = f"{resource}:{error.get('line')}" if error.get("line") else resource
            element = error.get("mainElementId") or ", ".join(error.get("elementIds") or [])
            problems.append(f"{where} {element + ': ' if element else ''}{error.get('message')}")
    return problems
