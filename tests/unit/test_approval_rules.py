"""审批规则 / The approval block's rules and workers without an engine: who may be an approver, the
rounds each kind makes, what a decision must contain (named by the form's labels), what the
decisions add up to, and who the record says decided (the engine's completer, not a form field)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from workers.runtime.testing import BpmnError, Completed, Failed, HandlerEnvironment
from workers.shared.approvals import rules
from workers.shared.approvals.labels import FORMS
from workers.shared.approvals.record import ApprovalDecision, ApprovalOutcome, Verdict, decisions_from
from workers.shared.approvals.rules import ApprovalKind
from workers.shared.organisation.model import load_organisation

ROOT = Path(__file__).parents[2]
ORG_FILE = ROOT / "org" / "demo-organisation.yaml"
ORG = load_organisation(ORG_FILE)
AT = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)
PROPERTIES = {"organisationFile": str(ORG_FILE), "decisionDueHours": "48", "reminderIntervalHours": "24",
              "escalateAfterReminders": "2"}


def decision(approver: str, verdict: Verdict, minutes: int = 0, comment: str = "") -> ApprovalDecision:
    return ApprovalDecision(step="s", approver=approver, verdict=verdict, comment=comment,
                            decided_at=AT + timedelta(minutes=minutes))


# --- the labels the messages name are the forms' ------------------------------------------------------


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_every_label_a_message_names_is_the_label_on_the_form(form_id: str) -> None:
    form = json.loads((ROOT / "forms" / f"{form_id}.form").read_text(encoding="utf-8"))
    on_form = {c["key"]: c.get("label") for c in form["components"] if c.get("key")}
    for key, label in FORMS[form_id].items():
        assert on_form.get(key) == label, f"{form_id}: field {key} is labelled {on_form.get(key)!r}, not {label!r}"


# --- approvers ------------------------------------------------------------------------------------------


def test_known_distinct_approvers_pass() -> None:
    assert rules.people_problems(ORG, ["li.qiang", "zhang.wei"], "approvalApprovers", may_be_empty=False) == []


def test_an_empty_approver_list_is_refused_but_an_empty_copy_list_is_not() -> None:
    assert rules.people_problems(ORG, [], "approvalApprovers", may_be_empty=False) == [
        "approvalApprovers is empty: an approval needs at least one approver"]
    assert rules.people_problems(ORG, [], "approvalCopyTo", may_be_empty=True) == []


def test_unknown_and_repeated_ids_are_named() -> None:
    problems = rules.people_problems(ORG, ["li.qiang", "ghost", "li.qiang"], "approvalApprovers", may_be_empty=False)
    assert problems == ["approvalApprovers names ids the organisation file does not know: ghost",
                        "approvalApprovers names the same person twice: li.qiang"]


def test_a_list_that_is_not_of_ids_is_refused() -> None:
    assert "must be a JSON list" in rules.people_problems(ORG, "li.qiang", "approvalApprovers", may_be_empty=False)[0]


# --- rounds ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "expected"), [
    (ApprovalKind.COUNTERSIGN, [["a", "b", "c"]]),
    (ApprovalKind.ANY, [["a", "b", "c"]]),
    (ApprovalKind.SEQUENTIAL, [["a"], ["b"], ["c"]]),
])
def test_rounds_are_all_at_once_or_one_by_one_in_the_lists_order(kind: ApprovalKind, expected: list) -> None:
    assert rules.rounds(kind, ["a", "b", "c"]) == expected


# --- a decision -------------------------------------------------------------------------------------------


def test_an_approval_needs_no_comment() -> None:
    assert rules.decision_problems(ORG, "approve", None, None, "zhang.wei", "zhang.wei") == []


def test_a_rejection_without_a_comment_names_the_comment_field() -> None:
    assert rules.decision_problems(ORG, "reject", " ", None, "zhang.wei", "zhang.wei") == [
        "审批意见（驳回、转交时必填） / Comment (required to reject or transfer): 必填 / is required"]


def test_a_missing_verdict_names_the_verdict_field() -> None:
    [problem] = rules.decision_problems(ORG, None, None, None, "zhang.wei", "zhang.wei")
    assert problem.startswith("审批结论 / Verdict:")


@pytest.mark.parametrize(("target", "expected"), [
    (None, "转交给 / Transfer to: 必填 / is required"),
    ("ghost", "转交给 / Transfer to: 没有用户 'ghost' / no person with user id 'ghost'"),
    ("sun.li", "转交给 / Transfer to: 不能转交给自己 / cannot be yourself (or the person you decide for)"),
    ("li.qiang", "转交给 / Transfer to: 不能转交给自己 / cannot be yourself (or the person you decide for)"),
])
def test_a_transfer_needs_a_known_other_person(target: str | None, expected: str) -> None:
    # sun.li decides for li.qiang (delegation): neither may be the target
    assert rules.decision_problems(ORG, "transfer", "请处理 / please", target, "sun.li", "li.qiang") == [expected]


def test_a_transfer_target_that_is_not_an_id_is_refused_without_repeating_it() -> None:
    [problem] = rules.decision_problems(ORG, "transfer", "请处理", "x" * 5000, "zhang.wei", "zhang.wei")
    assert problem.startswith("转交给 / Transfer to: 不能超过 64 个字符") and "xxx" not in problem
    [problem] = rules.decision_problems(ORG, "transfer", "请处理", {"id": 1}, "zhang.wei", "zhang.wei")
    assert "须为文字" in problem


def test_a_verdict_that_is_not_on_the_form_is_refused_whatever_its_type() -> None:
    for sent in ("maybe", 1, ["approve"], {"v": "approve"}):
        assert rules.decision_problems(ORG, sent, "x", None, "zhang.wei", "zhang.wei")[0].startswith("审批结论 / Verdict:")


def test_a_transfer_to_another_known_person_with_a_comment_passes() -> None:
    assert rules.decision_problems(ORG, "transfer", "请处理 / please", "huang.lei", "zhang.wei", "zhang.wei") == []


def test_a_withdrawal_needs_its_reason() -> None:
    assert rules.withdrawal_problems("") == ["撤回原因 / Reason for withdrawing: 必填 / is required"]
    assert rules.withdrawal_problems("需求取消") == []


# --- the outcome ------------------------------------------------------------------------------------------


def test_countersign_is_approved_only_when_nobody_rejected() -> None:
    approved = [decision("a", Verdict.APPROVED), decision("b", Verdict.APPROVED, 1)]
    assert rules.outcome(ApprovalKind.COUNTERSIGN, approved) == (ApprovalOutcome.APPROVED, "")
    rejected = [decision("a", Verdict.APPROVED), decision("b", Verdict.REJECTED, 1, "不行"),
                decision("c", Verdict.CANCELLED, 1)]
    assert rules.outcome(ApprovalKind.COUNTERSIGN, rejected) == (ApprovalOutcome.REJECTED, "不行")


def test_any_is_decided_by_the_first_approval_or_rejection_not_by_a_transfer() -> None:
    made = [decision("a", Verdict.TRANSFERRED, 0, "给 b"), decision("b", Verdict.REJECTED, 1, "不行"),
            decision("c", Verdict.CANCELLED, 1)]
    assert rules.outcome(ApprovalKind.ANY, made) == (ApprovalOutcome.REJECTED, "不行")


def test_a_withdrawal_outweighs_everything_else() -> None:
    made = [decision("a", Verdict.APPROVED), decision("w", Verdict.WITHDRAWN, 1, "不需要了")]
    assert rules.outcome(ApprovalKind.SEQUENTIAL, made) == (ApprovalOutcome.WITHDRAWN, "不需要了")


def test_an_approval_that_ended_with_no_decision_is_a_fault() -> None:
    with pytest.raises(ValueError, match="without any approval or rejection"):
        rules.outcome(ApprovalKind.COUNTERSIGN, [decision("a", Verdict.CANCELLED)])


# --- the workers, through the harness -------------------------------------------------------------------


def prepare(env: HandlerEnvironment, **variables: object):
    request = {"approvalStep": "s", "approvalSubject": "协议 / Agreement", "approvalKind": "sequential",
               "approvalApprovers": ["li.qiang", "zhang.wei"], "approvalCopyTo": [], "approvalApplicant": "wu.hao"}
    return env.run("approval.prepare", {**request, **variables}, properties=PROPERTIES)


def test_prepare_arranges_sequential_rounds_and_the_deadlines_from_the_properties() -> None:
    env = HandlerEnvironment(now=AT)
    env.engine.answer("GET", "/process-instance", [])
    outcome = prepare(env)
    assert isinstance(outcome, Completed), outcome
    assert [[slot["assignee"] for slot in r] for r in outcome.variables["approvalRounds"]] == [["li.qiang"], ["zhang.wei"]]
    assert (outcome.variables["approvalDueHours"], outcome.variables["reminderIntervalHours"]) == (48, 24)
    assert outcome.variables["approvalRejected"] is False


def test_prepare_makes_an_unknown_approver_an_incident_naming_the_id() -> None:
    outcome = prepare(HandlerEnvironment(now=AT), approvalApprovers=["li.qiang", "ghost"])
    assert isinstance(outcome, Failed) and outcome.incident
    assert "ghost" in outcome.message


def test_prepare_makes_a_context_over_3000_characters_an_incident() -> None:
    outcome = prepare(HandlerEnvironment(now=AT), approvalContext="审" * 3001)
    assert isinstance(outcome, Failed) and outcome.incident and "approvalContext has 3001 characters" in outcome.message


def test_prepare_makes_an_unknown_kind_an_incident() -> None:
    outcome = prepare(HandlerEnvironment(now=AT), approvalKind="majority")
    assert isinstance(outcome, Failed) and outcome.incident and "approvalKind" in outcome.message


def decided_by(env: HandlerEnvironment, completer: str) -> None:
    """The engine's history: the decision task before this step, completed by `completer`."""
    env.engine.answer("GET", "/history/activity-instance/Task_UnderTest:1", {"parentActivityInstanceId": "SubProcess:1"})
    env.engine.answer("GET", "/history/activity-instance", [
        {"activityId": "Task_Decide", "parentActivityInstanceId": "SubProcess:1", "taskId": "task-1",
         "endTime": "2026-12-01T09:00:00.000+0000", "canceled": False},
        {"activityId": "Task_Decide", "parentActivityInstanceId": "SubProcess:2", "taskId": "task-2",
         "endTime": "2026-12-01T10:00:00.000+0000", "canceled": False}])
    env.engine.answer("GET", "/history/user-operation", [{"userId": completer}])
    env.engine.answer("GET", "/process-instance", [])  # no delegation registered


