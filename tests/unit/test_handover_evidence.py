"""The privileged hand-over steps act only on what the engine's history shows: the checks passed in
order, the parties as resolve-parties named them, each signature by its party. Run through the
handler harness with the history a fake engine answers."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from workers.runtime.testing import Completed, Failed, FakeEngine, HandlerEnvironment

INSTANCE = "handover-1"
DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
T0 = datetime(2026, 12, 1, 9, tzinfo=timezone.utc)
PARTIES = {"giverId": "yang.fan", "receiverId": "wu.hao", "supervisorId": "liu.min"}
STEPS = ["Task_ResolveParties", "Task_CheckNotice", "Task_CollectOpenWork", "Task_CheckChecklist",
         "Task_RecordVerification", "Task_GiverSigns", "Task_ReceiverSigns", "Task_SupervisorConfirms",
         "Task_RecordSignatures", "Task_ArchiveChecklist", "Task_SendCopies"]
SIGNERS = {"Task_GiverSigns": "yang.fan", "Task_ReceiverSigns": "wu.hao", "Task_SupervisorConfirms": "liu.min"}
GIVERS_TASK, OTHERS_TASK = "task-of-yang-fan", "task-of-xu-ming"


def row(task_id: str) -> dict[str, Any]:
    return {"category": "unfinishedTasks", "description": "回访客户", "location": "Tasklist", "camundaTaskId": task_id}


def history(steps: list[str] = STEPS, signers: dict[str, str] = SIGNERS,
            writers: dict[str, str] | None = None, verified: bool = True) -> FakeEngine:
    """An engine whose history shows `steps` finished in this order, each signing task by `signers`,
    the parties written by `writers` (variable -> activity; resolve-parties unless said otherwise)
    collect-open-work having listed the giver's task, and the last verification having accepted the
    checklist (`verified`) or having come back with questions (its summary is an earlier round's)."""
    activities = [{"id": f"{step}:1", "activityId": step, "canceled": False, "assignee": signers.get(step),
                   "endTime": (T0 + timedelta(minutes=i)).isoformat(timespec="milliseconds")}
                  for i, step in enumerate(steps)]
    writers = {name: "Task_ResolveParties" for name in PARTIES} | (writers or {})
    details = [{"variableName": name, "value": value, "variableType": "String",
                "activityInstanceId": f"{writers[name]}:1"} for name, value in PARTIES.items()]
    details.append({"variableName": "checklistSummary", "value": "3 items", "variableType": "String",
                    "activityInstanceId": "Task_RecordVerification:1" if verified else "Task_RecordVerification:0"})
    details.append({"variableName": "checklistItems", "variableType": "Json",
                    "value": json.dumps([row(GIVERS_TASK)]), "activityInstanceId": "Task_CollectOpenWork:1"})
    engine = FakeEngine().answer("GET", "/history/activity-instance", activities)
    engine.answer("GET", "/history/detail", details)
    engine.answer("GET", "/task", lambda request: [{"id": request.params["taskId"], "assignee": (
        "yang.fan" if request.params["taskId"] == GIVERS_TASK else "xu.ming")}])
    engine.answer("POST", f"/task/{GIVERS_TASK}/comment/create", {})
    return engine.answer("POST", f"/task/{GIVERS_TASK}/assignee", None)


def reassign(engine: FakeEngine, rows: list[dict[str, Any]]):
    variables = {"giverId": "yang.fan", "giverName": "杨帆", "receiverId": "wu.hao", "receiverName": "吴浩",
                 "checklistItems": rows}
    return HandlerEnvironment(engine=engine).run("handover.reassign-open-tasks", variables,
                                                 process_instance_id=INSTANCE, activity_id="Task_ReassignOpenTasks")


def refused(outcome: object, because: str) -> str:
    assert isinstance(outcome, Failed), f"expected an incident saying {because!r}, got {outcome}"
    assert outcome.incident, f"a refusal is an incident at once, not retried: {outcome}"
    assert because in outcome.message, outcome.message
    return outcome.message


def test_a_reassignment_with_no_check_passed_is_refused_naming_the_first_step() -> None:
    engine = history(steps=["Task_SendCopies"])
    refused(reassign(engine, [row(GIVERS_TASK)]), "Task_ResolveParties was not passed")
    assert not engine.requested("POST", f"/task/{GIVERS_TASK}/assignee")


def test_a_reassignment_whose_checks_ran_out_of_order_is_refused() -> None:
    out_of_order = [STEPS[1], STEPS[0], *STEPS[2:]]
    refused(reassign(history(steps=out_of_order), [row(GIVERS_TASK)]), "not passed in order")


def test_a_reassignment_after_a_verification_with_open_questions_is_refused() -> None:
    refused(reassign(history(verified=False), [row(GIVERS_TASK)]), "returned open questions")


def test_a_giver_id_written_by_a_user_task_is_refused() -> None:
    engine = history(writers={"giverId": "Task_ReceiverSigns"})
    refused(reassign(engine, [row(GIVERS_TASK)]), "giverId was not last written by Task_ResolveParties")


def test_a_signature_by_someone_other_than_the_named_party_is_refused_naming_who_signed() -> None:
    engine = history(signers=SIGNERS | {"Task_SupervisorConfirms": "zheng.yu"})
    outcome = HandlerEnvironment(engine=engine).run(
        "handover.record-signatures", {"organisationFile": str(DEMO)}, process_instance_id=INSTANCE,
        properties={"giverTask": "Task_GiverSigns", "receiverTask": "Task_ReceiverSigns",
                    "supervisorTask": "Task_SupervisorConfirms"}, activity_id="Task_RecordSignatures")
    refused(outcome, "Task_SupervisorConfirms was completed by zheng.yu, not by liu.min")


def test_only_tasks_collect_open_work_listed_as_the_givers_are_moved() -> None:
    engine = history()
    outcome = reassign(engine, [row(GIVERS_TASK), row(OTHERS_TASK)])
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["reassignedTasks"] == [GIVERS_TASK]
    assert [s["taskId"] for s in outcome.variables["skippedTasks"]] == [OTHERS_TASK]
    assert not engine.requested("POST", f"/task/{OTHERS_TASK}/assignee")


def test_archiving_signatures_not_recorded_by_record_signatures_is_refused(tmp_path: Path) -> None:
    """A `signatures` variable someone wrote after record-signatures (e.g. naming a friend) is not archived."""
    engine = history()
    engine.answer("GET", "/history/detail", [*engine.request("GET", "/history/detail"), {
        "variableName": "signatures", "variableType": "Json", "value": "[]", "activityInstanceId": "Task_GiverSigns:1"}])
    refused(archive(engine, tmp_path), "signatures was not last written by Task_RecordSignatures")
    assert not any(tmp_path.rglob("*.pdf")), "nothing may be archived"


def record_signatures(engine: FakeEngine, confirmed: dict[str, bool]) -> Any:
    engine.answer("GET", "/history/task", lambda request: [{
        "assignee": SIGNERS[request.params["taskDefinitionKey"]], "deleteReason": "completed",
        "endTime": T0.isoformat(timespec="milliseconds")}])
    return HandlerEnvironment(engine=engine).run(
        "handover.record-signatures", {"organisationFile": str(DEMO), **confirmed}, process_instance_id=INSTANCE,
        properties={"giverTask": "Task_GiverSigns", "receiverTask": "Task_ReceiverSigns",
                    "supervisorTask": "Task_SupervisorConfirms"}, activity_id="Task_RecordSignatures")


def test_a_signing_task_completed_without_the_confirmation_is_no_signature() -> None:
    """The form requires 我已核对并确认; a completion past Tasklist without it is an incident, never a signature."""
    outcome = record_signatures(history(), {"giverConfirmed": True, "supervisorConfirmed": True})
    refused(outcome, "the receiver completed their signing task without ticking '我已核对并确认 / I have checked and confirm'")


def test_each_confirmed_signature_records_what_its_signer_confirmed() -> None:
    outcome = record_signatures(history(), {f"{role}Confirmed": True for role in ("giver", "receiver", "supervisor")})
    assert isinstance(outcome, Completed), outcome
    assert [(s["role"], s["signedBy"]["id"], s["statement"]) for s in outcome.variables["signatures"]] == [
        (role, who, "我已核对并确认 / I have checked and confirm")
        for role, who in (("giver", "yang.fan"), ("receiver", "wu.hao"), ("supervisor", "liu.min"))]


def signed_variables() -> dict[str, Any]:
    """What the process holds when archive-checklist runs: the notice, one round, the signatures."""
    return {
        "organisationFile": str(DEMO), "giverId": "yang.fan", "giverName": "杨帆", "giverDepartmentId": "marketing",
        "receiverId": "wu.hao", "receiverName": "吴浩", "receivingDepartmentId": "sales",
        "supervisorId": "liu.min", "supervisorName": "刘敏", "reason": "postChange", "noticeDate": "2026-12-01",
        "plannedDate": "2026-12-20", "arrangements": "交接期间由郑宇协助处理客户来电。", "companyTimeZone": "Asia/Shanghai",
        "checklistItems": [row(GIVERS_TASK)],
        "handoverRounds": [{"round": 1, "returnedBy": "receiver", "at": "2026-12-02T16:30:00Z", "questions": [
            {"item": 1, "description": "回访客户", "question": "哪些客户？", "answer": "华东区三家。"}]}],
        "signatures": [{"signedBy": {"id": "yang.fan", "name": "杨帆"}, "role": "giver", "signedAt": T0.isoformat()}]}


def archive(engine: FakeEngine, root: Path):
    env = HandlerEnvironment(engine=engine)
    env.settings = env.settings.model_copy(update={"archive_dir": root})
    return env.run("handover.archive-checklist", signed_variables(), process_instance_id=INSTANCE,
                   activity_id="Task_ArchiveChecklist")


def test_the_archived_pdf_names_the_company_and_both_departments_from_the_organisation(tmp_path: Path) -> None:
    engine = history()
    engine.answer("GET", "/history/detail", [*engine.request("GET", "/history/detail"), {
        "variableName": "signatures", "variableType": "Json", "value": "[]",
        "activityInstanceId": "Task_RecordSignatures:1"}])
    outcome = archive(engine, tmp_path)
    assert isinstance(outcome, Completed), outcome
    record = json.loads((Path(outcome.variables["archiveFolder"]) / "record.json").read_text("utf-8"))
    assert record["content"]["company"] == "示例科技有限公司 / Example Technology Co., Ltd."
    assert record["content"]["giverDepartment"] == {"id": "marketing", "name": "市场部 / Marketing"}
    assert record["content"]["receivingDepartment"] == {"id": "sales", "name": "销售部 / Sales"}
    assert record["content"]["rounds"][0]["questions"][0]["answer"] == "华东区三家。"
    assert record["archivedAt"].endswith("+08:00"), "a person reading the record sees Beijing time"
    pdf = subprocess.run(["pdftotext", str(next(Path(outcome.variables["archiveFolder"]).glob("*archive.pdf"))), "-"],
                         capture_output=True, check=True, timeout=60).stdout.decode()
    text = "".join(pdf.split())
    for shown in ("示例科技有限公司", "市场部/Marketing(marketing)", "销售部/Sales(sales)", "2026年12月1日",
                  "交接期间由郑宇协助处理客户来电。", "哪些客户？", "华东区三家。", "2026年12月3日00:30"):
        assert shown in text, f"{shown!r} not in the archived PDF's text"
