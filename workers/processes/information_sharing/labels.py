"""The words staff read in this process: form labels (messages name fields by them), categories,
sensitivities and channels, Chinese first (the glossary of policy.md)."""

from __future__ import annotations

from enum import StrEnum

from workers.shared.notify import Bilingual


class Category(StrEnum):
    """信息分类 (policy §3.3 item 1): the start form's `category` select."""

    POLICY = "policy"
    BUSINESS_DATA = "business-data"
    PROJECT_PROGRESS = "project-progress"
    CUSTOMER = "customer"
    FINANCE = "finance"
    OTHER = "other"


class Sensitivity(StrEnum):
    PUBLIC = "public"
    INTERNAL = "internal"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"

    @property
    def sensitive(self) -> bool:
        """敏感信息: never travels in an e-mail or IM message, which carry the title and a link only."""
        return self in (Sensitivity.CONFIDENTIAL, Sensitivity.SECRET)


class Channel(StrEnum):
    """共享方式 (policy §3.3 item 2)."""

    RECORD = "record"
    EMAIL = "email"
    IM = "im"
    INTERFACE = "interface"


CATEGORY = {
    Category.POLICY: Bilingual(zh="制度规范", en="Policy and regulations"),
    Category.BUSINESS_DATA: Bilingual(zh="业务数据", en="Business data"),
    Category.PROJECT_PROGRESS: Bilingual(zh="项目进度", en="Project progress"),
    Category.CUSTOMER: Bilingual(zh="客户信息", en="Customer information"),
    Category.FINANCE: Bilingual(zh="财务预算", en="Finance and budget"),
    Category.OTHER: Bilingual(zh="其他", en="Other"),
}
SENSITIVITY = {
    Sensitivity.PUBLIC: Bilingual(zh="公开", en="Public"),
    Sensitivity.INTERNAL: Bilingual(zh="内部", en="Internal"),
    Sensitivity.CONFIDENTIAL: Bilingual(zh="机密", en="Confidential"),
    Sensitivity.SECRET: Bilingual(zh="绝密", en="Secret"),
}
CHANNEL = {
    Channel.RECORD: Bilingual(zh="系统记录", en="Record in Tasklist"),
    Channel.EMAIL: Bilingual(zh="内部邮件", en="E-mail"),
    Channel.IM: Bilingual(zh="即时通讯", en="Instant messaging"),
    Channel.INTERFACE: Bilingual(zh="系统接口", en="System interface"),
}

# The publish form's labels, by field key (forms/information-sharing-publish.form).
FIELD = {
    "title": "标题 / Title",
    "category": "信息分类 / Category",
    "sensitivity": "敏感程度 / Sensitivity",
    "summary": "摘要 / Summary",
    "content": "内容 / Content",
    "contentLink": "文档链接 / Link to the document",
    "targetDepartments": "接收部门 / Receiving departments",
    "channels": "共享方式 / Channels",
}

# The acknowledgement's and the answer's labels (forms/information-sharing-acknowledge.form,
# forms/information-sharing-answer.form).
FEEDBACK_FIELD = {
    "feedbackKind": "反馈 / Feedback",
    "feedbackText": "反馈内容 / Your feedback",
}
ANSWER_FIELD = {
    "feedbackAnswer": "答复 / Answer",
    "correctionNeeded": "需要更正，发布新版本 / Correct it: publish a new version",
    "correctedSummary": "更正后的摘要 / Corrected summary",
    "correctedContent": "更正后的内容 / Corrected content",
}

PROCESS_NAME = Bilingual(zh="信息共享", en="information sharing")
