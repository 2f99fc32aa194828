"""`crossdept deploy`."""

from __future__ import annotations

from pathlib import Path

import typer

from workers.cli.common import console, engine_client, fail, load_settings
from workers.runtime.client import EngineError, EngineUnavailable
from workers.engine.deploy import DeploymentRejected, deploy as deploy_models
from workers.shared.organisation.model import OrganisationError, load_organisation
from workers.shared.organisation.pickers import PickerError, organisation_options


def deploy(
    root: Path = typer.Option(Path("."), help="Project folder holding bpmn/, dmn/ and forms/."),
    organisation: Path | None = typer.Option(
        None, help="Organisation file whose people and departments the forms' pickers list; "
                   "by default they keep what is deployed (provisioning updates them)."),
) -> None:
    """Deploy bpmn/, dmn/ and forms/ together; only changed files make a new version."""
    settings = load_settings()
    try:
        options = organisation_options(load_organisation(organisation)) if organisation else None
    except OrganisationError as exc:
        raise fail(str(exc)) from exc
    client = engine_client(settings, as_admin=True)
    try:
        result = deploy_models(client, root, options=options)
    except (DeploymentRejected, PickerError) as exc:
        raise fail(str(exc)) from exc
    except (EngineError, EngineUnavailable) as exc:
        raise fail(f"deployment failed: {exc}") from exc
    if not result.files:
        console.print(f"nothing to deploy: no models under {root.resolve()}/(bpmn|dmn|forms)")
    elif not result.changed:
        console.print(f"{len(result.files)} models, none changed since the last deployment")
    else:
        console.print(f"deployed {result.deployment_id}: changed {', '.join(result.changed_files)}")
        for definition in result.new_definitions:
            console.print(f"  new {definition}")
