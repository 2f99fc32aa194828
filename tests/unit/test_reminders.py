"""Reminders (workers.shared.reminders) as every process gets them, through the hand-over's remind
topic in the handler harness: who is reminded, and how the deadline reads."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from workers.runtime.settings import Settings
from workers.runtime.testing import Completed, HandlerEnvironment

ORGANISATION = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
STATE = {"organisationFile": str(ORGANISATION), "escalateAfterReminders": 2, "remindersSent": {}}


def remind(tmp_path: Path, tasks: list[dict], links: list[dict] | None = None) -> tuple[object, list]:
    outbox = tmp_path / "outbox"
    env = HandlerEnvironment(settings=Settings(worker_id="harness", data_dir=tmp_path, mail_outbox_dir=outbox,
                                               tasklist_url="http://tasklist.example/camunda/app/tasklist/"))
    env.engine.answer("GET", "/task", tasks)
    for task in tasks:
        env.engine.answer("GET", f"/task/{task['id']}/identity-links", links or [])
    outcome = env.run("handover.remind", STATE, activity_id="Task_Remind")
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in outbox.glob("*.eml")]
    return outcome, mails


def test_a_task_nobody_holds_reminds_its_candidates(tmp_path: Path) -> None:
    task = {"id": "t1", "name": "裁定职责冲突", "assignee": None, "due": "2026-12-04T10:00:00.000+0000"}
    outcome, [mail] = remind(tmp_path, [task], [{"type": "candidate", "groupId": "leadership"}])
    assert outcome == Completed({"remindersSent": {"t1": 1}})
    assert sorted(a.username for a in mail["To"].addresses) == ["liu.min", "wang.jianguo"]


def test_the_deadline_is_given_in_the_company_time_zone(tmp_path: Path) -> None:
    task = {"id": "t1", "name": "填写工作交接清单", "assignee": "yang.fan", "due": "2026-12-04T10:00:00.000+0000"}
    _, [mail] = remind(tmp_path, [task])
    body = mail.get_body(("plain",)).get_content()
    assert "已超过期限 2026-12-04 18:00 (Asia/Shanghai)" in body, body
