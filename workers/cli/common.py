"""What every `crossdept` subcommand shares: the console and the settings."""

from __future__ import annotations

from functools import lru_cache

import typer
from pydantic import ValidationError
from rich.console import Console

from workers.runtime.settings import Settings

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
