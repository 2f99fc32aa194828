"""Process `project-cooperation-acceptance` (项目验收 and 项目考核, policy §3.1 step 5 and §5), the
called process bpmn/project-cooperation-acceptance.bpmn that the root `project-cooperation` calls
after implementation; docs/project-cooperation-acceptance.md.

`rules` holds the policy's rules (every criterion judged, a failed one explained, rectification by
the responsible department, nobody assessing their own department), `report` the 《项目验收报告》,
`documents` the project's File variables, `handlers` the topics.
"""

from workers.runtime.permissions import Resource

PROCESS_KEY = "project-cooperation-acceptance"

ACCEPTANCE_INCOMPLETE = "ACCEPTANCE_INCOMPLETE"
RECTIFICATION_INCOMPLETE = "RECTIFICATION_INCOMPLETE"
ASSESSMENT_INCOMPLETE = "ASSESSMENT_INCOMPLETE"

WORKER_PERMISSIONS = {
    # who completed each acceptance, rectification and assessment task (history, never a form), and
    # the File variables of the documents earlier phases made (history of the calling instances)
    Resource.PROCESS_DEFINITION: ("READ_HISTORY",),
    # the overdue tasks the reminders (cooperation-acceptance.remind) find and whose holders they remind
    Resource.TASK: ("READ",),
}
