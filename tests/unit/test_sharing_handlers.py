"""information-sharing's workers through the handler harness (no engine): the request checked
against the decision's result, the publisher taken from the engine, a forged correction refused,
a regular obligation's share re-checked against the obligation found through the calling instance,
sensitive content kept out of e-mails, receipts marked late."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.staff import DEMO
from workers.runtime.settings import Settings
from workers.shared.received import ReceivedShare, received_by, record_delivery
from workers.runtime.testing import BpmnError, Completed, Failed, FakeEngine, HandlerEnvironment

SHANGHAI = timezone(timedelta(hours=8))
NOW = datetime(2026, 12, 2, 10, 0, tzinfo=SHANGHAI)  # a Wednesday
ORG = {"organisationFile": str(DEMO)}
CONFIDENTIAL_CUSTOMER = {"allowedReceivers": "sales,production,finance,gmoffice,own", "approval": "data-owner-and-leadership",
                         "allowedChannels": "record,email,interface", "acknowledgementRequired": True,
                         "acknowledgementDays": 2, "reminderIntervalHours": 8, "escalateAfterReminders": 2,
                         "retentionDays": 1825}
REQUEST = {"title": "重点客户价格 / Key customer prices", "category": "customer", "sensitivity": "confidential",
           "summary": "价格底线", "content": "A 客户 95 元", "targetDepartments": ["production", "finance"],
           "channels": ["email"], "sharingPermissions": CONFIDENTIAL_CUSTOMER, "initiator": "wu.hao"}


def started_by(user: str, pid: str = "share-1") -> FakeEngine:
    return FakeEngine().answer("GET", f"/history/process-instance/{pid}", {"startUserId": user})


def holds(engine: FakeEngine, pid: str, name: str, value: object, type_: str = "String") -> FakeEngine:
    """The history of instance `pid` has variable `name` (none at all when value is None)."""
    found = [] if value is None else [{"name": name, "type": type_, "value": value}]
    return engine.answer("GET", "/history/variable-instance", found,
                         params={"processInstanceId": pid, "variableName": name, "deserializeValues": "false"})


def check(variables: dict, engine: FakeEngine) -> object:
    return HandlerEnvironment(engine=engine, now=NOW).run(
        "sharing.check-request", variables, properties=ORG, process_instance_id="share-1")


def test_an_allowed_request_names_its_audience_and_approvers_from_the_engine_and_the_decision() -> None:
    outcome = check(REQUEST, started_by("wu.hao"))
    assert isinstance(outcome, Completed), outcome
    v = outcome.variables
    assert (v["publisher"], v["publisherDepartment"], v["shareVersion"]) == ("wu.hao", "sales", 1)
    assert (v["sharingAudienceGroups"], v["sharingAudienceUsers"]) == (["production", "finance"], ["wu.hao"])
    assert (v["approvalNeeded"], v["approvalKind"], v["approvalApprovers"]) == (
        "data-owner-and-leadership", "sequential", ["li.qiang", "wang.jianguo"])
    assert v["approvalApplicant"] == "wu.hao" and "A 客户 95 元" in v["approvalContext"]
    assert v["deliveryChannels"] == ["record", "email"]
    assert v["retentionDays"] == CONFIDENTIAL_CUSTOMER["retentionDays"], "the engine keeps the history this long"


def test_the_publisher_is_the_start_user_not_the_initiator_variable() -> None:
    outcome = check({**REQUEST, "initiator": "li.qiang"}, started_by("wu.hao"))
    assert isinstance(outcome, Completed) and outcome.variables["publisher"] == "wu.hao"


def test_targets_and_channels_not_allowed_go_back_to_the_publisher_named() -> None:
    outcome = check({**REQUEST, "targetDepartments": ["marketing"], "channels": ["im"]}, started_by("wu.hao"))
    assert isinstance(outcome, BpmnError) and outcome.code == "SHARING_REQUEST_INVALID"
    assert "市场部无权接收「客户信息·机密」信息" in outcome.message and "即时通讯" in outcome.message
    assert outcome.variables == {"publisher": "wu.hao", "publisherDepartment": "sales", "sharingObligation": None}


def test_an_unchosen_category_is_named_and_needs_no_decision() -> None:
    outcome = check({**REQUEST, "category": None, "sharingPermissions": None}, started_by("wu.hao"))
    assert isinstance(outcome, BpmnError) and outcome.message.startswith("信息分类 / Category: 请选择信息分类")


def test_a_gap_in_the_decision_is_an_incident_for_the_process_owner() -> None:
    outcome = check({**REQUEST, "sharingPermissions": None}, started_by("wu.hao"))
    assert isinstance(outcome, Failed) and "sharing-permissions has no rule" in outcome.message


def test_a_version_number_from_a_person_is_refused_at_once() -> None:
    outcome = check({**REQUEST, "shareVersion": 2, "previousShareInstance": "share-0"}, started_by("wu.hao"))
    assert isinstance(outcome, Failed) and outcome.incident and "only the workers set" in outcome.message


def test_a_correction_the_workers_started_keeps_the_publisher_of_the_version_it_corrects() -> None:
    engine = holds(holds(started_by("crossdept-worker"), "share-0", "publisher", "wu.hao"),
                   "share-0", "sharingObligation", None)
    outcome = check({**REQUEST, "shareVersion": 2, "previousShareInstance": "share-0"}, engine)
    assert isinstance(outcome, Completed), outcome
    assert (outcome.variables["publisher"], outcome.variables["shareVersion"]) == ("wu.hao", 2)
    assert outcome.variables["sharingObligation"] is None, "the version it corrects was a free share"


# --- a share a regular sharing obligation publishes (the organisation file's sales-orders-weekly) ------
WEEKLY_ORDERS = {**REQUEST, "title": "客户订单周报 / Weekly customer orders", "category": "customer",
                 "sensitivity": "internal", "targetDepartments": ["production"], "initiator": "li.qiang",
                 "sharingPermissions": {**CONFIDENTIAL_CUSTOMER, "approval": "department-head"}}


def called_by_obligation(obligation_id: str, process_key: str = "sharing-obligation") -> FakeEngine:
    """share-1 was started by the call activity of occurrence-7, whose assignment wrote `obligationId`."""
    engine = FakeEngine().answer("GET", "/history/process-instance/share-1", {
        "startUserId": "li.qiang", "superProcessInstanceId": "occurrence-7"})
    engine.answer("GET", "/history/process-instance/occurrence-7", {"processDefinitionKey": process_key})
    return holds(engine, "occurrence-7", "obligationId", obligation_id)


def test_an_obligations_share_as_the_obligation_fixes_it_is_accepted_and_marked_with_the_obligation() -> None:
    outcome = check(WEEKLY_ORDERS, called_by_obligation("sales-orders-weekly"))
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["sharingObligation"] == "sales-orders-weekly"
    assert outcome.variables["receivingDepartments"] == ["production"]


@pytest.mark.parametrize(("field", "value", "named"), [
    ("targetDepartments", ["production", "finance"], "接收部门 / Receiving departments: 定期共享「客户订单周报」由制度规定为生产部"),
    ("category", "business-data", "信息分类 / Category: 定期共享「客户订单周报」由制度规定为客户信息"),
    ("sensitivity", "public", "敏感程度 / Sensitivity: 定期共享「客户订单周报」由制度规定为内部"),
    ("title", "客户订单 / Orders", "标题 / Title: 定期共享「客户订单周报」由制度规定为「客户订单周报 / Weekly customer orders」"),
])
def test_a_fixed_field_changed_on_an_obligations_share_goes_back_naming_the_field_and_the_rule(
        field: str, value: object, named: str) -> None:
    outcome = check({**WEEKLY_ORDERS, field: value}, called_by_obligation("sales-orders-weekly"))
    assert isinstance(outcome, BpmnError) and outcome.code == "SHARING_REQUEST_INVALID", outcome
    assert outcome.message.startswith(named), outcome.message
    assert "cannot be changed and has been put back" in outcome.message and "Weekly customer orders" in outcome.message
    assert outcome.variables == {
        "publisher": "li.qiang", "publisherDepartment": "sales", "sharingObligation": "sales-orders-weekly",
        "title": "客户订单周报 / Weekly customer orders", "category": "customer", "sensitivity": "internal",
        "targetDepartments": ["production"]}, "the obligation's values put back for the read-only correction form"


def test_an_obligations_share_sent_back_for_its_own_text_keeps_what_it_has() -> None:
    outcome = check({**WEEKLY_ORDERS, "content": "", "contentLink": ""}, called_by_obligation("sales-orders-weekly"))
    assert isinstance(outcome, BpmnError), outcome
    assert outcome.message.startswith("内容 / Content: 请填写内容或文档链接"), outcome.message
    assert outcome.variables == {"publisher": "li.qiang", "publisherDepartment": "sales",
                                 "sharingObligation": "sales-orders-weekly"}


def test_the_obligations_targets_in_another_order_are_the_same_targets() -> None:
    obligation = {**WEEKLY_ORDERS, "title": "预算执行情况月报 / Monthly budget execution", "category": "finance",
                  "sensitivity": "confidential", "targetDepartments": ["production", "sales", "marketing", "engineering"],
                  "sharingPermissions": {**CONFIDENTIAL_CUSTOMER, "allowedReceivers": "all"}}
    outcome = check(obligation, called_by_obligation("finance-budget-monthly"))
    assert isinstance(outcome, Completed), outcome


def test_another_caller_than_a_sharing_obligation_makes_no_obligation_share() -> None:
    outcome = check({**WEEKLY_ORDERS, "targetDepartments": ["production", "finance"]},
                    called_by_obligation("sales-orders-weekly", process_key="project-cooperation"))
    assert isinstance(outcome, Completed) and outcome.variables["sharingObligation"] is None, outcome


def test_a_corrected_version_keeps_the_obligation_its_previous_version_was_checked_against() -> None:
    engine = holds(holds(started_by("crossdept-worker"), "share-0", "publisher", "li.qiang"),
                   "share-0", "sharingObligation", "sales-orders-weekly")
    outcome = check({**WEEKLY_ORDERS, "sensitivity": "public", "shareVersion": 2, "previousShareInstance": "share-0"},
                    engine)
    assert isinstance(outcome, BpmnError), outcome
    assert outcome.message.startswith("敏感程度 / Sensitivity: 定期共享「客户订单周报」"), outcome.message


def test_an_obligation_gone_from_the_organisation_file_is_an_incident_naming_it() -> None:
    outcome = check(WEEKLY_ORDERS, called_by_obligation("orders-daily"))
    assert isinstance(outcome, Failed) and "'orders-daily'" in outcome.message and "no longer" in outcome.message


def published(tmp_path: Path, sensitivity: str, channels: tuple[str, ...] = ("record", "email")) -> list[email.message.EmailMessage]:
    settings = Settings(worker_id="harness", data_dir=tmp_path, mail_outbox_dir=tmp_path / "outbox",
                        tasklist_url="http://tasklist.example/camunda/app/tasklist/default/")
    outcome = HandlerEnvironment(settings=settings, now=NOW).run("sharing.publish", {
        **{k: REQUEST[k] for k in ("title", "category", "summary", "content")}, "sensitivity": sensitivity,
        "shareVersion": 1, "organisationFile": str(DEMO), "publisher": "wu.hao", "publisherDepartment": "sales",
        "receivingDepartments": ["finance"], "deliveryChannels": list(channels),
        "sharingPermissions": CONFIDENTIAL_CUSTOMER,
    }, properties={**ORG, "timeZone": "Asia/Shanghai", "deadlineTime": "18:00",
                   "calendarFile": "org/company-calendar.yaml"})
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["acknowledgementDue"] == "2026-12-04T18:00:00+08:00"  # two working days on
    outbox = tmp_path / "outbox"
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(outbox.iterdir() if outbox.exists() else [])]


@pytest.mark.parametrize("sensitivity", ["confidential", "secret"])
def test_sensitive_information_travels_by_e_mail_as_its_title_and_a_link_only(tmp_path: Path, sensitivity: str) -> None:
    [mail] = published(tmp_path, sensitivity)
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert "A 客户 95 元" not in text and "价格底线" not in text, text
    assert "Key customer prices" in text and "http://tasklist.example/" in text


def test_internal_information_travels_with_its_content(tmp_path: Path) -> None:
    [mail] = published(tmp_path, "internal")
    assert "A 客户 95 元" in mail.get_body(preferencelist=("plain",)).get_content()


def test_no_e_mail_when_the_publisher_chose_only_the_record(tmp_path: Path) -> None:
    assert published(tmp_path, "internal", channels=("record",)) == []


def delivered_to_finance() -> HandlerEnvironment:
    """A harness whose register holds the share's delivery to Finance, as sharing.publish records it."""
    env = HandlerEnvironment(now=NOW)
    record_delivery(env.settings.archive_root, ReceivedShare(
        department="finance", process_instance_id="share-1", title="订单 / Orders", category="customer",
        sensitivity="internal", share_version=1, publisher_department="sales", delivered_at=NOW))
    return env


