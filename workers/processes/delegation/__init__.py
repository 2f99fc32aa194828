"""Process `delegation` (代理登记): who does a person's work while they are away (bpmn/delegation.bpmn).

`handlers` checks a registration; an active delegation is a running instance of this process
waiting at its end timer, which `workers.shared.delegation` reads for every process that assigns.
"""

PROCESS_KEY = "delegation"

WORKER_PERMISSIONS: dict = {}  # it reads only its own instance's variables
