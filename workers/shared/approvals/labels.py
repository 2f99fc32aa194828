"""The approval forms' field labels as staff read them, for messages that name a field.

tests/unit/test_approval_rules.py checks each label against forms/approval-*.form, so a label changed
in Modeler fails the tests until it is changed here (the worker image carries no forms folder).
"""

from __future__ import annotations

DECIDE = {  # forms/approval-decide.form, each approver's
    "approvalVerdict": "审批结论 / Verdict",
    "approvalTransferTo": "转交给 / Transfer to",
    "approvalComment": "审批意见（驳回、转交时必填） / Comment (required to reject or transfer)",
}

WITHDRAW = {  # forms/approval-withdraw.form, the applicant's
    "approvalWithdrawReason": "撤回原因 / Reason for withdrawing",
}

FORMS = {"approval-decide": DECIDE, "approval-withdraw": WITHDRAW}
