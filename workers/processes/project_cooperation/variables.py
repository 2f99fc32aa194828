"""The variables of process `project-cooperation`: each topic's input and output, with real types.

What a person typed is read `AsTyped` by the step that checks it (validate-application,
record-assessment, validate-agreement), which names every problem by its form label; the checked
records (`application`, `agreement`, contract B) are typed from then on.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import ConfigDict, PlainSerializer

from workers.processes.project_cooperation.records import Agreement, Application, FeasibilityScores
from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables
from workers.shared.due_dates import ReminderSettings
from workers.shared.project_documents import ProjectDocument

IsoDateTime = Annotated[datetime, PlainSerializer(lambda moment: moment.isoformat(), return_type=str)]
Typed = Any  # as the form submitted it; the topic's rule check names each problem


class Project(ProcessVariables):
    organisation_file: str
    application: Application


class Documents(ProcessVariables):
    project_documents: list[ProjectDocument] = []  # appended to, never rewritten


# --- initiation ----------------------------------------------------------------------------------
class ValidateApplicationInput(ProcessVariables):
    initiator: str | None = None  # only for the operator account's paper applications (history decides)
    project_name: Annotated[Typed, AsTyped(str)] = None
    background: Annotated[Typed, AsTyped(str)] = None
    goal: Annotated[Typed, AsTyped(str)] = None
    content: Annotated[Typed, AsTyped(str)] = None
    expected_results: Annotated[Typed, AsTyped(str)] = None
    start_date: Annotated[Typed, AsTyped(str)] = None
    end_date: Annotated[Typed, AsTyped(str)] = None
    milestones: Annotated[Typed, AsTyped(list[dict[str, Any]])] = None
    departments: Annotated[Typed, AsTyped(list[str])] = None
    people: Annotated[Typed, AsTyped(list[dict[str, Any]])] = None
    project_owner: Annotated[Typed, AsTyped(str)] = None


class ValidateApplicationOutput(ProcessVariables):
    organisation_file: str
    application: Application
    requesting_department: str
    involved_departments: list[str]
    application_rejection: str | None = None  # cleared (None) once the application passes
    feasibility_comments: str | None = None  # the last round's, cleared (None) once revised


class ArchiveApplicationInput(Project, Documents):
    initiator: str | None = None
    application_version: int = 0


class ArchiveApplicationOutput(Documents, ReminderSettings):
    application_version: int
    organise_due: IsoDateTime  # Task_OrganiseFeasibility's camunda:dueDate


# --- feasibility ---------------------------------------------------------------------------------
class AssessorItem(ProcessVariables):
    """One instance of the assessment subprocess (its input parameters read these keys)."""

    assessing_department: str
    assessing_department_label: str
    assignee: str
    original_assignee: str
    delegation_note: str
    task_name: str


class AssignAssessorsInput(Project):
    involved_departments: list[str]
    project_name: str
    assessment_due: Annotated[Typed, AsTyped(str)] = None
    assessment_brief: Annotated[Typed, AsTyped(str)] = None
    feasibility_round: int = 0


class AssignAssessorsOutput(ReminderSettings):
    feasibility_assessors: list[AssessorItem]
    assessment_due_at: IsoDateTime  # the assessing tasks' camunda:dueDate
    feasibility_round: int
    organise_rejection: str | None = None


class RecordAssessmentInput(ProcessVariables):
    assessing_department: str
    original_assignee: str
    feasibility_round: int
    technical_score: Annotated[Typed, AsTyped(int)] = None
    technical_comment: Annotated[Typed, AsTyped(str)] = None
    economic_score: Annotated[Typed, AsTyped(int)] = None
    economic_comment: Annotated[Typed, AsTyped(str)] = None
    operational_score: Annotated[Typed, AsTyped(int)] = None
    operational_comment: Annotated[Typed, AsTyped(str)] = None


FEASIBILITY = "feasibility_"  # + department id: that department's scores, on the process instance


class RecordAssessmentOutput(ProcessVariables):
    """The scores as `feasibility_<department>` (a name per department, so parallel heads do not
    overwrite each other; summarise-feasibility reads them all)."""

    model_config = ConfigDict(extra="allow")
    assessment_rejection: str | None = None

    @classmethod
    def recorded(cls, scores: FeasibilityScores) -> RecordAssessmentOutput:
        return cls(**{FEASIBILITY + scores.department: scores.model_dump(mode="json")})


class SummariseFeasibilityInput(ProcessVariables):
    organisation_file: str
    involved_departments: list[str]
    feasibility_round: int


class SummariseFeasibilityOutput(ProcessVariables):
    feasibility_assessments: list[FeasibilityScores]
    feasibility_min_score: int  # the decision feasibility-verdict's inputs
    feasibility_average_score: float
    feasibility_comments: str  # shown on the revision form when the verdict asks for one


class ArchiveFeasibilityInput(Project, Documents):
    feasibility_assessments: list[FeasibilityScores]
    feasibility_verdict: str | None = None
    feasibility_min_score: int
    feasibility_average_score: float
    feasibility_round: int
    assessment_brief: Annotated[Typed, AsTyped(str)] = None


class ArchiveFeasibilityOutput(Documents):
    pass


# --- agreement -----------------------------------------------------------------------------------
class AssignDrafterInput(Project):
    requesting_department: str
    involved_departments: list[str]


class AssignDrafterOutput(ReminderSettings):
    agreement_drafter: str
    agreement_drafter_note: str
    drafting_due: IsoDateTime  # Task_DraftAgreement's camunda:dueDate
    # the form pre-filled: a row per department, the application's milestones
    division: list[dict[str, Any]]
    agreement_milestones: list[dict[str, Any]]
    acceptance_criteria: list[dict[str, Any]]


class ValidateAgreementInput(Project):
    project_name: str
    involved_departments: list[str]
    rights_obligations: Annotated[Typed, AsTyped(str)] = None
    division: Annotated[Typed, AsTyped(list[dict[str, Any]])] = None
    agreement_milestones: Annotated[Typed, AsTyped(list[dict[str, Any]])] = None
    budget: Annotated[Typed, AsTyped(float)] = None
    risk: Annotated[Typed, AsTyped(str)] = None
    quality_requirements: Annotated[Typed, AsTyped(str)] = None
    acceptance_criteria: Annotated[Typed, AsTyped(list[dict[str, Any]])] = None
    breach_liability: Annotated[Typed, AsTyped(str)] = None
    meeting_interval_days: Annotated[Typed, AsTyped(int)] = None
    first_meeting_date: Annotated[Typed, AsTyped(str)] = None


class ValidateAgreementOutput(ProcessVariables):
    agreement: Agreement
    agreement_budget: float  # the decision cooperation-approvers' inputs
    agreement_risk: str
    department_count: int
    agreement_applicant: str  # who completed the drafting task, as the engine recorded it
    countersign_approvers: list[str]
    countersign_subject: str
    approval_copy_to: list[str]
    agreement_summary: str
    agreement_rejection: str | None = None  # cleared once the agreement passes


class ReturnAgreementInput(ProcessVariables):
    returned_step: str
    returned_outcome: str
    returned_reason: str | None = None


class ReturnAgreementOutput(ReminderSettings):
    agreement_rejection: str
    drafting_due: IsoDateTime  # redrafting has its own lead time, from the return


class ResolveLeadershipInput(ProcessVariables):
    organisation_file: str
    project_name: str
    leadership_routing: dict[str, Any] | None = None  # the decision's single result: approvers, kind


class ResolveLeadershipOutput(ProcessVariables):
    leadership_approvers: list[str]
    leadership_approval_kind: str
    leadership_subject: str


class ArchiveAgreementInput(Project, Documents):
    agreement: Agreement
    agreement_applicant: str
    countersign_decisions: list[dict[str, Any]] = []
    leadership_decisions: list[dict[str, Any]] = []
    agreement_version: int = 0


class ArchiveAgreementOutput(Documents):
    agreement_version: int
