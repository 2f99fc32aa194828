"""Process `sharing-obligation` (定期信息共享, policy §2 cross point 3 and §3.3 step 4),
bpmn/sharing-obligation.bpmn; docs/information-sharing-obligations.md.

`scheduler` starts one instance per deadline of each `sharing_obligations` entry of the organisation
file (business key `<obligation id>@<deadline in UTC>`); `handlers` assigns the 准备并发布 / Prepare
and publish task to the owning department's head (or their delegate), whose completion publishes it
through information-sharing (the call activity after the task); records a missed deadline (and escalates it) and records the fulfilment; `records` keeps both as
write-once data files under the archive.
"""

from workers.runtime.permissions import Resource

PROCESS_KEY = "sharing-obligation"

WORKER_PERMISSIONS = {
    # the scheduler starts the occurrences (CREATE_INSTANCE on this process only + instance CREATE)
    # and looks for one already started under the same business key (READ_HISTORY), also after a restart
    (Resource.PROCESS_DEFINITION, PROCESS_KEY): ("CREATE_INSTANCE",),
    Resource.PROCESS_DEFINITION: ("READ_HISTORY",),
    Resource.PROCESS_INSTANCE: ("CREATE",),
    # a missed deadline is written as a comment on the open task, where its holder sees it
    Resource.TASK: ("READ",),
}
