"""The reusable approval block (审批, issue 12): the called process `approval` (bpmn/approval.bpmn)
and what its callers need in Python: the decision record (`record`), the rules over it (`rules`) and
the table every PDF prints it with (`document`). docs/approvals.md shows how a process uses it.
"""
