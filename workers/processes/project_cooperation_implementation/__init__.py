"""Process `project-cooperation-implementation` (项目实施, policy §3.1 step 4 and the meetings of §4),
bpmn/project-cooperation-implementation.bpmn, called by `project-cooperation` after the agreement;
docs/project-cooperation-implementation.md.

`meetings` holds the cadence and the meetings, `invitation` the iCalendar invitation, `rules` the
checks of what people enter (minutes, special meeting requests, milestones), `pdf` the minutes,
`handlers` the topics and `variables` their models.
"""

from workers.runtime.permissions import Resource

PROCESS_KEY = "project-cooperation-implementation"

MEETING_CALL_INVALID = "MEETING_CALL_INVALID"
MINUTES_INVALID = "MINUTES_INVALID"
PROGRESS_INVALID = "PROGRESS_INVALID"

WORKER_PERMISSIONS = {
    # who called a special meeting: the completer of the call task, from the history
    Resource.PROCESS_DEFINITION: ("READ_HISTORY",),
    # the action items' follow-up tasks and the minutes: found to remind them; follow-ups counted at the end
    Resource.TASK: ("READ",),
}
