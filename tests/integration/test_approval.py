"""审批 / The approval block on the real engine, called from a small parent (tests/models/
approval-parent.bpmn) as a process owner models it: countersign (会签), any one (或签), sequential
(依次), transfer (转交), withdraw (撤回), copy (抄送) and delegation (代理), each decision recorded under
the identity the engine logged for the task's completion."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests

from tests.support.assertions import has_ended, incident_at, waits_at
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until, worker_settings_in
from tests.support.receivers import Mailbox, smtp_server
from tests.support.staff import ROOT, Staff, demo_with_starters
from workers.catalog import load_registry
from workers.shared.approvals.record import ApprovalDecision, Verdict, decisions_from
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

APPLICANT = "wu.hao"  # 销售部 Sales
SALES_HEAD, ENGINEERING_HEAD, FINANCE_HEAD, PMO_HEAD = "li.qiang", "zhang.wei", "guo.hong", "hu.bin"
DEPUTY = "sun.li"  # stands in for the head of Sales in the delegation scenario
EVERYONE = ["gmoffice", "marketing", "sales", "engineering", "production", "finance", "projectoffice",
            "internalaudit"]
TOPICS = ["approval.prepare", "approval.record-decision", "approval.conclude", "approval.record-withdrawal",
          "approval.notify-copies", "approval.remind", "delegation.validate"]
WITHIN_S = 60


@dataclass
class Block:
    staff: Staff
    mailbox: Mailbox


@pytest.fixture(scope="module")
def block(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Block]:
    folder = tmp_path_factory.mktemp("approval")
    organisation_file = folder / "organisation.yaml"
    org = demo_with_starters(organisation_file, **{"approval-parent": EVERYONE, "delegation": EVERYONE})
    staff = Staff(engine, admin)
    staff.provision(org)
    staff.deploy("approval-test", organisation_file, ["approval.bpmn", "delegation.bpmn"],
                 ["approval-decide.form", "approval-withdraw.form", "delegation-start.form",
                  "delegation-correct.form"])
    admin.deploy_xml("approval-parent", {
        "approval-parent.bpmn": (ROOT / "tests" / "models" / "approval-parent.bpmn").read_text(encoding="utf-8")})
    with smtp_server() as (mailbox, port):
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", mail_outbox_dir=None, webhook_urls=[])
        with running_worker(load_registry().subset(TOPICS), settings):
            yield Block(staff, mailbox)


# --- driving it as the people do ---------------------------------------------------------------------


@dataclass
class Approval:
    staff: Staff
    parent: str
    child: str

    @property
    def caller(self) -> ProcessInstance:
        return self.staff.admin.instance(self.parent)

    @property
    def block(self) -> ProcessInstance:
        return self.staff.admin.instance(self.child)

    def decision_tasks(self, count: int | None = None) -> list[dict[str, Any]]:
        """The open decision tasks (at least `count`, waiting for them), oldest first."""
        if count is None:
            return self.staff.tasks(self.child, taskDefinitionKey="Task_Decide", sortBy="created", sortOrder="asc")
        return self.staff.wait_for_tasks(self.child, count, f"{count} decision tasks", taskDefinitionKey="Task_Decide",
                                         sortBy="created", sortOrder="asc")

    def task_of(self, person: str) -> dict[str, Any]:
        return wait_until(lambda: next((t for t in self.decision_tasks() if t["assignee"] == person), None),
                          WITHIN_S, f"a decision task for {person}", interval_s=0.3)

    def decide(self, person: str, verdict: str, comment: str = "", transfer_to: str | None = None) -> None:
        fields: dict[str, Any] = {"approvalVerdict": verdict, "approvalComment": comment}
        if transfer_to is not None:
            fields["approvalTransferTo"] = transfer_to
        self.staff.complete(person, self.task_of(person)["id"], fields)

    def decisions(self) -> list[ApprovalDecision]:
        values = {v["name"]: v["value"] for v in self.staff.admin.get(
            "/history/variable-instance", processInstanceId=self.parent, variableName="decisions",
            deserializeValues="false")}
        return decisions_from(values.get("decisions"))

    def caller_variable(self, name: str) -> Any:
        found = self.staff.admin.get("/history/variable-instance", processInstanceId=self.parent, variableName=name)
        return found[0]["value"] if found else None


def request(block: Block, kind: str, approvers: list[str], copy_to: tuple[str, ...] = (),
            context: str = "协议第 3 条 / Clause 3") -> Approval:
    staff = block.staff
    parent = staff.start(APPLICANT, "approval-parent", {"kind": kind, "approvers": approvers,
                                                        "copyTo": list(copy_to), "context": context})
    child = wait_until(lambda: next(iter(staff.admin.get("/process-instance", superProcessInstance=parent)), None),
                       WITHIN_S, "the called approval instance")["id"]
    return Approval(staff, parent, child)


def verdicts(approval: Approval) -> list[tuple[str, Verdict]]:
    return [(d.approver, d.verdict) for d in approval.decisions()]


# --- 会签 countersign --------------------------------------------------------------------------------


def test_countersign_is_approved_when_every_approver_approves(block: Block) -> None:
    approval = request(block, "countersign", [SALES_HEAD, ENGINEERING_HEAD])
    approval.decision_tasks(2)
    approval.decide(SALES_HEAD, "approve")
    approval.decide(ENGINEERING_HEAD, "approve", "同意 / agreed")
    has_ended(approval.caller, at="EndEvent_Approved", within=WITHIN_S)
    assert approval.caller_variable("outcome") == "approved"
    assert set(verdicts(approval)) == {(ENGINEERING_HEAD, Verdict.APPROVED), (SALES_HEAD, Verdict.APPROVED)}
    assert len(approval.decisions()) == 2


def test_countersign_rejection_returns_to_the_caller_with_the_reason_and_cancels_the_other_task(block: Block) -> None:
    approval = request(block, "countersign", [SALES_HEAD, ENGINEERING_HEAD, FINANCE_HEAD])
    approval.decision_tasks(3)
    approval.decide(SALES_HEAD, "approve")
    approval.decide(ENGINEERING_HEAD, "reject", "验收标准不可度量 / the criteria cannot be measured")
    waits_at(approval.caller, "Task_Revise", within=WITHIN_S)
    assert approval.caller_variable("reason") == "验收标准不可度量 / the criteria cannot be measured"
    assert approval.decision_tasks() == []  # the finance head's task is gone
    assert verdicts(approval) == [(SALES_HEAD, Verdict.APPROVED), (ENGINEERING_HEAD, Verdict.REJECTED),
                                  (FINANCE_HEAD, Verdict.CANCELLED)]


# --- 或签 any one -------------------------------------------------------------------------------------


def test_any_one_is_decided_by_the_first_decision_and_the_others_tasks_go(block: Block) -> None:
    approval = request(block, "any", [SALES_HEAD, ENGINEERING_HEAD, FINANCE_HEAD])
    approval.decision_tasks(3)
    approval.decide(FINANCE_HEAD, "approve")
    has_ended(approval.caller, at="EndEvent_Approved", within=WITHIN_S)
    assert approval.decision_tasks() == []
    assert verdicts(approval)[0] == (FINANCE_HEAD, Verdict.APPROVED)
    assert set(verdicts(approval)[1:]) == {(ENGINEERING_HEAD, Verdict.CANCELLED), (SALES_HEAD, Verdict.CANCELLED)}
    assert len(approval.decisions()) == 3


def test_any_one_rejected_first_is_rejected(block: Block) -> None:
    approval = request(block, "any", [SALES_HEAD, ENGINEERING_HEAD])
    approval.decision_tasks(2)
    approval.decide(ENGINEERING_HEAD, "reject", "预算不足 / no budget")
    waits_at(approval.caller, "Task_Revise", within=WITHIN_S)
    assert approval.caller_variable("reason") == "预算不足 / no budget"


# --- 依次 sequential ----------------------------------------------------------------------------------


def test_sequential_gives_the_second_approver_a_task_only_after_the_first_approved(block: Block) -> None:
    approval = request(block, "sequential", [ENGINEERING_HEAD, PMO_HEAD])
    [first] = approval.decision_tasks(1)
    assert first["assignee"] == ENGINEERING_HEAD
    assert len(approval.decision_tasks()) == 1
    approval.decide(ENGINEERING_HEAD, "approve")
    approval.task_of(PMO_HEAD)
    assert [t["assignee"] for t in approval.decision_tasks()] == [PMO_HEAD]
    approval.decide(PMO_HEAD, "approve")
    has_ended(approval.caller, at="EndEvent_Approved", within=WITHIN_S)
    assert verdicts(approval) == [(ENGINEERING_HEAD, Verdict.APPROVED), (PMO_HEAD, Verdict.APPROVED)]


def test_sequential_stops_at_the_first_rejection(block: Block) -> None:
    approval = request(block, "sequential", [ENGINEERING_HEAD, PMO_HEAD])
    approval.decide(ENGINEERING_HEAD, "reject", "缺少技术方案 / no technical plan")
    waits_at(approval.caller, "Task_Revise", within=WITHIN_S)
    assert [d.approver for d in approval.decisions()] == [ENGINEERING_HEAD]


# --- 撤回 withdraw ------------------------------------------------------------------------------------


def withdraw_task(approval: Approval) -> dict[str, Any]:
    [task] = approval.staff.wait_for_tasks(approval.child, 1, "the applicant's withdraw task",
                                           taskDefinitionKey="Task_Withdraw")
    return task


def test_the_applicant_withdraws_while_pending_and_every_open_task_is_cancelled(block: Block) -> None:
    approval = request(block, "countersign", [SALES_HEAD, ENGINEERING_HEAD])
    approval.decision_tasks(2)
    approval.decide(SALES_HEAD, "approve")
    task = withdraw_task(approval)
    assert task["assignee"] == APPLICANT
    block.staff.complete(APPLICANT, task["id"], {"approvalWithdrawReason": "需求取消 / no longer needed"})
    has_ended(approval.caller, at="EndEvent_Withdrawn", within=WITHIN_S)
    assert approval.caller_variable("reason") == "需求取消 / no longer needed"
    assert block.staff.tasks(approval.child) == []
    assert verdicts(approval) == [(SALES_HEAD, Verdict.APPROVED), (APPLICANT, Verdict.WITHDRAWN),
                                  (ENGINEERING_HEAD, Verdict.CANCELLED)]


def test_a_withdrawal_without_a_reason_goes_back_to_the_applicant_naming_the_field(block: Block) -> None:
    approval = request(block, "countersign", [SALES_HEAD])
    first = withdraw_task(approval)
    block.staff.complete(APPLICANT, first["id"], {"approvalWithdrawReason": "  "})
    again = wait_until(lambda: next((t for t in block.staff.tasks(approval.child, taskDefinitionKey="Task_Withdraw")
                                     if t["id"] != first["id"]), None), WITHIN_S, "the withdraw task again")
    problem = block.staff.form_variables(APPLICANT, again["id"])["approvalWithdrawalProblem"]
    assert "撤回原因 / Reason for withdrawing" in problem and "必填 / is required" in problem
    assert approval.decision_tasks(1)[0]["assignee"] == SALES_HEAD  # the approval is still pending
    block.staff.delete(approval.parent)


def test_only_the_applicant_may_withdraw(block: Block) -> None:
    approval = request(block, "countersign", [SALES_HEAD])
    task = withdraw_task(approval)
    response = block.staff.session(SALES_HEAD).post(
        f"{block.staff.engine.engine_url}/task/{task['id']}/complete",
        json={"variables": {"approvalWithdrawReason": {"value": "越权 / not mine"}}}, timeout=30)
    assert response.status_code in (403, 404), response.text
    block.staff.delete(approval.parent)


# --- 转交 transfer ------------------------------------------------------------------------------------


def test_a_transfer_gives_the_task_to_the_named_person_and_is_recorded(block: Block) -> None:
    approval = request(block, "countersign", [ENGINEERING_HEAD])
    approval.decide(ENGINEERING_HEAD, "transfer", "请黄磊把关技术部分 / Huang Lei knows the design", "huang.lei")
    task = approval.task_of("huang.lei")
    form = block.staff.form_variables("huang.lei", task["id"])
    assert form.get("approvalComment") in (None, "")  # the new approver does not inherit the old comment
    approval.decide("huang.lei", "approve")
    has_ended(approval.caller, at="EndEvent_Approved", within=WITHIN_S)
    transfer, approved = approval.decisions()
    assert (transfer.approver, transfer.verdict, transfer.transferred_to) == \
        (ENGINEERING_HEAD, Verdict.TRANSFERRED, "huang.lei")
    assert transfer.comment == "请黄磊把关技术部分 / Huang Lei knows the design"
    assert (approved.approver, approved.verdict) == ("huang.lei", Verdict.APPROVED)


@pytest.mark.parametrize(("comment", "target", "expected"), [
    ("", "huang.lei", "审批意见（驳回、转交时必填） / Comment (required to reject or transfer): 必填 / is required"),
    ("请处理 / please", ENGINEERING_HEAD, "转交给 / Transfer to: 不能转交给自己"),
    ("请处理 / please", "no.such.person", "转交给 / Transfer to: 没有用户 'no.such.person'"),
])
def test_a_bad_transfer_goes_back_to_the_same_approver_naming_the_field(block: Block, comment: str, target: str,
                                                                        expected: str) -> None:
    approval = request(block, "countersign", [ENGINEERING_HEAD])
    first = approval.task_of(ENGINEERING_HEAD)
    approval.decide(ENGINEERING_HEAD, "transfer", comment, target)
    again = wait_until(lambda: next((t for t in approval.decision_tasks() if t["id"] != first["id"]), None),
                       WITHIN_S, "the decision task back with the approver")
    assert again["assignee"] == ENGINEERING_HEAD
    assert expected in block.staff.form_variables(ENGINEERING_HEAD, again["id"])["approvalDecisionProblem"]
    block.staff.delete(approval.parent)


def test_a_rejection_without_a_comment_goes_back_to_the_approver(block: Block) -> None:
    approval = request(block, "countersign", [FINANCE_HEAD])
    first = approval.task_of(FINANCE_HEAD)
    approval.decide(FINANCE_HEAD, "reject", "")
    again = wait_until(lambda: next((t for t in approval.decision_tasks() if t["id"] != first["id"]), None),
                       WITHIN_S, "the decision task back with the approver")
    assert "审批意见" in block.staff.form_variables(FINANCE_HEAD, again["id"])["approvalDecisionProblem"]
    block.staff.delete(approval.parent)


# --- 代理 delegation ----------------------------------------------------------------------------------


@contextlib.contextmanager
def delegation(staff: Staff, principal: str, delegate: str) -> Iterator[None]:
    now = datetime.now(timezone.utc)
    pid = staff.start(principal, "delegation", {
        "principal": principal, "delegate": delegate, "reason": "出差 / business trip",
        "startDate": (now - timedelta(minutes=5)).isoformat(timespec="seconds"),
        "endDate": (now + timedelta(minutes=30)).isoformat(timespec="seconds")})
    wait_until(lambda: staff.admin.active_activities(pid) == ["Event_DelegationEnds"], WITHIN_S,
               "the delegation to be registered")
    try:
        yield
    finally:
        staff.delete(pid)


def test_an_active_delegation_makes_the_deputy_the_approver_on_behalf_of_the_head(block: Block) -> None:
    with delegation(block.staff, SALES_HEAD, DEPUTY):
        approval = request(block, "countersign", [SALES_HEAD])
        task = approval.task_of(DEPUTY)
        assert "代理 / delegate for" in block.staff.form_variables(DEPUTY, task["id"])["approvalDelegationNote"]
        approval.decide(DEPUTY, "approve")
        has_ended(approval.caller, at="EndEvent_Approved", within=WITHIN_S)
    [decision] = approval.decisions()
    assert (decision.approver, decision.on_behalf_of) == (DEPUTY, SALES_HEAD)


# --- 抄送 copy ----------------------------------------------------------------------------------------


def mails_to(mailbox: Mailbox, address: str) -> list[EmailMessage]:
    return [m for m in mailbox.messages if address in m["To"]]


def test_copy_recipients_are_mailed_at_start_and_end_and_get_no_task(block: Block) -> None:
    copied = "luo.fang"  # 项目管理部 PMO
    approval = request(block, "any", [FINANCE_HEAD], copy_to=(copied,))
    wait_until(lambda: len(mails_to(block.mailbox, "luo.fang@example.com")) >= 1, WITHIN_S, "the copy at start")
    approval.decide(FINANCE_HEAD, "reject", "超出预算 / over budget")
    waits_at(approval.caller, "Task_Revise", within=WITHIN_S)
    started, ended = wait_until(lambda: (m := mails_to(block.mailbox, "luo.fang@example.com")) and len(m) >= 2 and m,
                                WITHIN_S, "the copy with the outcome")
    assert "抄送" in started["Subject"] and "仅供知悉" in started.get_body(("plain",)).get_content()
    body = ended.get_body(("plain",)).get_content()
    assert "驳回" in body and "超出预算 / over budget" in body
    assert block.staff.admin.get("/history/task", processInstanceId=approval.child, taskAssignee=copied) == []


# --- faults and who may start it ----------------------------------------------------------------------


def test_an_unknown_approver_is_an_incident_naming_the_id(block: Block) -> None:
    approval = request(block, "countersign", [SALES_HEAD, "nobody.here"])
    incident_at(approval.block, "Task_Prepare", "nobody.here", within=WITHIN_S)
    block.staff.delete(approval.parent)


def test_staff_read_the_approval_definition_but_cannot_start_it_directly(block: Block) -> None:
    session = block.staff.session(APPLICANT)
    url = block.staff.engine.engine_url
    assert session.get(f"{url}/process-definition/key/approval", timeout=30).status_code == 200
    # No variables: the start form rule (400) is not what refuses it, the missing CREATE_INSTANCE is.
    response = session.post(f"{url}/process-definition/key/approval/start", json={}, timeout=30)
    assert response.status_code == 403, response.text
    assert "CREATE_INSTANCE" in response.text
