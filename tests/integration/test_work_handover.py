"""The work hand-over (工作交接, policy §3.2) on the real engine, driven through REST as each person,
with a real SMTP server and webhook receiver: notice, checklist, verification, three signatures,
triplicate archive, and the giver's open tasks moved to the receiver.

Each scenario is driven once, by a module fixture with a worker, mailbox and webhook receiver of its
own; the tests after it each check one thing the policy asks of that run. Notices are given on
fixed dates (backdated, as an operator enters a notice given on paper) so that the calendar they are
counted by is known whatever today is; deadlines still come from the real clock, so no test asserts
a due date.
"""

from __future__ import annotations

import contextlib
import io
import json
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator
from zoneinfo import ZoneInfo
from unittest import mock

import pytest
import requests
from pypdf import PdfReader

from tests.support.assertions import has_ended, has_passed, incident_at, variable_equals, waits_at
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
from tests.support.handover import (
    SHANGHAI, TOPICS, handover_staff, next_task, notice, one_task, open_task_for, planned_for_notice_given_today,
    start_backdated, wait_for_notice,
)
from tests.support.receivers import Mailbox, Receiver, http_receiver, smtp_server
from tests.support.staff import Staff, demo_with_starters
from workers.catalog import load_registry
from workers.shared import archive as archive_module
from workers.shared.organisation.model import Organisation
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
# A Monday, and the Friday after: 4 working days, one more than staff need for a post change.
NOTICE_GIVEN = datetime(2025, 11, 3, 9, 0, tzinfo=SHANGHAI)
PLANNED = date(2025, 11, 7)
COPIES = ["work-handover-checklist-archive.pdf", "work-handover-checklist-giver.pdf",
          "work-handover-checklist-receiver.pdf"]
SIGNING_TASKS = "Task_GiverSigns,Task_ReceiverSigns,Task_SupervisorConfirms"
QUESTION = "校准证书在哪？/ Where is the calibration certificate?"
ANSWER = "在仪器箱里 / In the instrument case"
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
    # A minute between archive retries is right in production; the crash test should not wait that long.
    return handover_staff(engine, admin, organisation_file, "work-handover-test", edits={'value="PT1M"': 'value="PT1S"'})


def announced(staff: Staff, started: list, initiator: str, values: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """A hand-over announced with the notice backdated to NOTICE_GIVEN, once its notice branch has
    ended: the instance and the giver's checklist task."""
    instance = start_backdated(staff, initiator, values, NOTICE_GIVEN)
    started.append(staff.admin.instance(instance))
    checklist = one_task(staff, instance, "Task_FillChecklist", "the giver's checklist task")
    wait_for_notice(staff, instance)
    return instance, checklist


# --- the world around one scenario ---------------------------------------------------------------


@dataclass
class Outside:
    """What reaches people outside the engine during one scenario: mails and webhook calls."""

    mailbox: Mailbox
    webhooks: Receiver
    settings: Settings

    def mails_to(self, address: str, messages: list[EmailMessage] | None = None) -> list[EmailMessage]:
        return [m for m in (self.mailbox.messages if messages is None else messages) if address in str(m["To"])]


@contextlib.contextmanager
def outside_world(engine: Settings, folder: Path) -> Iterator[Outside]:
    """A mailbox, a Feishu webhook and the hand-over's workers, for as long as a scenario is driven."""
    with smtp_server() as (box, port), http_receiver() as hooks:
        settings = worker_settings_in(
            engine, folder, smtp_host="127.0.0.1", smtp_port=port, mail_from="crossdept@corp.example",
            tasklist_url=TASKLIST, webhook_urls=[f"feishu:{hooks.base_url}/feishu"], archive_dir=folder / "archive")
        with running_worker(load_registry().subset(TOPICS), settings):
            yield Outside(box, hooks, settings)


@contextlib.contextmanager
def instances(staff: Staff) -> Iterator[list[ProcessInstance]]:
    """Instances a scenario starts stay for its tests to look at; deleted with the module."""
    started: list[ProcessInstance] = []
    try:
        yield started
    finally:
        for instance in started:
            staff.delete(instance.id)


def sign_all(staff: Staff, instance: str, supervisor_verdict: str = "sign",
             reason: str | None = None) -> dict[str, str]:
    """Giver and receiver sign, then the supervisor gives their verdict; returns the role each
    signing form showed, by task."""
    tasks = staff.wait_for_tasks(instance, 3, "the three signing tasks", taskDefinitionKeyIn=SIGNING_TASKS)
    roles = {}
    for task in sorted(tasks, key=lambda t: t["taskDefinitionKey"] == "Task_SupervisorConfirms"):
        roles[task["taskDefinitionKey"]] = staff.form_variables(task["assignee"], task["id"])["signerRole"]
        if task["taskDefinitionKey"] == "Task_SupervisorConfirms":
            staff.complete(task["assignee"], task["id"], {"supervisorVerdict": supervisor_verdict,
                                                          "signatureConfirmed": supervisor_verdict == "sign",
                                                          **({"sendBackReason": reason} if reason else {})})
        else:
            staff.complete(task["assignee"], task["id"], {"signatureConfirmed": True})
    return roles


def verify_all(staff: Staff, receiver: str, task: dict[str, Any]) -> list[dict[str, Any]]:
    """The receiver accepts every row; returns the rows their form showed."""
    rows = staff.form_variables(receiver, task["id"])["verificationItems"]
    staff.complete(receiver, task["id"], {"verificationItems": [
        {"categoryLabel": r["categoryLabel"], "description": r["description"], "verdict": "accept"} for r in rows]})
    return rows


def pdf_text(path: Path) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(path.read_bytes())).pages)


SIGNER_ROLES = {"Task_GiverSigns": "giver", "Task_ReceiverSigns": "receiver", "Task_SupervisorConfirms": "supervisor"}


# --- the happy path: Marketing's analyst goes to Sales ---------------------------------------------


