"""The hand-over's conversation without an engine: each step's message on its own form, named by the
form's labels and cleared once the step passes; explicit decisions; the giver's answers and what the
receiver sees in the next round; deadlines after the planned date. Handlers run through the harness."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from workers.processes.work_handover import labels
from workers.runtime.testing import BpmnError, Completed, HandlerEnvironment

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)  # Tuesday 10:00 in Beijing
PLANNED = "2026-12-09"  # the Wednesday after
DEADLINES = {"companyTimeZone": "Asia/Shanghai", "deadlineTime": "18:00", "plannedDate": PLANNED}
PARTIES = {"receiverName": "吴浩", "supervisorName": "陈静"}
ROWS = [{"category": "equipment", "description": "笔记本电脑 / Laptop", "location": "3F", "assetNumber": "IT-1"},
        {"category": "documents", "description": "合同草稿 / Drafts", "location": "共享盘 / share"}]
ROUND_1 = {**DEADLINES, **PARTIES, "preparationDays": 3, "confirmationDays": 2, "verificationDays": 3,
           "handoverRound": 1, "handoverRounds": [], "checklistItems": ROWS}
QUESTION = "哪个文件夹？/ Which folder?"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"
CAMUNDA = "{http://camunda.org/schema/1.0/bpmn}"


def run(topic: str, variables: dict[str, Any], now: datetime = NOW) -> Any:
    return HandlerEnvironment(now=now).run(topic, variables)


def form(name: str) -> dict[str, Any]:
    return json.loads((ROOT / "forms" / f"{name}.form").read_text(encoding="utf-8"))


def form_labels(components: list[dict[str, Any]], prefix: str = "") -> dict[str, str]:
    found = {}
    for component in components:
        name = component.get("key") or component.get("path")
        label = component.get("label") or component.get("dateLabel")  # a datetime field has a dateLabel
        if name and label:
            found[prefix + name] = label
        if "components" in component:
            found |= form_labels(component["components"], f"{component['path']}." if component.get("path") else prefix)
    return found


def returned_with_a_question() -> Completed:
    outcome = run("handover.record-verification", {**ROUND_1, "verificationItems": [
        {"verdict": "accept"}, {"verdict": "question", "question": QUESTION}]})
    assert isinstance(outcome, Completed), outcome
    return outcome


def second_round(returned: Completed, answer: str | None, rows: list[dict[str, Any]] = ROWS) -> Any:
    """The giver resubmits: the list (as given) and their answer in the row the form showed."""
    answers = [{**row, "answer": answer} for row in returned.variables["questionAnswers"]]
    return run("handover.check-checklist", {
        **ROUND_1, "checklistItems": rows, "questionAnswers": answers,
        **{name: returned.variables[name] for name in ("handoverRounds", "verificationItems")}})


# --- messages: the step's own, by the form's labels, cleared once it passes --------------------
@pytest.mark.parametrize("form_id", sorted(labels.FORMS))
def test_every_label_a_message_names_is_the_label_its_form_shows(form_id: str) -> None:
    shown = form_labels(form(form_id)["components"])
    assert {key: shown.get(key) for key in labels.FORMS[form_id]} == labels.FORMS[form_id]


def test_each_steps_rejection_is_its_own_variable_shown_only_on_that_steps_form() -> None:
    """The giver was shown the receiver's old error: one variable per step, each on its own form."""
    tree = ET.parse(ROOT / "bpmn" / "work-handover.bpmn")
    forms_of = {task.get("id"): task.get(f"{CAMUNDA}formRef") for task in tree.iter(f"{BPMN}userTask")}
    written = {}
    for boundary in tree.iter(f"{BPMN}boundaryEvent"):
        definition = boundary.find(f"{BPMN}errorEventDefinition")
        if definition is not None and definition.get(f"{CAMUNDA}errorMessageVariable"):
            written[boundary.get("attachedToRef")] = definition.get(f"{CAMUNDA}errorMessageVariable")
    assert written == {"Task_ResolveParties": "rejectionMessage", "Task_CheckNotice": "rejectionMessage",
                       "Task_CheckChecklist": "checklistRejection", "Task_RecordVerification": "verificationRejection",
                       "Task_CheckSupervisorDecision": "supervisorRejection"}
    shown = {name: {key for key in form_labels(form(name)["components"]) if key in set(written.values())}
             for name in set(forms_of.values())}
    assert shown == {"work-handover-notice": {"rejectionMessage"}, "work-handover-checklist": {"checklistRejection"},
                     "work-handover-verify": {"verificationRejection"}, "work-handover-sign": {"supervisorRejection"}}


def test_an_incomplete_checklist_names_each_field_by_its_label_once_and_never_its_key() -> None:
    outcome = run("handover.check-checklist", {**ROUND_1, "checklistItems": [
        {"category": "equipment", "description": "示波器 / Oscilloscope", "location": "实验室 / Lab"},
        {"category": "customerInformation", "description": "客户甲 / Customer A", "location": "CRM"}]})
    assert isinstance(outcome, BpmnError) and outcome.code == "CHECKLIST_INCOMPLETE", outcome
    assert outcome.message.splitlines() == [
        "第 1 项 资产编号 / item 1 Asset number（设备 / Equipment）: 设备需要资产编号 / equipment needs an asset number",
        "第 2 项 客户联系人 / item 2 Customer contact（客户信息 / Customer information）: 客户信息需要联系人 / "
        "customer information needs a contact"]


