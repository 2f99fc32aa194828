"""Process `information-sharing` (信息共享, policy §3.3), bpmn/information-sharing.bpmn;
docs/information-sharing.md.

`rules` holds the policy's rules (who may receive, which channels, who approves, late or not),
`labels` the words staff read, `variables` each topic's input and output, `handlers` the topics.
Permissions come from decision `sharing-permissions` (dmn/sharing-permissions.dmn), never from here.
"""

from workers.runtime.permissions import Resource

PROCESS_KEY = "information-sharing"

SHARING_REQUEST_INVALID = "SHARING_REQUEST_INVALID"
SHARING_FEEDBACK_INVALID = "SHARING_FEEDBACK_INVALID"  # back to the department's 签收确认
SHARING_ANSWER_INVALID = "SHARING_ANSWER_INVALID"  # back to the publisher's 核实并答复反馈

WORKER_PERMISSIONS = {
    # A correction is a new instance of this process that the workers start (shareVersion + 1), and
    # the feedback answer reads the earlier version's acknowledgements from the history.
    # Starting is granted on this process only: the workers start no other process.
    (Resource.PROCESS_DEFINITION, PROCESS_KEY): ("CREATE_INSTANCE",),
    Resource.PROCESS_DEFINITION: ("READ", "READ_HISTORY"),
    Resource.PROCESS_INSTANCE: ("CREATE",),
}