@dataclass
class HandedOver:
    instance: ProcessInstance
    outside: Outside
    open_task: str  # a task of another process the giver held
    checklist: dict[str, Any]  # the giver's checklist task
    checklist_form: dict[str, Any]  # what the giver's checklist form showed
    submitted: list[dict[str, Any]]  # the rows the giver submitted
    verification_rows: list[dict[str, Any]]  # what the receiver's verification form showed
    signer_roles: dict[str, str]
    notices: list[EmailMessage]  # what was mailed before anyone acted on the checklist
    variables: dict[str, Any]  # the hand-over's variables at its end
    worker_signing: dict[str, int]  # status of the workers' user completing the giver's signing task
    giver_after: dict[str, int]  # status of the giver reading and completing the task moved away

    @property
    def folder(self) -> Path:
        assert self.variables.get("archiveFolder"), f"{self.instance} recorded no archiveFolder: it archived nothing"
        return Path(self.variables["archiveFolder"])


def worker_signs_for_the_giver(staff: Staff, instance: str) -> dict[str, int]:
    """What the engine answers the workers' user (as with a leaked password) completing a signing task."""
    task = staff.wait_for_tasks(instance, 1, "the giver's signing task", taskDefinitionKey="Task_GiverSigns")[0]
    worker = requests.Session()
    worker.auth = staff.engine.worker_credentials()
    url = f"{staff.engine.engine_url}/task/{task['id']}"
    with worker:
        return {action: worker.post(f"{url}/{action}", json={"variables": {}}, timeout=30).status_code
                for action in ("complete", "submit-form")}


def giver_reaches(staff: Staff, giver: str, task_id: str) -> dict[str, int]:
    """What the engine answers the giver asking for a task moved away from them."""
    session, url = staff.session(giver), f"{staff.engine.engine_url}/task/{task_id}"
    return {"task": session.get(url, timeout=30).status_code,
            "variables": session.get(f"{url}/variables", timeout=30).status_code,
            "complete": session.post(f"{url}/complete", json={"variables": {}}, timeout=30).status_code}


@pytest.fixture(scope="module")
def handed_over(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[HandedOver]:
    """yang.fan hands over to wu.hao (Sales), announced by their head chen.jing, to the end."""
    open_task = open_task_for(staff, "yang.fan")
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("happy")) as seen:
            instance, checklist = announced(staff, started, "chen.jing", notice("yang.fan", "wu.hao", "sales", PLANNED))
            notices = list(seen.mailbox.messages)
            shown = staff.form_variables("yang.fan", checklist["id"])
            prefilled = [row for row in shown["checklistItems"] if row.get("camundaTaskId") == open_task]
            staff.complete("yang.fan", checklist["id"], {"checklistItems": prefilled + ITEMS})
            verify = one_task(staff, instance, "Task_VerifyChecklist", "the receiver's verification")
            rows = verify_all(staff, "wu.hao", verify)
            worker_signing = worker_signs_for_the_giver(staff, instance)
            roles = sign_all(staff, instance)
            started[0].settle(60)  # archived, copies sent, open tasks moved
            result = HandedOver(started[0], seen, open_task, checklist, shown, prefilled + ITEMS, rows, roles,
                                notices, staff.admin.history_variables(instance), worker_signing,
                                giver_reaches(staff, "yang.fan", open_task))
        yield result


def test_the_giver_gets_the_checklist_with_a_due_date(handed_over: HandedOver) -> None:
    checklist = handed_over.checklist
    assert (checklist["assignee"], bool(checklist["due"])) == ("yang.fan", True), \
        f"expected yang.fan's checklist task with a due date, got {checklist['assignee']} due {checklist['due']}"


def test_the_supervisor_is_the_lowest_common_superior_of_giver_and_receiver(
    handed_over: HandedOver, org: Organisation
) -> None:
    assert handed_over.checklist_form["supervisorName"] == org.person("liu.min").name


def test_the_checklist_comes_prefilled_with_the_givers_open_task(handed_over: HandedOver) -> None:
    rows = [row for row in handed_over.checklist_form["checklistItems"]
            if row.get("camundaTaskId") == handed_over.open_task]
    assert [row["category"] for row in rows] == ["unfinishedTasks"], \
        f"expected one unfinishedTasks row for task {handed_over.open_task}, the form showed " \
        f"{handed_over.checklist_form['checklistItems']}"


def test_the_receiving_department_head_is_notified(handed_over: HandedOver) -> None:
    assert handed_over.outside.mails_to("li.qiang@example.com", handed_over.notices), \
        f"no notice to li.qiang among {[str(m['To']) for m in handed_over.notices]}"


def test_the_givers_notice_links_no_task_the_to_do_watcher_does(handed_over: HandedOver) -> None:
    [to_giver] = handed_over.outside.mails_to("yang.fan@example.com", handed_over.notices)
    assert "#/?task=" not in to_giver.get_body(("plain",)).get_content(), \
        "one message per to-do: the checklist task's link is in the watcher's message (test_todo_notifications)"


def test_the_receiver_verifies_every_row_the_giver_listed(handed_over: HandedOver) -> None:
    assert [r["description"] for r in handed_over.verification_rows] == \
           [r["description"] for r in handed_over.submitted]


def test_each_signer_is_shown_their_role(handed_over: HandedOver) -> None:
    assert handed_over.signer_roles == SIGNER_ROLES


def test_once_all_three_have_signed_the_hand_over_completes(handed_over: HandedOver) -> None:
    has_ended(handed_over.instance, at="EndEvent_HandedOver")


def test_the_checklist_is_archived_under_the_process(handed_over: HandedOver) -> None:
    assert handed_over.folder.parent == handed_over.outside.settings.archive_root / "work-handover"


def test_the_signed_checklist_is_archived_in_triplicate(handed_over: HandedOver) -> None:
    assert sorted(p.name for p in handed_over.folder.glob("*.pdf")) == COPIES


def test_the_three_copies_are_identical(handed_over: HandedOver) -> None:
    assert len({(handed_over.folder / name).read_bytes() for name in COPIES}) == 1, "three identical copies"


def test_the_archive_record_carries_the_content_hash(handed_over: HandedOver) -> None:
    record = json.loads((handed_over.folder / "record.json").read_text(encoding="utf-8"))
    assert record["contentSha256"] == handed_over.variables["contentSha256"]


def test_the_archive_record_holds_all_three_signatures(handed_over: HandedOver) -> None:
    record = json.loads((handed_over.folder / "record.json").read_text(encoding="utf-8"))
    assert {s["role"] for s in record["content"]["signatures"]} == {"giver", "receiver", "supervisor"}


