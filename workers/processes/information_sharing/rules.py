"""The rules of policy §3.3 that the workers apply, as pure functions over the request, the
decision `sharing-permissions` and the organisation file.

The decision says, per category and sensitivity, who may receive (department ids, `all`, `own`),
which approval, which channels; these functions only read it: a process owner changes who may
receive in Modeler, not here.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict

from workers.processes.information_sharing.labels import (
    ANSWER_FIELD, CATEGORY, CHANNEL, FEEDBACK_FIELD, FIELD, SENSITIVITY, Category, Channel, Sensitivity,
)
from workers.runtime.registry import ProcessVariables
from workers.shared.notify import Bilingual
from workers.shared.organisation.lookups import department_head, role_members
from workers.shared.organisation.model import Organisation
from workers.shared.organisation.obligations import SharingObligation
from workers.shared.text import MaxLength, check_text

CONTENT_MAX = 3000  # contract C: the content travels in a String variable, far below its 4,000 limit
# The acknowledgement form's 反馈 choices: none, or feedback the publisher answers.
NO_FEEDBACK, FEEDBACK_KINDS = "none", ("error", "question")
ALL_DEPARTMENTS, OWN_DEPARTMENT = "all", "own"  # the decision's words besides department ids


class Approval(StrEnum):
    NONE = "none"
    DEPARTMENT_HEAD = "department-head"
    DATA_OWNER_AND_LEADERSHIP = "data-owner-and-leadership"


class SharingPermissions(ProcessVariables):
    """The single result of decision sharing-permissions."""

    allowed_receivers: str
    approval: Approval
    allowed_channels: str
    acknowledgement_required: bool
    acknowledgement_days: int
    reminder_interval_hours: int
    escalate_after_reminders: int
    retention_days: int


class Request(BaseModel):
    """The start form as submitted (any type: a client other than Tasklist may send anything)."""

    model_config = ConfigDict(frozen=True)

    title: Any = None
    category: Any = None
    sensitivity: Any = None
    summary: Any = None
    content: Any = None
    content_link: Any = None
    target_departments: Any = None
    channels: Any = None


def _comma_list(text: str) -> list[str]:
    return [entry.strip() for entry in text.split(",") if entry.strip()]


def allowed_departments(permissions: SharingPermissions, org: Organisation, publisher_department: str) -> list[str]:
    """The department ids the decision lets receive, in the organisation's order. An id the
    organisation does not know is the decision's fault: an incident names it (not the publisher's)."""
    entries = _comma_list(permissions.allowed_receivers)
    unknown = [e for e in entries if e not in (ALL_DEPARTMENTS, OWN_DEPARTMENT) and e not in org.departments_by_id]
    if unknown:
        raise RuntimeError(f"decision sharing-permissions names receivers {', '.join(unknown)} that are not "
                           f"departments of the organisation file (nor {ALL_DEPARTMENTS!r} or {OWN_DEPARTMENT!r}): "
                           "correct dmn/sharing-permissions.dmn or the organisation file and redeploy")
    wanted = set(entries) | ({publisher_department} if OWN_DEPARTMENT in entries else set())
    return [d.id for d in org.departments if ALL_DEPARTMENTS in entries or d.id in wanted]


def allowed_channels(permissions: SharingPermissions) -> list[Channel]:
    try:
        return [Channel(c) for c in _comma_list(permissions.allowed_channels)]
    except ValueError as exc:
        raise RuntimeError(f"decision sharing-permissions: allowed channels {permissions.allowed_channels!r} may "
                           f"only name {', '.join(Channel)}: {exc}") from None


def classification_problems(request: Request) -> list[str]:
    """Category and sensitivity, which the decision needs before anything else can be checked."""
    problems = []
    # A list or an object from a client other than Tasklist is no choice either (and not hashable).
    if not isinstance(request.category, str) or request.category not in {c.value for c in Category}:
        problems.append(f"{FIELD['category']}: 请选择信息分类 / choose a category")
    if not isinstance(request.sensitivity, str) or request.sensitivity not in {s.value for s in Sensitivity}:
        problems.append(f"{FIELD['sensitivity']}: 请选择敏感程度 / choose a sensitivity")
    return problems


def text_problems(request: Request) -> list[str]:
    problems = check_text(request.title, "title", FIELD["title"], MaxLength.LINE, required=True)
    problems += check_text(request.summary, "summary", FIELD["summary"], MaxLength.TEXT, multiline=True)
    problems += check_text(request.content, "content", FIELD["content"], CONTENT_MAX, multiline=True)
    problems += check_text(request.content_link, "contentLink", FIELD["contentLink"], MaxLength.LINE)
    has_content = isinstance(request.content, str) and request.content.strip()
    link = request.content_link.strip() if isinstance(request.content_link, str) else ""
    if not has_content and not link:
        problems.append(f"{FIELD['content']}: 请填写内容或文档链接 / give the content or a link to the document")
    if link and urlsplit(link).scheme not in ("http", "https"):
        problems.append(f"{FIELD['contentLink']}: {link!r} 不是 http(s) 链接 / is not an http(s) link")
    return problems


def _ids(value: Any) -> list[str] | None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        return None
    return list(dict.fromkeys(value))


def target_problems(request: Request, permissions: SharingPermissions, org: Organisation,
                    publisher_department: str) -> list[str]:
    """Every target the decision does not allow, named by the organisation's department name."""
    targets = _ids(request.target_departments)
    label = FIELD["targetDepartments"]
    if not targets:
        return [f"{label}: 请至少选择一个部门 / choose at least one department"]
    allowed = set(allowed_departments(permissions, org, publisher_department))
    kind = _kind(request)
    problems = []
    for target in targets:
        department = org.departments_by_id.get(target)
        if department is None:
            problems.append(f"{label}: 没有部门 {target!r} / no department {target!r}")
        elif target not in allowed:
            problems.append(f"{label}: {department.name_zh}无权接收「{kind.zh}」信息，请删除该部门 / "
                            f"{department.name_en} may not receive {kind.en}: remove it")
    return problems


