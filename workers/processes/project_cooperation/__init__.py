"""Process `project-cooperation` (项目合作, policy §3.1 steps 1–3 and the main flow),
bpmn/project-cooperation.bpmn; docs/project-cooperation.md.

`rules` holds the policy's checks (application, assessment, agreement) as pure functions, `labels`
the forms' labels the messages name, `documents` the three PDFs and how they are kept (archive, File
variable, `projectDocuments`), `handlers` the topics.
"""

from workers.runtime.permissions import Resource

PROCESS_KEY = "project-cooperation"

APPLICATION_INVALID = "APPLICATION_INVALID"
ASSESSMENT_INVALID = "ASSESSMENT_INVALID"
AGREEMENT_INVALID = "AGREEMENT_INVALID"
BRIEF_INVALID = "BRIEF_INVALID"

WORKER_PERMISSIONS = {
    # who started the instance and who completed the assessing and drafting tasks (history): the
    # requesting department, the assessors and the approvals' applicant come from the engine
    Resource.PROCESS_DEFINITION: ("READ_HISTORY",),
    # the overdue tasks the reminders (cooperation.remind) find and whose holders they remind
    Resource.TASK: ("READ",),
}
