"""The work hand-over (工作交接, policy §3.2) on the real engine, driven through REST as each person,
with a real SMTP server and webhook receiver: notice, checklist, verification, three signatures,
triplicate archive, and the giver's open tasks moved to the receiver."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any, Iterator

import pytest
from pypdf import PdfReader

from tests.support.driver import EngineDriver, running_worker, wait_until
from tests.support.handover import (
    FORMS, SHANGHAI, TOPICS, next_task, notice, one_task, open_task_for, today, wait_for_notice,
)
from tests.support.receivers import Mailbox, Receiver, http_receiver, smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.shared import archive as archive_module
from workers.shared.calendar import earliest_compliant_date
from workers.shared.organisation.model import Organisation
from workers.runtime.settings import Settings
from workers.runtime.variables import to_camunda

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
ITEMS = [
    {"category": "documents", "description": "2026 年市场分析报告底稿 / 2026 market analysis drafts",
     "location": "共享盘 \\\\fs01\\marketing\\analysis"},
    {"category": "equipment", "description": "笔记本电脑 / Laptop", "location": "市场部 3 楼 / Marketing, 3rd floor",
     "assetNumber": "IT-2024-0193"},
    {"category": "customerInformation", "description": "华东区重点客户名单 / Key customers, East China",
     "location": "CRM", "contact": "王经理 13800000000"},
]


@pytest.fixture(scope="module")
def organisation_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("org") / "organisation.yaml"


@pytest.fixture(scope="module")
def org(organisation_file: Path) -> Organisation:
    return demo_with_starters(organisation_file)


@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, organisation_file: Path, org: Organisation) -> Staff:
    staff = Staff(engine, admin)
    staff.provision(org)
    # A minute between archive retries is right in production; the crash test should not wait that long.
    staff.deploy("work-handover-test", organisation_file, ["work-handover.bpmn"], FORMS,
                 decisions=("handover-policy.dmn",), edits={'value="PT1M"': 'value="PT1S"'})
    return staff


class Outside:
    """What reaches people outside the engine: the mailbox and the webhook receiver."""

    def __init__(self, mailbox: Mailbox, webhooks: Receiver) -> None:
        self.mailbox, self.webhooks = mailbox, webhooks

    def mails_to(self, address: str) -> list[Any]:
        return [m for m in self.mailbox.messages if address in str(m["To"])]


@pytest.fixture
def outside(worker_settings: Settings, tmp_path: Path) -> Iterator[tuple[Outside, Settings]]:
    with smtp_server() as (box, port), http_receiver() as hooks:
        settings = worker_settings.model_copy(update={
            "smtp_host": "127.0.0.1", "smtp_port": port, "mail_from": "crossdept@corp.example",
            "tasklist_url": TASKLIST, "webhook_urls": [f"feishu:{hooks.base_url}/feishu"],
            "archive_dir": tmp_path / "archive"})
        with running_worker(load_registry().subset(TOPICS), settings):
            yield Outside(box, hooks), settings


def start_backdated(staff: Staff, initiator: str, values: dict[str, Any], noticed: datetime) -> str:
    """A notice given on `noticed`: as an operator enters one given on paper (the start event, which
    stamps the current time, is skipped by starting right after it)."""
    body = {"variables": to_camunda({**values, "initiator": initiator, "noticeSubmittedAt": noticed}),
            "startInstructions": [{"type": "startBeforeActivity", "activityId": "Gateway_NoticeSubmitted"}]}
    response = staff.admin.session.post(f"{staff.admin.url}/process-definition/key/work-handover/start",
                                        json=body, timeout=30)
    assert response.ok, response.text
    return response.json()["id"]


def sign_all(staff: Staff, instance: str, supervisor_verdict: str = "sign", reason: str | None = None) -> None:
    tasks = staff.wait_for_tasks(instance, 3, "the three signing tasks",
                                 taskDefinitionKeyIn="Task_GiverSigns,Task_ReceiverSigns,Task_SupervisorConfirms")
    for task in sorted(tasks, key=lambda t: t["taskDefinitionKey"] == "Task_SupervisorConfirms"):
        shown = staff.form_variables(task["assignee"], task["id"])
        if task["taskDefinitionKey"] == "Task_SupervisorConfirms":
            assert shown["signerRole"] == "supervisor"
            staff.complete(task["assignee"], task["id"], {"supervisorVerdict": supervisor_verdict,
                                                          **({"sendBackReason": reason} if reason else {})})
        else:
            assert shown["signerRole"] in ("giver", "receiver")
            staff.complete(task["assignee"], task["id"], {})


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


def test_happy_path_archives_three_copies_mails_two_and_moves_the_givers_open_task(
    staff: Staff, outside: tuple[Outside, Settings], org: Organisation
) -> None:
    seen, settings = outside
    open_task = open_task_for(staff, "yang.fan")
    # Marketing's analyst goes to Sales: 3 working days' notice for staff (handover-policy), given today.
    planned = earliest_compliant_date(today(), 3)
    instance = staff.start("chen.jing", "work-handover", notice("yang.fan", "wu.hao", "sales", planned))
    try:
        checklist = one_task(staff, instance, "Task_FillChecklist", "the giver's checklist task")
        assert checklist["assignee"] == "yang.fan" and checklist["due"], checklist
        shown = staff.form_variables("yang.fan", checklist["id"])
        assert shown["supervisorName"] == org.person("liu.min").name, "lowest common superior of the two"
        prefilled = [row for row in shown["checklistItems"] if row.get("camundaTaskId") == open_task]
        assert prefilled and prefilled[0]["category"] == "unfinishedTasks", shown["checklistItems"]

        wait_until(lambda: seen.mails_to("li.qiang@example.com"), 30, "the receiving head's notice")
        [to_giver] = wait_until(lambda: seen.mails_to("yang.fan@example.com"), 30, "the giver's notice")
        assert f"#/?task={checklist['id']}" in to_giver.get_body(("plain",)).get_content()

        wait_for_notice(staff, instance)
        staff.complete("yang.fan", checklist["id"], {"checklistItems": prefilled + ITEMS})
        verify = one_task(staff, instance, "Task_VerifyChecklist", "the receiver's verification")
        rows = staff.form_variables("wu.hao", verify["id"])["verificationItems"]
        assert [r["description"] for r in rows] == [r["description"] for r in prefilled + ITEMS]
        staff.complete("wu.hao", verify["id"], {"verificationItems": [
            {"categoryLabel": r["categoryLabel"], "description": r["description"], "verdict": "accept"} for r in rows]})

        sign_all(staff, instance)
        wait_until(lambda: staff.ended(instance), 60, "the archive, the copies and the reassignment")
    finally:
        staff.delete(instance)

    variables = staff.admin.history_variables(instance)
    folder = Path(variables["archiveFolder"])
    assert folder.parent == settings.archive_root / "work-handover"
    pdfs = sorted(p.name for p in folder.glob("*.pdf"))
    assert pdfs == ["work-handover-checklist-archive.pdf", "work-handover-checklist-giver.pdf",
                    "work-handover-checklist-receiver.pdf"]
    assert len({(folder / p).read_bytes() for p in pdfs}) == 1, "three identical copies"
    record = json.loads((folder / "record.json").read_text(encoding="utf-8"))
    assert record["contentSha256"] == variables["contentSha256"]
    assert {s["role"] for s in record["content"]["signatures"]} == {"giver", "receiver", "supervisor"}

    text = pdf_text(folder / "work-handover-checklist-archive.pdf")
    for label in ("工作交接清单", "交接人", "接收人", "监交人", "设备", "客户信息", "一式三份"):
        assert label in text, f"{label} missing from the PDF"
    for item in prefilled + ITEMS:
        assert item["description"].split(" / ")[0][:8] in text, f"{item['description']} missing from the PDF"
    assert instance in text and variables["contentSha256"] in text.replace("\n", "")

    copies = [m for m in seen.mailbox.messages if list(m.iter_attachments())]
    assert sorted(str(m["To"]) for m in copies) == sorted([f"{org.person('yang.fan').name} <yang.fan@example.com>",
                                                          f"{org.person('wu.hao').name} <wu.hao@example.com>"])
    for mail in copies:
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf"
        assert attachment.get_content() == (folder / "work-handover-checklist-archive.pdf").read_bytes()

    moved = staff.admin.get(f"/task/{open_task}")
    assert moved["assignee"] == "wu.hao"
    comments = staff.admin.get(f"/task/{open_task}/comment")
    assert any(instance in c["message"] for c in comments), comments
    assert variables["reassignedTasks"] == [open_task]
    assert seen.webhooks.received["/feishu"], "each notification goes to the IM webhook as well"
    events = [m["Message-ID"] for m in seen.mailbox.messages]
    assert len(events) == len(set(events)), "no notification twice"


def test_questions_and_a_supervisors_send_back_loop_to_the_giver_and_a_crashed_archive_completes(
    staff: Staff, outside: tuple[Outside, Settings], mocker: Any
) -> None:
    seen, settings = outside
    planned = earliest_compliant_date(today(), 3)
    instance = staff.start("zhang.wei", "work-handover", notice("xu.ming", "huang.lei", "engineering", planned))
    try:
        first = one_task(staff, instance, "Task_FillChecklist", "the checklist")
        wait_for_notice(staff, instance)
        # Equipment without an asset number, a customer without a contact: both named, then fixed.
        incomplete = [{"category": "equipment", "description": "示波器 / Oscilloscope", "location": "实验室 / Lab"},
                      {"category": "customerInformation", "description": "客户甲 / Customer A", "location": "CRM"}]
        staff.complete("xu.ming", first["id"], {"checklistItems": incomplete})
        again = next_task(staff, instance, "Task_FillChecklist", first["id"], "the incomplete checklist back")
        message = staff.form_variables("xu.ming", again["id"])["rejectionMessage"]
        assert "item 1 assetNumber" in message and "item 2 contact" in message, message
        complete = [dict(incomplete[0], assetNumber="LAB-0042"), dict(incomplete[1], contact="张三 021-5555")]
        staff.complete("xu.ming", again["id"], {"checklistItems": complete})

        # Round 1: the receiver asks about the oscilloscope.
        verify = one_task(staff, instance, "Task_VerifyChecklist", "verification, round 1")
        staff.complete("huang.lei", verify["id"], {"verificationItems": [
            {"verdict": "question", "question": "校准证书在哪？/ Where is the calibration certificate?"},
            {"verdict": "accept"}]})
        round2 = next_task(staff, instance, "Task_FillChecklist", again["id"], "the questions back to the giver")
        shown = staff.form_variables("xu.ming", round2["id"])
        assert "calibration certificate" in shown["openQuestions"] and shown["handoverRound"] == 2
        fixed = [dict(complete[0], description="示波器及校准证书 / Oscilloscope with calibration certificate"), complete[1]]
        staff.complete("xu.ming", round2["id"], {"checklistItems": fixed})

        verify2 = next_task(staff, instance, "Task_VerifyChecklist", verify["id"], "verification, round 2")
        staff.complete("huang.lei", verify2["id"], {"verificationItems": [{"verdict": "accept"}, {"verdict": "accept"}]})

        # The supervisor (their common superior, the head) finds it incomplete: back to preparation.
        sign_all(staff, instance, "sendBack", "缺少项目文档 / The project documents are missing")
        round3 = wait_until(lambda: [t for t in staff.tasks(instance, taskDefinitionKey="Task_FillChecklist")
                                     if t["id"] not in (first["id"], again["id"], round2["id"])], 60, "the send-back")
        shown = staff.form_variables("xu.ming", round3[0]["id"])
        assert "The project documents are missing" in shown["openQuestions"] and shown["handoverRound"] == 3
        assert staff.tasks(instance, taskDefinitionKeyIn="Task_GiverSigns,Task_ReceiverSigns") == [], \
            "sending back withdraws the other signatures"
        final = fixed + [{"category": "documents", "description": "项目文档 / Project documents", "location": "Git"}]
        staff.complete("xu.ming", round3[0]["id"], {"checklistItems": final})
        verify3 = next_task(staff, instance, "Task_VerifyChecklist", verify2["id"], "verification, round 3")
        staff.complete("huang.lei", verify3["id"], {"verificationItems": [{"verdict": "accept"}] * 3})

        # The archive worker crashes after the first copy, leaving a half-written temporary file.
        real_write_once, calls = archive_module._write_once, []

        def crash_on_second_copy(path: Path, data: bytes) -> None:
            calls.append(path.name)
            if len(calls) == 2:
                (path.parent / f".{path.name}.crash{archive_module.TEMP_SUFFIX}").write_bytes(data[: len(data) // 2])
                raise OSError("simulated crash mid-write")
            real_write_once(path, data)

        mocker.patch.object(archive_module, "_write_once", side_effect=crash_on_second_copy)
        # A supervisor who completes the task without a verdict is asked again: no signature is assumed.
        supervisor = one_task(staff, instance, "Task_SupervisorConfirms", "the supervisor's task, round 3")
        staff.complete(supervisor["assignee"], supervisor["id"], {})
        next_task(staff, instance, "Task_SupervisorConfirms", supervisor["id"], "the supervisor asked again")
        sign_all(staff, instance)
        wait_until(lambda: staff.ended(instance), 90, "the archive to be retried and the hand-over to end")
    finally:
        staff.delete(instance)

    assert any("simulated crash mid-write" in (f.get("errorMessage") or "") for f in staff.admin.failure_log(instance))
    variables = staff.admin.history_variables(instance)
    rounds = variables["handoverRounds"]
    assert [(r["round"], r["returnedBy"]) for r in rounds] == [(1, "receiver"), (2, "supervisor")]
    folder = Path(variables["archiveFolder"])
    assert sorted(p.name for p in folder.iterdir()) == [
        "record.json", "work-handover-checklist-archive.pdf", "work-handover-checklist-giver.pdf",
        "work-handover-checklist-receiver.pdf"], "exactly three copies and the record, nothing partial"
    assert len({p.read_bytes() for p in folder.glob("*.pdf")}) == 1
    assert "Project documents" in pdf_text(folder / "work-handover-checklist-giver.pdf")


def test_notice_across_national_day_with_a_make_up_working_day_is_rejected_with_the_earliest_date(
    staff: Staff, outside: tuple[Outside, Settings]
) -> None:
    # A department head moves (10 working days). Notice Friday 2025-09-26, hand-over Friday 10-10:
    # Sunday 09-28 is worked (调休) and 10-01..10-08 are holidays, so only 5 working days lie between;
    # Saturday 10-11 is worked too, so the 10th working day is Thursday 10-16. (A Monday-to-Friday
    # count would have said 10 and let it through.)
    noticed = datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI)
    instance = start_backdated(staff, "wang.jianguo", notice("zhang.wei", "huang.lei", "engineering", date(2025, 10, 10)),
                               noticed)
    try:
        correct = one_task(staff, instance, "Task_CorrectNotice", "the notice back to the initiator")
        assert correct["assignee"] == "wang.jianguo"
        shown = staff.form_variables("wang.jianguo", correct["id"])
        assert shown["earliestCompliantDate"] == "2025-10-16"
        assert "5 working days" in shown["rejectionMessage"] and "requires 10" in shown["rejectionMessage"]
        staff.complete("wang.jianguo", correct["id"], {"withdraw": True})
        wait_until(lambda: staff.ended(instance), 30, "the withdrawn hand-over to end")
        assert "EndEvent_Withdrawn" in [a["activityId"] for a in staff.admin.get(
            "/history/activity-instance", processInstanceId=instance)]
    finally:
        staff.delete(instance)


def test_an_unknown_receiver_and_a_receiver_outside_the_department_are_named(
    staff: Staff, outside: tuple[Outside, Settings]
) -> None:
    instance = staff.start("chen.jing", "work-handover", notice("yang.fan", "nobody.here", "sales", today()))
    try:
        correct = one_task(staff, instance, "Task_CorrectNotice", "the invalid notice back")
        message = staff.form_variables("chen.jing", correct["id"])["rejectionMessage"]
        assert "receiverId" in message and "nobody.here" in message, message
        staff.complete("chen.jing", correct["id"], {"receiverId": "xu.ming", "withdraw": False})
        again = next_task(staff, instance, "Task_CorrectNotice", correct["id"], "the second rejection")
        message = staff.form_variables("chen.jing", again["id"])["rejectionMessage"]
        assert "not in the receiving department" in message, message
    finally:
        staff.delete(instance)


@pytest.fixture
def stricter_policy(staff: Staff) -> Iterator[None]:
    """handover-policy as a process owner edits it in Modeler: post change of staff now needs 12 working days."""
    xml = (ROOT / "dmn" / "handover-policy.dmn").read_text(encoding="utf-8")
    rule = xml.index('<outputEntry id="Rule_PostChangeStaff_NoticeWorkingDays">')
    edited = xml[:rule] + xml[rule:].replace("<text>3</text>", "<text>12</text>", 1)
    deployment = staff.admin.deploy_xml("stricter-handover-policy", {"handover-policy.dmn": edited})
    yield
    staff.admin.session.delete(f"{staff.admin.url}/deployment/{deployment['id']}", params={"cascade": "true"}, timeout=30)


def test_editing_the_notice_days_in_the_decision_table_changes_the_outcome(
    staff: Staff, outside: tuple[Outside, Settings], request: pytest.FixtureRequest
) -> None:
    noticed = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)  # a Monday; Friday 11-07 is 4 working days later
    values = notice("tang.ning", "lin.xiao", "finance", date(2025, 11, 7))
    accepted = start_backdated(staff, "song.jie", values, noticed)
    try:
        one_task(staff, accepted, "Task_FillChecklist", "the notice accepted under 3 working days")
    finally:
        staff.delete(accepted)

    request.getfixturevalue("stricter_policy")
    rejected = start_backdated(staff, "song.jie", values, noticed)
    try:
        correct = one_task(staff, rejected, "Task_CorrectNotice", "the same notice rejected under 12")
        assert staff.form_variables("song.jie", correct["id"])["earliestCompliantDate"] == "2025-11-19"
    finally:
        staff.delete(rejected)


def test_overdue_preparation_is_reminded_twice_then_escalated_to_the_department_head(
    staff: Staff, outside: tuple[Outside, Settings]
) -> None:
    seen, _ = outside
    instance = start_backdated(staff, "chen.jing", notice("zheng.yu", "wu.hao", "sales", date(2025, 11, 7)),
                               datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI))
    try:
        task = one_task(staff, instance, "Task_FillChecklist", "the checklist task")
        wait_for_notice(staff, instance)
        for number in (1, 2, 3):
            [job] = staff.admin.get("/job", processInstanceId=instance, activityId="Event_PreparationOverdue")
            response = staff.admin.session.post(f"{staff.admin.url}/job/{job['id']}/execute", timeout=30)
            assert response.ok, response.text
            wait_until(lambda: len([m for m in seen.mailbox.messages if "zheng.yu@" in str(m["To"])
                                    and ("Reminder" in m["Subject"] or "escalated" in m["Subject"])]) == number,
                       30, f"reminder {number}")
            wait_until(lambda: not staff.admin.external_tasks(processInstanceId=instance, activityId="Task_RemindPreparation"),
                       30, f"reminder {number} to be recorded")  # the count it keeps decides the next one
        reminders = [m for m in seen.mailbox.messages if "Reminder" in m["Subject"] or "escalated" in m["Subject"]]
        assert ["chen.jing@" in str(m["To"]) for m in reminders] == [False, False, True], \
            "the third goes to the giver's department head as well"
        assert all(f"#/?task={task['id']}" in m.get_body(("plain",)).get_content() for m in reminders)
    finally:
        staff.delete(instance)
