"""The hand-over's notice mails through the handler harness: one message per to-do, so the notice
does not link the giver's checklist task (the to-do watcher's message for that task does)."""

from __future__ import annotations

import email
import email.policy
from pathlib import Path

from workers.runtime.settings import Settings
from workers.runtime.testing import Completed, HandlerEnvironment

ORGANISATION = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
NOTICE = {"organisationFile": str(ORGANISATION), "giverId": "yang.fan", "receiverId": "wu.hao",
          "receivingHeadId": "li.qiang", "supervisorId": "liu.min", "plannedDate": "2026-12-09",
          "reasonLabel": "岗位调整 / post change", "receivingDepartmentLabel": "销售部 Sales"}


def test_the_notice_tells_head_giver_and_receiver_without_linking_any_task(tmp_path: Path) -> None:
    outbox = tmp_path / "outbox"
    env = HandlerEnvironment(settings=Settings(worker_id="harness", data_dir=tmp_path, mail_outbox_dir=outbox,
                                               tasklist_url="http://tasklist.example/camunda/app/tasklist/default/"))
    assert env.run("handover.notify-notice", NOTICE, activity_id="Task_NotifyNotice") == Completed({})
    mails = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in outbox.glob("*.eml")]
    assert sorted(m["To"].addresses[0].username for m in mails) == ["li.qiang", "wu.hao", "yang.fan"]
    linked = [str(m["To"]) for m in mails if "?task=" in m.get_content()]
    assert linked == [], f"the notice links a task for {linked}: the to-do watcher's message does that, once"
    assert env.engine.requested("GET", "/task") == [], "the notice no longer looks for the checklist task"
