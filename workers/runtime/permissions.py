"""The engine permissions a process's workers need, declared next to the process.

Each process package says what its workers do in the engine beyond fetching and completing their own
external tasks (`WORKER_PERMISSIONS` in its `__init__.py`); `workers.engine.access` grants the union to
the workers' technical user, and nothing more.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Mapping


class Resource(IntEnum):
    """Camunda 7 authorization resource type ids."""

    APPLICATION = 0
    USER = 1
    GROUP = 2
    GROUP_MEMBERSHIP = 3
    AUTHORIZATION = 4
    FILTER = 5
    PROCESS_DEFINITION = 6
    TASK = 7
    PROCESS_INSTANCE = 8


Permissions = Mapping[Resource, tuple[str, ...]]

# What the to-do watcher (workers.shared.notify.watch) reads: every open user task and its candidates
# (TASK READ; a query without it is not refused, it silently finds nothing), the definitions' names
# (READ), and which instances ended how and who started them (READ_HISTORY). Nothing it writes.
NOTIFIER_PERMISSIONS: Permissions = {
    Resource.PROCESS_DEFINITION: ("READ", "READ_HISTORY"),
    Resource.TASK: ("READ",),
}

# What polling needs: fetchAndLock finds nothing without READ and UPDATE on the instances
# (or READ_INSTANCE and UPDATE_INSTANCE on their definitions; both are granted).
POLLING_PERMISSIONS: Permissions = {
    Resource.PROCESS_DEFINITION: ("READ", "READ_INSTANCE", "UPDATE_INSTANCE"),
    Resource.PROCESS_INSTANCE: ("READ", "UPDATE"),
}


def union(*declared: Permissions) -> dict[Resource, tuple[str, ...]]:
    """All permissions of the declarations, per resource type, sorted."""
    merged: dict[Resource, set[str]] = {}
    for permissions in declared:
        for resource, names in permissions.items():
            merged.setdefault(Resource(resource), set()).update(names)
    return {resource: tuple(sorted(names)) for resource, names in sorted(merged.items())}


# What every worker process needs: it polls, and it runs the to-do watcher.
RUNTIME_PERMISSIONS: Permissions = union(POLLING_PERMISSIONS, NOTIFIER_PERMISSIONS)
