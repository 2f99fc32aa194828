"""`crossdept calendar check`: which years the working-day calendar knows, and whether the file is valid."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from workers.cli.common import console, err_console
from workers.shared.calendar import WorkingCalendar, YearSource
from workers.shared.calendar_file import CalendarFileError, load_company_calendar

app = typer.Typer(help="The working-day calendar: official years, the company calendar file, provisional years.",
                  no_args_is_help=True)

DEFAULT_FILE = Path("org/company-calendar.yaml")
YEARS_BACK = 3
COLOURS = {YearSource.OFFICIAL: "green", YearSource.COMPANY: "cyan", YearSource.PROVISIONAL: "yellow"}


@app.command()
def check(
    file: Path = typer.Argument(DEFAULT_FILE, help="The company calendar file (the property calendarFile names it)."),
    today: Optional[datetime] = typer.Option(None, formats=["%Y-%m-%d"],
                                             help="Check as on this day (YYYY-MM-DD) instead of today."),
) -> None:
    """Validate the company calendar file and show, per year, where its working days come from."""
    try:
        calendar = WorkingCalendar(load_company_calendar(file), file=file)
    except CalendarFileError as exc:
        # soft_wrap: a problem's YAML path must stay on one line, whatever the terminal width.
        err_console.print(f"[red]{escape(str(exc))}[/red]", soft_wrap=True)
        raise typer.Exit(1) from exc
    day = today.date() if today else date.today()
    console.print(f"[bold]{escape(str(file))}[/bold]: valid", soft_wrap=True)
    for year in sorted(set(range(day.year - YEARS_BACK, day.year + 2)) | set(calendar.company.years)):
        source = calendar.source(year)
        colour = COLOURS[source]
        console.print(f"  {year}  [{colour}]{source.value:<11}[/{colour}]  {escape(calendar.describe(year))}",
                      soft_wrap=True)
    warning = calendar.coverage_warning(day)
    if warning:
        console.print(f"[yellow]warning[/yellow] {escape(warning)}", soft_wrap=True)
