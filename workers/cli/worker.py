"""`crossdept worker` runs the workers; `crossdept up` runs everything for a newcomer."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import typer

from workers.catalog import load_registry
from workers.cli.common import console, engine_client, fail, load_settings
from workers.runtime.client import EngineClient, EngineError, EngineUnavailable, explain
from workers.runtime.idempotency import OnceStore, OnceStoreUnavailable, once_store_for
from workers.runtime.logs import configure_logging
from workers.runtime.metrics import WorkerMetrics
from workers.runtime.registry import Registry
from workers.runtime.runner import Worker
from workers.runtime.settings import Settings
from workers.processes.sharing_obligation.scheduler import scheduler_for
from workers.runtime.runner import Companion
from workers.shared.notify.watch import WatcherMisconfigured, watcher_for

TOPICS_HELP = "Comma-separated topics to work on (default: every registered worker)."
IMPORT_HELP = "Extra module(s) with @topic workers to load, e.g. mycompany.workers."


def worker(
    topics: str = typer.Option("", "--topics", help=TOPICS_HELP),
    modules: list[str] = typer.Option([], "--import", help=IMPORT_HELP),
) -> None:
    """Run the registered workers until SIGTERM or Ctrl-C; in-flight tasks finish first."""
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    registry = _select(load_registry(modules), topics)
    client = engine_client(settings)
    _check_credentials(client, settings)
    run_worker(settings, registry, client)


def run_worker(settings: Settings, registry: Registry, client: EngineClient) -> None:
    try:
        once_store = once_store_for(settings)
    except OnceStoreUnavailable as exc:
        raise fail(str(exc)) from exc
    runner = Worker(registry, client, settings, once_store, companions=_watchers(settings, client, once_store))
    if settings.metrics_port:
        WorkerMetrics().attach(runner).serve(settings.metrics_port)
    _stop_on_signals(runner)
    console.print(
        f"worker {settings.worker_id}: {len(registry)} topic(s), concurrency {settings.concurrency}, "
        f"engine {settings.engine_url}; Ctrl-C stops after in-flight tasks finish",
        style="dim",
    )
    runner.run()


def _watchers(settings: Settings, client: EngineClient, once_store: OnceStore) -> list[Companion]:
    """The to-do watcher and the sharing obligations' scheduler, unless switched off; a missing grant
    or organisation file stops the start here, rather than leaving everyone without their messages."""
    companions: list[Companion] = []
    try:
        if settings.notify_todos:
            companions.append(watcher_for(settings, client, once_store))
        if settings.schedule_obligations:
            companions.append(scheduler_for(settings, client, once_store))
    except (WatcherMisconfigured, EngineError, EngineUnavailable, OSError, ValueError) as exc:
        raise fail(str(exc)) from exc
    return companions


DEMO_ORGANISATION = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"


def up(
    root: Path = typer.Option(Path("."), help="Project folder holding bpmn/, dmn/ and forms/."),
    organisation: Path = typer.Option(DEMO_ORGANISATION, help="Organisation file to provision."),
) -> None:
    """Start the engine, deploy the models, provision the organisation, start the workers; Ctrl-C stops them all."""
    from workers.cli.engine import start_in_background
    from workers.cli.provision import run_provision
    from workers.engine.deploy import deploy
    from workers.engine.access import ensure_worker_user
    from workers.engine.lifecycle import stop_engine
    from workers.shared.organisation.model import OrganisationError, load_organisation
    from workers.shared.organisation.pickers import organisation_options

    settings = _for_trying_out(load_settings())
    configure_logging(settings.log_level, settings.log_format)
    try:  # before the engine starts: an invalid file is reported with every problem, at once
        # The pickers list the organisation provisioned next, not an empty one until then.
        options = organisation_options(load_organisation(organisation))
    except OrganisationError as exc:
        raise fail(str(exc)) from exc
    started = start_in_background(settings)
    try:
        ensure_worker_user(settings)
        result = deploy(engine_client(settings, as_admin=True), root, options=options)
        console.print(f"models: {len(result.files)} file(s), changed: {', '.join(result.changed_files) or 'none'}")
        run_provision(settings, organisation)
        console.print(f"staff log in to Tasklist at {settings.tasklist_url}")
        if settings.mail_outbox_dir:
            console.print(f"e-mails are written to {settings.mail_outbox_dir} (set CROSSDEPT_SMTP_HOST to send them)")
        registry = load_registry()
        if len(registry):
            run_worker(settings, registry, engine_client(settings))
        else:
            console.print("no workers registered yet; the engine runs until Ctrl-C")
            _wait_for_signal()
    finally:
        if started:
            console.print("stopping the engine ...")
            stop_engine(settings)


def _for_trying_out(settings: Settings) -> Settings:
    """`up` runs everything on this machine: links point at the local Tasklist, and without a
    configured mail server e-mails go to an outbox folder instead of failing into incidents."""
    defaults: dict[str, object] = {}
    if not settings.tasklist_url:
        defaults["tasklist_url"] = f"http://localhost:{settings.engine_port}/camunda/app/tasklist/default/"
    if "smtp_host" not in settings.model_fields_set and settings.mail_outbox_dir is None:
        defaults["mail_outbox_dir"] = settings.data_dir / "outbox"
    return settings.model_copy(update=defaults)


def _select(registry: Registry, topics: str) -> Registry:
    names = [t.strip() for t in topics.split(",") if t.strip()]
    try:
        selected = registry.subset(names) if names else registry
    except KeyError as exc:
        raise fail(str(exc.args[0])) from exc
    if len(selected) == 0:
        raise fail("no workers are registered: add a @topic function under workers/processes/ or use --import")
    return selected


def _check_credentials(client: EngineClient, settings: Settings) -> None:
    try:
        client.request("GET", "/external-task/count", retry_for_s=30)
    except (EngineError, EngineUnavailable, OSError) as exc:
        raise fail(explain(exc, base_url=settings.engine_url, user=settings.engine_user, credentials=(
            "CROSSDEPT_ENGINE_USER and CROSSDEPT_ENGINE_PASSWORD (or run `crossdept engine start`, "
            "which creates that user)"))) from exc


def _stop_on_signals(runner: Worker) -> None:
    def handle(signum: int, _frame: object) -> None:
        console.print(f"{signal.Signals(signum).name}: finishing {runner.in_flight} task(s) in flight ...")
        runner.stop()

    signal.signal(signal.SIGTERM, handle)
    signal.signal(signal.SIGINT, handle)


def _wait_for_signal() -> None:
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    signal.signal(signal.SIGINT, lambda *_: stopped.set())
    stopped.wait()
