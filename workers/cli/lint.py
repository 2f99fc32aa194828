"""`crossdept lint`: check the models against each other and the registered workers, offline."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from pathlib import Path

import typer
from rich.markup import escape

from workers.catalog import load_registry
from workers.cli.common import console, fail
from workers.engine.calendar_lint import calendar_problems
from workers.engine.lint import Problem, lint_models, load_models, model_files


def lint(
    root: Path = typer.Option(Path("."), help="Folder holding bpmn/, dmn/ and forms/."),
    modules: list[str] = typer.Option([], "--import", help="extra worker modules to load"),
) -> None:
    """Check topics against workers, form and decision references, history TTL, form components
    Tasklist 7.24 renders, that every BPMN error a worker throws is caught, that every variable a
    topic requires is written in its process and has one type there, and that the company calendar
    the models name is valid (warning from 1 November on when next year is not covered)."""
    if not any((root / folder).is_dir() for folder in ("bpmn", "dmn", "forms")):
        raise fail(f"{root} has no bpmn/, dmn/ or forms/ folder: run in the repository or pass --root")
    try:
        registry = load_registry(modules)
    except Exception as exc:  # a broken worker module: say which, not a traceback
        raise fail(f"could not load the workers: {type(exc).__name__}: {exc}") from exc

    problems = lint_models(root, registry) + calendar_problems(load_models(root), root, date.today())
    _print_problems(problems)
    checked = _count(len(model_files(root)), "model")
    errors = sum(p.severity == "error" for p in problems)
    warnings = len(problems) - errors
    if not problems:
        console.print(f"[green]{checked} checked, no problems[/green]")
        return
    summary = f"{checked} checked: {_count(errors, 'error')}, {_count(warnings, 'warning')}"
    console.print(f"[red]{summary}[/red]" if errors else f"[yellow]{summary}[/yellow]")
    if errors:
        raise typer.Exit(1)


def _print_problems(problems: list[Problem]) -> None:
    by_file = sorted(problems, key=lambda p: (p.file is None, str(p.file)))
    for file, group in groupby(by_file, key=lambda p: p.file):
        console.print(f"[bold]{escape(str(file)) if file is not None else 'registered workers'}[/bold]")
        for problem in group:
            colour = "red" if problem.severity == "error" else "yellow"
            element = f"{escape(problem.element_id)} " if problem.element_id else ""
            console.print(
                f"  [{colour}]{problem.severity}[/{colour}] {element}"
                f"[dim]{escape(f'[{problem.rule}]')}[/dim] {escape(problem.message)}"
            )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
