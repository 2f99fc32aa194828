"""Finds every registered worker: imports each module under `workers.processes` (plus any extra)."""

from __future__ import annotations

import importlib
import pkgutil
from typing import Iterable

import workers.processes
from workers.runtime.registry import Registry, default_registry


def load_registry(extra_modules: Iterable[str] = ()) -> Registry:
    for module in pkgutil.walk_packages(workers.processes.__path__, workers.processes.__name__ + "."):
        importlib.import_module(module.name)
    for name in extra_modules:
        importlib.import_module(name)
    return default_registry
