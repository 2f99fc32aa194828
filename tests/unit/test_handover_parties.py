"""Who takes part in a work hand-over (policy §3.2 step 1), as `handover.resolve-parties` decides it.

The handler runs in the harness as the worker would run it, on the demo organisation (or a small
one built here); the engine is a fake that answers the lookup of active delegations.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from workers.processes.work_handover.handlers import HANDOVER_INVALID
from workers.processes.work_handover.labels import NOTICE
from workers.runtime.testing import BpmnError, Completed, FakeEngine, HandlerEnvironment
from workers.runtime.variables import format_camunda_date

TOPIC = "handover.resolve-parties"
DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

# In the demo organisation: 杨帆 yang.fan (Marketing staff) reports to 陈静 chen.jing (head of Marketing),
# who reports to 刘敏 liu.min (deputy GM, leadership); 吴昊 wu.hao (Sales) reports to 孙丽 sun.li (deputy
# head), then 李强 li.qiang (head of Sales), then 刘敏. So 刘敏 is the lowest superior of both.


def notice(giver: str, receiver: str, department: str, initiator: str | None, **changes: Any) -> dict[str, Any]:
    """The notice's variables; `initiator` is who the engine's history says started the instance."""
    return {"giverId": giver, "receiverId": receiver, "receivingDepartmentId": department,
            "reason": "postChange", "plannedDate": "2026-12-20", "startUserId": initiator, **changes}


def resolve(variables: dict[str, Any], *, organisation: Path = DEMO, engine: FakeEngine | None = None):
    engine = engine or FakeEngine().answer("GET", "/process-instance", [])  # no delegation registered
    variables = dict(variables)
    engine.answer("GET", "/history/process-instance/handover-1",
                  {"id": "handover-1", "startUserId": variables.pop("startUserId", None)})
    env = HandlerEnvironment(engine=engine, now=NOW)
    return env.run(TOPIC, variables, properties={"organisationFile": str(organisation)},
                   activity_id="Task_ResolveParties", process_instance_id="handover-1")


def delegations(principal: str, delegate: str) -> FakeEngine:
    """An engine with one registered delegation, active now: a `delegation` instance at its end timer."""
    def date(moment: datetime) -> dict[str, Any]:
        return {"type": "Date", "value": format_camunda_date(moment)}

    variables = {"principal": {"type": "String", "value": principal},
                 "delegate": {"type": "String", "value": delegate},
                 "delegationStarts": date(NOW - timedelta(days=1)), "delegationEnds": date(NOW + timedelta(days=7))}
    engine = FakeEngine().answer("GET", "/process-instance", [{"id": "delegation-1"}])
    return engine.answer("GET", "/variable-instance",
                         [{"name": name, "processInstanceId": "delegation-1", **typed} for name, typed in variables.items()])


# How the initiator's form names each field (the initiator is no field: the engine records who started it).
SHOWN_AS = {**NOTICE, "initiator": "交接预告发起人 / Who gave notice"}


def rejected(outcome: object, field: str) -> str:
    """The message, which names `field` by the notice form's label, never by its key."""
    assert isinstance(outcome, BpmnError), f"expected the BPMN error {HANDOVER_INVALID}, got {outcome}"
    assert outcome.code == HANDOVER_INVALID
    assert f"{SHOWN_AS[field]}:" in outcome.message, f"the message should name {SHOWN_AS[field]}: {outcome.message}"
    assert f"{field}:" not in outcome.message, f"the message names the key {field}: {outcome.message}"
    return outcome.message


def accepted(outcome: object) -> dict[str, Any]:
    assert isinstance(outcome, Completed), f"expected the hand-over to be accepted, got {outcome}"
    return outcome.variables


# --- who may announce ------------------------------------------------------------------------------
def test_a_hand_over_may_be_announced_by_the_givers_head() -> None:
    variables = accepted(resolve(notice("yang.fan", "wu.hao", "sales", initiator="chen.jing")))
    assert {name: variables[name] for name in (
        "giverId", "giverName", "giverDepartmentId", "giverPostLevel", "giverHeadId", "receiverId", "receiverName",
        "receivingDepartmentId", "receivingHeadId", "supervisorId", "supervisorName", "supervisorNote",
        "reasonLabel", "plannedDate", "rejectionMessage")} == {
        "giverId": "yang.fan", "giverName": "杨帆", "giverDepartmentId": "marketing", "giverPostLevel": 1,
        "giverHeadId": "chen.jing", "receiverId": "wu.hao", "receiverName": "吴昊",
        "receivingDepartmentId": "sales", "receivingHeadId": "li.qiang",
        "supervisorId": "liu.min", "supervisorName": "刘敏", "supervisorNote": "",
        "reasonLabel": "岗位调整 / Post change", "plannedDate": "2026-12-20", "rejectionMessage": None}
    assert variables["receivingDepartmentLabel"] == "销售部 Sales"
    assert variables["organisationFile"] == str(DEMO), "later steps read the same organisation file"


