"""Information sharing (信息共享, policy §3.3) on the real engine, with a real SMTP server and IM
webhook receiver: a share reaches exactly the departments decision sharing-permissions allows, by
the channels it allows, through the approval block where it requires one; each department
acknowledges; feedback leads to a corrected version every receiver is told about."""

from __future__ import annotations

import contextlib
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.assertions import has_ended, waits_at
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.retention import assert_kept_for
from tests.support.receivers import InterfaceReceiver, Mailbox, Receiver, http_receiver, interface_receiver, smtp_server
from tests.support.staff import ROOT, Staff, demo_with_starters
from workers.catalog import load_registry
from pydantic import SecretStr

from workers.runtime.settings import Settings
from workers.shared.received import received_by

pytestmark = pytest.mark.engine

PUBLISHER, SALES_HEAD, LEADER = "wu.hao", "li.qiang", "wang.jianguo"  # 销售部 Sales; the general manager
PRODUCTION, FINANCE = ["zhou.gang", "he.jun", "ma.lin"], ["guo.hong", "lin.xiao"]
TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
FORMS = ["information-sharing-publish.form", "information-sharing-correct.form",
         "information-sharing-correct-obligation.form", "information-sharing-acknowledge.form",
         "information-sharing-answer.form"]
DECISION = "sharing-permissions.dmn"
CONTENT = "十二月订单：A 客户 300 台，B 客户 120 台 / December orders: customer A 300 units, customer B 120"


@dataclass
class World:
    staff: Staff
    mailbox: Mailbox
    im: Receiver
    interface: InterfaceReceiver
    organisation_file: Path


@pytest.fixture(scope="module")
def world(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("sharing")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(staff, organisation_file)
    topics = [t for t in load_registry().names() if t.startswith(("sharing.", "approval."))]
    secret = secrets.token_urlsafe(32)
    with smtp_server() as (mailbox, port), http_receiver() as im, interface_receiver(secret) as system:
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", tasklist_url=TASKLIST,
                                      webhook_urls=[f"{im.base_url}/im"], archive_dir=folder / "archive",
                                      interface_url=system.url, interface_secret=SecretStr(secret))
        with running_worker(load_registry().subset(topics), settings):
            yield World(staff, mailbox, im, system, organisation_file)


def deploy(staff: Staff, organisation_file: Path, *, bpmn_edits: dict[str, str] | None = None,
           decision_edits: dict[str, str] | None = None) -> None:
    """Our models, with `edits` applied as a process owner would in Modeler."""
    staff.deploy("approval-for-sharing-test", organisation_file, ["approval.bpmn"],
                 ["approval-decide.form", "approval-withdraw.form"])
    staff.deploy("information-sharing-test", organisation_file, ["information-sharing.bpmn"], FORMS, edits=bpmn_edits)
    text = (ROOT / "dmn" / DECISION).read_text(encoding="utf-8")
    for old, new in (decision_edits or {}).items():
        assert old in text, f"{DECISION} has no {old!r} to edit"
        text = text.replace(old, new)
    staff.admin.deploy_xml("sharing-permissions-test", {DECISION: text})


@contextlib.contextmanager
def edited(world: World, **edits: dict[str, str]) -> Iterator[None]:
    deploy(world.staff, world.organisation_file, **edits)
    try:
        yield
    finally:
        deploy(world.staff, world.organisation_file)


def share(world: World, **fields: Any) -> str:
    values = {"title": "十二月客户订单 / December customer orders", "category": "business-data",
              "sensitivity": "public", "summary": "本月订单汇总 / this month's orders", "content": CONTENT,
              "targetDepartments": ["production", "finance"], "channels": ["email", "im"], **fields}
    return world.staff.start(PUBLISHER, "information-sharing", values)


def acknowledgement_task(world: World, pid: str, department: str) -> dict[str, Any]:
    return wait_until(lambda: next(iter(world.staff.admin.get(
        "/task", processInstanceId=pid, taskDefinitionKey="Task_Acknowledge", candidateGroup=department)), None),
        60, f"the acknowledgement task of {department} in {pid}")


