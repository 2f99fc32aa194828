"""The project cooperation forms' field labels, as staff read them, for messages that name a field.

tests/unit/test_cooperation_rules.py checks each label here against its .form file, so a label changed
in Modeler fails the tests until it is changed here too (the worker image carries no forms folder).
"""

from __future__ import annotations

APPLICATION = {  # forms/project-cooperation-application.form: the start form, correction and revision
    "projectName": "项目名称 / Project name",
    "background": "项目背景 / Background",
    "goal": "合作目标 / Cooperation goal",
    "content": "合作内容 / Content",
    "expectedResults": "预期成果 / Expected results",
    "startDate": "开始日期 / Start date",
    "endDate": "结束日期 / End date",
    "milestones": "里程碑 / Milestones",
    "milestones.name": "里程碑名称 / Milestone",
    "milestones.dueDate": "计划日期 / Due date",
    "departments": "涉及部门 / Departments involved",
    "people": "参与人员 / People involved",
    "people.person": "人员 / Person",
    "people.department": "所属部门 / Department",
    "people.role": "项目角色 / Role",
    "projectOwner": "项目负责人 / Project owner",
}

ASSESS = {  # forms/project-cooperation-feasibility-assess.form, each department's
    "technicalScore": "技术可行性评分（1–5） / Technical feasibility score (1–5)",
    "technicalComment": "技术可行性意见 / Technical feasibility: comment",
    "economicScore": "经济可行性评分（1–5） / Economic feasibility score (1–5)",
    "economicComment": "经济可行性意见 / Economic feasibility: comment",
    "operationalScore": "操作可行性评分（1–5） / Operational feasibility score (1–5)",
    "operationalComment": "操作可行性意见 / Operational feasibility: comment",
}

ORGANISE = {  # forms/project-cooperation-feasibility-organise.form, the PMO's
    "assessmentDue": "评估截止日期 / Assessment due date",
    "assessmentBrief": "评估要求 / What to assess",
}

AGREEMENT = {  # forms/project-cooperation-agreement.form, the drafter's
    "rightsObligations": "权利与义务 / Rights and obligations",
    "division": "分工 / Division of work",
    "division.department": "部门 / Department",
    "division.work": "工作内容 / Work",
    "agreementMilestones": "进度与里程碑 / Schedule and milestones",
    "agreementMilestones.name": "里程碑名称 / Milestone",
    "agreementMilestones.dueDate": "计划日期 / Due date",
    "budget": "预算（元） / Budget (CNY)",
    "risk": "风险等级 / Risk",
    "qualityRequirements": "质量要求 / Quality requirements",
    "acceptanceCriteria": "验收标准 / Acceptance criteria",
    "acceptanceCriteria.department": "负责部门 / Responsible department",
    "acceptanceCriteria.criterion": "验收标准 / Criterion",
    "breachLiability": "违约责任 / Liability for breach",
    "meetingIntervalDays": "协调会周期（天） / Coordination meeting interval (days)",
    "firstMeetingDate": "首次协调会日期 / First coordination meeting",
}

FORMS = {
    "project-cooperation-application": APPLICATION,
    "project-cooperation-feasibility-assess": ASSESS,
    "project-cooperation-feasibility-organise": ORGANISE,
    "project-cooperation-agreement": AGREEMENT,
}
