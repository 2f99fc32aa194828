"""What every `crossdept` subcommand shares: the console and the settings."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import typer
from pydantic import ValidationError
from rich.console import Console

from workers.runtime.settings import Settings

if TYPE_CHECKING:
    from workers.runtime.client import EngineClient

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@lru_cache(maxsize=1)
def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        for error in exc.errors():
            name = "CROSSDEPT_" + "_".join(str(p) for p in error["loc"]).upper()
            err_console.print(f"[red]setting {name}: {error['msg']}[/red]")
        raise typer.Exit(2) from exc


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print a message for people and return the Exit to raise."""
    err_console.print(f"[red]error:[/red] {message}")
    return typer.Exit(code)


def engine_client(settings: Settings, *, as_admin: bool = False) -> "EngineClient":
    """A REST client as the workers' technical user, or as the admin for deployment and set-up."""
    from workers.runtime.client import client_for
    from workers.runtime.settings import MissingSecret

    try:
        return client_for(settings, as_admin=as_admin)
    except MissingSecret as exc:
        raise fail(str(exc)) from exc
