"""审批记录 / The approval block's decision record (contract A) and the table every PDF prints it with:
names not ids, the delegate beside whose approval it was, times in the company's zone."""

from __future__ import annotations

import subprocess
from datetime import datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pydantic import ValidationError

from workers.shared.approvals.document import decision_flowables
from workers.shared.approvals.record import ApprovalDecision, ApprovalOutcome, Verdict, decisions_from, decisions_json
from workers.shared.documents import Styles, render_pdf
from workers.shared.organisation.model import load_organisation

ORG = load_organisation(Path(__file__).parents[2] / "org" / "demo-organisation.yaml")
BEIJING = ZoneInfo("Asia/Shanghai")
DECISIONS = [
    {"step": "agreement-countersign", "approver": "sun.li", "on_behalf_of": "li.qiang", "verdict": "approved",
     "comment": "", "transferred_to": None, "decided_at": "2026-12-01T16:30:00+00:00"},
    {"step": "agreement-countersign", "approver": "zhang.wei", "on_behalf_of": None, "verdict": "transferred",
     "comment": "请黄磊把关技术部分", "transferred_to": "huang.lei", "decided_at": "2026-12-02T01:05:00+00:00"},
    {"step": "agreement-countersign", "approver": "huang.lei", "on_behalf_of": None, "verdict": "rejected",
     "comment": "验收标准 C2 无法度量，请补充指标。", "transferred_to": None, "decided_at": "2026-12-02T02:00:00Z"},
]


def pdf_text(pdf: bytes) -> str:
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True, check=True,
                          timeout=60).stdout.decode()
    return "".join(text.split())


@pytest.fixture(scope="module")
def record_pdf() -> bytes:
    styles = Styles()
    flowables = decision_flowables(styles, "合作协议会签 / Agreement countersign", decisions_from(DECISIONS), ORG, BEIJING)
    return render_pdf(flowables, title="approval record", subject="test")


def test_decisions_read_from_the_engine_json_keep_their_order_and_verdicts() -> None:
    decisions = decisions_from(DECISIONS)
    assert [d.verdict for d in decisions] == [Verdict.APPROVED, Verdict.TRANSFERRED, Verdict.REJECTED]
    assert decisions[0].on_behalf_of == "li.qiang"


def test_decisions_round_trip_through_the_variable_value() -> None:
    decisions = decisions_from(DECISIONS)
    assert decisions_from(decisions_json(decisions)) == decisions


def test_decisions_from_a_json_string_and_from_nothing() -> None:
    assert decisions_from('[]') == []
    assert decisions_from(None) == []


def test_a_decision_time_without_offset_is_refused() -> None:
    with pytest.raises(ValidationError, match="offset"):
        ApprovalDecision(step="s", approver="a", verdict=Verdict.APPROVED, decided_at=datetime(2026, 12, 1, 8, 0))


def test_an_unknown_verdict_is_refused() -> None:
    with pytest.raises(ValidationError, match="verdict"):
        decisions_from([{**DECISIONS[0], "verdict": "maybe"}])


def test_outcomes_are_the_three_of_the_contract() -> None:
    assert {o.value for o in ApprovalOutcome} == {"approved", "rejected", "withdrawn"}


def test_the_table_names_people_and_their_departments_not_ids(record_pdf: bytes) -> None:
    text = pdf_text(record_pdf)
    assert "孙丽（销售部）" in text and "李强（销售部）" in text
    assert "sun.li" not in text and "li.qiang" not in text


def test_the_table_has_the_bilingual_heading_and_columns(record_pdf: bytes) -> None:
    text = pdf_text(record_pdf)
    for label in ("合作协议会签", "Agreementcountersign", "审批人", "代理", "意见", "结论", "时间"):
        assert label in text, label


def test_the_table_prints_times_in_the_company_zone(record_pdf: bytes) -> None:
    text = pdf_text(record_pdf)
    assert "2026年12月2日00:30" in text  # 16:30 UTC is past midnight in Beijing
    assert "2026年12月2日09:05" in text


def test_a_transfer_names_the_new_approver_and_keeps_the_comment(record_pdf: bytes) -> None:
    text = pdf_text(record_pdf)
    assert "转交给黄磊（技术部）" in text
    assert "请黄磊把关技术部分" in text


def test_no_decisions_is_said_in_words() -> None:
    styles = Styles()
    pdf = render_pdf(decision_flowables(styles, "审批 / Approval", [], ORG, BEIJING), title="t", subject="s")
    assert "尚无审批意见" in pdf_text(pdf)


def test_a_person_no_longer_in_the_organisation_is_printed_by_id() -> None:
    styles = Styles()
    decisions = decisions_from([{**DECISIONS[2], "approver": "left.company"}])
    pdf = render_pdf(decision_flowables(styles, "审批 / Approval", decisions, ORG, BEIJING), title="t", subject="s")
    assert "left.company" in pdf_text(pdf)
