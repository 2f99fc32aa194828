"""Policy §3.3's rules as information-sharing applies them: who may receive, by which channel, who
approves, late or not; over the demo organisation and rows shaped like decision sharing-permissions."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from workers.processes.information_sharing import rules
from workers.processes.information_sharing.labels import Category, Channel
from workers.processes.information_sharing.rules import Approval, Request, SharingPermissions
from workers.shared.organisation.model import load_organisation
from tests.support.staff import DEMO

ORG = load_organisation(DEMO)


def permissions(receivers: str = "all", channels: str = "record,email,im,interface",
                approval: Approval = Approval.NONE) -> SharingPermissions:
    return SharingPermissions(allowed_receivers=receivers, approval=approval, allowed_channels=channels,
                              acknowledgement_required=True, acknowledgement_days=2, reminder_interval_hours=8,
                              escalate_after_reminders=2, retention_days=365)


def request(**fields) -> Request:
    values = dict(title="订单 / Orders", category="customer", sensitivity="confidential", content="…",
                  target_departments=["production"], channels=["email"])
    return Request(**{**values, **fields})


def test_all_lets_every_department_receive_in_the_organisations_order() -> None:
    assert rules.allowed_departments(permissions("all"), ORG, "sales") == [d.id for d in ORG.departments]


def test_own_stands_for_the_publishers_department() -> None:
    assert rules.allowed_departments(permissions("gmoffice,own"), ORG, "sales") == ["gmoffice", "sales"]


def test_a_receiver_the_organisation_does_not_know_is_the_decisions_fault_not_the_publishers() -> None:
    with pytest.raises(RuntimeError, match="salez"):
        rules.allowed_departments(permissions("production,salez"), ORG, "sales")


def test_each_target_not_allowed_is_named_by_its_department_name() -> None:
    problems = rules.target_problems(request(target_departments=["production", "marketing", "internalaudit"]),
                                     permissions("production,finance"), ORG, "sales")
    assert problems == [
        "接收部门 / Receiving departments: 市场部无权接收「客户信息·机密」信息，请删除该部门 / Marketing may not receive "
        "confidential customer information: remove it",
        "接收部门 / Receiving departments: 内审部无权接收「客户信息·机密」信息，请删除该部门 / Internal Audit may not receive "
        "confidential customer information: remove it",
    ]


def test_an_unknown_or_missing_target_is_named_too() -> None:
    assert rules.target_problems(request(target_departments=[]), permissions(), ORG, "sales") == [
        "接收部门 / Receiving departments: 请至少选择一个部门 / choose at least one department"]
    assert "没有部门 'nowhere'" in rules.target_problems(request(target_departments=["nowhere"]), permissions(), ORG, "sales")[0]


def test_a_channel_the_decision_does_not_allow_is_named() -> None:
    problems = rules.channel_problems(request(channels=["email", "im"]), permissions(channels="record,email"))
    assert problems == ["共享方式 / Channels: 「客户信息·机密」信息不允许通过即时通讯共享，请取消勾选 / confidential "
                        "customer information may not be shared by instant messaging: untick it"]


def test_content_or_a_link_is_required_and_a_link_must_be_http() -> None:
    assert rules.text_problems(request(content=None, content_link="ftp://files/x")) == [
        "文档链接 / Link to the document: 'ftp://files/x' 不是 http(s) 链接 / is not an http(s) link"]
    assert rules.text_problems(request(content="  ", content_link=None)) == [
        "内容 / Content: 请填写内容或文档链接 / give the content or a link to the document"]


def test_content_longer_than_3000_characters_is_refused_by_field() -> None:
    [problem] = rules.text_problems(request(content="字" * 3001))
    assert problem.startswith("内容 / Content: 不能超过 3000 个字符")


def test_the_record_is_always_delivered_besides_the_chosen_channels() -> None:
    assert rules.delivery_channels(["interface", "email"]) == [Channel.RECORD, Channel.EMAIL, Channel.INTERFACE]


def test_department_head_approval_is_the_publishers_head() -> None:
    assert rules.approvers(Approval.DEPARTMENT_HEAD, ORG, Category.CUSTOMER, "production") == ["zhou.gang"]


def test_data_owner_and_leadership_is_the_owning_departments_head_then_the_first_leader() -> None:
    assert rules.approvers(Approval.DATA_OWNER_AND_LEADERSHIP, ORG, Category.FINANCE, "sales") == ["guo.hong", "wang.jianguo"]


def test_a_leader_heading_the_owning_department_approves_once() -> None:
    # 制度规范 is owned by 总经理办公室, whose head is the general manager, the first leader
    assert rules.approvers(Approval.DATA_OWNER_AND_LEADERSHIP, ORG, Category.POLICY, "sales") == ["wang.jianguo"]


def test_no_approval_means_no_approvers() -> None:
    assert rules.approvers(Approval.NONE, ORG, Category.OTHER, "sales") == []


def test_a_receipt_after_its_due_time_is_late() -> None:
    due = datetime(2026, 12, 4, 18, tzinfo=timezone(timedelta(hours=8)))
    assert rules.is_late(due + timedelta(seconds=1), due) and not rules.is_late(due, due)