def test_a_receipt_after_its_due_date_is_recorded_late_with_the_engines_identity() -> None:
    due = datetime(2026, 12, 4, 18, tzinfo=SHANGHAI)
    env = delivered_to_finance()
    outcome = env.run("sharing.record-acknowledgement", {
        "receivingDepartment": "finance", "acknowledgedBy": "lin.xiao", "acknowledgedAt": due + timedelta(hours=1),
        "acknowledgementDue": due.isoformat(), "feedbackKind": "question",
        "feedbackText": "是否含税？/ Tax included?"}, process_instance_id="share-1")
    assert isinstance(outcome, Completed), outcome
    receipt = outcome.variables["acknowledgement"]
    assert (receipt["department"], receipt["by"], receipt["late"], receipt["feedback"]) == ("finance", "lin.xiao", True, "question")
    [entry] = received_by(env.settings.archive_root, "finance")
    assert entry.acknowledgement is not None and entry.acknowledgement.acknowledged_by == "lin.xiao"


def test_publishing_records_the_delivery_in_each_departments_register(tmp_path: Path) -> None:
    published(tmp_path, "internal")
    [entry] = received_by(tmp_path / "archive", "finance")
    assert (entry.share.title, entry.share.share_version, entry.acknowledged) == (REQUEST["title"], 1, False)