def record(env: HandlerEnvironment, **form: object):
    return env.run("approval.record-decision", {"approvalStep": "s", "approvalOnBehalfOf": "li.qiang", **form},
                   properties={"organisationFile": str(ORG_FILE)})


def test_the_record_names_the_engines_completer_and_whose_approval_it_was() -> None:
    env = HandlerEnvironment(now=AT)
    decided_by(env, "sun.li")
    outcome = record(env, approvalVerdict="approve")
    assert isinstance(outcome, Completed), outcome
    [made] = decisions_from(outcome.variables["approvalRecord"])
    assert (made.approver, made.on_behalf_of, made.verdict) == ("sun.li", "li.qiang", Verdict.APPROVED)
    assert made.decided_at == AT  # the completion in this instance's scope, not the other one's
    assert "approvalRejected" not in outcome.variables  # an approval never undoes a parallel rejection


def test_a_rejection_sets_the_flag_that_ends_the_round() -> None:
    env = HandlerEnvironment(now=AT)
    decided_by(env, "li.qiang")
    outcome = record(env, approvalVerdict="reject", approvalComment="预算不足")
    assert isinstance(outcome, Completed) and outcome.variables["approvalRejected"] is True


def test_a_transfer_hands_the_task_on_and_empties_the_fields() -> None:
    env = HandlerEnvironment(now=AT)
    decided_by(env, "li.qiang")
    outcome = record(env, approvalVerdict="transfer", approvalComment="请孙丽处理", approvalTransferTo="sun.li")
    assert isinstance(outcome, Completed), outcome
    assert (outcome.variables["approvalAssignee"], outcome.variables["approvalOnBehalfOf"]) == ("sun.li", "sun.li")
    assert outcome.variables["approvalTransferred"] is True
    assert outcome.variables["approvalComment"] is None and outcome.variables["approvalVerdict"] is None
    [made] = decisions_from(outcome.variables["approvalRecord"])
    assert (made.verdict, made.transferred_to, made.comment) == (Verdict.TRANSFERRED, "sun.li", "请孙丽处理")


