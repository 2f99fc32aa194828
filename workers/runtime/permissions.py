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


# A grant on every resource of a type (`Resource.TASK`), or on one resource by its id
# (`(Resource.PROCESS_DEFINITION, "information-sharing")`: starting that process, not every process).
Target = Resource | tuple[Resource, str]
Permissions = Mapping[Target, tuple[str, ...]]
ANY_RESOURCE = "*"


def resource_of(target: Target) -> tuple[Resource, str]:
    """The resource type and id a declared target stands for ("*" when it names a type)."""
    if isinstance(target, tuple):
        resource, resource_id = target
        return Resource(resource), resource_id
    return Resource(target), ANY_RESOURCE

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


def union(*declared: Permissions) -> dict[Target, tuple[str, ...]]:
    """All permissions of the declarations, per target, sorted; a type's grants first, then each
    named resource's."""
    merged: dict[Target, set[str]] = {}
    for permissions in declared:
        for target, names in permissions.items():
            resource, resource_id = resource_of(target)
            key: Target = resource if resource_id == ANY_RESOURCE else (resource, resource_id)
            merged.setdefault(key, set()).update(names)
    return {target: tuple(sorted(names)) for target, names in sorted(merged.items(), key=lambda i: resource_of(i[0]))}


# What every worker process needs: it polls, and it runs the to-do watcher.
RUNTIME_PERMISSIONS: Permissions = union(POLLING_PERMISSIONS, NOTIFIER_PERMISSIONS)
