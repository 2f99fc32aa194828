"""The Json variables of contract B (/docs/project-cooperation.md, "Variables") as pydantic models.

Their keys are snake_case as the contract fixes them (implementation and acceptance read them), so
these are plain models, not `ProcessVariables` (whose keys are camelCase).
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from workers.shared.enums import LabelledEnum


class _Record(BaseModel):
    model_config = ConfigDict(extra="ignore")


class Milestone(_Record):
    name: str
    due_date: date


class Participant(_Record):
    person: str
    department: str
    role: str


class Application(_Record):
    """The 《项目合作申请表》 as checked (`application`)."""

    project_name: str
    background: str
    goal: str
    content: str
    expected_results: str
    start_date: date
    end_date: date
    milestones: list[Milestone] = []
    departments: list[str]
    people: list[Participant] = []
    project_owner: str
    requesting_department: str


class Risk(LabelledEnum):
    LOW = "low", "低 / Low"
    MEDIUM = "medium", "中 / Medium"
    HIGH = "high", "高 / High"


class Work(_Record):
    department: str
    work: str


class AgreedMilestone(_Record):
    id: str  # M1, M2, … in the agreement's order
    name: str
    due_date: date


class Criterion(_Record):
    id: str  # C1, C2, …
    department: str  # responsible for meeting it
    criterion: str


class Agreement(_Record):
    """The cooperation agreement as checked (`agreement`)."""

    rights_obligations: str
    division: list[Work]
    milestones: list[AgreedMilestone]
    budget: float = Field(ge=0)
    risk: Risk
    quality_requirements: str
    acceptance_criteria: list[Criterion]
    breach_liability: str
    meeting_interval_days: int = Field(ge=1)
    first_meeting_date: date


class DocumentKind(StrEnum):
    APPLICATION = "application"
    FEASIBILITY_REPORT = "feasibility-report"
    AGREEMENT = "agreement"


class FeasibilityScores(_Record):
    """One department's assessment (`feasibility_<department>`), who assessed it from the engine."""

    department: str
    assessor: str
    on_behalf_of: str | None = None  # the head, when a delegate assessed
    technical_score: int = Field(ge=1, le=5)
    technical_comment: str
    economic_score: int = Field(ge=1, le=5)
    economic_comment: str
    operational_score: int = Field(ge=1, le=5)
    operational_comment: str
    round: int

    @property
    def scores(self) -> list[int]:
        return [self.technical_score, self.economic_score, self.operational_score]
