"""Optional Prometheus metrics, fed by the worker's events (the loop knows nothing about them)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server

from workers.runtime.runner import Worker


class WorkerMetrics:
    def __init__(self, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        labels = ["topic"]
        self.fetched = Counter("crossdept_tasks_fetched", "External tasks fetched", labels, registry=self.registry)
        self.completed = Counter("crossdept_tasks_completed", "External tasks completed", labels, registry=self.registry)
        self.failed = Counter("crossdept_tasks_failed", "Technical failures reported", labels, registry=self.registry)
        self.bpmn_errors = Counter("crossdept_bpmn_errors", "Business rejections reported", labels, registry=self.registry)
        self.duration = Histogram(
            "crossdept_handler_seconds", "Handler run time until the outcome was reported", labels, registry=self.registry
        )

    def attach(self, worker: Worker) -> "WorkerMetrics":
        worker.on("task.fetched", lambda d: self.fetched.labels(d["task"]["topicName"]).inc())
        worker.on("task.completed", lambda d: self._done(self.completed, d))
        worker.on("task.failed", lambda d: self._done(self.failed, d))
        worker.on("task.bpmn_error", lambda d: self._done(self.bpmn_errors, d))
        return self

    def _done(self, counter: Counter, data: dict) -> None:
        topic = data["task"]["topicName"]
        counter.labels(topic).inc()
        self.duration.labels(topic).observe(data["seconds"])

    def serve(self, port: int) -> None:
        start_http_server(port, registry=self.registry)