def test_the_archived_checklist_is_the_bilingual_triplicate_form(handed_over: HandedOver) -> None:
    text = pdf_text(handed_over.folder / COPIES[0])
    missing = [label for label in ("工作交接清单", "交接人", "接收人", "监交人", "设备", "客户信息", "一式三份")
               if label not in text]
    assert not missing, f"labels missing from the PDF: {missing}"


def test_the_archived_checklist_lists_every_item(handed_over: HandedOver) -> None:
    text = pdf_text(handed_over.folder / COPIES[0])
    missing = [item["description"] for item in handed_over.submitted
               if item["description"].split(" / ")[0][:8] not in text]
    assert not missing, f"items missing from the PDF: {missing}"


def test_the_archived_checklist_names_the_company_both_departments_and_the_notice(handed_over: HandedOver) -> None:
    text = "".join(pdf_text(handed_over.folder / COPIES[0]).split())
    notice_date = date.fromisoformat(handed_over.variables["noticeDate"])
    for shown in ("示例科技有限公司", "市场部/Marketing(marketing)", "销售部/Sales(sales)",
                  f"{notice_date.year}年{notice_date.month}月{notice_date.day}日", "交接前完成客户拜访/visitcustomersfirst"):
        assert shown in text, f"{shown!r} not in the archived PDF"


def test_the_archived_checklist_dates_each_signature_in_beijing_time(handed_over: HandedOver) -> None:
    text = "".join(pdf_text(handed_over.folder / COPIES[0]).split())
    record = json.loads((handed_over.folder / "record.json").read_text(encoding="utf-8"))
    for signature in record["content"]["signatures"]:
        local = datetime.fromisoformat(signature["signedAt"]).astimezone(ZoneInfo("Asia/Shanghai"))
        shown = f"{local.year}年{local.month}月{local.day}日{local:%H:%M}"
        assert shown in text, f"the {signature['role']}'s signature {signature['signedAt']} not shown as {shown}"


def test_the_archived_checklist_names_its_process_instance(handed_over: HandedOver) -> None:
    assert handed_over.instance.id in pdf_text(handed_over.folder / COPIES[0]), \
        f"instance {handed_over.instance.id} not in the PDF"


def test_the_archived_checklist_carries_its_content_hash(handed_over: HandedOver) -> None:
    text = pdf_text(handed_over.folder / COPIES[0]).replace("\n", "")
    assert handed_over.variables["contentSha256"] in text, "content hash not in the PDF"


def mailed_copies(handed_over: HandedOver) -> list[EmailMessage]:
    return [m for m in handed_over.outside.mailbox.messages if list(m.iter_attachments())]


def test_giver_receiver_and_supervisor_each_receive_a_copy(handed_over: HandedOver, org: Organisation) -> None:
    assert sorted(str(m["To"]) for m in mailed_copies(handed_over)) == sorted(
        f"{org.person(who).name} <{who}@example.com>" for who in ("yang.fan", "wu.hao", "liu.min"))


def test_the_mailed_copies_are_the_archived_pdf(handed_over: HandedOver) -> None:
    archived = (handed_over.folder / COPIES[0]).read_bytes()
    for mail in mailed_copies(handed_over):
        [attachment] = list(mail.iter_attachments())
        assert attachment.get_content_type() == "application/pdf", f"copy to {mail['To']}"
        assert attachment.get_content() == archived, f"the copy to {mail['To']} differs from the archived PDF"


def test_the_givers_open_task_moves_to_the_receiver(handed_over: HandedOver, staff: Staff) -> None:
    assert staff.admin.get(f"/task/{handed_over.open_task}")["assignee"] == "wu.hao"


def test_the_workers_user_cannot_complete_a_signing_task(handed_over: HandedOver) -> None:
    assert handed_over.worker_signing == {"complete": 403, "submit-form": 403}


def test_the_giver_can_no_longer_read_or_complete_a_task_moved_away(handed_over: HandedOver) -> None:
    refused = {what: status in (403, 404) for what, status in handed_over.giver_after.items()}
    assert refused == {"task": True, "variables": True, "complete": True}, handed_over.giver_after


def test_the_moved_task_carries_a_comment_naming_the_hand_over(handed_over: HandedOver, staff: Staff) -> None:
    comments = staff.admin.get(f"/task/{handed_over.open_task}/comment")
    assert any(handed_over.instance.id in c["message"] for c in comments), comments


def test_the_hand_over_records_which_tasks_it_moved(handed_over: HandedOver) -> None:
    variable_equals(handed_over.instance, "reassignedTasks", [handed_over.open_task])


def test_each_notification_goes_to_the_im_webhook_as_well(handed_over: HandedOver) -> None:
    assert handed_over.outside.webhooks.received.get("/feishu"), "no call reached the Feishu webhook"


def test_no_notification_is_sent_twice(handed_over: HandedOver) -> None:
    ids = [m["Message-ID"] for m in handed_over.outside.mailbox.messages]
    assert sorted({i for i in ids if ids.count(i) > 1}) == [], "Message-IDs sent more than once"


# --- the loops: incomplete checklist, a question, a send-back, a crash mid-archive ------------------


@dataclass
class Looped:
    instance: ProcessInstance
    incomplete_message: str  # why the first checklist came back
    verification_message: str  # why the receiver's first verification came back
    after_question: dict[str, Any]  # the giver's form in round 2
    unanswered_message: str  # why the giver's round 2 came back without an answer
    verify_round_2: dict[str, Any]  # the receiver's form in round 2
    no_reason_message: str  # why the supervisor's send-back without a reason came back
    no_verdict_message: str  # why the supervisor's completion without a verdict came back
    signing_forms: dict[str, dict[str, Any]]  # each signer's form in the last round, by task
    after_send_back: dict[str, Any]  # the giver's form in round 3
    signing_after_send_back: list[dict[str, Any]]  # signing tasks open while the giver prepares round 3
    signer_roles: list[dict[str, str]]  # per signing round
    failures: list[dict[str, Any]]  # the failures its workers reported
    variables: dict[str, Any]  # its variables at the end

    @property
    def folder(self) -> Path:
        assert self.variables.get("archiveFolder"), f"{self.instance} recorded no archiveFolder: it archived nothing"
        return Path(self.variables["archiveFolder"])