def test_an_incomplete_verification_names_the_row_and_field_by_the_receivers_labels() -> None:
    outcome = run("handover.record-verification", {**ROUND_1, "verificationItems": [
        {"verdict": "accept"}, {"verdict": "question", "question": " "}]})
    assert isinstance(outcome, BpmnError) and outcome.code == "VERIFICATION_INCOMPLETE", outcome
    assert outcome.message == "第 2 项 疑问 / item 2 Question: 有疑问时请写明疑问 / write the question"
    assert not re.search(r"verificationItems|question:", outcome.message), outcome.message


def test_each_step_that_passes_clears_its_own_message() -> None:
    checked = run("handover.check-checklist", ROUND_1)
    verified = run("handover.record-verification", {**ROUND_1, "verificationItems": [{"verdict": "accept"}] * 2})
    asked = returned_with_a_question()
    decided = run("handover.check-supervisor-decision", {"supervisorVerdict": "sign", "supervisorConfirmed": True})
    assert isinstance(checked, Completed) and isinstance(verified, Completed) and isinstance(decided, Completed)
    assert (checked.variables["checklistRejection"], verified.variables["verificationRejection"],
            asked.variables["verificationRejection"], decided.variables["supervisorRejection"]) == (None,) * 4
    assert "rejectionMessage" not in checked.variables | verified.variables | asked.variables, \
        "the notice's message belongs to the initiator's step"


# --- explicit decisions ------------------------------------------------------------------------
@pytest.mark.parametrize(("decision", "named"), [
    ({}, "监交人意见 / Supervisor's verdict: 请选择签字确认或退回 / choose to sign or to send back"),
    ({"supervisorVerdict": "sendBack", "sendBackReason": "  "}, "退回原因 / Reason for sending back: 必填 / is required"),
    ({"supervisorVerdict": "sendBack"}, "退回原因 / Reason for sending back: 必填 / is required"),
    ({"supervisorVerdict": "sign", "supervisorConfirmed": False},
     "我已核对并确认 / I have checked and confirm: 签字须勾选此项 / tick it to sign"),
])
def test_a_supervisor_who_does_not_decide_explicitly_gets_the_task_back_saying_what_is_missing(
        decision: dict[str, Any], named: str) -> None:
    outcome = run("handover.check-supervisor-decision", decision)
    assert outcome == BpmnError("SUPERVISOR_UNDECIDED", named, {})


def test_a_send_back_with_its_reason_passes_the_supervisors_check() -> None:
    outcome = run("handover.check-supervisor-decision", {"supervisorVerdict": "sendBack", "sendBackReason": "缺钥匙"})
    assert outcome == Completed({"supervisorRejection": None})


def test_each_signing_form_requires_the_confirmation_and_shows_the_signers_name_read_only() -> None:
    components = {c.get("key"): c for c in form("work-handover-sign")["components"]}
    confirmed, name = components["signatureConfirmed"], components["signerName"]
    assert (confirmed["type"], confirmed["validate"].get("required")) == ("checkbox", True)
    assert (name.get("readonly"), components["sendBackReason"]["validate"].get("required")) == (True, True)
    tree = ET.parse(ROOT / "bpmn" / "work-handover.bpmn")
    mapped = {task.get("id"): {(p.tag.removeprefix(CAMUNDA), p.get("name"), (p.text or "").strip())
                               for p in task.iter() if p.tag in (f"{CAMUNDA}inputParameter", f"{CAMUNDA}outputParameter")}
              for task in tree.iter(f"{BPMN}userTask") if task.get(f"{CAMUNDA}formRef") == "work-handover-sign"}
    for task, role in (("Task_GiverSigns", "giver"), ("Task_ReceiverSigns", "receiver"),
                       ("Task_SupervisorConfirms", "supervisor")):
        assert {("inputParameter", "signerName", f"${{{role}Name}}"), ("inputParameter", "signatureConfirmed", "${false}"),
                ("outputParameter", f"{role}Confirmed", "${signatureConfirmed}")} <= mapped[task], mapped[task]


# --- a returned task says why; the giver answers; the receiver's next round -----------------------
def test_a_checklist_returned_with_questions_says_which_round_who_and_what_with_a_row_to_answer_each() -> None:
    returned = returned_with_a_question()
    why = returned.variables["openQuestions"]
    assert why.startswith("第 1 轮 / Round 1: 接收人吴浩提出疑问 / the receiver 吴浩 asked") and QUESTION in why, why
    assert returned.variables["questionAnswers"] == [
        {"item": 2, "description": "合同草稿 / Drafts", "question": QUESTION, "answer": None}]