def test_a_hand_over_may_be_announced_by_a_superior_in_the_givers_chain_who_is_not_the_head() -> None:
    # 孙丽 sun.li is 吴昊's superior but not the head of Sales, nor company leadership.
    accepted(resolve(notice("wu.hao", "yang.fan", "marketing", initiator="sun.li")))


def test_a_hand_over_may_be_announced_by_company_leadership_outside_the_givers_chain() -> None:
    # 徐明 xu.ming (Engineering) reports up to 王建国 only; 刘敏 liu.min is leadership but not above him.
    variables = accepted(resolve(notice("xu.ming", "ma.lin", "production", initiator="liu.min")))
    assert variables["supervisorId"] == "wang.jianguo"


def test_a_forged_initiator_variable_does_not_count_the_start_user_does() -> None:
    forged = notice("yang.fan", "wu.hao", "sales", initiator="zheng.yu") | {"initiator": "chen.jing"}
    rejected(resolve(forged), "initiator")


def test_the_operator_entering_a_paper_notice_announces_for_the_head_it_names() -> None:
    entered = notice("yang.fan", "wu.hao", "sales", initiator="admin") | {"initiator": "chen.jing"}
    accepted(resolve(entered))


def test_a_hand_over_announced_by_someone_else_is_rejected_naming_the_initiator() -> None:
    # 郑宇 zheng.yu is 杨帆's colleague: neither head, superior nor leadership.
    message = rejected(resolve(notice("yang.fan", "wu.hao", "sales", initiator="zheng.yu")), "initiator")
    assert "zheng.yu" in message and "杨帆" in message


# --- giver and receiver ----------------------------------------------------------------------------
def test_the_giver_cannot_hand_over_to_themselves() -> None:
    message = rejected(resolve(notice("yang.fan", "yang.fan", "marketing", initiator="chen.jing")), "receiverId")
    assert "the receiver must be someone else than the giver" in message


def test_the_receiver_must_belong_to_the_receiving_department() -> None:
    message = rejected(resolve(notice("yang.fan", "wu.hao", "marketing", initiator="chen.jing")), "receiverId")
    assert "吴昊 is not in the receiving department Marketing" in message


@pytest.mark.parametrize(("field", "changes"), [
    ("giverId", {"giverId": None}), ("receiverId", {"receiverId": "nobody"}),
    ("receivingDepartmentId", {"receivingDepartmentId": "moon"}), ("reason", {"reason": "holiday"}),
    ("plannedDate", {"plannedDate": "next week"}),
])
def test_a_missing_or_unknown_entry_is_rejected_naming_its_field(field: str, changes: dict[str, Any]) -> None:
    rejected(resolve(notice("yang.fan", "wu.hao", "sales", initiator="chen.jing", **changes)), field)


def test_giver_and_receiver_without_a_common_superior_are_rejected(tmp_path: Path) -> None:
    # Two founders at the top, each heading a department: nobody stands above both to supervise.
    organisation = tmp_path / "two-founders.yaml"
    organisation.write_text("""
company: {name_zh: 两位创始人有限公司, name_en: Two Founders Ltd.}
departments:
  - {id: studio, name_zh: 设计室, name_en: Studio, head: an.ya, core_business: [设计 / Design]}
  - {id: workshop, name_zh: 车间, name_en: Workshop, head: bo.lin, core_business: [制作 / Making]}
people:
  - {id: an.ya, name: 安雅, email: an.ya@example.com, department: studio, title: 创始人 Founder, post_level: 5}
  - {id: bo.lin, name: 柏林, email: bo.lin@example.com, department: workshop, title: 创始人 Founder, post_level: 5}
roles: {leadership: [an.ya, bo.lin], pmo: [studio], audit: [workshop]}
""", encoding="utf-8")
    message = rejected(resolve(notice("an.ya", "bo.lin", "workshop", initiator="an.ya"), organisation=organisation),
                       "receiverId")
    assert "no common superior to supervise the hand-over" in message


# --- the supervisor (监交人) and delegations ------------------------------------------------------------
def test_an_absent_supervisors_delegate_supervises_in_their_place() -> None:
    variables = accepted(resolve(notice("yang.fan", "wu.hao", "sales", initiator="chen.jing"),
                                 engine=delegations("liu.min", "guo.hong")))
    assert (variables["supervisorId"], variables["supervisorName"]) == ("guo.hong", "郭红")
    assert variables["supervisorNote"] == "代理 / delegate for 刘敏 (liu.min)"


@pytest.mark.parametrize("party", ["yang.fan", "wu.hao"])
def test_a_delegate_never_supervises_their_own_hand_over_the_superior_stays(party: str) -> None:
    variables = accepted(resolve(notice("yang.fan", "wu.hao", "sales", initiator="chen.jing"),
                                 engine=delegations("liu.min", party)))
    assert (variables["supervisorId"], variables["supervisorNote"]) == ("liu.min", "")