def channel_problems(request: Request, permissions: SharingPermissions) -> list[str]:
    chosen = _ids(request.channels)
    label = FIELD["channels"]
    if not chosen:
        return [f"{label}: 请至少选择一种共享方式 / choose at least one channel"]
    allowed = set(allowed_channels(permissions))
    kind = _kind(request)
    problems = []
    for value in chosen:
        try:
            channel = Channel(value)
        except ValueError:
            problems.append(f"{label}: 没有共享方式 {value!r} / no channel {value!r}")
            continue
        if channel not in allowed:
            name = CHANNEL[channel]
            problems.append(f"{label}: 「{kind.zh}」信息不允许通过{name.zh}共享，请取消勾选 / "
                            f"{kind.en} may not be shared by {name.en.lower()}: untick it")
    return problems


def obligation_problems(request: Request, obligation: SharingObligation, org: Organisation) -> list[str]:
    """What a share published for a regular sharing obligation (定期共享) changed of what the
    obligation fixes: its title, classification, sensitivity and receiving departments, each named
    with the value the organisation file gives it. The preparer fills in only the rest."""
    fixed = Bilingual(zh=f"定期共享「{obligation.title_zh}」", en=f"the regular share “{obligation.title_en}”")
    targets = [org.department(t) for t in obligation.targets]
    expected = {
        "title": (request.title == obligation.title, Bilingual(zh=f"「{obligation.title}」", en=f"“{obligation.title}”")),
        "category": (request.category == obligation.category, CATEGORY[Category(obligation.category)]),
        "sensitivity": (request.sensitivity == obligation.sensitivity,
                        SENSITIVITY[Sensitivity(obligation.sensitivity)]),
        "targetDepartments": (set(_ids(request.target_departments) or []) == set(obligation.targets),
                              Bilingual(zh="、".join(d.name_zh for d in targets),
                                        en=", ".join(d.name_en for d in targets))),
    }
    return [f"{FIELD[key]}: {fixed.zh}由制度规定为{value.zh}，不能修改，已恢复 / "
            f"{fixed.en} is fixed by the policy as {value.en}; it cannot be changed and has been put back"
            for key, (kept, value) in expected.items() if not kept]


