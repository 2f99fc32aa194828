"""The acceptance and assessment forms' field labels, as staff read them, for messages that name a
field. tests/unit/test_acceptance_rules.py checks each label against its .form file."""

from __future__ import annotations

CHECK = {  # forms/project-cooperation-acceptance-check.form, the initiating department's
    "acceptanceRows": "验收标准 / Acceptance criteria",
    "acceptanceRows.verdict": "验收结论 / Verdict",
    "acceptanceRows.notes": "说明 / Notes",
}

RECTIFY = {  # forms/project-cooperation-acceptance-rectify.form, each responsible department's
    "rectificationReport": "整改情况 / What was done",
}

ASSESS = {  # forms/project-cooperation-assessment.form, each assessing department's
    "assessmentRows": "被考核部门 / Departments assessed",
    "assessmentRows.goal": "目标完成 / Goal completion",
    "assessmentRows.quality": "工作质量 / Work quality",
    "assessmentRows.schedule": "进度 / Schedule",
    "assessmentRows.cost": "成本控制 / Cost control",
    "assessmentRows.teamwork": "协作配合 / Teamwork",
    "assessmentRows.comment": "评语 / Comment",
}

FORMS = {"project-cooperation-acceptance-check": CHECK, "project-cooperation-acceptance-rectify": RECTIFY,
         "project-cooperation-assessment": ASSESS}