def acknowledge(world: World, pid: str, department: str, person: str, **feedback: Any) -> dict[str, Any]:
    task = acknowledgement_task(world, pid, department)
    world.staff.call(person, "POST", f"/task/{task['id']}/claim", json={"userId": person})
    world.staff.complete(person, task["id"], feedback or {"feedbackKind": "none"})
    return task


def mails_to(world: World, person: str, subject_part: str) -> list[Any]:
    address = f"{person}@example.com"
    return [m for m in world.mailbox.messages if address in str(m["To"]) and subject_part in str(m["Subject"])]


def body(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def decide(world: World, approver: str, verdict: str = "approve", comment: str = "") -> None:
    task = wait_until(lambda: next(iter(world.staff.admin.get(
        "/task", processDefinitionKey="approval", assignee=approver)), None), 60, f"{approver}'s approval task")
    world.staff.complete(approver, task["id"], {"approvalVerdict": verdict, "approvalComment": comment})


def history(world: World, pid: str) -> dict[str, Any]:
    return world.staff.admin.history_variables(pid)


# --- a public share -----------------------------------------------------------------------------------
def test_public_share_reaches_every_member_of_each_target_and_each_department_acknowledges(world: World) -> None:
    pid = share(world, channels=["email", "im", "interface"])
    instance = world.staff.admin.instance(pid)
    acknowledgement_task(world, pid, "finance")
    for person in PRODUCTION + FINANCE:
        [mail] = wait_until(lambda: mails_to(world, person, "December customer orders") or None, 30,
                            f"the share's e-mail to {person}")
        assert CONTENT in body(mail), f"a public share's e-mail carries its content:\n{body(mail)}"
    assert any(CONTENT in str(post) for post in world.im.received.get("/im", [])), "the IM robot got the share"
    [document] = wait_until(lambda: [d for d in world.interface.accepted if d["processInstanceId"] == pid] or None,
                            30, "the signed document at the system interface")
    assert (document["content"], document["receivingDepartments"]) == (CONTENT, ["production", "finance"])
    assert f"sharing:{pid}:interface" in world.interface.events and not world.interface.refused
    assert history(world, pid)["sharingAudienceGroups"] == ["production", "finance"]
    assert history(world, pid)["sharingAudienceUsers"] == [PUBLISHER]

    acknowledge(world, pid, "production", "he.jun")
    acknowledge(world, pid, "finance", "lin.xiao")
    has_ended(instance, at="EndEvent_Shared")
    receipts = {r["department"]: r for r in history(world, pid)["acknowledgements"]}
    assert {d: (r["by"], r["late"]) for d, r in receipts.items()} == {
        "production": ("he.jun", False), "finance": ("lin.xiao", False)}
    [told] = wait_until(lambda: mails_to(world, PUBLISHER, "签收情况") or None, 30, "the receipts sent to the publisher")
    assert "何军" in body(told) and "林晓" in body(told)
    [entry] = [e for e in received_by(world.organisation_file.parent / "archive", "production")
               if e.share.process_instance_id == pid]
    assert entry.acknowledgement is not None and entry.acknowledgement.acknowledged_by == "he.jun"


# --- a confidential share -----------------------------------------------------------------------------
def test_confidential_share_needs_the_data_owner_then_leadership_and_its_mail_has_no_content(world: World) -> None:
    title = "重点客户价格 / Key customer prices"
    pid = share(world, title=title, category="customer", sensitivity="confidential",
                summary="价格底线 / price floor", channels=["email"])
    decide(world, SALES_HEAD, comment="")  # 客户信息 is owned by 销售部: its head first
    assert not mails_to(world, "he.jun", "Key customer prices"), "nothing goes out before leadership approves"
    decide(world, LEADER)
    acknowledgement_task(world, pid, "production")
    for person in PRODUCTION + FINANCE:
        [mail] = wait_until(lambda: mails_to(world, person, "Key customer prices") or None, 30, f"the e-mail to {person}")
        text = body(mail)
        assert CONTENT not in text and "价格底线" not in text, f"confidential content left in an e-mail:\n{text}"
        assert title in text and TASKLIST in text, f"the e-mail names the title and links to Tasklist:\n{text}"
    assert not mails_to(world, "chen.jing", "Key customer prices"), "marketing is no target and gets nothing"
    assert history(world, pid)["sharingAudienceGroups"] == ["production", "finance"]
    decisions = history(world, pid)["sharingApprovalDecisions"]
    assert [(d["approver"], d["verdict"]) for d in decisions] == [(SALES_HEAD, "approved"), (LEADER, "approved")]
    task = acknowledgement_task(world, pid, "production")
    shown = world.staff.form_variables("he.jun", task["id"])
    assert shown["content"] == CONTENT, "the receiving department reads the content on its task"
    outsider = world.staff.session("chen.jing")  # 市场部 Marketing: not in the audience
    for path in (f"/process-instance/{pid}/variables", f"/history/variable-instance?processInstanceId={pid}",
                 f"/task/{task['id']}/form-variables"):
        response = outsider.get(world.staff.engine.engine_url + path, timeout=30)
        assert response.status_code in (403, 404) or response.json() in ([], {}), \
            f"an outsider read {path}: {response.status_code} {response.text[:200]}"


def test_a_target_the_decision_does_not_allow_is_sent_back_naming_it(world: World) -> None:
    pid = share(world, category="customer", sensitivity="confidential",
                targetDepartments=["production", "marketing", "internalaudit"], channels=["email", "im"])
    waits_at(world.staff.admin.instance(pid), "Task_CorrectRequest")
    message = history(world, pid)["rejectionMessage"]
    assert "市场部" in message and "Marketing" in message and "内审部" in message, message
    assert "生产部" not in message, f"an allowed target is not named:\n{message}"
    assert "即时通讯" in message, f"IM is not allowed for confidential information:\n{message}"
    [task] = world.staff.tasks(pid, taskDefinitionKey="Task_CorrectRequest")
    assert task["assignee"] == PUBLISHER


def test_a_free_shares_correction_lets_its_publisher_change_the_receiving_departments(world: World) -> None:
    pid = share(world, title="十二月排产 / December production plan", content="", contentLink="",
                channels=["record"])
    instance = world.staff.admin.instance(pid)
    waits_at(instance, "Task_CorrectRequest")  # neither content nor a link; no obligation fixes its fields
    assert history(world, pid)["sharingObligation"] is None
    [task] = world.staff.tasks(pid, taskDefinitionKey="Task_CorrectRequest")
    world.staff.complete(PUBLISHER, task["id"], {"content": CONTENT, "targetDepartments": ["production"],
                                                 "withdraw": False})
    acknowledgement_task(world, pid, "production")
    assert (history(world, pid)["receivingDepartments"], history(world, pid)["sharingAudienceGroups"]) == (
        ["production"], ["production"]), "the corrected targets are the ones published to"
    assert not world.staff.admin.get("/task", processInstanceId=pid, candidateGroup="finance"), \
        "the department taken off receives nothing"
    acknowledge(world, pid, "production", "he.jun")
    has_ended(instance, at="EndEvent_Shared")


def test_an_approvers_rejection_goes_back_to_the_publisher_with_the_reason(world: World) -> None:
    pid = share(world, title="内部通讯录 / Internal directory", sensitivity="internal")  # the head approves
    decide(world, SALES_HEAD, verdict="reject", comment="请删去个人手机号 / remove the mobile numbers")
    waits_at(world.staff.admin.instance(pid), "Task_CorrectRequest")
    assert "请删去个人手机号" in history(world, pid)["rejectionMessage"]
    assert history(world, pid)["sharingApprovalOutcome"] == "rejected"


def test_the_publisher_may_withdraw_while_the_approval_is_pending(world: World) -> None:
    pid = share(world, title="部门活动 / Department outing", sensitivity="internal")
    task = wait_until(lambda: next(iter(world.staff.admin.get(
        "/task", processDefinitionKey="approval", assignee=PUBLISHER, taskDefinitionKey="Task_Withdraw")), None),
        60, "the publisher's withdraw task")
    world.staff.complete(PUBLISHER, task["id"], {"approvalWithdrawReason": "活动取消 / the outing is cancelled"})
    has_ended(world.staff.admin.instance(pid), at="EndEvent_ApprovalWithdrawn")
    assert not mails_to(world, "he.jun", "Department outing"), "a withdrawn share is not delivered"


# --- a late acknowledgement ---------------------------------------------------------------------------
def test_a_late_acknowledgement_is_reminded_and_recorded_as_late(world: World) -> None:
    # Due the day it is published, at 00:00: already past, as a short lead time would be.
    with edited(world, bpmn_edits={'name="deadlineTime" value="18:00"': 'name="deadlineTime" value="00:00"'},
                decision_edits={'<outputEntry id="Rule_ProjectProgressPublic_AcknowledgementDays">\n          <text>5</text>':
                                '<outputEntry id="Rule_ProjectProgressPublic_AcknowledgementDays">\n          <text>0</text>'}):
        pid = share(world, title="项目周报 / Weekly project report", category="project-progress",
                    targetDepartments=["production"], channels=["email"])
        instance = world.staff.admin.instance(pid)
        acknowledgement_task(world, pid, "production")
        # A cycle from a past due date next fires one interval later: run the reminder's timer now, as
        # the job executor would once that time has come.
        [timer] = world.staff.admin.get("/job", processInstanceId=pid, timers="true")
        world.staff.admin.session.post(f"{world.staff.admin.url}/job/{timer['id']}/execute", timeout=30).raise_for_status()
        wait_until(lambda: mails_to(world, "he.jun", "催办") or None, 60, "the reminder to production's members")
        missing = wait_until(lambda: history(world, pid).get("acknowledgements"), 30, "the receipts recorded at the reminder")
        assert missing == [{"department": "production", "by": None, "at": None, "due": missing[0]["due"],
                            "late": True, "feedback": None}]
        acknowledge(world, pid, "production", "ma.lin")
        has_ended(instance, at="EndEvent_Shared")
    [receipt] = history(world, pid)["acknowledgements"]
    assert (receipt["by"], receipt["late"]) == ("ma.lin", True)


# --- feedback and a corrected version -----------------------------------------------------------------
def test_feedback_leads_to_a_corrected_version_every_receiver_is_told_about(world: World) -> None:
    title = "一月生产计划 / January production plan"
    pid = share(world, title=title, targetDepartments=["production", "finance"], channels=["email"])
    acknowledge(world, pid, "production", "he.jun", feedbackKind="error", feedbackText="B 客户应为 150 台 / B should be 150")
    acknowledge(world, pid, "finance", "lin.xiao")
    answer = wait_until(lambda: next(iter(world.staff.tasks(pid, taskDefinitionKey="Task_AnswerFeedback")), None),
                        60, "the publisher's task to answer the feedback")
    assert answer["assignee"] == PUBLISHER
    corrected = CONTENT.replace("120", "150")
    world.staff.complete(PUBLISHER, answer["id"], {"feedbackAnswer": "已核实并更正 / verified and corrected",
                                                   "correctionNeeded": True, "correctedContent": corrected})
    has_ended(world.staff.admin.instance(pid), at="EndEvent_Shared")
    [reply] = wait_until(lambda: mails_to(world, "he.jun", "Answer to your feedback") or None, 30, "the answer")
    assert "已核实并更正" in body(reply)
    assert not mails_to(world, "lin.xiao", "Answer to your feedback"), "the answer goes to the asking department"

    found = wait_until(lambda: world.staff.admin.get("/history/variable-instance", variableName="previousShareInstance",
                                                     variableValues=f"previousShareInstance_eq_{pid}"), 30, "version 2")
    [v2] = [v for v in found if v.get("value") == pid]
    variables = history(world, v2["processInstanceId"])
    assert (variables["shareVersion"], variables["publisher"], variables["content"]) == (2, PUBLISHER, corrected)
    for person in PRODUCTION + FINANCE:
        [mail] = wait_until(lambda: mails_to(world, person, "Correction, version 2") or None, 30, f"version 2 to {person}")
        assert pid in body(mail) and corrected in body(mail), body(mail)


def test_feedback_and_an_answer_the_forms_would_not_send_come_back_to_their_form_named(world: World) -> None:
    pid = share(world, title="二月排产 / February schedule", targetDepartments=["production", "finance"],
                channels=["email"])
    acknowledge(world, pid, "production", "he.jun", feedbackKind="error")  # reported, but not what
    again = acknowledgement_task(world, pid, "production")
    world.staff.call("he.jun", "POST", f"/task/{again['id']}/claim", json={"userId": "he.jun"})
    problem = world.staff.form_variables("he.jun", again["id"])["feedbackProblem"]
    assert "反馈内容 / Your feedback: 必填" in problem, problem
    finance = acknowledgement_task(world, pid, "finance")
    assert world.staff.form_variables("lin.xiao", finance["id"]).get("feedbackProblem") is None, \
        "the message is the production department's own"
    world.staff.complete("he.jun", again["id"], {"feedbackKind": "error", "feedbackText": "2 月 3 日应为 2 月 4 日"})

    answer = wait_until(lambda: next(iter(world.staff.tasks(pid, taskDefinitionKey="Task_AnswerFeedback")), None),
                        60, "the publisher's task to answer the feedback")
    world.staff.complete(PUBLISHER, answer["id"], {"feedbackAnswer": " ", "correctionNeeded": "yes"})
    back = wait_until(lambda: next(iter(t for t in world.staff.tasks(pid, taskDefinitionKey="Task_AnswerFeedback")
                                        if t["id"] != answer["id"]), None), 60, "the answer back to the publisher")
    problem = world.staff.form_variables(PUBLISHER, back["id"])["answerProblem"]
    assert "答复 / Answer: 必填" in problem and "需要更正，发布新版本 / Correct it" in problem, problem
    world.staff.complete(PUBLISHER, back["id"], {"feedbackAnswer": "已核实，日期无误 / verified, the date is right",
                                                 "correctionNeeded": False})
    acknowledge(world, pid, "finance", "lin.xiao")
    has_ended(world.staff.admin.instance(pid), at="EndEvent_Shared")
    receipts = {r["department"]: r for r in history(world, pid)["acknowledgements"]}
    assert (receipts["production"]["by"], receipts["production"]["feedback"]) == ("he.jun", "error")
    assert not world.staff.admin.get("/incident", processInstanceId=pid)


# --- the decision is policy: a changed row changes who may receive -------------------------------------
def test_changing_a_row_of_the_decision_changes_who_may_receive(world: World) -> None:
    other = dict(title="食堂菜单 / Canteen menu", category="other", targetDepartments=["marketing"], channels=["email"])
    has_ended(world.staff.admin.instance(share(world, **other)), at="EndEvent_Published")
    row = '<outputEntry id="Rule_OtherPublic_AllowedReceivers">\n          <text>"all"</text>'
    with edited(world, decision_edits={row: row.replace('"all"', '"gmoffice,own"')}):
        pid = share(world, **other)
        waits_at(world.staff.admin.instance(pid), "Task_CorrectRequest")
        assert "市场部" in history(world, pid)["rejectionMessage"]


# --- retention: the decision's row says how long a share's history is kept -----------------------------
def retention_days(world: World, category: str, sensitivity: str) -> int:
    """What the deployed decision says for the row, as the engine evaluates it."""
    response = world.staff.admin.session.post(
        f"{world.staff.admin.url}/decision-definition/key/sharing-permissions/evaluate", timeout=30,
        json={"variables": {"category": {"value": category}, "sensitivity": {"value": sensitivity}}})
    assert response.ok, response.text
    return response.json()[0]["retentionDays"]["value"]


def withdrawn_share(world: World, title: str) -> str:
    pid = share(world, title=title, sensitivity="internal")
    def withdraw_task() -> dict[str, Any] | None:
        for approval in world.staff.admin.get("/process-instance", superProcessInstance=pid):
            for task in world.staff.admin.get("/task", processInstanceId=approval["id"], taskDefinitionKey="Task_Withdraw"):
                return task
        return None
    task = wait_until(withdraw_task, 60, "the publisher's withdraw task of the share's approval")
    world.staff.complete(PUBLISHER, task["id"], {"approvalWithdrawReason": "不再需要 / no longer needed"})
    has_ended(world.staff.admin.instance(pid), at="EndEvent_ApprovalWithdrawn")
    return pid


OTHER_PUBLIC = dict(category="other", targetDepartments=["marketing"], channels=["email"])  # no acknowledgement


def test_a_shares_history_is_kept_as_long_as_its_decision_row_says(world: World) -> None:
    published = share(world, title="食堂菜单 / Canteen menu", **OTHER_PUBLIC)
    has_ended(world.staff.admin.instance(published), at="EndEvent_Published")
    withdrawn = withdrawn_share(world, "部门通讯录 / Department directory")  # business data, internal; called approval
    rows = {published: ("other", "public"), withdrawn: ("business-data", "internal")}
    kept = {pid: retention_days(world, *row) for pid, row in rows.items()}
    assert len(set(kept.values())) == 2, f"two rows with different retention: {kept}"
    for pid, days in kept.items():
        assert history(world, pid)["retentionDays"] == days, "sharing.check-request wrote the decision's retention"
    common = ("process instance", "variables", "details", "activity instances", "decision instances")
    assert_kept_for(world.staff.admin, published, kept[published], common + ("external-task log",))
    assert_kept_for(world.staff.admin, withdrawn, kept[withdrawn], common + ("tasks", "user operations"))


def test_a_changed_retention_row_changes_the_next_shares_removal_time(world: World) -> None:
    row = '<outputEntry id="Rule_OtherPublic_RetentionDays">\n          <text>365</text>'
    before = retention_days(world, "other", "public")
    with edited(world, decision_edits={row: row.replace(">365<", ">7<")}):
        changed = retention_days(world, "other", "public")
        pid = share(world, title="班车时刻 / Shuttle times", **OTHER_PUBLIC)
        has_ended(world.staff.admin.instance(pid), at="EndEvent_Published")
    assert changed != before, f"the redeployed row says {changed} days, the original {before}"
    assert_kept_for(world.staff.admin, pid, changed, ("process instance", "variables", "decision instances"))


# --- every row of the decision --------------------------------------------------------------------------
CATEGORIES = ["policy", "business-data", "project-progress", "customer", "finance", "other"]
SENSITIVITIES = ["public", "internal", "confidential", "secret"]


@pytest.mark.parametrize("category", CATEGORIES)
@pytest.mark.parametrize("sensitivity", SENSITIVITIES)
def test_every_category_and_sensitivity_has_one_rule(world: World, category: str, sensitivity: str) -> None:
    response = world.staff.admin.session.post(
        f"{world.staff.admin.url}/decision-definition/key/sharing-permissions/evaluate", timeout=30,
        json={"variables": {"category": {"value": category}, "sensitivity": {"value": sensitivity}}})
    assert response.ok, response.text
    [result] = response.json()
    values = {name: typed["value"] for name, typed in result.items()}
    channels = set(values["allowedChannels"].split(","))
    assert channels <= {"record", "email", "im", "interface"}
    expected_approval = {"public": "none", "internal": "department-head"}.get(sensitivity, "data-owner-and-leadership")
    assert values["approval"] == expected_approval
    if sensitivity in ("confidential", "secret"):
        assert "im" not in channels and values["allowedReceivers"] != "all"
    assert values["acknowledgementDays"] >= 0 and values["retentionDays"] > 0