def obligation_fields(obligation: SharingObligation) -> dict[str, Any]:
    """The variables the obligation fixes, with its values: put back with a rejection, so that the
    correction form, which shows them read-only, submits what the obligation says."""
    return {"title": obligation.title, "category": obligation.category, "sensitivity": obligation.sensitivity,
            "targetDepartments": list(obligation.targets)}


def _kind(request: Request) -> Bilingual:
    """`客户信息·机密 / confidential customer information`, as messages name the kind of information."""
    category, sensitivity = CATEGORY[Category(request.category)], SENSITIVITY[Sensitivity(request.sensitivity)]
    return Bilingual(zh=f"{category.zh}·{sensitivity.zh}", en=f"{sensitivity.en.lower()} {category.en.lower()}")


def delivery_channels(chosen: list[str]) -> list[Channel]:
    """What is delivered: the record always (the instance is the record, read in Tasklist), and each
    other chosen channel once checked against the decision."""
    return [Channel.RECORD] + [c for c in Channel if c is not Channel.RECORD and c.value in chosen]


def approvers(approval: Approval, org: Organisation, category: Category, publisher_department: str) -> list[str]:
    """Who approves, in order (the approval block resolves delegation): the publisher's department
    head; or the data owner (the head of the department owning the category, `data_owners` in the
    organisation file) and then the first company leader of the file."""
    if approval is Approval.NONE:
        return []
    if approval is Approval.DEPARTMENT_HEAD:
        return [department_head(org, publisher_department).id]
    owner = org.data_owners.get(category.value)
    if owner is None:
        raise RuntimeError(f"the organisation file names no data owner for category {category.value!r}: add "
                           f"data_owners.{category.value}: <department id> to it")
    chain = [department_head(org, owner).id, role_members(org, "leadership")[0].id]
    return list(dict.fromkeys(chain))  # a leader heading the owning department approves once


def is_late(acknowledged_at: datetime, due: datetime) -> bool:
    return acknowledged_at > due


def feedback_problems(kind: Any, text: Any) -> list[str]:
    """A receipt's feedback as submitted (a client other than Tasklist may send anything): one of
    the form's choices, and the text where it reports an error or asks a question."""
    if kind is not None and kind != NO_FEEDBACK and kind not in FEEDBACK_KINDS:
        return [f"{FEEDBACK_FIELD['feedbackKind']}: 请选择“无”“发现错误”或“有疑问” / "
                "choose none, report an error or ask a question"]
    if kind not in FEEDBACK_KINDS:
        return []
    return check_text(text, "feedbackText", FEEDBACK_FIELD["feedbackText"], MaxLength.TEXT, required=True,
                      multiline=True)


def answer_problems(answer: Any, correction_needed: Any, corrected_summary: Any, corrected_content: Any) -> list[str]:
    """The publisher's answer as submitted: the answer itself, and a correction that is text within
    what a share may hold (the corrected version is checked again as any share when it starts)."""
    problems = check_text(answer, "feedbackAnswer", ANSWER_FIELD["feedbackAnswer"], MaxLength.TEXT, required=True,
                          multiline=True)
    if correction_needed is not None and not isinstance(correction_needed, bool):
        problems.append(f"{ANSWER_FIELD['correctionNeeded']}: 请勾选或不勾选 / tick it or leave it")
    if correction_needed is True:
        problems += check_text(corrected_summary, "correctedSummary", ANSWER_FIELD["correctedSummary"],
                               MaxLength.TEXT, multiline=True)
        problems += check_text(corrected_content, "correctedContent", ANSWER_FIELD["correctedContent"],
                               CONTENT_MAX, multiline=True)
    return problems
