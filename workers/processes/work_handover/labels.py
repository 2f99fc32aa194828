"""The hand-over forms' field labels, as staff read them, for messages that name a field.

A rejection names the field as the person sees it on their form (Chinese first, then English), never
the variable's key; tests/unit/test_handover_messages.py checks each label here against the .form
file, so a label changed in Modeler fails the tests until it is changed here too. (The worker image
carries no forms folder, so the labels cannot be read from the files at run time.)
"""

from __future__ import annotations

NOTICE = {  # forms/work-handover-notice.form, the initiator's
    "giverId": "交出人 / Person handing over",
    "receiverId": "接收人 / Receiver",
    "receivingDepartmentId": "接收部门 / Receiving department",
    "reason": "交接原因 / Reason",
    "plannedDate": "计划交接日期 / Planned hand-over date",
    "arrangements": "交接安排 / Arrangements",
}

CHECKLIST = {  # forms/work-handover-checklist.form, the giver's
    "checklistItems": "交接事项 / Items",
    "checklistItems.category": "类别 / Category",
    "checklistItems.description": "说明 / Description",
    "checklistItems.location": "存放位置或系统 / Where it is",
    "checklistItems.contact": "客户联系人 / Customer contact",
    "checklistItems.assetNumber": "资产编号 / Asset number",
    "checklistItems.camundaTaskId": "系统任务编号（交接后自动转给接收人） / Task number (moved to the receiver automatically)",
    "questionAnswers": "接收人的疑问与您的答复 / The receiver's questions and your answers",
    "questionAnswers.answer": "答复 / Answer",
}

VERIFY = {  # forms/work-handover-verify.form, the receiver's
    "verificationItems": "交接事项 / Items",
    "verificationItems.verdict": "核验结果 / Verdict",
    "verificationItems.question": "疑问 / Question",
}

SIGN = {  # forms/work-handover-sign.form, each signer's
    "signatureConfirmed": "我已核对并确认 / I have checked and confirm",
    "supervisorVerdict": "监交人意见 / Supervisor's verdict",
    "sendBackReason": "退回原因 / Reason for sending back",
}

FORMS = {"work-handover-notice": NOTICE, "work-handover-checklist": CHECKLIST, "work-handover-verify": VERIFY, "work-handover-sign": SIGN}