def test_a_bad_decision_goes_back_as_a_bpmn_error_naming_the_field() -> None:
    env = HandlerEnvironment(now=AT)
    decided_by(env, "li.qiang")
    outcome = record(env, approvalVerdict="transfer", approvalComment="", approvalTransferTo="li.qiang")
    assert isinstance(outcome, BpmnError) and outcome.code == "APPROVAL_DECISION_INVALID"
    assert "审批意见" in outcome.message and "转交给 / Transfer to: 不能转交给自己" in outcome.message


def test_a_decision_task_completed_by_nobody_authenticated_is_an_incident() -> None:
    env = HandlerEnvironment(now=AT)
    decided_by(env, "li.qiang")
    env.engine.answer("GET", "/history/user-operation", [])
    outcome = record(env, approvalVerdict="approve")
    assert isinstance(outcome, Failed) and outcome.incident and "operation log" in outcome.message


def test_no_copy_list_sends_nothing() -> None:
    env = HandlerEnvironment(now=AT)
    outcome = env.run("approval.notify-copies", {"approvalStep": "s", "approvalSubject": "协议 / Agreement",
                                                 "approvalKind": "any", "approvalApplicant": "wu.hao",
                                                 "approvalCopyTo": []},
                      properties={"organisationFile": str(ORG_FILE)})
    assert outcome == Completed({})