RECEIPT = {"receivingDepartment": "finance", "acknowledgedBy": "lin.xiao", "acknowledgedAt": NOW.isoformat(),
           "acknowledgementDue": (NOW + timedelta(days=2)).isoformat()}


@pytest.mark.parametrize(("feedback", "named"), [
    ({"feedbackKind": 5}, "反馈 / Feedback: 请选择"),
    ({"feedbackKind": "complaint"}, "反馈 / Feedback: 请选择"),
    ({"feedbackKind": "error"}, "反馈内容 / Your feedback: 必填"),
    ({"feedbackKind": "question", "feedbackText": ["a", 1]}, "反馈内容 / Your feedback: 须为文字"),
    ({"feedbackKind": "question", "feedbackText": "x" * 2001}, "反馈内容 / Your feedback: 不能超过 2000"),
])
def test_feedback_the_form_would_not_send_goes_back_to_the_department_named_and_is_not_recorded(
        feedback: dict, named: str) -> None:
    env = delivered_to_finance()
    outcome = env.run("sharing.record-acknowledgement", {**RECEIPT, **feedback}, process_instance_id="share-1")
    assert isinstance(outcome, BpmnError) and outcome.code == "SHARING_FEEDBACK_INVALID", outcome
    assert named in outcome.message, outcome.message
    [entry] = received_by(env.settings.archive_root, "finance")
    assert not entry.acknowledged, "a refused receipt is not recorded"