def crash_on_second_copy(calls: list[str]) -> Any:
    """The archive's writer, crashing after the first copy and leaving a half-written temporary file."""
    real_write_once = archive_module._write_once

    def write(path: Path, data: bytes) -> None:
        calls.append(path.name)
        if len(calls) == 2:
            (path.parent / f".{path.name}.crash{archive_module.TEMP_SUFFIX}").write_bytes(data[: len(data) // 2])
            raise OSError("simulated crash mid-write")
        real_write_once(path, data)
    return write


@pytest.fixture(scope="module")
def looped(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Looped]:
    """xu.ming hands over to huang.lei (Engineering): an incomplete checklist, a question in round 1,
    a send-back in round 2, a supervisor who forgets the verdict, and an archive that crashes once."""
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("loops")) as seen:
            instance, first = announced(staff, started, "zhang.wei",
                                        notice("xu.ming", "huang.lei", "engineering", PLANNED))
            # Equipment without an asset number, a customer without a contact: both named, then fixed.
            incomplete = [{"category": "equipment", "description": "示波器 / Oscilloscope", "location": "实验室 / Lab"},
                          {"category": "customerInformation", "description": "客户甲 / Customer A", "location": "CRM"}]
            staff.complete("xu.ming", first["id"], {"checklistItems": incomplete})
            again = next_task(staff, instance, "Task_FillChecklist", first["id"], "the incomplete checklist back")
            incomplete_message = staff.form_variables("xu.ming", again["id"])["checklistRejection"]
            complete = [dict(incomplete[0], assetNumber="LAB-0042"), dict(incomplete[1], contact="张三 021-5555")]
            staff.complete("xu.ming", again["id"], {"checklistItems": complete})

            # Round 1: the receiver forgets the question's text, then asks about the oscilloscope.
            verify = one_task(staff, instance, "Task_VerifyChecklist", "verification, round 1")
            staff.complete("huang.lei", verify["id"], {"verificationItems": [{"verdict": "question"}, {"verdict": "accept"}]})
            verify = next_task(staff, instance, "Task_VerifyChecklist", verify["id"], "the verification back")
            verification_message = staff.form_variables("huang.lei", verify["id"])["verificationRejection"]
            staff.complete("huang.lei", verify["id"], {"verificationItems": [
                {"verdict": "question", "question": QUESTION}, {"verdict": "accept"}]})
            round2 = next_task(staff, instance, "Task_FillChecklist", again["id"], "the questions back to the giver")
            after_question = staff.form_variables("xu.ming", round2["id"])
            fixed = [dict(complete[0], description="示波器及校准证书 / Oscilloscope with calibration certificate"), complete[1]]
            asked = after_question["questionAnswers"]
            staff.complete("xu.ming", round2["id"], {"checklistItems": fixed, "questionAnswers": asked})
            unanswered = next_task(staff, instance, "Task_FillChecklist", round2["id"], "the unanswered question back")
            unanswered_message = staff.form_variables("xu.ming", unanswered["id"])["checklistRejection"]
            staff.complete("xu.ming", unanswered["id"], {"checklistItems": fixed, "questionAnswers": [
                dict(row, answer=ANSWER) for row in asked]})
            round2 = unanswered
            verify2 = next_task(staff, instance, "Task_VerifyChecklist", verify["id"], "verification, round 2")
            verify_round_2 = staff.form_variables("huang.lei", verify2["id"])
            staff.complete("huang.lei", verify2["id"], {"verificationItems": [{"verdict": "accept"}] * 2})

            # Round 2: the supervisor (their common superior, the head) sends it back, first without a reason.
            supervisor = one_task(staff, instance, "Task_SupervisorConfirms", "the supervisor's task, round 2")
            staff.complete(supervisor["assignee"], supervisor["id"], {"supervisorVerdict": "sendBack"})
            supervisor = next_task(staff, instance, "Task_SupervisorConfirms", supervisor["id"], "no reason: back")
            no_reason_message = staff.form_variables(supervisor["assignee"], supervisor["id"])["supervisorRejection"]
            roles = [sign_all(staff, instance, "sendBack", "缺少项目文档 / The project documents are missing")]
            earlier = (first["id"], again["id"], round2["id"])
            round3 = wait_until(lambda: [t for t in staff.tasks(instance, taskDefinitionKey="Task_FillChecklist")
                                         if t["id"] not in earlier], 60, "the send-back")
            after_send_back = staff.form_variables("xu.ming", round3[0]["id"])
            signing_after_send_back = staff.tasks(instance, taskDefinitionKeyIn=SIGNING_TASKS)
            final = fixed + [{"category": "documents", "description": "项目文档 / Project documents", "location": "Git"}]
            staff.complete("xu.ming", round3[0]["id"], {"checklistItems": final})
            verify3 = next_task(staff, instance, "Task_VerifyChecklist", verify2["id"], "verification, round 3")
            staff.complete("huang.lei", verify3["id"], {"verificationItems": [{"verdict": "accept"}] * 3})

            with mock.patch.object(archive_module, "_write_once", side_effect=crash_on_second_copy([])):
                # A supervisor who completes without a verdict is asked again: no signature is assumed.
                supervisor = one_task(staff, instance, "Task_SupervisorConfirms", "the supervisor's task, round 3")
                staff.complete(supervisor["assignee"], supervisor["id"], {})
                supervisor = next_task(staff, instance, "Task_SupervisorConfirms", supervisor["id"],
                                       "the supervisor asked again")
                no_verdict_message = staff.form_variables(supervisor["assignee"], supervisor["id"])["supervisorRejection"]
                signing = staff.wait_for_tasks(instance, 3, "the three signing tasks", taskDefinitionKeyIn=SIGNING_TASKS)
                signing_forms = {t["taskDefinitionKey"]: staff.form_variables(t["assignee"], t["id"]) for t in signing}
                roles.append(sign_all(staff, instance))
                started[0].settle(90)  # the archive retried
            result = Looped(started[0], incomplete_message, verification_message, after_question, unanswered_message,
                            verify_round_2, no_reason_message, no_verdict_message, signing_forms,
                            after_send_back, signing_after_send_back,
                            roles, staff.admin.failure_log(instance), staff.admin.history_variables(instance))
        yield result


def test_an_incomplete_checklist_comes_back_naming_each_missing_field(looped: Looped) -> None:
    message = looped.incomplete_message
    assert "第 1 项 资产编号 / item 1 Asset number" in message and "第 2 项 客户联系人 / item 2 Customer contact" in message, \
        message


def test_a_rejection_names_fields_by_their_labels_never_by_the_variables_key(looped: Looped) -> None:
    messages = [looped.incomplete_message, looped.verification_message, looped.unanswered_message,
                looped.no_reason_message, looped.no_verdict_message]
    keys = ("checklistItems", "verificationItems", "questionAnswers", "assetNumber", "contact:", "question:",
            "sendBackReason", "supervisorVerdict")
    assert [(m, k) for m in messages for k in keys if k in m] == [], messages


def test_an_incomplete_verification_comes_back_to_the_receiver_naming_the_row_and_field(looped: Looped) -> None:
    assert looped.verification_message == "第 1 项 疑问 / item 1 Question: 有疑问时请写明疑问 / write the question"


def test_the_giver_never_sees_the_receivers_message_and_the_receivers_is_cleared_once_verified(looped: Looped) -> None:
    """Seen: the giver was shown the receiver's old validation error."""
    assert looped.after_question.get("checklistRejection") is None, looped.after_question.get("checklistRejection")
    assert looped.after_question.get("verificationRejection") is None, "the receiver's message outlived their step"
    assert looped.verify_round_2.get("verificationRejection") is None


def test_a_returned_checklist_says_the_round_who_returned_it_and_the_question(looped: Looped) -> None:
    why = looped.after_question["openQuestions"]
    assert why.startswith("第 1 轮 / Round 1: 接收人黄磊提出疑问") and QUESTION in why, why


def test_the_giver_answers_each_question_in_a_row_of_its_own(looped: Looped) -> None:
    assert looped.after_question["questionAnswers"] == [
        {"item": 1, "description": "示波器 / Oscilloscope", "question": QUESTION, "answer": None}]
    assert looped.unanswered_message == "第 1 项 答复 / item 1 Answer: 必填 / is required"


def test_in_round_2_the_receiver_sees_the_question_the_answer_and_what_changed(looped: Looped) -> None:
    changed, kept = looped.verify_round_2["verificationItems"]
    assert (changed["earlierQuestion"], changed["answer"], changed["change"], changed["verdict"]) == (
        QUESTION, ANSWER, "交出人已修改此项 / The giver changed this item", None)
    assert (kept["verdict"], kept["change"]) == ("accept", None), "an unchanged row keeps its verdict"
    assert QUESTION in looped.verify_round_2["conversation"] and ANSWER in looped.verify_round_2["conversation"]


def test_the_answers_are_kept_in_the_rounds_for_the_record(looped: Looped) -> None:
    first = looped.variables["handoverRounds"][0]
    assert [(q["question"], q["answer"]) for q in first["questions"]] == [(QUESTION, ANSWER)]


def test_a_send_back_without_a_reason_comes_back_to_the_supervisor_naming_the_field(looped: Looped) -> None:
    """Seen: a send-back without a reason was accepted ("未说明原因")."""
    assert looped.no_reason_message == "退回原因 / Reason for sending back: 必填 / is required"
    assert "未说明原因" not in json.dumps(looped.variables["handoverRounds"], ensure_ascii=False)


def test_a_supervisor_who_completes_without_choosing_is_told_what_to_choose(looped: Looped) -> None:
    assert looped.no_verdict_message == "监交人意见 / Supervisor's verdict: 请选择签字确认或退回 / choose to sign or to send back"


def test_each_signer_is_shown_their_own_name_and_the_round_history(looped: Looped) -> None:
    names = {key: form["signerName"] for key, form in looped.signing_forms.items()}
    assert names == {"Task_GiverSigns": "徐明", "Task_ReceiverSigns": "黄磊",
                     "Task_SupervisorConfirms": looped.variables["supervisorName"]}
    assert looped.signing_forms["Task_SupervisorConfirms"]["supervisorRejection"] is not None, \
        "the supervisor asked again reads why"
    assert all("缺少项目文档" in form["conversation"] for form in looped.signing_forms.values())


def test_each_recorded_signature_carries_what_the_signer_confirmed(looped: Looped) -> None:
    statements = {s["role"]: s.get("statement") for s in looped.variables["signatures"]}
    assert statements == {role: "我已核对并确认 / I have checked and confirm" for role in ("giver", "receiver", "supervisor")}


def test_a_receivers_question_goes_back_to_the_giver_in_round_2(looped: Looped) -> None:
    shown = looped.after_question
    assert ("calibration certificate" in shown["openQuestions"], shown["handoverRound"]) == (True, 2), \
        f"expected the question in round 2, got round {shown['handoverRound']}: {shown['openQuestions']!r}"


def test_a_supervisors_send_back_goes_to_the_giver_with_the_reason_in_round_3(looped: Looped) -> None:
    shown = looped.after_send_back
    assert ("The project documents are missing" in shown["openQuestions"], shown["handoverRound"]) == (True, 3), \
        f"expected the reason in round 3, got round {shown['handoverRound']}: {shown['openQuestions']!r}"


def test_sending_back_withdraws_the_other_signatures(looped: Looped) -> None:
    assert [t["taskDefinitionKey"] for t in looped.signing_after_send_back] == [], \
        "sending back withdraws the other signatures"


def test_every_signing_round_asks_giver_receiver_and_supervisor(looped: Looped) -> None:
    assert looped.signer_roles == [SIGNER_ROLES, SIGNER_ROLES]


def test_a_supervisor_who_gives_no_verdict_is_asked_again(looped: Looped) -> None:
    # Round 2 without a reason, then sent back; round 3 without a verdict, then signed: nothing is assumed.
    has_passed(looped.instance, "Task_SupervisorConfirms", times=4)


def test_the_rounds_record_who_returned_the_checklist(looped: Looped) -> None:
    assert [(r["round"], r["returnedBy"]) for r in looped.variables["handoverRounds"]] == \
           [(1, "receiver"), (2, "supervisor")]


def test_a_crash_mid_archive_is_reported_as_a_failure(looped: Looped) -> None:
    messages = [f.get("errorMessage") or "" for f in looped.failures]
    assert any("simulated crash mid-write" in m for m in messages), messages


def test_after_a_crash_mid_archive_the_hand_over_completes(looped: Looped) -> None:
    has_ended(looped.instance, at="EndEvent_HandedOver")


def test_after_a_crash_mid_archive_exactly_three_copies_and_the_record_remain(looped: Looped) -> None:
    assert sorted(p.name for p in looped.folder.iterdir()) == ["record.json", *COPIES], \
        "exactly three copies and the record, nothing partial"


def test_after_a_crash_mid_archive_the_three_copies_are_identical(looped: Looped) -> None:
    assert len({p.read_bytes() for p in looped.folder.glob("*.pdf")}) == 1


def test_the_archived_checklist_keeps_the_verification_record(looped: Looped) -> None:
    text = "".join(pdf_text(looped.folder / COPIES[0]).split())
    for shown in ("第1轮：接收人黄磊", "校准证书在哪？/Whereisthecalibrationcertificate?",
                  "第2轮：监交人", "缺少项目文档/Theprojectdocumentsaremissing"):
        assert shown in text, f"{shown!r} not in the archived PDF's verification record"


def test_the_archived_checklist_is_the_last_rounds(looped: Looped) -> None:
    assert "Project documents" in pdf_text(looped.folder / "work-handover-checklist-giver.pdf")


# --- deadlines: a hand-over planned well ahead -----------------------------------------------------


def test_verification_and_signing_are_due_after_the_planned_date_of_a_hand_over_announced_today(
        staff: Staff, engine: Settings, tmp_path: Path) -> None:
    """Seen: the signing deadline (12-04) before the planned hand-over (12-09). Announced today for a
    date 8 working days ahead, the checklist done at once: verifying and signing are due after it."""
    planned = planned_for_notice_given_today(8)
    with instances(staff) as started, outside_world(engine, tmp_path):
        instance = staff.start("chen.jing", "work-handover", notice("yang.fan", "wu.hao", "sales", planned))
        started.append(staff.admin.instance(instance))
        checklist = one_task(staff, instance, "Task_FillChecklist", "the giver's checklist task")
        wait_for_notice(staff, instance)
        staff.complete("yang.fan", checklist["id"], {"checklistItems": ITEMS})
        verify = one_task(staff, instance, "Task_VerifyChecklist", "the verification")
        verify_all(staff, "wu.hao", verify)
        signing = staff.wait_for_tasks(instance, 3, "the three signing tasks", taskDefinitionKeyIn=SIGNING_TASKS)
    dues = {task["taskDefinitionKey"]: datetime.fromisoformat(task["due"]).astimezone(SHANGHAI).date()
            for task in [checklist, verify, *signing]}
    assert dues["Task_FillChecklist"] <= planned, f"the checklist is due {dues['Task_FillChecklist']}, after {planned}"
    late = {key: due for key, due in dues.items() if key != "Task_FillChecklist" and due <= planned}
    assert late == {}, f"due on or before the planned hand-over on {planned}: {late}"


# --- the notice: the official calendar, invalid parties, the decision table ------------------------


@dataclass
class Rejected:
    instance: ProcessInstance
    task: dict[str, Any]  # the correction task
    shown: dict[str, Any]  # what its form showed


def correction(staff: Staff, instance: str, user: str, what: str) -> Rejected:
    task = one_task(staff, instance, "Task_CorrectNotice", what)
    return Rejected(staff.admin.instance(instance), task, staff.form_variables(user, task["id"]))


@pytest.fixture(scope="module")
def across_national_day(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rejected]:
    """A department head moves (10 working days). Notice Friday 2025-09-26, hand-over Friday 10-10:
    Sunday 09-28 is worked (调休) and 10-01..10-08 are holidays, so only 5 working days lie between;
    Saturday 10-11 is worked too, so the 10th working day is Thursday 10-16. (A Monday-to-Friday
    count would have said 10 and let it through.) The initiator then withdraws it."""
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("national-day")):
            instance = start_backdated(staff, "wang.jianguo", notice("zhang.wei", "huang.lei", "engineering",
                                                                     date(2025, 10, 10)),
                                       datetime(2025, 9, 26, 10, 0, tzinfo=SHANGHAI))
            started.append(staff.admin.instance(instance))
            rejected = correction(staff, instance, "wang.jianguo", "the notice back to the initiator")
            staff.complete("wang.jianguo", rejected.task["id"], {"withdraw": True})
            started[0].settle(30)
        yield rejected


