"""Finds every registered worker (imports each module under `workers.processes`, plus any extra) and
what each process's workers may do in the engine."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType
from typing import Iterable

import workers.processes
from workers.runtime.permissions import RUNTIME_PERMISSIONS, Target, union
from workers.runtime.registry import Registry, default_registry


def load_registry(extra_modules: Iterable[str] = ()) -> Registry:
    for module in pkgutil.walk_packages(workers.processes.__path__, workers.processes.__name__ + "."):
        importlib.import_module(module.name)
    for name in extra_modules:
        importlib.import_module(name)
    return default_registry


def process_packages() -> list[ModuleType]:
    """One package per BPMN process, e.g. `workers.processes.work_handover`."""
    return [importlib.import_module(info.name)
            for info in pkgutil.iter_modules(workers.processes.__path__, workers.processes.__name__ + ".")
            if info.ispkg]


def worker_permissions() -> dict[Target, tuple[str, ...]]:
    """What the workers' user is granted: the runtime's needs and each process's `WORKER_PERMISSIONS`."""
    return union(RUNTIME_PERMISSIONS, *(getattr(p, "WORKER_PERMISSIONS", {}) for p in process_packages()))
