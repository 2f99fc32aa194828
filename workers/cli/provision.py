"""`crossdept provision ORG.yaml`: sync the organisation file into the engine."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.markup import escape
from rich.table import Table

from workers.cli.common import console, engine_client, err_console, fail, load_settings
from workers.shared.organisation.model import OrganisationError, load_organisation
from workers.shared.organisation.provision import (
    KINDS, ProvisionError, ProvisionReport, keep_initial_passwords, provision as sync,
)
from workers.runtime.client import EngineError, EngineUnavailable
from workers.runtime.settings import Settings, generate_password


def provision(
    path: Path = typer.Argument(..., help="Organisation file, e.g. org/demo-organisation.yaml."),
    initial_password: str | None = typer.Option(
        None, help="One initial password for every new user; by default each gets a generated one."
    ),
) -> None:
    """Create or update users, department and role groups, memberships, permissions and Tasklist
    filters from the organisation file. Safe to run again: only differences are written."""
    run_provision(load_settings(), path, initial_password)


def run_provision(settings: Settings, path: Path, initial_password: str | None = None) -> None:
    if initial_password is None and settings.staff_initial_password is not None:
        initial_password = settings.staff_initial_password.get_secret_value()
    try:
        org = load_organisation(path)
    except OrganisationError as exc:
        # soft_wrap: a problem's YAML path must stay on one line, whatever the terminal width.
        err_console.print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc

    client = engine_client(settings, as_admin=True)
    generated: dict[str, str] = {}

    def password_for(user_id: str) -> str:
        generated[user_id] = initial_password or generate_password(16)
        return generated[user_id]

    started = time.monotonic()
    try:
        report = sync(client, org, initial_password=password_for,
                      protected_users=(settings.admin_user, settings.engine_user))
    except ProvisionError as exc:
        raise fail(str(exc)) from exc
    except (EngineError, EngineUnavailable) as exc:
        raise fail(f"provisioning stopped half-way (run it again once fixed): {exc}") from exc
    finally:
        client.close()
    elapsed = time.monotonic() - started

    _print_report(report, elapsed)
    if generated and not initial_password:
        _hand_out_passwords(generated, settings.secrets_dir)


def _print_report(report: ProvisionReport, elapsed_s: float) -> None:
    table = Table(title="crossdept provision", title_justify="left")
    for column in ("", "created", "updated", "removed"):
        table.add_column(column, justify="left" if not column else "right")
    for kind in KINDS:
        counts = report.counts[kind]
        table.add_row(kind, str(counts.created), str(counts.updated), str(counts.removed))
    console.print(table)
    verdict = "engine updated" if report.changed else "engine already up to date, nothing changed"
    console.print(f"{verdict} in {elapsed_s:.1f} s")
    for user_id in report.removed_users:
        console.print(f"[yellow]removed user {user_id}[/yellow] (no longer in the organisation file)")
    for user_id, groups in report.kept_users.items():
        console.print(f"[yellow]kept user {user_id}[/yellow]: not in the file, but member of {', '.join(groups)}")
    if report.open_tasks:
        console.print("[yellow]open tasks of removed people: reassign them in Tasklist or Cockpit[/yellow]")
        for task in report.open_tasks:
            console.print(f"  {task.user_id} ({task.relation}): task {task.task_id} "
                          f"{escape(task.name or '')} in process instance {task.process_instance_id}",
                          soft_wrap=True)


def _hand_out_passwords(passwords: dict[str, str], secrets_dir: Path) -> None:
    """Keep the generated passwords in a private file for the operator to hand out; never print them
    (a terminal's output ends up in logs)."""
    path = keep_initial_passwords(secrets_dir, passwords)
    console.print(f"{len(passwords)} new user(s): {', '.join(passwords)}; their initial passwords are in "
                  f"{path} (mode 0600). Hand each person theirs; they should change it at first login "
                  "(Tasklist: the user menu at the top right → 个人资料 / My profile, which opens their profile with its password change).", soft_wrap=True)