def test_a_notice_too_short_goes_back_to_the_initiator(across_national_day: Rejected) -> None:
    assert across_national_day.task["assignee"] == "wang.jianguo"


def test_a_notice_across_national_day_counts_the_make_up_working_days(across_national_day: Rejected) -> None:
    message = across_national_day.shown["rejectionMessage"]
    assert "5 working days" in message and "requires 10" in message, message


def test_a_notice_too_short_names_the_earliest_compliant_date(across_national_day: Rejected) -> None:
    assert across_national_day.shown["earliestCompliantDate"] == "2025-10-16"


def test_a_withdrawn_notice_ends_the_hand_over(across_national_day: Rejected) -> None:
    has_ended(across_national_day.instance, at="EndEvent_Withdrawn")


@dataclass
class Corrected:
    unknown: Rejected  # naming a receiver nobody knows
    outside_department: Rejected  # then one from another department


@pytest.fixture(scope="module")
def invalid_receivers(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Corrected]:
    """chen.jing gives notice in Tasklist (the start event: the engine records who and when) naming
    an unknown receiver, then corrects it to someone outside the receiving department. The parties
    are checked before the notice period, so the planned date is never counted and today's date
    does not matter."""
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("invalid-receiver")):
            instance = staff.start("chen.jing", "work-handover", notice("yang.fan", "nobody.here", "sales", PLANNED))
            started.append(staff.admin.instance(instance))
            unknown = correction(staff, instance, "chen.jing", "the invalid notice back")
            staff.complete("chen.jing", unknown.task["id"], {"receiverId": "xu.ming", "withdraw": False})
            again = next_task(staff, instance, "Task_CorrectNotice", unknown.task["id"], "the second rejection")
            result = Corrected(unknown, Rejected(started[0], again, staff.form_variables("chen.jing", again["id"])))
        yield result


