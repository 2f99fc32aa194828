"""The hand-over's typed boundary without an engine: what a person typed is read as typed so its
check names every field; what workers write is typed, and written as the forms and the BPMN read it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from workers import BusinessRejection
from workers.processes.work_handover import handlers
from workers.processes.work_handover.variables import (
    CheckChecklistInput,
    CheckNoticeInput,
    RecordSendBackInput,
    RecordVerificationInput,
    ResolvePartiesInput,
    ReturnedToGiver,
    VerifiedOutput,
)
from workers.runtime.variables import to_camunda

DEADLINES = {"companyTimeZone": "Asia/Shanghai", "deadlineTime": "18:00", "plannedDate": "2026-12-09"}
ROWS = [{"category": "equipment", "description": "Laptop", "location": "3F", "assetNumber": "IT-1", "contact": ""},
        {"category": "documents", "description": "Drafts", "location": "share"}]
FIRST_ROUND = {**DEADLINES, "preparationDays": 3, "handoverRound": 1, "handoverRounds": [],
               "receiverName": "吴浩", "supervisorName": "陈静"}


def written(output: BaseModel) -> dict[str, Any]:
    """The variables as the runtime completes the task with them."""
    return to_camunda(output.model_dump(by_alias=True))


def test_a_notice_typed_wrong_is_read_as_typed_so_its_check_can_name_every_field() -> None:
    notice = ResolvePartiesInput.model_validate({"giverId": " ", "reason": "holiday", "plannedDate": "next week"})

    assert (notice.giver_id, notice.reason, notice.planned_date) == (" ", "holiday", "next week")


def test_a_later_step_refuses_a_planned_date_that_is_not_a_date_naming_the_variable() -> None:
    with pytest.raises(ValidationError, match="plannedDate"):
        CheckNoticeInput.model_validate({"plannedDate": "next week", "noticeSubmittedAt": "2026-12-01T09:00:00+08:00",
                                         "reason": "resignation", "giverPostLevel": 1})


def test_an_incomplete_checklist_goes_back_to_the_giver_naming_each_missing_field() -> None:
    submitted = CheckChecklistInput.model_validate(
        {**DEADLINES, "verificationDays": 3, "checklistItems": [{"category": "equipment", "description": "Laptop"}]})

    with pytest.raises(BusinessRejection) as rejected:
        handlers.check_checklist(submitted)

    assert rejected.value.code == "CHECKLIST_INCOMPLETE"
    assert str(rejected.value).splitlines() == [
        "第 1 项 存放位置或系统 / item 1 Where it is（设备 / Equipment）: 需要注明存放位置或系统 / needs where it is",
        "第 1 项 资产编号 / item 1 Asset number（设备 / Equipment）: 设备需要资产编号 / equipment needs an asset number"]


def test_a_complete_checklist_is_written_as_rows_to_verify_with_a_deadline_the_timer_reads() -> None:
    submitted = CheckChecklistInput.model_validate({**DEADLINES, "verificationDays": 3, "checklistItems": ROWS})

    variables = written(handlers.check_checklist(submitted))

    rows = json.loads(variables["verificationItems"]["value"])
    assert [(r["categoryLabel"], r["contact"], r["verdict"]) for r in rows] == [
        ("设备 / Equipment", None, None), ("工作资料 / Documents", None, None)]
    assert variables["verificationDue"]["type"] == "String"
    assert variables["verificationDue"]["value"].endswith("T18:00:00+08:00")
    assert variables["checklistRejection"] == {"type": "Null", "value": None}


def test_a_question_sends_the_checklist_back_recording_the_round_and_the_question() -> None:
    verified = RecordVerificationInput.model_validate({
        **FIRST_ROUND, "confirmationDays": 2, "checklistItems": ROWS,
        "verificationItems": [{"verdict": "accept"}, {"verdict": "question", "question": " Which share? "}]})

    returned = handlers.record_verification(verified)

    assert isinstance(returned, ReturnedToGiver) and returned.has_questions and returned.handover_round == 2
    [record] = json.loads(written(returned)["handoverRounds"]["value"])
    assert (record["round"], record["returnedBy"], record["questions"]) == (
        1, "receiver", [{"item": 2, "description": "Drafts", "question": "Which share?", "answer": None}])


def test_a_verification_without_questions_clears_the_last_verdict_and_message_for_the_signatures() -> None:
    verified = RecordVerificationInput.model_validate({
        **FIRST_ROUND, "confirmationDays": 2, "checklistItems": ROWS,
        "verificationItems": [{"verdict": "accept"}, {"verdict": "accept"}]})

    output = handlers.record_verification(verified)

    assert isinstance(output, VerifiedOutput)
    variables = written(output)
    cleared = ("supervisorVerdict", "sendBackReason", "verificationRejection", "supervisorRejection", "openQuestions")
    assert {name: variables[name] for name in cleared} == {name: {"type": "Null", "value": None} for name in cleared}
    assert variables["checklistSummary"]["value"].startswith("1. [设备 / Equipment] Laptop — 3F (资产编号 / asset no.: IT-1)")


def test_a_send_back_records_the_supervisors_reason_and_name_and_starts_another_round() -> None:
    sent_back = RecordSendBackInput.model_validate({**FIRST_ROUND, "sendBackReason": " 缺少钥匙 / keys missing "})

    variables = written(handlers.record_sendback(sent_back))

    [record] = json.loads(variables["handoverRounds"]["value"])
    assert (record["returnedBy"], record["returnedByName"], record["reason"]) == (
        "supervisor", "陈静", "缺少钥匙 / keys missing")
    assert variables["hasQuestions"]["value"] is False and variables["handoverRound"]["value"] == 2
    assert variables["supervisorVerdict"] == {"type": "Null", "value": None}