def history_variables(env: HandlerEnvironment, name: str, values: list[dict]) -> None:
    env.engine.answer("GET", "/history/variable-instance", values, params={
        "processInstanceId": "p1", "variableName": name, "includeDeleted": "true", "deserializeValues": "false"})


def test_conclude_orders_the_recorded_decisions_and_counts_the_overtaken_tasks_as_cancelled() -> None:
    env = HandlerEnvironment(now=AT)
    approved = decision("zhang.wei", Verdict.APPROVED, 5).as_json()
    history_variables(env, "approvalRecord", [
        {"executionId": "E1", "value": json.dumps([approved])}, {"executionId": "E2", "value": None}])
    history_variables(env, "approvalOnBehalfOf", [
        {"executionId": "E1", "value": "zhang.wei"}, {"executionId": "E2", "value": "li.qiang"},
        {"executionId": "E3", "value": "guo.hong"}])
    env.engine.answer("GET", "/history/activity-instance", [
        {"executionId": "E1", "assignee": "zhang.wei", "endTime": "2026-12-01T09:05:00.000+0000"},
        # decided in the same instant as zhang.wei: its recording step was cancelled by the outcome
        {"executionId": "E2", "assignee": "sun.li", "endTime": "2026-12-01T09:05:00.000+0000"},
        {"executionId": "E3", "assignee": "guo.hong", "endTime": "2026-12-01T09:05:01.000+0000", "canceled": True}])
    outcome = env.run("approval.conclude", {"approvalStep": "s", "approvalKind": "any"}, process_instance_id="p1")
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["approvalOutcome"] == "approved" and outcome.variables["approvalReason"] == ""
    made = decisions_from(outcome.variables["approvalDecisions"])
    assert [(d.approver, d.on_behalf_of, d.verdict) for d in made] == [
        ("zhang.wei", None, Verdict.APPROVED), ("sun.li", "li.qiang", Verdict.CANCELLED),
        ("guo.hong", None, Verdict.CANCELLED)]


def test_a_withdrawal_keeps_a_decision_completed_before_it_whose_recording_had_not_run_yet() -> None:
    """li.qiang approved, then the applicant withdrew before li.qiang's recording step ran: the
    withdrawal must record li.qiang's approval as submitted, not as cancelled."""
    env = HandlerEnvironment(now=AT)
    env.engine.answer("GET", "/history/activity-instance/Task_UnderTest:1", {"parentActivityInstanceId": "Pending:1"})
    activities = {
        "Task_Withdraw": [{"activityId": "Task_Withdraw", "parentActivityInstanceId": "Pending:1", "taskId": "w-1",
                           "endTime": "2026-12-01T09:10:00.000+0000", "canceled": False}],
        "Task_Decide": [
            {"executionId": "E1", "taskId": "d-1", "assignee": "li.qiang", "endTime": "2026-12-01T09:05:00.000+0000"},
            {"executionId": "E2", "taskId": "d-2", "assignee": "zhang.wei"}],  # still open
    }
    env.engine.answer("GET", "/history/activity-instance", lambda r: activities[r.params["activityId"]])
    completers = {"w-1": "wu.hao", "d-1": "li.qiang"}
    env.engine.answer("GET", "/history/user-operation", lambda r: [{"userId": completers[r.params["taskId"]]}])
    fields = {"approvalRecord": [{"executionId": "E1", "value": None}],
              "approvalOnBehalfOf": [{"executionId": "E1", "value": "li.qiang"}, {"executionId": "E2", "value": "zhang.wei"}],
              "approvalVerdict": [{"executionId": "E1", "value": "approve"}],
              "approvalComment": [{"executionId": "E1", "value": " 同意 "}]}
    env.engine.answer("GET", "/history/variable-instance", lambda r: fields.get(r.params["variableName"], []))
    outcome = env.run("approval.record-withdrawal", {"approvalStep": "s", "approvalKind": "countersign",
                                                     "approvalWithdrawReason": "需求取消"}, process_instance_id="p1")
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["approvalOutcome"] == "withdrawn"
    made = decisions_from(outcome.variables["approvalDecisions"])
    assert [(d.approver, d.verdict, d.comment) for d in made] == [
        ("li.qiang", Verdict.APPROVED, "同意"), ("wu.hao", Verdict.WITHDRAWN, "需求取消"),
        ("zhang.wei", Verdict.CANCELLED, "")]