def test_a_send_back_says_which_round_who_and_why() -> None:
    outcome = run("handover.record-sendback", {**ROUND_1, "sendBackReason": "缺少项目文档 / documents missing"})
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["openQuestions"] == ("第 1 轮 / Round 1: 监交人陈静退回 / sent back by the supervisor 陈静，"
                                                  "原因 / reason: 缺少项目文档 / documents missing")
    assert outcome.variables["questionAnswers"] == []


def test_the_giver_must_answer_each_question_named_by_the_answer_fields_label() -> None:
    outcome = second_round(returned_with_a_question(), answer=" ")
    assert outcome == BpmnError("CHECKLIST_INCOMPLETE", "第 2 项 答复 / item 2 Answer: 必填 / is required", {})


def test_the_givers_answer_is_kept_in_the_rounds_and_the_conversation() -> None:
    outcome = second_round(returned_with_a_question(), answer=" 在 合同/2026 / in contracts/2026 ")
    assert isinstance(outcome, Completed), outcome
    [record] = outcome.variables["handoverRounds"]
    assert record["questions"][0]["answer"] == "在 合同/2026 / in contracts/2026"
    assert QUESTION in outcome.variables["conversation"] and "in contracts/2026" in outcome.variables["conversation"]
    assert outcome.variables["questionAnswers"] == []


def test_in_the_next_round_unchanged_verdicts_are_kept_and_the_question_shows_its_answer() -> None:
    outcome = second_round(returned_with_a_question(), answer="在 合同/2026 / in contracts/2026")
    assert isinstance(outcome, Completed), outcome
    first, asked = outcome.variables["verificationItems"]
    assert (first["verdict"], first["change"], first["earlierQuestion"]) == ("accept", None, None)
    assert (asked["verdict"], asked["change"], asked["earlierQuestion"], asked["answer"]) == (
        None, None, QUESTION, "在 合同/2026 / in contracts/2026")


def test_in_the_next_round_rows_the_giver_changed_or_added_say_so_and_are_judged_again() -> None:
    changed = [dict(ROWS[0], location="4F"), ROWS[1], {"category": "documents", "description": "新 / New", "location": "Git"}]
    outcome = second_round(returned_with_a_question(), answer="见新行 / see the new row", rows=changed)
    assert isinstance(outcome, Completed), outcome
    rows = outcome.variables["verificationItems"]
    assert [(r["verdict"], r["change"]) for r in rows] == [
        (None, "交出人已修改此项 / The giver changed this item"), (None, None),
        (None, "交出人新增此项 / The giver added this item")]
    assert rows[1]["earlierQuestion"] == QUESTION  # the unchanged row asked about: found by content


# --- deadlines ----------------------------------------------------------------------------------
def test_verification_and_signing_are_due_after_the_planned_date_not_counted_from_today() -> None:
    """Seen: signing due 12-04 for a hand-over planned on 12-09."""
    checked = run("handover.check-checklist", ROUND_1)
    verified = run("handover.record-verification", {**ROUND_1, "verificationItems": [{"verdict": "accept"}] * 2})
    assert (checked.variables["verificationDue"], verified.variables["confirmationDue"]) == (
        "2026-12-14T18:00:00+08:00", "2026-12-11T18:00:00+08:00")


def test_once_the_planned_date_has_passed_a_deadline_is_counted_from_now() -> None:
    later = datetime(2026, 12, 10, 2, 0, tzinfo=timezone.utc)  # Thursday, the day after
    verified = run("handover.record-verification", {**ROUND_1, "verificationItems": [{"verdict": "accept"}] * 2},
                   now=later)
    assert verified.variables["confirmationDue"] == "2026-12-14T18:00:00+08:00"


def test_a_row_inserted_before_unchanged_rows_is_new_and_the_rows_after_it_keep_their_verdicts() -> None:
    inserted = [{"category": "documents", "description": "新 / New", "location": "Git"}, *ROWS]
    outcome = second_round(returned_with_a_question(), answer="见 Git / see Git", rows=inserted)
    assert isinstance(outcome, Completed), outcome
    assert [(r["verdict"], r["change"], r["earlierQuestion"]) for r in outcome.variables["verificationItems"]] == [
        (None, "交出人新增此项 / The giver added this item", None), ("accept", None, None), (None, None, QUESTION)]


def test_every_rule_of_the_decision_ends_preparation_by_the_planned_date() -> None:
    """Preparation is counted from the notice, which is at least `noticeWorkingDays` before the planned
    date: a rule whose preparation is longer than its notice would put the checklist's deadline after
    the hand-over it prepares."""
    dmn = "{https://www.omg.org/spec/DMN/20191111/MODEL/}"
    table = ET.parse(ROOT / "dmn" / "handover-policy.dmn").find(f".//{dmn}decisionTable")
    names = [output.get("name") for output in table.findall(f"{dmn}output")]
    rules = {rule.get("id"): dict(zip(names, (int(e.findtext(f"{dmn}text")) for e in rule.findall(f"{dmn}outputEntry"))))
             for rule in table.findall(f"{dmn}rule")}
    assert len(rules) == 12
    assert {rule: values for rule, values in rules.items()
            if values["preparationDays"] > values["noticeWorkingDays"]} == {}
