"""Driving `project-cooperation` as its people do, for the integration and reliability tests.

The approvals run through the real approval block (bpmn/approval.bpmn), each approver deciding in
their own task; implementation and acceptance are the real called processes, deployed as their own
tests deploy them (tests/support/implementation.py, tests/support/acceptance.py).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from pypdf import PdfReader

from tests.support import acceptance, implementation
from tests.support.driver import EngineDriver, wait_until
from tests.support.staff import Staff
from workers.runtime.variables import from_camunda
from workers.shared.organisation.model import load_organisation

TOPICS = ["cooperation.validate-application", "cooperation.archive-application", "cooperation.assign-assessors",
          "cooperation.record-assessment", "cooperation.summarise-feasibility",
          "cooperation.archive-feasibility-report", "cooperation.assign-drafter", "cooperation.validate-agreement",
          "cooperation.return-agreement", "cooperation.resolve-leadership", "cooperation.archive-agreement"]
FORMS = ["project-cooperation-application.form", "project-cooperation-feasibility-organise.form",
         "project-cooperation-feasibility-assess.form", "project-cooperation-agreement.form"]
DECISIONS = ("feasibility-verdict.dmn", "cooperation-approvers.dmn")
REQUESTER = "yang.fan"  # 市场部 staff: Marketing is the requesting department, its head chen.jing drafts
PMO = "luo.fang"
HEADS = {"marketing": "chen.jing", "engineering": "zhang.wei", "production": "zhou.gang"}

APPLICATION = {
    "projectName": "智能仓储试点 / Smart warehouse pilot", "background": "库存周转慢 / slow stock turnover",
    "goal": "周转提升 20% / 20 % faster turnover", "content": "需求、方案、试产 / needs, design, trial",
    "expectedResults": "试点仓上线 / pilot warehouse live", "startDate": "2027-01-04", "endDate": "2027-06-30",
    "milestones": [{"name": "方案评审 / Design review", "dueDate": "2027-02-26"},
                   {"name": "试产 / Trial run", "dueDate": "2027-05-28"}],
    "departments": list(HEADS),
    "people": [{"person": "yang.fan", "department": "marketing", "role": "需求分析 / requirements"},
               {"person": "xu.ming", "department": "engineering", "role": "工程师 / engineer"},
               {"person": "he.jun", "department": "production", "role": "生产主管 / production lead"}],
    "projectOwner": "huang.lei",
}


def agreement(budget: float, risk: str = "low") -> dict[str, Any]:
    return {
        "rightsObligations": "各方按分工负责，成果共享 / each does its part; results shared",
        "division": [{"department": d, "work": f"{d} 的工作 / {d}'s work"} for d in HEADS],
        "agreementMilestones": [{"name": "方案评审 / Design review", "dueDate": "2027-02-26"},
                                {"name": "试产 / Trial run", "dueDate": "2027-05-28"}],
        "budget": budget, "risk": risk, "qualityRequirements": "合格率 99% / 99 % pass rate",
        "acceptanceCriteria": [{"department": d, "criterion": f"{d} 的验收标准 / {d}'s criterion"} for d in HEADS],
        "breachLiability": "按公司制度追究 / as company rules say", "meetingIntervalDays": 14,
        "firstMeetingDate": "2027-01-11",
    }


def scores(value: int) -> dict[str, Any]:
    return {f"{kind}Score": value for kind in ("technical", "economic", "operational")} | {
        f"{kind}Comment": f"{kind} {value} 分 / scored {value}" for kind in ("technical", "economic", "operational")}


APPROVAL_TOPICS = ["approval.prepare", "approval.record-decision", "approval.conclude", "approval.record-withdrawal",
                   "approval.notify-copies", "approval.remind"]
APPROVAL_FORMS = ["approval-decide.form", "approval-withdraw.form"]


def deploy(staff: Staff, organisation_file: Path, name: str = "project-cooperation-test") -> None:
    """Our models with the approval block and the called phases, as their own tests deploy them."""
    staff.deploy(name, organisation_file, ["project-cooperation.bpmn", "approval.bpmn"], FORMS + APPROVAL_FORMS,
                 decisions=DECISIONS)
    implementation.deploy(staff.admin, load_organisation(organisation_file))
    acceptance.deploy(staff.admin, organisation_file, f"{name}-acceptance")


@dataclass
class Cooperation:
    staff: Staff
    id: str

    @property
    def admin(self) -> EngineDriver:
        return self.staff.admin

    def task(self, activity_id: str, what: str, count: int = 1) -> list[dict[str, Any]]:
        return self.staff.wait_for_tasks(self.id, count, what, taskDefinitionKey=activity_id)

    def only_task(self, activity_id: str, what: str) -> dict[str, Any]:
        [task] = self.task(activity_id, what)
        return task

    def variable(self, name: str) -> Any:
        found = self.admin.get("/history/variable-instance", processInstanceId=self.id, variableName=name,
                               deserializeValues="false")
        return from_camunda({name: found[0]})[name] if found else None

    def file(self, name: str) -> bytes:
        """A File variable's bytes, from history (the instance may have ended): the project's own, or,
        for the documents a called phase made (minutes, acceptance report), that phase's."""
        called = [p["id"] for p in self.admin.get("/history/process-instance", superProcessInstanceId=self.id,
                                                  processDefinitionKeyIn="project-cooperation-implementation,"
                                                                         "project-cooperation-acceptance")]
        found = next(hits for instance in [self.id, *called] if (hits := self.admin.get(
            "/history/variable-instance", processInstanceId=instance, variableName=name, deserializeValues="false")))
        found = found[0]
        assert found["type"] == "File", found
        response = self.admin.session.get(f"{self.admin.url}/history/variable-instance/{found['id']}/data", timeout=30)
        assert response.ok, f"File variable {name}: {response.status_code} {response.text}"
        return response.content

    def organise(self) -> None:
        task = self.only_task("Task_OrganiseFeasibility", "the PMO's task to organise the assessment")
        self.staff.call(PMO, "POST", f"/task/{task['id']}/claim", json={"userId": PMO})
        due = (date.today() + timedelta(days=14)).isoformat()
        self.staff.complete(PMO, task["id"], {"assessmentDue": due, "assessmentBrief": "请评估技术、经济、操作可行性"})

    def assess(self, by_department: dict[str, int]) -> None:
        tasks = self.task("Task_AssessFeasibility", "an assessment task per department", len(by_department))
        for task in tasks:
            department = next(d for d, head in HEADS.items() if head == task["assignee"])
            self.staff.complete(task["assignee"], task["id"], scores(by_department[department]))

    def draft(self, values: dict[str, Any]) -> dict[str, Any]:
        task = self.only_task("Task_DraftAgreement", "the agreement to draft")
        shown = self.staff.form_variables(task["assignee"], task["id"])
        self.staff.complete(task["assignee"], task["id"], values)
        wait_until(lambda: not [t for t in self.staff.tasks(self.id) if t["id"] == task["id"]], 30, "the draft to be taken")
        return {"assignee": task["assignee"], "shown": shown}

    def approval(self, step: str, nth: int = 1) -> "Approval":
        """The `nth` approval of `step` (agreement-countersign, agreement-leadership) this project called."""
        def started() -> list[dict[str, Any]]:
            found = self.admin.get("/history/process-instance", superProcessInstanceId=self.id,
                                   processDefinitionKey="approval", sortBy="startTime", sortOrder="asc")
            mine = [p for p in found if self._step(p["id"]) == step]
            return mine if len(mine) >= nth else []
        return Approval(self.staff, wait_until(started, 60, f"approval {step} #{nth}", interval_s=0.3)[nth - 1]["id"])

    def _step(self, instance_id: str) -> str | None:
        found = self.admin.get("/history/variable-instance", processInstanceId=instance_id, variableName="approvalStep")
        return found[0]["value"] if found else None


