"""`crossdept received DEPARTMENT`: the department's register of shares received (for its head or
the office; staff see the ones still to acknowledge in Tasklist's 本部门收到的信息 filter)."""

from __future__ import annotations

import typer
from rich.markup import escape
from rich.table import Table

from workers.cli.common import console, fail, load_settings
from workers.shared.properties import parse_time_zone
from workers.shared.received import as_json, received_by, register_rows

COLUMNS = (("title", "标题 / Title"), ("version", "版本 / Version"), ("category", "分类 / Classification"),
           ("sensitivity", "敏感程度 / Sensitivity"), ("delivered", "送达 / Delivered"),
           ("acknowledged", "确认 / Acknowledged"), ("instance", "流程实例 / Instance"))


def received(
    department: str = typer.Argument(..., help="Department id, e.g. production."),
    json_output: bool = typer.Option(False, "--json", help="Print the register as JSON."),
) -> None:
    """List what DEPARTMENT received through information sharing, newest first, with each share's
    version and whether it was acknowledged (by whom, when)."""
    settings = load_settings()
    entries = received_by(settings.archive_root, department)
    if json_output:
        console.print(as_json(entries), soft_wrap=True, markup=False)
        return
    if not entries:
        raise fail(f"nothing received by department {department!r} is recorded under "
                   f"{settings.archive_root / 'received'} (check the id and CROSSDEPT_ARCHIVE_DIR)")
    table = Table(title=f"本部门收到的信息 / Received by {escape(department)}")
    for _, label in COLUMNS:
        table.add_column(label)
    for row in register_rows(entries, parse_time_zone(settings.company_time_zone)):
        table.add_row(*(escape(row[key]) for key, _ in COLUMNS))
    console.print(table)
