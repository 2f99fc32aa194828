"""The variables of process `project-cooperation-acceptance`: each topic's input and output.

Two families: what the root process passes in and takes back (contract B of the project
cooperation: `agreement`, `projectDocuments`, `assessmentScores`, snake_case JSON as the root
writes it, read here into small models of only the fields used), and this process's own
variables (camelCase, like every form key). The rows a person edits are read `AsTyped` by the step
that checks them, which names each problem by row and field.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables
from workers.shared.due_dates import ReminderSettings
from workers.shared.enums import LabelledEnum
from workers.shared.project_documents import ProjectDocument

IsoDateTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]

RECTIFICATION_BY = "rectificationBy_"  # + department id: a department's rectification this round
ASSESSMENT_BY = "assessmentBy_"  # + department id: the scores that department's assessor gave


# --- contract B: what the root process passes (only the fields used here) ------------------------
class _Contract(BaseModel):
    """JSON as the root process writes it: snake_case keys, unknown keys kept out of the way."""

    model_config = ConfigDict(extra="ignore")


class Criterion(_Contract):
    id: str
    department: str  # the responsible department's id
    criterion: str


class Agreement(_Contract):
    acceptance_criteria: list[Criterion] = Field(min_length=1)


class AssessmentScore(_Contract):
    """One department's scores from one assessor, as `assessmentScores` and the data file keep them."""

    department: str
    assessor: str  # who completed the assessment task, as the engine recorded it
    assessor_department: str
    goal: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    schedule: int = Field(ge=1, le=5)
    cost: int = Field(ge=1, le=5)
    teamwork: int = Field(ge=1, le=5)
    comment: str
    assessed_at: IsoDateTime


class Project(ProcessVariables):
    """The contract's inputs every step reads."""

    organisation_file: str
    project_name: str
    requesting_department: str
    involved_departments: list[str]
    project_owner: str
    initiator: str | None = None


# --- acceptance (项目验收) -------------------------------------------------------------------------
class Verdict(LabelledEnum):
    PASS = "pass", "通过 / Passed"
    FAIL = "fail", "不通过 / Failed"


class AcceptanceRow(ProcessVariables):
    """A criterion as the acceptance form shows it; only `verdict` and `notes` are the acceptor's."""

    criterion_id: str
    criterion: str
    department: str  # the responsible department, as staff read it
    rectification: str = ""  # what that department reported having done, from round 2
    verdict: Verdict | None = None
    notes: str = ""


class Judgement(ProcessVariables):
    criterion_id: str
    verdict: Verdict
    notes: str = ""


class Rectification(ProcessVariables):
    """What a responsible department did about its failed criteria in one round (整改)."""

    round: int
    department: str
    by: str  # who completed the rectification task, as the engine recorded it
    at: IsoDateTime
    report: str


class AcceptanceRound(ProcessVariables):
    """One round of acceptance: who judged when, each criterion's verdict, and the rectifications."""

    round: int
    checked_by: str  # who completed the acceptance task, as the engine recorded it
    checked_at: IsoDateTime
    judgements: list[Judgement]
    rectifications: list[Rectification] = []

    @property
    def passed(self) -> bool:
        return all(j.verdict is Verdict.PASS for j in self.judgements)


class RectificationItem(ProcessVariables):
    """One responsible department's rectification: the multi-instance subprocess maps each field to a
    local variable."""

    department_id: str
    department_label: str
    assignee: str
    delegation_note: str = ""
    task_name: str
    failed_criteria: str  # the failed criteria with the acceptor's notes, as the form shows them


class PrepareInput(Project):
    agreement: Agreement
    project_documents: list[ProjectDocument] = []


class RoundState(ReminderSettings):
    acceptance_round: int
    acceptance_due: IsoDateTime  # Task_CheckCriteria's due date: the lead time from this round's start
    acceptance_task_name: str
    acceptance_rows: list[AcceptanceRow]
    acceptance_history: list[AcceptanceRound]
    acceptance_rejection: str | None = None


class PrepareOutput(RoundState):
    acceptance_assignee: str
    acceptance_delegation_note: str
    copied_documents: list[str]  # File variables of earlier phases now on this instance too


class CheckVerdictsInput(Project):
    agreement: Agreement
    acceptance_round: int
    acceptance_history: list[AcceptanceRound]
    acceptance_rows: Annotated[Any, AsTyped(list[AcceptanceRow])] = None


class Passed(ProcessVariables):
    acceptance_passed: bool = True
    acceptance_history: list[AcceptanceRound]
    acceptance_rows: list[AcceptanceRow]
    acceptance_rejection: str | None = None


class Failed(ReminderSettings):
    acceptance_passed: bool = False
    rectification_due: IsoDateTime  # every Task_Rectify of the round: the lead time from the verdicts
    acceptance_history: list[AcceptanceRound]
    acceptance_rows: list[AcceptanceRow]
    acceptance_rejection: str | None = None
    rectification_items: list[RectificationItem]


class RecordRectificationInput(ProcessVariables):
    acceptance_round: int
    rectification_department: str
    rectification_report: Annotated[Any, AsTyped(str)] = None


class NextRoundInput(Project):
    agreement: Agreement
    acceptance_round: int
    acceptance_history: list[AcceptanceRound]
    acceptance_rows: list[AcceptanceRow]
    rectification_items: list[RectificationItem]


class IssueReportInput(Project):
    agreement: Agreement
    acceptance_round: int
    acceptance_history: list[AcceptanceRound]
    project_documents: list[ProjectDocument] = []


class IssueReportOutput(ProcessVariables):
    project_documents: list[ProjectDocument]
    acceptance_report_variable: str
    acceptance_report_path: str  # relative to the archive root
    acceptance_rounds: int
    acceptance_result: str


class NotifyAcceptedInput(Project):
    acceptance_rounds: int
    acceptance_report_path: str


# --- project assessment (项目考核) -----------------------------------------------------------------
class AssessmentRow(ProcessVariables):
    """One assessed department as the assessment form shows it; the scores are the assessor's."""

    department_id: str
    department: str
    goal: int | None = None
    quality: int | None = None
    schedule: int | None = None
    cost: int | None = None
    teamwork: int | None = None
    comment: str = ""


class AssessmentItem(ProcessVariables):
    """One assessing department's task: the multi-instance subprocess maps each field to a local."""

    assessor_department: str
    assessor_department_label: str
    assignee: str
    delegation_note: str = ""
    task_name: str
    rows: list[AssessmentRow]


class PrepareAssessmentOutput(ReminderSettings):
    assessment_items: list[AssessmentItem]
    assessment_due: IsoDateTime  # every Task_AssessDepartments: the lead time from acceptance


class RecordAssessmentInput(ProcessVariables):
    organisation_file: str
    assessor_department: str
    assessment_item: AssessmentItem
    assessment_rows: Annotated[Any, AsTyped(list[AssessmentRow])] = None


class FileAssessmentInput(Project):
    assessment_items: list[AssessmentItem]
    project_documents: list[ProjectDocument] = []


class FileAssessmentOutput(ProcessVariables):
    assessment_scores: list[AssessmentScore]
    project_documents: list[ProjectDocument]  # with the assessment summary
    assessment_data_path: str  # relative to the archive root
