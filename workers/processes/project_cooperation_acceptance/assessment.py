"""The 《项目考核汇总》 Project Assessment Summary (policy §5, project assessment): each involved
department's mean score per indicator over its assessors, and every assessor's scores and comment,
times in the company's zone. The scores themselves are kept as data (`assessmentScores`, the data
file); this is what people read."""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table

from workers.processes.project_cooperation_acceptance.variables import AssessmentScore
from workers.runtime.registry import ProcessVariables
from workers.shared.documents import CJK_FONT_FILE, Styles, local_time, render_pdf, table, zone_label
from workers.shared.properties import parse_time_zone

TITLE = "项目考核汇总 / Project Assessment Summary"
DOCUMENT_TITLE = "《项目考核汇总》 / Project Assessment Summary"
INDICATORS = (("goal", "目标完成 / Goal"), ("quality", "工作质量 / Quality"), ("schedule", "进度 / Schedule"),
              ("cost", "成本控制 / Cost"), ("teamwork", "协作配合 / Teamwork"))


class AssessmentSummary(ProcessVariables):
    business_key: str
    company: str
    company_time_zone: str
    project_name: str
    departments: list[str]  # the assessed departments' ids, in the project's order
    department_names: dict[str, str]
    names: dict[str, str]  # person id -> name
    scores: list[AssessmentScore]

    @property
    def zone(self) -> tzinfo:
        return parse_time_zone(self.company_time_zone)


def means(scores: list[AssessmentScore], department: str) -> dict[str, float]:
    """The department's mean per indicator over its assessors, and `overall`, the mean of those."""
    own = [s for s in scores if s.department == department]
    if not own:
        return {}
    result = {key: sum(getattr(s, key) for s in own) / len(own) for key, _ in INDICATORS}
    result["overall"] = sum(result.values()) / len(INDICATORS)
    return result


def render_assessment_pdf(summary: AssessmentSummary, *, font_file: Path = CJK_FONT_FILE) -> bytes:
    styles = Styles(font_file)
    first = min((s.assessed_at for s in summary.scores), default=None)
    facts = [("项目名称 / Project", summary.project_name), ("业务编号 / Business key", summary.business_key)]
    if first is not None:
        facts.append(("时区 / Time zone (all times)", zone_label(summary.zone, first)))
    return render_pdf([
        styles.text(summary.company, styles.heading),
        styles.text(TITLE, styles.title),
        table([[styles.two_lines(k), styles.text(v)] for k, v in facts], [65, 115], header=False),
        Spacer(0, 5 * mm),
        *styles.section("各部门平均分（1–5 分） / Mean scores by department (1–5)"),
        _means_table(summary, styles),
        Spacer(0, 5 * mm),
        *styles.section("评分明细 / Every assessor's scores"),
        _scores_table(summary, styles),
    ], title=TITLE, subject=f"{summary.project_name} ({summary.business_key})")


def _means_table(summary: AssessmentSummary, styles: Styles) -> Table:
    header = ["部门 / Department", *(label for _, label in INDICATORS), "平均 / Overall", "评分数 / Assessors"]
    rows = []
    for department in summary.departments:
        found = means(summary.scores, department)
        count = sum(1 for s in summary.scores if s.department == department)
        rows.append([styles.two_lines(summary.department_names.get(department, department)),
                     *(styles.text(f"{found[key]:.1f}" if found else "—") for key, _ in INDICATORS),
                     styles.text(f"{found['overall']:.2f}" if found else "—"), styles.text(str(count))])
    return table([[styles.two_lines(h) for h in header], *rows], [34, 20, 20, 20, 20, 20, 22, 24], header=True)


def _scores_table(summary: AssessmentSummary, styles: Styles) -> Table:
    header = ["被考核部门 / Assessed", "考核人 / Assessor", *(label for _, label in INDICATORS), "评语 / Comment",
              "时间 / At"]
    rows = []
    for s in summary.scores:
        who = f"{summary.names.get(s.assessor, s.assessor)} ({s.assessor})"
        rows.append([styles.two_lines(summary.department_names.get(s.department, s.department)),
                     styles.lines([who, summary.department_names.get(s.assessor_department, s.assessor_department)]),
                     *(styles.text(str(getattr(s, key))) for key, _ in INDICATORS),
                     styles.text(s.comment or "—"), styles.text(local_time(s.assessed_at, summary.zone))])
    # the header in the small style: five score columns must fit beside the comment
    heads = [styles.lines(h.split(" / "), styles.small) for h in header]
    return table([heads, *rows], [22, 30, 15, 15, 15, 15, 17, 25, 26], header=True)
