"""The 《项目验收报告》 Acceptance Report (policy §3.1 step 5) as filed: what its PDF shows.

The project, every criterion of the agreement with its final verdict and notes, each round's record
(who judged when, the failed criteria, what each responsible department did and who reported it),
who accepted it and when; every time in the company's time zone, names as the organisation gives
them with the id beside (a person who left keeps their id).
"""

from __future__ import annotations

import hashlib
from datetime import tzinfo
from pathlib import Path

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from workers.processes.project_cooperation_acceptance.variables import AcceptanceRound, Agreement, Verdict
from workers.runtime.registry import ProcessVariables
from workers.shared.archive import canonical_json
from workers.shared.documents import CJK_FONT_FILE, Styles, local_time, render_pdf, table, zone_label
from workers.shared.properties import parse_time_zone

TITLE = "项目验收报告 / Acceptance Report"
DOCUMENT_TITLE = "《项目验收报告》 / Acceptance Report"


class AcceptanceReport(ProcessVariables):
    process_instance_id: str
    business_key: str
    company: str
    company_time_zone: str
    project_name: str
    requesting_department: str  # named
    project_owner: str  # named
    involved_departments: list[str]  # named
    criteria: list[tuple[str, str, str]]  # id, criterion, responsible department (named)
    rounds: list[AcceptanceRound]
    names: dict[str, str]  # person id -> name, for everyone the rounds mention
    departments: dict[str, str]  # department id -> name, for the rectifying departments

    @property
    def zone(self) -> tzinfo:
        return parse_time_zone(self.company_time_zone)

    @property
    def final(self) -> AcceptanceRound:
        return self.rounds[-1]

    def person(self, person_id: str) -> str:
        name = self.names.get(person_id)
        return f"{name} ({person_id})" if name else person_id

    def content_sha256(self) -> str:
        return hashlib.sha256(canonical_json(self)).hexdigest()


def criteria_of(agreement: Agreement, department_names: dict[str, str]) -> list[tuple[str, str, str]]:
    return [(c.id, c.criterion, department_names.get(c.department, c.department)) for c in agreement.acceptance_criteria]


def render_report_pdf(report: AcceptanceReport, *, font_file: Path = CJK_FONT_FILE) -> bytes:
    styles = Styles(font_file)
    return render_pdf(
        [
            styles.text(report.company, styles.heading),
            styles.text(TITLE, styles.title),
            _project_table(report, styles),
            Spacer(0, 5 * mm),
            *styles.section("验收结论 / Result"),
            styles.text(_result_line(report)),
            Spacer(0, 3 * mm),
            _criteria_table(report, styles),
            Spacer(0, 5 * mm),
            *styles.section("各轮验收记录 / Record of each round"),
            *_rounds(report, styles),
            Spacer(0, 3 * mm),
            styles.text(f"内容 SHA-256 / Content SHA-256: {report.content_sha256()}", styles.small),
        ],
        title=TITLE, subject=f"{report.project_name} ({report.business_key})",
    )


def _project_table(report: AcceptanceReport, styles: Styles) -> Table:
    rows = [
        ("项目名称 / Project", report.project_name),
        ("业务编号 / Business key", report.business_key),
        ("需求部门 / Requesting department", report.requesting_department),
        ("项目负责人 / Project owner", report.project_owner),
        ("参与部门 / Involved departments", "、".join(report.involved_departments)),
        ("验收轮次 / Acceptance rounds", str(len(report.rounds))),
        ("时区 / Time zone (all times)", zone_label(report.zone, report.final.checked_at)),
    ]
    return table([[styles.two_lines(k), styles.text(v)] for k, v in rows], [65, 115], header=False)


def _result_line(report: AcceptanceReport) -> str:
    final = report.final
    when = local_time(final.checked_at, report.zone)
    who = report.person(final.checked_by)
    n = len(report.rounds)
    return (f"全部验收标准于第 {n} 轮验收通过，验收人 {who}，时间 {when}。\n"
            f"Every acceptance criterion passed in round {n}; accepted by {who} on {when}.")


def _criteria_table(report: AcceptanceReport, styles: Styles) -> Table:
    header = ["编号 / No.", "验收标准 / Criterion", "责任部门 / Responsible department", "结论 / Verdict", "说明 / Notes"]
    final = {j.criterion_id: j for j in report.final.judgements}
    rows = [[styles.text(cid), styles.text(criterion), styles.two_lines(department),
             styles.two_lines(final[cid].verdict.label), styles.text(final[cid].notes or "—")]
            for cid, criterion, department in report.criteria]
    return table([[styles.two_lines(h) for h in header], *rows], [14, 56, 34, 24, 52], header=True)


def _rounds(report: AcceptanceReport, styles: Styles) -> list[Flowable]:
    record: list[Flowable] = []
    texts = {cid: criterion for cid, criterion, _ in report.criteria}
    for round_ in report.rounds:
        when = local_time(round_.checked_at, report.zone)
        who = report.person(round_.checked_by)
        failed = [j for j in round_.judgements if j.verdict is Verdict.FAIL]
        head = (f"第 {round_.round} 轮：{who} 于 {when} 验收，{'全部通过' if not failed else f'{len(failed)} 项不通过'}\n"
                f"Round {round_.round}: judged by {who} on {when}, "
                + ("all passed" if not failed else f"{len(failed)} failed"))
        parts: list[Flowable] = [styles.text(head), Spacer(0, 1 * mm)]
        if failed:
            parts.append(table([[styles.two_lines("编号 / No."), styles.two_lines("不通过的标准 / Failed criterion"),
                                 styles.two_lines("验收意见 / Acceptor's note")],
                                *[[styles.text(j.criterion_id), styles.text(texts.get(j.criterion_id, "")),
                                   styles.text(j.notes)] for j in failed]], [14, 83, 83], header=True))
        if round_.rectifications:
            parts += [Spacer(0, 1 * mm), table(
                [[styles.two_lines("整改部门 / Department"), styles.two_lines("整改人 / Reported by"),
                  styles.two_lines("时间 / At"), styles.two_lines("整改情况 / What was done")],
                 *[[styles.two_lines(report.departments.get(r.department, r.department)), styles.text(report.person(r.by)), styles.text(local_time(r.at, report.zone)),
                    styles.text(r.report)] for r in round_.rectifications]], [34, 36, 30, 80], header=True)]
        record += [KeepTogether(parts), Spacer(0, 3 * mm)]
    return record
