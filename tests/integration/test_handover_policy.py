"""Decision `handover-policy` (policy §3.2) on the real engine: what a process owner edits in Modeler."""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.driver import EngineDriver

pytestmark = pytest.mark.engine

DMN_FILE = Path(__file__).resolve().parents[2] / "dmn" / "handover-policy.dmn"
REASONS = ("postChange", "resignation", "projectEnd")
POST_LEVELS = (1, 2, 3, 4, 5)
OUTPUTS = {
    "noticeWorkingDays", "preparationDays", "verificationDays", "confirmationDays", "archivingDays",
    "reminderIntervalHours", "escalateAfterReminders",
}


def evaluate(admin: EngineDriver, reason: str, giver_post_level: int) -> list[dict[str, Any]]:
    """The decision's matched rules, each as {output: value}, as a process would get them."""
    response = admin.session.post(
        admin.url + "/decision-definition/key/handover-policy/evaluate",
        json={"variables": {
            "reason": {"value": reason, "type": "String"},
            "giverPostLevel": {"value": giver_post_level, "type": "Integer"},
        }},
        timeout=10,
    )
    assert response.ok, f"evaluating handover-policy for {reason}/{giver_post_level} failed: {response.text}"
    return [{name: typed["value"] for name, typed in row.items()} for row in response.json()]


def deploy_policy(admin: EngineDriver, xml: str) -> str:
    deployment = admin.deploy_xml(f"test-handover-policy-{uuid.uuid4().hex[:6]}", {"handover-policy.dmn": xml})
    return deployment["id"]


def delete_deployment(admin: EngineDriver, deployment_id: str) -> None:
    response = admin.session.delete(f"{admin.url}/deployment/{deployment_id}", params={"cascade": "true"}, timeout=30)
    assert response.ok, f"deleting deployment {deployment_id} failed: {response.text}"


@pytest.fixture
def deployed_policy(admin: EngineDriver) -> Iterator[str]:
    """dmn/handover-policy.dmn as the latest version; removed afterwards so no later test sees ours."""
    deployment_id = deploy_policy(admin, DMN_FILE.read_text(encoding="utf-8"))
    yield deployment_id
    delete_deployment(admin, deployment_id)


def test_resignation_of_a_department_head_needs_fifteen_working_days_notice(
    admin: EngineDriver, deployed_policy: str
) -> None:
    [result] = evaluate(admin, "resignation", 4)
    assert result["noticeWorkingDays"] == 15
    assert result["escalateAfterReminders"] == 2, "escalation after the second reminder"


def test_post_change_of_staff_needs_three_working_days_notice(admin: EngineDriver, deployed_policy: str) -> None:
    [result] = evaluate(admin, "postChange", 1)
    assert result["noticeWorkingDays"] == 3


def test_every_reason_and_post_level_has_exactly_one_rule_with_every_parameter(
    admin: EngineDriver, deployed_policy: str
) -> None:
    for reason in REASONS:
        for level in POST_LEVELS:
            results = evaluate(admin, reason, level)
            assert len(results) == 1, f"{reason}, post level {level}: expected one rule, matched {results}"
            [result] = results
            assert set(result) == OUTPUTS, f"{reason}, post level {level}: outputs {sorted(result)}"
            assert all(isinstance(v, int) and v > 0 for v in result.values()), f"{reason}/{level}: {result}"


def test_an_unknown_reason_matches_no_rule(admin: EngineDriver, deployed_policy: str) -> None:
    assert evaluate(admin, "retirement", 1) == []


def test_changing_the_notice_days_in_the_table_and_redeploying_changes_the_outcome(
    admin: EngineDriver, deployed_policy: str
) -> None:
    assert evaluate(admin, "resignation", 4)[0]["noticeWorkingDays"] == 15

    # What a process owner does in Modeler: one cell of the table, then redeploy. No Python changes.
    edited, count = re.subn(
        r'(<outputEntry id="Rule_ResignationDepartmentHead_NoticeWorkingDays">\s*<text>)15(</text>)',
        r"\g<1>20\g<2>",
        DMN_FILE.read_text(encoding="utf-8"),
    )
    assert count == 1, "the department head's resignation notice cell was not found in the table"
    edited_deployment = deploy_policy(admin, edited)
    try:
        assert evaluate(admin, "resignation", 4)[0]["noticeWorkingDays"] == 20
        assert evaluate(admin, "resignation", 3)[0]["noticeWorkingDays"] == 10, "other rules are unchanged"
    finally:
        delete_deployment(admin, edited_deployment)
    assert evaluate(admin, "resignation", 4)[0]["noticeWorkingDays"] == 15, "back to the deployed file's value"