def test_an_unknown_receiver_is_named_in_the_rejection(invalid_receivers: Corrected) -> None:
    message = invalid_receivers.unknown.shown["rejectionMessage"]
    assert message.startswith("接收人 / Receiver: 没有用户 'nobody.here'") and "receiverId" not in message, message


def test_a_receiver_outside_the_receiving_department_is_rejected(invalid_receivers: Corrected) -> None:
    message = invalid_receivers.outside_department.shown["rejectionMessage"]
    assert "not in the receiving department" in message, message


def test_a_rejected_notice_waits_for_the_initiator_to_correct_it(invalid_receivers: Corrected) -> None:
    rejected = invalid_receivers.outside_department
    assert rejected.task["assignee"] == "chen.jing"
    waits_at(rejected.instance, "Task_CorrectNotice")


def stricter(xml: str) -> str:
    """handover-policy as a process owner edits it in Modeler: post change of staff needs 12 working days."""
    rule = xml.index('<outputEntry id="Rule_PostChangeStaff_NoticeWorkingDays">')
    return xml[:rule] + xml[rule:].replace("<text>3</text>", "<text>12</text>", 1)


@dataclass
class PolicyEdit:
    before: ProcessInstance  # the notice under the decision as shipped
    after: Rejected  # the same notice once the process owner asks for 12 working days


