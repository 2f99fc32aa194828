"""`crossdept`: run the engine, lint and deploy the models, run the workers."""

from __future__ import annotations

import typer

from workers.cli import calendar, engine, lint, models, provision, received, worker

app = typer.Typer(
    help="crossdept: cross-department processes (业务交叉管理) on Camunda 7.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(engine.app, name="engine")
app.add_typer(calendar.app, name="calendar")
app.command("lint")(lint.lint)
app.command("deploy")(models.deploy)
app.command("provision")(provision.provision)
app.command("worker")(worker.worker)
app.command("received")(received.received)
app.command("up")(worker.up)
