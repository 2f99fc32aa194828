"""The received register (workers.shared.received) and the 本部门收到的信息 filters, without an engine."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from workers.shared.archive import ArchiveError
from workers.shared.organisation.model import load_organisation
from workers.shared.organisation.provision import _filter_body, filter_specs
from workers.shared.received import (
    Acknowledgement, ReceivedShare, received_by, record_acknowledgement, record_delivery, register_rows,
)

ORG = load_organisation(Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml")


def share(instance: str, version: int, delivered: str, previous: str | None = None) -> ReceivedShare:
    return ReceivedShare(department="production", process_instance_id=instance, title="客户订单 / Customer orders",
                         category="customer", sensitivity="internal", share_version=version,
                         publisher_department="sales", previous_share_instance=previous,
                         delivered_at=datetime.fromisoformat(delivered))


def test_each_department_has_its_own_received_filter_read_by_its_members_only() -> None:
    specs = {s.key: s for s in filter_specs(ORG)}
    received = {k: s for k, s in specs.items() if k.startswith("received-by:")}
    assert set(received) == {f"received-by:{d.id}" for d in ORG.departments}
    spec = received["received-by:production"]
    assert spec.reader == ("group", "production")
    assert spec.query["candidateGroup"] == "production" and spec.query["includeAssignedTasks"] is True
    assert spec.query["processVariables"] == [{"name": "shareVersion", "operator": "gteq", "value": 1}]
    body = _filter_body(spec, 1)
    assert body["properties"]["variables"][1] == {"name": "shareVersion", "label": "版本 / Version"}
    assert "variables" not in _filter_body(specs["my-tasks"], 1)["properties"]  # the others stay as they were


def test_the_register_lists_newest_first_with_acknowledgement_and_corrections(tmp_path: Path) -> None:
    record_delivery(tmp_path, share("pi-1", 1, "2026-12-01T09:00:00+08:00"))
    record_delivery(tmp_path, share("pi-2", 2, "2026-12-02T09:00:00+08:00", previous="pi-1"))
    record_acknowledgement(tmp_path, Acknowledgement(department="production", process_instance_id="pi-1",
                                                     acknowledged_by="he.jun",
                                                     acknowledged_at=datetime.fromisoformat("2026-12-01T10:30:00+08:00")))
    entries = received_by(tmp_path, "production")
    assert [(e.share.process_instance_id, e.acknowledged, e.superseded_by) for e in entries] == [
        ("pi-2", False, None), ("pi-1", True, "pi-2")]
    rows = register_rows(entries, ZoneInfo("Asia/Shanghai"))
    assert [(r["version"], r["acknowledged"]) for r in rows] == [
        ("v2", "未确认 / not acknowledged"), ("v1 （已更正 / corrected）", "he.jun 2026-12-01 10:30")]
    assert received_by(tmp_path, "finance") == []


def test_records_are_write_once_and_an_acknowledgement_needs_a_delivery(tmp_path: Path) -> None:
    record_delivery(tmp_path, share("pi-1", 1, "2026-12-01T09:00:00+08:00"))
    record_delivery(tmp_path, share("pi-1", 1, "2026-12-01T09:00:00+08:00"))  # a redelivered task: the same
    with pytest.raises(ArchiveError, match="already exists with different content"):
        record_delivery(tmp_path, share("pi-1", 3, "2026-12-01T09:00:00+08:00"))
    with pytest.raises(ValueError, match="never recorded as delivered to production"):
        record_acknowledgement(tmp_path, Acknowledgement(department="production", process_instance_id="pi-9",
                                                         acknowledged_by="he.jun",
                                                         acknowledged_at=datetime.fromisoformat("2026-12-01T10:30:00+08:00")))


def test_the_cli_prints_the_register(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workers.cli import app
    from workers.cli.common import load_settings

    record_delivery(tmp_path / "archive", share("pi-1", 1, "2026-12-01T09:00:00+08:00"))
    monkeypatch.setenv("CROSSDEPT_ARCHIVE_DIR", str(tmp_path / "archive"))
    load_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["received", "production", "--json"])
        empty = CliRunner().invoke(app, ["received", "finance"])
    finally:
        load_settings.cache_clear()
    assert result.exit_code == 0, result.output
    assert '"process_instance_id": "pi-1"' in result.output and '"acknowledgement": null' in result.output
    assert empty.exit_code == 1 and "nothing received by department 'finance'" in " ".join(empty.output.split())
