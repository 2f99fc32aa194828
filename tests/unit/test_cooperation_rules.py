"""Project cooperation's own rules (policy §3.1) without an engine: the application, the assessments
and the agreement are rejected naming each wrong field by its form label; the approvers decision's
roles become people from the organisation file."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings

from tests.reliability.inputs import submissions, writable_fields
from workers.processes.project_cooperation import rules
from workers.processes.project_cooperation.labels import FORMS
from workers.processes.project_cooperation.records import FeasibilityScores
from workers.runtime.variables import STRING_COLUMN_CHARS
from workers.shared.organisation.model import load_organisation
from workers.shared.text import rejection_message

ROOT = Path(__file__).resolve().parents[2]
ORG = load_organisation(ROOT / "org" / "demo-organisation.yaml")

APPLICATION = {
    "projectName": "智能仓储试点 / Smart warehouse pilot", "background": "库存周转慢", "goal": "周转提升 20%",
    "content": "需求、方案、试产", "expectedResults": "试点仓上线",
    "startDate": "2027-01-04", "endDate": "2027-06-30",
    "milestones": [{"name": "方案评审 / Design review", "dueDate": "2027-02-26"}],
    "departments": ["marketing", "engineering", "production"],
    "people": [{"person": "yang.fan", "department": "marketing", "role": "需求分析"},
               {"person": "xu.ming", "department": "engineering", "role": "工程师"}],
    "projectOwner": "huang.lei",
}


def _problems(changes: dict, initiator: str = "chen.jing") -> list[str]:
    application, problems = rules.check_application({**APPLICATION, **changes}, ORG, initiator)
    assert (application is None) == bool(problems)
    return problems


def test_a_complete_application_is_accepted_with_the_initiators_department_as_requesting() -> None:
    application, problems = rules.check_application(APPLICATION, ORG, "chen.jing")
    assert problems == []
    assert application.requesting_department == "marketing"
    assert application.departments == ["marketing", "engineering", "production"]
    assert application.milestones[0].due_date.isoformat() == "2027-02-26"


def test_an_application_of_one_department_is_rejected_naming_the_departments_field() -> None:
    assert _problems({"departments": ["marketing"], "people": [], "projectOwner": "yang.fan"}) == [
        "涉及部门 / Departments involved: 至少选择 2 个部门（含本部门），现有 1 个 / "
        "choose at least 2 departments (yours included), has 1"]


def test_an_unknown_department_and_dates_out_of_order_are_each_named() -> None:
    problems = _problems({"departments": ["marketing", "engineering", "nowhere"], "endDate": "2026-12-31",
                          "milestones": [{"name": "x", "dueDate": "2027-02-26"}]})
    assert "涉及部门 / Departments involved: 没有部门 'nowhere' / no department 'nowhere'" in problems
    assert any(p.startswith("结束日期 / End date: 2026-12-31 早于开始日期 2027-01-04") for p in problems)
    assert any(p.startswith("第 1 项 计划日期 / item 1 Due date") and "outside the project's" in p for p in problems), problems


def test_a_person_outside_the_named_departments_and_a_person_in_another_department_are_named() -> None:
    problems = _problems({"people": [{"person": "guo.hong", "department": "finance", "role": "预算"},
                                     {"person": "xu.ming", "department": "production", "role": "工程师"}]})
    assert problems == [
        "第 1 人 所属部门 / person 1 Department: 财务部不是涉及部门 / Finance is not one of the departments involved",
        "第 2 人 人员 / person 2 Person: 徐明 不属于生产部 / 徐明 is not in Production"]


def test_the_requesting_department_must_be_involved_and_the_owner_from_an_involved_department() -> None:
    problems = _problems({"projectOwner": "guo.hong"}, initiator="li.qiang")
    assert "涉及部门 / Departments involved: 须包含需求部门（您的部门）销售部 / must include the requesting department (yours), Sales" in problems
    assert any(p.startswith("项目负责人 / Project owner: 郭红 所在的财务部不是涉及部门") for p in problems), problems


def test_empty_texts_and_a_missing_date_are_named_as_required() -> None:
    problems = _problems({"goal": "  ", "startDate": None})
    assert "合作目标 / Cooperation goal: 必填 / is required" in problems
    assert "开始日期 / Start date: 日期必填 / is required" in problems


def test_an_applicant_outside_the_organisation_has_no_requesting_department() -> None:
    assert any(p.startswith("申请人 / Applicant: 'admin'") for p in _problems({}, initiator="admin"))


def test_scores_must_be_whole_numbers_from_one_to_five_with_comments() -> None:
    problems = rules.check_assessment({"technicalScore": 6, "technicalComment": "ok", "economicScore": 3.0,
                                       "economicComment": "", "operationalScore": "4", "operationalComment": "ok"})
    assert problems == [
        "技术可行性评分（1–5） / Technical feasibility score (1–5): 须为 1 至 5 的整数，收到 6 / must be a whole number from 1 to 5",
        "经济可行性意见 / Economic feasibility: comment: 必填 / is required",
        "操作可行性评分（1–5） / Operational feasibility score (1–5): 须为 1 至 5 的整数，收到 '4' / must be a whole number from 1 to 5"]


def test_the_summary_is_the_lowest_and_the_average_of_all_scores() -> None:
    def scores(department: str, *values: int) -> FeasibilityScores:
        t, e, o = values
        return FeasibilityScores(department=department, assessor="x", technical_score=t, technical_comment="t",
                                 economic_score=e, economic_comment="e", operational_score=o, operational_comment="o", round=1)
    assert rules.score_summary([scores("a", 5, 4, 3), scores("b", 2, 4, 3)]) == (2, 3.5)


AGREEMENT = {
    "rightsObligations": "各方按分工负责", "qualityRequirements": "合格率 99%", "breachLiability": "按合同法",
    "division": [{"department": d, "work": f"{d} 的工作"} for d in ("marketing", "engineering", "production")],
    "agreementMilestones": [{"name": "方案评审", "dueDate": "2027-02-26"}, {"name": "试产", "dueDate": "2027-05-28"}],
    "budget": 150000, "risk": "low",
    "acceptanceCriteria": [{"department": d, "criterion": f"{d} 的标准"} for d in ("marketing", "engineering", "production")],
    "meetingIntervalDays": 14, "firstMeetingDate": "2027-01-11",
}


def _application():
    return rules.check_application(APPLICATION, ORG, "chen.jing")[0]


def test_a_complete_agreement_gets_milestone_and_criterion_ids_in_order() -> None:
    agreement, problems = rules.check_agreement(AGREEMENT, _application(), ORG)
    assert problems == []
    assert [m.id for m in agreement.milestones] == ["M1", "M2"]
    assert [(c.id, c.department) for c in agreement.acceptance_criteria] == [
        ("C1", "marketing"), ("C2", "engineering"), ("C3", "production")]


def test_a_department_without_work_or_criterion_and_a_negative_budget_are_named() -> None:
    values = {**AGREEMENT, "division": AGREEMENT["division"][:2], "acceptanceCriteria": AGREEMENT["acceptanceCriteria"][1:],
              "budget": -1, "agreementMilestones": [{"name": "太晚", "dueDate": "2027-07-30"}]}
    problems = rules.check_agreement(values, _application(), ORG)[1]
    assert problems == [
        "分工 / Division of work: 涉及部门生产部没有分工 / the involved department Production has no work",
        "验收标准 / Acceptance criteria: 涉及部门市场部没有验收标准 / the involved department Marketing has no acceptance criterion",
        "第 1 项 计划日期 / item 1 Due date: 2027-07-30 不在项目期间 2027-01-04 至 2027-06-30 内 / "
        "is outside the project's 2027-01-04 to 2027-06-30",
        "预算（元） / Budget (CNY): 须为 0 至 1,000,000,000,000 元的金额，收到 -1 / must be an amount from 0 to 1,000,000,000,000"]


def test_a_row_for_a_department_not_in_the_project_is_named() -> None:
    values = {**AGREEMENT, "division": [*AGREEMENT["division"], {"department": "finance", "work": "记账"}]}
    assert rules.check_agreement(values, _application(), ORG)[1] == [
        "第 4 项 部门 / item 4 Department: 'finance' 不是本项目的涉及部门 / is not one of the project's departments"]


@pytest.mark.parametrize(("roles", "people"), [
    ("pmo-head", ["hu.bin"]),
    ("pmo-head,vice-president", ["hu.bin", "liu.min"]),
    ("pmo-head, vice-president, general-manager", ["hu.bin", "liu.min", "wang.jianguo"]),
])
def test_the_decisions_roles_become_people_in_order(roles: str, people: list[str]) -> None:
    assert rules.leadership_approvers(ORG, roles) == people


def test_an_unknown_role_is_the_process_owners_to_fix() -> None:
    with pytest.raises(ValueError, match="role 'cfo'"):
        rules.leadership_approvers(ORG, "pmo-head,cfo")


def test_every_label_a_message_names_is_the_forms_label() -> None:
    for form_id, labels in FORMS.items():
        form = json.loads((ROOT / "forms" / f"{form_id}.form").read_text())
        shown = _labels(form["components"])
        for key, label in labels.items():
            assert shown.get(key) == label, f"{form_id}: field {key} is labelled {shown.get(key)!r}, messages say {label!r}"


def _labels(components: list, prefix: str = "") -> dict[str, str]:
    found = {}
    for c in components:
        if c.get("type") == "dynamiclist":
            found[c["path"]] = c["label"]
            found.update(_labels(c["components"], c["path"] + "."))
        elif "key" in c:
            found[prefix + c["key"]] = c.get("label") or c.get("dateLabel")
    return found


HOSTILE = settings(max_examples=60, deadline=None, derandomize=True, database=None)


@HOSTILE
@given(values=submissions(writable_fields(ROOT / "forms" / "project-cooperation-application.form")))
def test_any_application_is_accepted_or_refused_in_a_short_message_never_a_crash(values: dict) -> None:
    application, problems = rules.check_application(values, ORG, "chen.jing")
    assert (application is None) == bool(problems)
    assert len(rejection_message(problems)) < STRING_COLUMN_CHARS


@HOSTILE
@given(values=submissions(writable_fields(ROOT / "forms" / "project-cooperation-agreement.form")))
def test_any_agreement_is_accepted_or_refused_in_a_short_message_never_a_crash(values: dict) -> None:
    agreement, problems = rules.check_agreement(values, _application(), ORG)
    assert (agreement is None) == bool(problems)
    assert len(rejection_message(problems)) < STRING_COLUMN_CHARS


@HOSTILE
@given(values=submissions(writable_fields(ROOT / "forms" / "project-cooperation-feasibility-assess.form")))
def test_any_assessment_is_accepted_or_refused_in_a_short_message_never_a_crash(values: dict) -> None:
    assert len(rejection_message(rules.check_assessment(values))) < STRING_COLUMN_CHARS


def test_the_pmos_due_date_may_not_be_in_the_past_and_the_brief_is_required() -> None:
    today = date(2027, 1, 4)
    assert rules.check_brief({"assessmentDue": "2027-01-03", "assessmentBrief": ""}, today) == (None, [
        "评估要求 / What to assess: 必填 / is required",
        "评估截止日期 / Assessment due date: 2027-01-03 早于今天 2027-01-04 / is before today, 2027-01-04"])
    assert rules.check_brief({"assessmentDue": "2027-01-04", "assessmentBrief": "评估产能"}, today) == (today, [])