@pytest.fixture(scope="module")
def policy_edit(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PolicyEdit]:
    """tang.ning's notice, 4 working days before the hand-over, under the decision as shipped and
    after the process owner redeploys it with 12 working days for staff."""
    values = notice("tang.ning", "lin.xiao", "finance", PLANNED)
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("policy-edit")):
            accepted, _ = announced(staff, started, "song.jie", values)  # accepted under 3 working days
            xml = (ROOT / "dmn" / "handover-policy.dmn").read_text(encoding="utf-8")
            deployment = staff.admin.deploy_xml("stricter-handover-policy", {"handover-policy.dmn": stricter(xml)})
            try:
                rejected = start_backdated(staff, "song.jie", values, NOTICE_GIVEN)
                started.append(staff.admin.instance(rejected))
                after = correction(staff, rejected, "song.jie", "the same notice rejected under 12")
            finally:
                staff.admin.session.delete(f"{staff.admin.url}/deployment/{deployment['id']}",
                                           params={"cascade": "true"}, timeout=30)
            result = PolicyEdit(started[0], after)
        yield result


def test_under_the_decision_as_shipped_four_working_days_notice_is_enough(policy_edit: PolicyEdit) -> None:
    waits_at(policy_edit.before, "Task_FillChecklist")


def test_editing_the_notice_days_in_the_decision_table_rejects_the_same_notice(policy_edit: PolicyEdit) -> None:
    assert policy_edit.after.shown["earliestCompliantDate"] == "2025-11-19", \
        "12 working days after Monday 2025-11-03 is Wednesday 11-19"


# --- reminders and escalation ------------------------------------------------------------------------


@dataclass
class Overdue:
    checklist: dict[str, Any]
    reminders: list[EmailMessage]  # reminder and escalation mails, in the order sent


def is_reminder(mail: EmailMessage) -> bool:
    return "Reminder" in mail["Subject"] or "escalated" in mail["Subject"]


@pytest.fixture(scope="module")
def overdue(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Overdue]:
    """zheng.yu's preparation is overdue three times (the timer fired by hand, as the job executor
    would once the deadline passed)."""
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("overdue")) as seen:
            instance, task = announced(staff, started, "chen.jing", notice("zheng.yu", "wu.hao", "sales", PLANNED))
            for number in (1, 2, 3):
                [job] = staff.admin.get("/job", processInstanceId=instance, activityId="Event_PreparationOverdue")
                response = staff.admin.session.post(f"{staff.admin.url}/job/{job['id']}/execute", timeout=30)
                assert response.ok, response.text
                wait_until(lambda: len([m for m in seen.mails_to("zheng.yu@") if is_reminder(m)]) >= number,
                           30, f"reminder {number}")
                # The count it keeps decides the next one: wait until it is recorded.
                wait_until(lambda: not staff.admin.external_tasks(processInstanceId=instance,
                                                                  activityId="Task_RemindPreparation"),
                           30, f"reminder {number} to be recorded")
            result = Overdue(task, [m for m in seen.mailbox.messages if is_reminder(m)])
        yield result


def test_each_overdue_preparation_sends_one_reminder_to_the_giver(overdue: Overdue) -> None:
    assert [("zheng.yu@" in str(m["To"])) for m in overdue.reminders] == [True, True, True], \
        [str(m["To"]) for m in overdue.reminders]


def test_the_first_two_reminders_go_to_the_giver_alone_the_third_to_their_head_as_well(overdue: Overdue) -> None:
    assert ["chen.jing@" in str(m["To"]) for m in overdue.reminders] == [False, False, True], \
        "the third goes to the giver's department head as well"


def test_every_reminder_links_to_the_checklist_task(overdue: Overdue) -> None:
    link = f"#/?task={overdue.checklist['id']}"
    assert [link in m.get_body(("plain",)).get_content() for m in overdue.reminders] == [True] * 3


# --- a forged instance: started by the admin right before the reassignment -------------------------


@dataclass
class Forged:
    instance: ProcessInstance
    incident: dict[str, Any]
    victims_task: dict[str, Any]  # the task named in the forged checklist, after the worker refused


@pytest.fixture(scope="module")
def forged(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Forged]:
    """Start instructions put an instance before Task_ReassignOpenTasks with variables naming
    xu.ming's open task as if yang.fan held it: no check was passed, nobody signed."""
    victims_task = open_task_for(staff, "xu.ming")
    variables = {"giverId": "yang.fan", "giverName": "杨帆", "receiverId": "wu.hao", "receiverName": "吴浩",
                 "checklistItems": [{"category": "unfinishedTasks", "description": "forged",
                                     "location": "Camunda Tasklist", "camundaTaskId": victims_task}]}
    body = {"variables": {name: ({"type": "Json", "value": json.dumps(value)} if isinstance(value, list)
                                 else {"value": value, "type": "String"}) for name, value in variables.items()},
            "startInstructions": [{"type": "startBeforeActivity", "activityId": "Task_ReassignOpenTasks"}]}
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("forged")):
            response = staff.admin.session.post(
                f"{staff.admin.url}/process-definition/key/work-handover/start", json=body, timeout=30)
            assert response.ok, response.text
            instance = staff.admin.instance(response.json()["id"])
            started.append(instance)
            incident = incident_at(instance, "Task_ReassignOpenTasks", "was not passed")
            yield Forged(instance, incident, staff.admin.get(f"/task/{victims_task}"))


