"""The forms' labels by field key, as messages name the fields (checked against the forms by the
unit tests, so a renamed label cannot leave a message naming a field nobody sees)."""

CALL = {  # cooperation-implementation-call-meeting
    "meetingCallTopic": "会议议题 / Topic",
    "meetingCallDate": "会议日期 / Date",
    "meetingCallTime": "开始时间（时:分） / Start time (HH:MM)",
    "meetingCallAgenda": "议程与原因 / Agenda and reason",
}
MINUTES = {  # cooperation-implementation-minutes
    "meetingAttendees": "出席人员 / Attendees",
    "meetingDiscussion": "讨论内容 / Discussion",
    "meetingDecisions": "决定事项 / Decisions",
    "actionItems": "待办事项 / Action items",
}
ACTION_ITEM = {  # the rows of actionItems
    "item": "事项 / Item",
    "department": "负责部门 / Owning department",
    "dueDate": "完成期限 / Due date",
}
PROGRESS = {  # cooperation-implementation-progress
    "milestones": "里程碑 / Milestones",
    "implementationComplete": "项目实施完成 / Implementation complete",
}
MILESTONE = {  # the rows of milestones
    "actualDate": "实际完成日期 / Actual date",
    "reason": "未完成或逾期原因 / Reason (not reached or late)",
}
