"""Acceptance (项目验收) and project assessment (项目考核) rules, without an engine: every criterion
judged, a failed one explained, rectification by exactly the responsible departments, and nobody
assessing their own department."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from workers.processes.project_cooperation_acceptance import rules
from workers.processes.project_cooperation_acceptance.labels import FORMS
from workers.processes.project_cooperation_acceptance.variables import (
    AcceptanceRound,
    Agreement,
    Judgement,
    Rectification,
    Verdict,
)
from workers.shared.organisation.model import load_organisation

ROOT = Path(__file__).resolve().parents[2]
ORG = load_organisation(ROOT / "org" / "demo-organisation.yaml")
AGREEMENT = Agreement.model_validate({"acceptance_criteria": [
    {"id": "C1", "department": "engineering", "criterion": "系统通过性能测试 / The system passes the load test"},
    {"id": "C2", "department": "production", "criterion": "首批 100 台按期交付 / First 100 units delivered on time"},
    {"id": "C3", "department": "sales", "criterion": "三家试点客户签收 / Three pilot customers sign off"},
]})


def rows(**verdicts: tuple[str | None, str]) -> list[dict]:
    return [{"criterionId": cid, "verdict": verdict, "notes": notes} for cid, (verdict, notes) in verdicts.items()]


def test_every_criterion_passed_gives_a_judgement_each_in_the_agreements_order():
    judgements, problems = rules.judge(AGREEMENT, rows(C3=("pass", ""), C1=("pass", "好 / fine"), C2=("pass", "")))
    assert problems == []
    assert [(j.criterion_id, j.verdict) for j in judgements] == [("C1", Verdict.PASS), ("C2", Verdict.PASS),
                                                                 ("C3", Verdict.PASS)]


def test_a_criterion_without_verdict_is_named_by_row_and_field():
    _, problems = rules.judge(AGREEMENT, rows(C1=("pass", ""), C2=(None, ""), C3=("pass", "")))
    assert problems == ["第 2 行 验收结论 / row 2 Verdict: 请选择通过或不通过（C2） / choose passed or failed (C2)"]


def test_a_failed_criterion_needs_a_note():
    _, problems = rules.judge(AGREEMENT, rows(C1=("fail", "  "), C2=("pass", ""), C3=("pass", "")))
    assert problems == ["第 1 行 说明 / row 1 Notes: 不通过须说明原因（C1） / a failed criterion needs a note saying why (C1)"]


def test_a_missing_or_foreign_criterion_is_refused():
    _, problems = rules.judge(AGREEMENT, rows(C1=("pass", ""), C9=("pass", "")))
    assert "第 2 行 验收标准 / row 2 Acceptance criteria: 不是合作协议中的验收标准（或重复） / is not one of the agreement's criteria (or repeats one)" in problems
    assert any("criterion C2 is missing" in p for p in problems) and any("criterion C3 is missing" in p for p in problems)


def test_rows_that_are_not_a_list_are_refused_naming_the_field():
    _, problems = rules.judge(AGREEMENT, "C1=pass")
    assert problems == ["验收标准 / Acceptance criteria: 须为列表，收到str / must be a list of rows"]


def test_failed_criteria_go_to_the_department_responsible_for_each():
    judgements, _ = rules.judge(AGREEMENT, rows(C1=("fail", "响应时间 3 秒 / 3 s response"), C2=("pass", ""),
                                                C3=("fail", "只签收两家 / only two signed")))
    failed = rules.failed_by_department(AGREEMENT, judgements)
    assert list(failed) == ["engineering", "sales"]
    assert failed["engineering"] == [("C1", AGREEMENT.acceptance_criteria[0].criterion, "响应时间 3 秒 / 3 s response")]


def test_the_next_round_keeps_passed_verdicts_and_reopens_failed_ones_with_the_rectification():
    first = rules.first_rows(AGREEMENT, ORG)
    judgements = [Judgement(criterion_id="C1", verdict=Verdict.FAIL, notes="慢 / slow"),
                  Judgement(criterion_id="C2", verdict=Verdict.PASS), Judgement(criterion_id="C3", verdict=Verdict.PASS)]
    judged = rules.judged_rows(first, judgements)
    at = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
    done = [Rectification(round=1, department="engineering", by="zhang.wei", at=at, report="扩容 / scaled out")]
    round_ = AcceptanceRound(round=1, checked_by="li.qiang", checked_at=at, judgements=judgements)
    again = rules.next_round_rows(AGREEMENT, judged, done, round_)
    assert [(r.criterion_id, r.verdict, r.rectification) for r in again] == [
        ("C1", None, "扩容 / scaled out"), ("C2", Verdict.PASS, ""), ("C3", Verdict.PASS, "")]
    assert again[0].department == "技术部 / Engineering"


def test_the_pmo_and_every_involved_department_assess_all_others_but_never_themselves():
    plan = rules.assessment_plan(["sales", "engineering", "production"], ["projectoffice"])
    assert plan == {"projectoffice": ["sales", "engineering", "production"],
                    "sales": ["engineering", "production"], "engineering": ["sales", "production"],
                    "production": ["sales", "engineering"]}
    assert all(assessor not in assessed for assessor, assessed in plan.items())


def test_a_pmo_that_is_involved_assesses_the_others_only():
    plan = rules.assessment_plan(["projectoffice", "sales"], ["projectoffice"])
    assert plan == {"projectoffice": ["sales"], "sales": ["projectoffice"]}


def scores(department: str, **changes) -> dict:
    return {"departmentId": department, "department": department, "goal": 4, "quality": 5, "schedule": 3,
            "cost": 4, "teamwork": 5, "comment": "", **changes}


def test_assessment_rows_need_every_score_from_one_to_five():
    _, problems = rules.assessment_problems(["sales"], [scores("sales", quality=6, cost=None)])
    assert problems == ["第 1 行 工作质量 / row 1 Work quality: 请打 1 至 5 分 / give a score from 1 to 5",
                        "第 1 行 成本控制 / row 1 Cost control: 请打 1 至 5 分 / give a score from 1 to 5"]


def test_an_assessor_cannot_score_their_own_department_or_leave_one_out():
    rows_, problems = rules.assessment_problems(["sales", "production"], [scores("sales"), scores("engineering")])
    assert [r.department_id for r in rows_] == ["sales"]
    assert problems == [
        "第 2 行 被考核部门 / row 2 Departments assessed: 不是应由您考核的部门（本部门不能自评） / is not a department "
        "you assess (nobody assesses their own department)",
        "被考核部门 / Departments assessed: 缺少部门 production 的评分 / no scores for department production"]


@pytest.mark.parametrize("form_id", sorted(FORMS))
def test_the_labels_messages_name_are_the_forms_labels(form_id: str):
    form = json.loads((ROOT / "forms" / f"{form_id}.form").read_text(encoding="utf-8"))
    labels = {}

    def walk(components, prefix=""):
        for c in components:
            key = c.get("path") or c.get("key")
            if key:
                labels[prefix + key] = c.get("label")
            walk(c.get("components", []), prefix + (c["path"] + "." if c.get("path") else ""))

    walk(form["components"])
    for key, label in FORMS[form_id].items():
        assert labels.get(key) == label, f"{form_id}: field {key} is labelled {labels.get(key)!r}, messages say {label!r}"