def test_a_receipt_clears_the_message_of_an_earlier_refusal() -> None:
    outcome = delivered_to_finance().run("sharing.record-acknowledgement", {**RECEIPT, "feedbackKind": "none"},
                                         process_instance_id="share-1")
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["feedbackProblem"] is None and outcome.variables["acknowledgement"]["feedback"] is None


ANSWERED = {**{k: v for k, v in REQUEST.items() if k in ("title", "category", "sensitivity", "summary", "content")},
            "shareVersion": 1, "organisationFile": str(DEMO), "publisher": "wu.hao", "publisherDepartment": "sales",
            "receivingDepartments": ["finance"], "receivingDepartment": "finance", "acknowledgedBy": "lin.xiao",
            "feedbackKind": "question", "feedbackText": "是否含税？", "deliveryChannels": ["record", "email"]}


@pytest.mark.parametrize(("answer", "named"), [
    ({}, "答复 / Answer: 必填"),
    ({"feedbackAnswer": "含税 / included", "correctionNeeded": "yes"}, "需要更正，发布新版本 / Correct it"),
    ({"feedbackAnswer": "已更正", "correctionNeeded": True, "correctedContent": "x" * 100_000},
     "更正后的内容 / Corrected content: 不能超过 3000"),
    ({"feedbackAnswer": "已更正", "correctionNeeded": True, "correctedSummary": {"nested": "<script>"}},
     "更正后的摘要 / Corrected summary: 须为文字"),
])
def test_an_answer_the_form_would_not_send_goes_back_to_the_publisher_named_before_anything_is_sent(
        answer: dict, named: str) -> None:
    engine = FakeEngine()
    env = HandlerEnvironment(engine=engine, now=NOW)
    outcome = env.run("sharing.answer-feedback", {**ANSWERED, **answer}, process_instance_id="share-1")
    assert isinstance(outcome, BpmnError) and outcome.code == "SHARING_ANSWER_INVALID", outcome
    assert named in outcome.message, outcome.message
    assert engine.requests == [], "no corrected version started"
