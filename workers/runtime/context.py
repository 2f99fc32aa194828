"""What a handler may know about the task it is running, besides its variables."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class TaskContext:
    task_id: str
    topic: str
    worker_id: str
    process_instance_id: str
    process_definition_key: str | None
    business_key: str | None
    activity_id: str | None
    activity_instance_id: str | None
    retries: int | None
    extension_properties: dict[str, str] = field(default_factory=dict)
    once_store: Any = None  # workers.runtime.idempotency.OnceStore; Any keeps this module import-free
    settings: Any = None  # workers.runtime.settings.Settings the worker runs with
    engine: Any = None  # workers.runtime.client.EngineClient, logged in as the workers' technical user

    def once(self, key: str, action: Callable[[], T]) -> T:
        """Run `action` once per process instance + activity + key, however often the task is delivered.

        The first successful run's result is kept in durable storage and returned on later deliveries.
        """
        if self.once_store is None:
            raise RuntimeError("this TaskContext has no idempotency store")
        return self.once_store.once(self.process_instance_id, self.activity_id or self.topic, key, action)
