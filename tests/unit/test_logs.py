"""Log records about a task carry its topic, process instance and business key."""

from __future__ import annotations

import json
import logging

from workers.runtime.logs import JsonFormatter, TextFormatter

TASK = {"topic": "handover.archive", "process_instance_id": "pi-1", "business_key": "HO-2026-001", "task_id": "t-9"}


def record(**extra: object) -> logging.LogRecord:
    rec = logging.LogRecord("crossdept.worker", logging.INFO, __file__, 1, "completed %s", ("handover.archive",), None)
    rec.__dict__.update(extra)
    return rec


def test_json_log_line_has_message_and_task_fields() -> None:
    entry = json.loads(JsonFormatter().format(record(**TASK)))
    assert entry["message"] == "completed handover.archive" and entry["level"] == "info"
    assert {k: entry[k] for k in TASK} == TASK


def test_text_log_line_appends_task_fields_only_when_present() -> None:
    assert TextFormatter().format(record(**TASK)).endswith(
        "[topic=handover.archive process_instance_id=pi-1 business_key=HO-2026-001 task_id=t-9]"
    )
    assert "[" not in TextFormatter().format(record())