def test_a_forged_reassignment_ends_as_an_incident_naming_the_step_not_passed(forged: Forged) -> None:
    assert "Task_ResolveParties was not passed" in forged.incident["incidentMessage"], forged.incident


def test_a_forged_reassignment_leaves_the_task_with_its_owner(forged: Forged) -> None:
    assert forged.victims_task["assignee"] == "xu.ming"


# --- what a giver may type: rejected at the checklist's first check, long text stored -------------
BAD_CHECKLISTS = {  # what each submission breaks -> the rows submitted (as Json text, as a form would)
    "100 kB description": [dict(ITEMS[0], description="很长" * 50_000)],
    "list description": [dict(ITEMS[0], description=["2026 年市场分析报告底稿"])],
    "asset number -1": [dict(ITEMS[1], assetNumber=-1)],
    "asset number 1e400": '[{"category": "equipment", "description": "Laptop", "location": "3F", "assetNumber": 1e400}]',
    "NUL": [dict(ITEMS[0], location="共享盘\u0000")],
    "emoji": [dict(ITEMS[0], description="底稿 😀")],
}
# Twelve rows of 400 characters: the summary the signers read is longer than a String column holds.
LONG_ROWS = [{"category": "documents", "description": f"第 {n} 份底稿 / draft {n} " + "说明" * 190,
              "location": "共享盘 / share"} for n in range(1, 13)]


@dataclass
class BadInputs:
    instance: ProcessInstance
    messages: dict[str, str]  # what the giver's checklist form showed after each bad submission
    passed_before_valid: list[str]  # the activities passed until a valid checklist was submitted
    summary_type: str  # the type the engine stores checklistSummary in
    sign_form: dict[str, Any]  # what the giver's signing form showed
    variables: dict[str, Any]


def submit_raw(staff: Staff, user: str, task_id: str, rows: list[dict[str, Any]] | str) -> None:
    text = rows if isinstance(rows, str) else json.dumps(rows, ensure_ascii=False)
    staff.call(user, "POST", f"/task/{task_id}/complete",
               json={"variables": {"checklistItems": {"type": "Json", "value": text}}})


@pytest.fixture(scope="module")
def bad_inputs(staff: Staff, engine: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[BadInputs]:
    """yang.fan hands over to wu.hao once more: six checklists that break a rule each, then a long valid one."""
    with instances(staff) as started:
        with outside_world(engine, tmp_path_factory.mktemp("inputs")):
            instance = start_backdated(staff, "chen.jing", notice("yang.fan", "wu.hao", "sales", PLANNED),
                                       NOTICE_GIVEN)
            started.append(staff.admin.instance(instance))
            task = one_task(staff, instance, "Task_FillChecklist", "the checklist")
            wait_for_notice(staff, instance)
            messages = {}
            for what, rows in BAD_CHECKLISTS.items():
                submit_raw(staff, "yang.fan", task["id"], rows)
                task = next_task(staff, instance, "Task_FillChecklist", task["id"], f"the checklist back ({what})")
                messages[what] = staff.form_variables("yang.fan", task["id"])["checklistRejection"]
            passed = started[0].passed()
            submit_raw(staff, "yang.fan", task["id"], LONG_ROWS)
            verify_all(staff, "wu.hao", one_task(staff, instance, "Task_VerifyChecklist", "the verification"))
            signing = staff.wait_for_tasks(instance, 3, "the signing tasks", taskDefinitionKeyIn=SIGNING_TASKS)
            giver_signs = next(t for t in signing if t["taskDefinitionKey"] == "Task_GiverSigns")
            sign_form = staff.form_variables("yang.fan", giver_signs["id"])
            summary = staff.admin.get("/history/variable-instance", processInstanceId=instance,
                                      variableName="checklistSummary", deserializeValues="false")
            sign_all(staff, instance)
            started[0].settle(60)
            result = BadInputs(started[0], messages, passed, summary[0]["type"], sign_form,
                               staff.admin.history_variables(instance))
        yield result


@pytest.mark.parametrize("what, named", [
    ("100 kB description", "第 1 项 说明 / item 1 Description: 不能超过 2000 个字符（现有 100000 个）"),
    ("list description", "第 1 项 说明 / item 1 Description: 须为文字，收到列表"),
    ("asset number -1", "第 1 项 资产编号 / item 1 Asset number: 须为文字，收到数字"),
    ("asset number 1e400", "第 1 项 资产编号 / item 1 Asset number: 须为文字，收到数字"),
    ("NUL", "第 1 项 存放位置或系统 / item 1 Where it is: 含有不允许的控制字符 U+0000"),
    ("emoji", "第 1 项 说明 / item 1 Description: 字符 😀 (U+1F600) 无法打印在交接清单上 / cannot be printed on the checklist"),
])
def test_a_checklist_breaking_a_limit_comes_back_to_the_giver_naming_the_field(
        bad_inputs: BadInputs, what: str, named: str) -> None:
    assert named in bad_inputs.messages[what], bad_inputs.messages[what]


def test_nothing_but_the_check_happens_while_the_checklist_breaks_a_limit(bad_inputs: BadInputs) -> None:
    after_notice = bad_inputs.passed_before_valid[bad_inputs.passed_before_valid.index("Task_FillChecklist"):]
    assert "Task_VerifyChecklist" not in after_notice, after_notice
    assert after_notice.count("Event_ChecklistIncomplete") == len(BAD_CHECKLISTS), after_notice
    assert bad_inputs.instance.incidents() == [], "a limit is the giver's to fix, never an incident"


def test_a_summary_longer_than_a_string_column_is_stored_as_json_and_shown_whole(bad_inputs: BadInputs) -> None:
    summary = bad_inputs.sign_form["checklistSummary"]
    assert (bad_inputs.summary_type, len(summary) > 4000, "draft 12" in summary) == ("Json", True, True)


def test_a_long_checklist_is_archived_like_any_other(bad_inputs: BadInputs) -> None:
    has_ended(bad_inputs.instance)
    assert bad_inputs.variables.get("contentSha256"), "archived, with its content hash"