@dataclass
class Approval:
    """One call of the approval block, decided by its approvers in their own tasks."""

    staff: Staff
    id: str

    @property
    def admin(self) -> EngineDriver:
        return self.staff.admin

    def business_key(self) -> str | None:
        return self.admin.get("/history/process-instance", processInstanceId=self.id)[0].get("businessKey")

    def inputs(self) -> dict[str, Any]:
        names = ("approvalStep", "approvalSubject", "approvalKind", "approvalApprovers", "approvalCopyTo",
                 "approvalApplicant", "approvalContext")
        found = self.admin.get("/history/variable-instance", processInstanceId=self.id, deserializeValues="false")
        return from_camunda({v["name"]: v for v in found if v["name"] in names and v["activityInstanceId"] == self.id})

    def _decision_tasks(self) -> list[dict[str, Any]]:
        return self.admin.get("/task", processInstanceId=self.id, taskDefinitionKey="Task_Decide")

    def _ended(self) -> bool:
        return self.admin.get("/history/process-instance", processInstanceId=self.id)[0]["state"] != "ACTIVE"

    def approve(self) -> None:
        """Every approver approves, round after round, until the block ends."""
        while not self._ended():
            tasks = wait_until(lambda: self._ended() or self._decision_tasks(), 60, "a decision task or the end")
            if tasks is True:
                return
            for task in tasks:
                self._decide(task, {"approvalVerdict": "approve", "approvalComment": "同意 / agreed"})
            wait_until(lambda: self._ended() or {t["id"] for t in self._decision_tasks()}.isdisjoint(
                t["id"] for t in tasks), 60, "the decisions to be recorded")

    def reject(self, approver: str, reason: str) -> None:
        tasks = wait_until(lambda: [t for t in self._decision_tasks() if t["assignee"] == approver], 60,
                           f"{approver}'s decision task")
        self._decide(tasks[0], {"approvalVerdict": "reject", "approvalComment": reason})
        wait_until(self._ended, 60, "the approval to end")

    def withdraw(self, applicant: str, reason: str) -> None:
        [task] = wait_until(lambda: self.admin.get("/task", processInstanceId=self.id, taskDefinitionKey="Task_Withdraw"),
                            60, "the applicant's withdraw task")
        self.staff.complete(applicant, task["id"], {"approvalWithdrawReason": reason})
        wait_until(self._ended, 60, "the approval to end")

    def _decide(self, task: dict[str, Any], values: dict[str, Any]) -> None:
        self.staff.complete(task["assignee"], task["id"], values)


def pdf_text(pdf: bytes) -> str:
    """The PDF's text without white space (CJK text extracts with spaces between runs)."""
    return "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages)
