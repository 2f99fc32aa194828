"""The hand-over's own mails through the handler harness: the notice links no task (one message per
to-do: the to-do watcher's message for the checklist task does), and the signed PDF goes to all
three parties."""

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


def test_the_supervisor_gets_the_archives_copy_of_the_signed_pdf_like_giver_and_receiver(tmp_path: Path) -> None:
    from tests.unit.test_handover_archive import CHECKLIST
    from workers.processes.work_handover.checklist import archive_triplicate
    from workers.processes.work_handover.document import WorkHandoverChecklist

    record = archive_triplicate(tmp_path / "archive", WorkHandoverChecklist.model_validate(CHECKLIST), b"%PDF-1.4 signed")
    outbox = tmp_path / "outbox"
    env = HandlerEnvironment(settings=Settings(worker_id="harness", data_dir=tmp_path, mail_outbox_dir=outbox))
    outcome = env.run("handover.send-copies", {
        "organisationFile": str(ORGANISATION), "archiveFolder": str(tmp_path / "archive" / record.process_instance_id),
        "giverId": "yang.fan", "giverName": "杨帆", "receiverId": "wu.hao", "receiverName": "吴昊",
        "supervisorId": "liu.min"}, activity_id="Task_SendCopies")
    assert outcome == Completed({"copiesSent": ["yang.fan", "wu.hao", "liu.min"]})
    mails = {m["To"].addresses[0].username: m for m in
             (email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in outbox.glob("*.eml"))}
    [attachment] = list(mails["liu.min"].iter_attachments())
    assert (attachment.get_filename(), attachment.get_content()) == \
        ("work-handover-checklist-archive.pdf", b"%PDF-1.4 signed")
    assert "存档的一份" in mails["liu.min"].get_body(("plain",)).get_content()
