"""Process `work-handover` (工作交接, policy §3.2), bpmn/work-handover.bpmn; docs/work-handover.md.

`handlers` holds the topics, `rules` the policy's rules (checklist, verification), `checklist` the
《工作交接清单》 record and `pdf` its document.
"""

from workers.runtime.permissions import Resource

PROCESS_KEY = "work-handover"

WORKER_PERMISSIONS = {
    # who signed when, and which processes the giver started (history)
    Resource.PROCESS_DEFINITION: ("READ_HISTORY",),
    # the giver's open tasks: listed for the checklist, then moved to the receiver (setAssignee checks
    # TASK_ASSIGN; a comment needs only the task to be readable). Never UPDATE or TASK_WORK: with
    # those the workers' user could complete any user task, so a leaked password would sign for anyone.
    Resource.TASK: ("READ", "TASK_ASSIGN"),
}
