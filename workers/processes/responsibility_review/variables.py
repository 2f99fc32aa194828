"""The variables of process `responsibility-review`: each topic's input and output, with real types.

The rows a head or leadership edits are read `AsTyped` by the step that checks them (record-list for
a department's list, detect-conflicts for leadership's decisions), which names each problem by row
and field. `proposedLists` and the `reviewedList_<department>` variables hold the lists in the
organisation file's own shape (snake_case), as `review.py` and the file read them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

from pydantic import ConfigDict

from workers.processes.responsibility_review.review import ASSIGN, DROP, DUPLICATE, ORPHAN, Lists
from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables

REVIEWED_LIST = "reviewedList_"  # + department id: a head's accepted list, on the process instance


class ConflictKind(StrEnum):
    DUPLICATE = DUPLICATE
    ORPHAN = ORPHAN


class Decision(StrEnum):
    ASSIGN = ASSIGN
    DROP = DROP


class ResponsibilityRow(ProcessVariables):
    """One line of a department's list as the review form edits it."""

    work_item: str
    workflow: str
    standard: str
    responsible_post: str
    crosses: str = ""  # the departments it crosses, comma-separated


class ConflictRow(ProcessVariables):
    """A conflict as leadership's decision form shows it."""

    id: str
    kind: ConflictKind
    work_item: str
    claimants: str  # comma-separated department ids
    description: str
    decision: Decision = Decision.ASSIGN
    owner: str = ""


class ReviewItem(ProcessVariables):
    """One department's review: the multi-instance subprocess maps each field to a local variable."""

    department_id: str
    department_label: str
    responsibilities: list[ResponsibilityRow]
    original_assignee: str
    assignee: str
    delegation_note: str = ""
    task_name: str


class PrepareItemsOutput(ProcessVariables):
    organisation_file: str
    review_items: list[ReviewItem]
    departments_help: str


class RecordListInput(ProcessVariables):
    department_id: str
    responsibilities: Annotated[Any, AsTyped(list[ResponsibilityRow])] = None
    review_items: list[ReviewItem]


class RecordListOutput(ProcessVariables):
    """The accepted list as `reviewedList_<departmentId>` (a name per department, so the parallel heads
    do not overwrite each other; detect-conflicts reads them all from the instance)."""

    model_config = ConfigDict(extra="allow")
    rejection_message: str | None = None

    @classmethod
    def accepted(cls, department_id: str, items: list[dict[str, Any]]) -> RecordListOutput:
        return cls(rejection_message=None, **{REVIEWED_LIST + department_id: items})


class DetectConflictsInput(ProcessVariables):
    organisation_file: str
    review_items: list[ReviewItem]
    proposed_lists: Lists | None = None  # None until the first detection
    # leadership's decisions on the previous round's conflicts, as the form submits them (its fields only)
    conflicts: Annotated[list[dict[str, Any]], AsTyped(list[ConflictRow])] = []
    open_conflicts: list[ConflictRow] = []  # those conflicts in full
    settled_items: list[str] = []


class DetectConflictsOutput(ProcessVariables):
    proposed_lists: Lists
    conflicts: list[ConflictRow]
    open_conflicts: list[ConflictRow]
    has_conflicts: bool
    settled_items: list[str]
    decision_problems: str | None = None


class PublishOrganisationInput(ProcessVariables):
    organisation_file: str
    proposed_lists: Lists
    reason: str | None = None


class PublishOrganisationOutput(ProcessVariables):
    organisation_version: int
    organisation_archive: str
    organisation_diff: str
    changed_lines: int
    provisioned_changes: int
    provisioned_new_users: list[str]
