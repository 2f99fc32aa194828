"""Process `approval` (审批, the reusable block of issue 12), bpmn/approval.bpmn; docs/approvals.md.

`handlers` holds the topics, `trail` what they read from the engine's history (who completed which
task, the decisions recorded so far); the rules and the record are in `workers.shared.approvals`,
which the calling processes use too.
"""

PROCESS_KEY = "approval"

# The decisions are read from the history (task completers, recorded decisions): READ_HISTORY on the
# definitions, which the runtime already grants, and READ on tasks for reminders. Nothing more.
WORKER_PERMISSIONS: dict = {}
