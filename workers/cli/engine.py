"""`crossdept engine ...`: build, start, stop and inspect the Camunda engine we run ourselves."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn

from workers.cli.common import console, err_console, fail, load_settings
from workers.runtime.settings import MissingSecret, Settings
from workers.engine import lifecycle
from workers.engine import EngineSetupError
from workers.engine.access import ensure_worker_user
from workers.engine.lifecycle import ProgressCallback

app = typer.Typer(
    help="Run the Camunda 7.24 engine locally (built from engine/, data in CROSSDEPT_DATA_DIR).",
    no_args_is_help=True,
)


@contextmanager
def _spinner(initial: str) -> Iterator[ProgressCallback]:
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), console=err_console,
                  transient=True) as progress:
        task = progress.add_task(initial)
        yield lambda text: progress.update(task, description=text)


@app.command()
def build() -> None:
    """Build the engine jar with Maven (skipped when it is up to date)."""
    settings = load_settings()
    try:
        lifecycle.check_prerequisites(maven=True)
        with _spinner("checking the engine jar") as update:
            jar = lifecycle.build_engine(settings, update)
    except EngineSetupError as err:
        raise fail(str(err)) from err
    console.print(f"engine jar: {jar}")


@app.command()
def start(
    foreground: bool = typer.Option(
        False, "--foreground/--background", help="Stay attached (Ctrl-C stops the engine)."
    ),
    timeout: int = typer.Option(180, help="Seconds to wait for the REST API."),
) -> None:
    """Start the engine, wait until its REST API answers, and set up the workers' user."""
    settings = load_settings()
    info = _start(settings, foreground=foreground, timeout_s=timeout)
    if not foreground or info.process is None:
        return

    console.print("[dim]following the log; Ctrl-C stops the engine[/dim]")
    process = info.process
    try:
        for line in lifecycle.follow_log(info.log_path, stop=lambda: process.poll() is not None):
            console.out(line, highlight=False)
    except KeyboardInterrupt:
        with _spinner("stopping the engine"):
            lifecycle.stop_engine(settings)
        return
    raise fail(f"the engine exited with code {process.returncode}; see {info.log_path}")


def _start(settings: Settings, *, foreground: bool = False, timeout_s: float = 180) -> lifecycle.EngineInfo:
    """Start with a spinner, then print the URLs, the users, and where their passwords are kept
    (never the passwords: a terminal's output ends up in logs)."""
    try:
        with _spinner("preparing") as update:
            info = lifecycle.start_engine(
                settings, foreground=foreground, timeout_s=timeout_s, progress_callback=update
            )
    except (EngineSetupError, MissingSecret) as err:
        raise fail(str(err)) from err

    console.print(f"[green]engine running[/green] (pid {info.pid})")
    console.print(f"  Tasklist  {info.tasklist_url}")
    console.print(f"  Cockpit   {info.cockpit_url}")
    console.print(f"  Admin     {info.admin_url}")
    console.print(f"  REST      {info.rest_url}")
    console.print(f"  log       {info.log_path}")
    console.print(f"  admin user: {settings.admin_user}   workers' user: {settings.engine_user}")
    for name, user, explicit in (("admin-password", settings.admin_user, settings.admin_password),
                                 ("engine-password", settings.engine_user, settings.engine_password)):
        where = "as configured in the environment" if explicit is not None else f"in {settings.secrets_dir / name} (mode 0600)"
        new = "new " if name in info.new_secrets else ""
        console.print(f"  {new}password of {user}: {where}", soft_wrap=True)
    return info


def start_in_background(settings: Settings) -> bool:
    """Start the engine unless one already answers on the port; True when this call started it."""
    state = lifecycle.engine_status(settings)
    if state.running or state.rest_answering:
        console.print(f"engine already running at {state.rest_url}", style="dim")
        return False
    _start(settings)
    return True


@app.command()
def stop(timeout: int = typer.Option(60, help="Seconds before the engine is killed.")) -> None:
    """Stop the engine started by `crossdept engine start`."""
    settings = load_settings()
    with _spinner("stopping the engine"):
        stopped = lifecycle.stop_engine(settings, timeout_s=timeout)
    console.print("engine stopped" if stopped else "the engine was not running")


@app.command()
def status() -> None:
    """Show whether the engine runs and answers (exit code 1 when it does not run)."""
    settings = load_settings()
    state = lifecycle.engine_status(settings)
    if state.running:
        answering = "answering" if state.rest_answering else "[yellow]not answering (yet)[/yellow]"
        console.print(f"[green]running[/green] (pid {state.pid}), REST {state.rest_url} {answering}")
    elif state.rest_answering:
        console.print(
            f"[yellow]not started by crossdept[/yellow], but an engine answers at {state.rest_url}"
        )
    else:
        console.print("stopped")
    console.print(f"log: {state.log_path}")
    if not state.running:
        raise typer.Exit(1)


@app.command()
def logs(
    follow: bool = typer.Option(False, "--follow", "-f", help="Keep printing new lines."),
    lines: int = typer.Option(50, "--lines", "-n", min=0, help="How many last lines to show."),
) -> None:
    """Show the engine's log."""
    path = lifecycle.log_path(load_settings())
    if not path.exists():
        raise fail(f"no engine log yet at {path}: `crossdept engine start` creates it")
    for line in lifecycle.tail_log(path, lines):
        console.out(line, highlight=False)
    if follow:
        try:
            for line in lifecycle.follow_log(path):
                console.out(line, highlight=False)
        except KeyboardInterrupt:
            pass


@app.command("worker-user")
def worker_user() -> None:
    """Create the workers' user and its authorizations on CROSSDEPT_ENGINE_URL (idempotent).

    `start` does this for the local engine; use it for an engine started otherwise (Docker).
    """
    settings = load_settings()
    try:
        access = ensure_worker_user(settings)
    except EngineSetupError as err:
        raise fail(str(err)) from err
    user = settings.engine_user
    console.print(f"user {user}: " + ("created" if access.user_created else "exists")
                  + (", password updated" if access.password_updated else "")
                  + f"; {access.authorizations_created} authorizations created"
                  + f", {access.authorizations_changed} brought to what is declared")
