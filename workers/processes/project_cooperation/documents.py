"""The three documents of phases 1–3 as bilingual PDFs, and how each is kept.

《项目合作申请表》 (each version the feasibility sends back makes a new one), 《项目可行性评估报告》 (each
round), and the approved cooperation agreement with every approval decision. Each is filed write-once
in the archive under `project-cooperation/<business key>/`, kept on the instance as the File variable
`doc_<kind>_<version>` (so Tasklist can offer it) and listed in `projectDocuments` (contract B).
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, Spacer

from workers.processes.project_cooperation.records import (
    Agreement,
    Application,
    DocumentKind,
    FeasibilityScores,
)
from workers.shared.approvals.document import decision_flowables, person_name
from workers.shared.approvals.record import ApprovalDecision
from workers.shared.documents import Styles, local_date, local_time, render_pdf, table
from workers.shared.organisation.model import Organisation

TITLES = {
    DocumentKind.APPLICATION: "《项目合作申请表》 / Project Cooperation Application",
    DocumentKind.FEASIBILITY_REPORT: "《项目可行性评估报告》 / Feasibility Assessment Report",
    DocumentKind.AGREEMENT: "《项目合作协议》 / Project Cooperation Agreement",
}
VERDICTS = {
    "feasible": "可行 / Feasible",
    "needs-revision": "需修改后重新评估 / Needs revision",
    "not-feasible": "不可行 / Not feasible",
}


def _department(org: Organisation, department_id: str) -> str:
    department = org.departments_by_id.get(department_id)
    return department.label if department else department_id


def _facts(styles: Styles, rows: list[tuple[str, str]]) -> Flowable:
    return table([[styles.two_lines(k), styles.text(v)] for k, v in rows], [55, 125], header=False)


def _heading(styles: Styles, org: Organisation, kind: DocumentKind, business_key: str, version: int) -> list[Flowable]:
    return [styles.text(org.company.label, styles.heading), styles.text(TITLES[kind], styles.title),
            styles.text(f"项目编号 / Project: {business_key}　版本 / Version {version}", styles.small),
            Spacer(0, 3 * mm)]


def application_pdf(application: Application, org: Organisation, business_key: str, version: int,
                    submitted_by: str) -> bytes:
    styles = Styles()
    a = application
    parts = [
        *_heading(styles, org, DocumentKind.APPLICATION, business_key, version),
        _facts(styles, [
            ("项目名称 / Project name", a.project_name),
            ("需求部门 / Requesting department", _department(org, a.requesting_department)),
            ("申请人 / Applicant", person_name(org, submitted_by)),
            ("项目负责人 / Project owner", person_name(org, a.project_owner)),
            ("涉及部门 / Departments involved", "、".join(_department(org, d) for d in a.departments)),
            ("项目期间 / Period", f"{local_date(a.start_date)} — {local_date(a.end_date)}"),
            ("项目背景 / Background", a.background),
            ("合作目标 / Cooperation goal", a.goal),
            ("合作内容 / Content", a.content),
            ("预期成果 / Expected results", a.expected_results),
        ]),
        Spacer(0, 4 * mm), *styles.section("里程碑 / Milestones"),
        table([[styles.two_lines(h) for h in ("序号 / No.", "里程碑 / Milestone", "计划日期 / Due date")]]
              + [[styles.text(str(n)), styles.text(m.name), styles.text(local_date(m.due_date))]
                 for n, m in enumerate(a.milestones, start=1)], [15, 115, 50], header=True),
        Spacer(0, 4 * mm), *styles.section("参与人员 / People involved"),
        table([[styles.two_lines(h) for h in ("人员 / Person", "部门 / Department", "项目角色 / Role")]]
              + [[styles.text(person_name(org, p.person)), styles.text(_department(org, p.department)),
                  styles.text(p.role)] for p in a.people], [55, 60, 65], header=True),
    ]
    return render_pdf(parts, title=TITLES[DocumentKind.APPLICATION], subject=business_key)


def feasibility_pdf(application: Application, assessments: list[FeasibilityScores], verdict: str,
                    minimum: int, average: float, org: Organisation, business_key: str, version: int,
                    organised_by: str | None, brief: str) -> bytes:
    styles = Styles()
    parts = [
        *_heading(styles, org, DocumentKind.FEASIBILITY_REPORT, business_key, version),
        _facts(styles, [
            ("项目名称 / Project name", application.project_name),
            ("需求部门 / Requesting department", _department(org, application.requesting_department)),
            ("组织部门 / Organised by", f"项目管理部门 / PMO: {person_name(org, organised_by) if organised_by else ''}"),
            ("评估要求 / What was assessed", brief),
            ("评估轮次 / Round", str(version)),
        ]),
        Spacer(0, 4 * mm), *styles.section("各部门评分 / Scores by department (1–5)"),
        table([[styles.two_lines(h) for h in ("部门 / Department", "评估人 / Assessor", "技术 / Technical",
                                               "经济 / Economic", "操作 / Operational")]]
              + [[styles.text(_department(org, s.department)), styles.text(_assessor(org, s)),
                  styles.text(str(s.technical_score)), styles.text(str(s.economic_score)),
                  styles.text(str(s.operational_score))] for s in assessments], [45, 50, 28, 28, 29], header=True),
        Spacer(0, 4 * mm), *styles.section("评估意见 / Comments"),
    ]
    for s in assessments:
        parts.append(_facts(styles, [
            (f"{_department(org, s.department)}：技术 / Technical", s.technical_comment),
            ("经济 / Economic", s.economic_comment), ("操作 / Operational", s.operational_comment)]))
        parts.append(Spacer(0, 2 * mm))
    parts += [*styles.section("评估结论 / Verdict"),
              _facts(styles, [("最低分 / Lowest score", str(minimum)), ("平均分 / Average score", f"{average:.2f}"),
                              ("结论 / Verdict", VERDICTS.get(verdict, verdict)),
                              ("依据 / Decided by", "决策表 feasibility-verdict / decision table feasibility-verdict")])]
    return render_pdf(parts, title=TITLES[DocumentKind.FEASIBILITY_REPORT], subject=business_key)


def _assessor(org: Organisation, scores: FeasibilityScores) -> str:
    name = person_name(org, scores.assessor)
    if scores.on_behalf_of:
        whom = person_name(org, scores.on_behalf_of)
        return f"{name}（代 {whom}） / {name} for {whom}"
    return name


def agreement_pdf(application: Application, agreement: Agreement, countersign: list[ApprovalDecision],
                  leadership: list[ApprovalDecision], org: Organisation, zone: tzinfo, business_key: str,
                  version: int, drafted_by: str, approved_at: datetime) -> bytes:
    styles = Styles()
    g = agreement
    parts = [
        *_heading(styles, org, DocumentKind.AGREEMENT, business_key, version),
        _facts(styles, [
            ("项目名称 / Project name", application.project_name),
            ("需求部门 / Requesting department", _department(org, application.requesting_department)),
            ("项目负责人 / Project owner", person_name(org, application.project_owner)),
            ("起草人 / Drafted by", person_name(org, drafted_by)),
            ("项目期间 / Period", f"{local_date(application.start_date)} — {local_date(application.end_date)}"),
            ("权利与义务 / Rights and obligations", g.rights_obligations),
            ("预算 / Budget", f"{g.budget:,.2f} 元 / CNY"),
            ("风险等级 / Risk", g.risk.label),
            ("质量要求 / Quality requirements", g.quality_requirements),
            ("违约责任 / Liability for breach", g.breach_liability),
            ("协调会 / Coordination meetings", f"每 {g.meeting_interval_days} 天，首次 {local_date(g.first_meeting_date)} / "
                                                f"every {g.meeting_interval_days} days from {local_date(g.first_meeting_date)}"),
        ]),
        Spacer(0, 4 * mm), *styles.section("分工 / Division of work"),
        table([[styles.two_lines(h) for h in ("部门 / Department", "工作内容 / Work")]]
              + [[styles.text(_department(org, w.department)), styles.text(w.work)] for w in g.division],
              [55, 125], header=True),
        Spacer(0, 4 * mm), *styles.section("进度与里程碑 / Schedule and milestones"),
        table([[styles.two_lines(h) for h in ("编号 / Id", "里程碑 / Milestone", "计划日期 / Due date")]]
              + [[styles.text(m.id), styles.text(m.name), styles.text(local_date(m.due_date))] for m in g.milestones],
              [20, 110, 50], header=True),
        Spacer(0, 4 * mm), *styles.section("验收标准 / Acceptance criteria"),
        table([[styles.two_lines(h) for h in ("编号 / Id", "负责部门 / Responsible", "验收标准 / Criterion")]]
              + [[styles.text(c.id), styles.text(_department(org, c.department)), styles.text(c.criterion)]
                 for c in g.acceptance_criteria], [20, 55, 105], header=True),
        Spacer(0, 4 * mm),
        *decision_flowables(styles, "各部门负责人会签 / Department heads' countersign", countersign, org, zone),
        Spacer(0, 4 * mm),
        *decision_flowables(styles, "公司领导审批 / Leadership approval", leadership, org, zone),
        Spacer(0, 4 * mm),
        styles.text(f"批准生效 / Approved and in force: {local_time(approved_at, zone)}"),
    ]
    return render_pdf(parts, title=TITLES[DocumentKind.AGREEMENT], subject=business_key)
