"""Process `responsibility-review` (职责清单审核, policy §2), bpmn/responsibility-review.bpmn.

`review` holds the rules (rows, conflicts, the new version of the organisation file),
`handlers` the topics.
"""

PROCESS_KEY = "responsibility-review"

# Publishing provisions the organisation with the admin's credentials (users, groups, grants),
# not with the workers' user; the rest reads only its own instance's variables.
WORKER_PERMISSIONS: dict = {}
