"""Starts the occurrences of every sharing obligation on schedule: `crossdept worker` runs it beside
its poll loop, like the to-do watcher.

Why here and not a BPMN timer start event: the schedules live in the organisation file, which the
office edits (and the responsibility review rewrites), and one process serves every obligation; a
timer start event would put each cadence into the diagram and need a redeploy per change. Every
`CROSSDEPT_OBLIGATION_SCAN_S` the scheduler re-reads the file when it changed and starts, for each
deadline whose task is due to appear (deadline − lead_time) since its last scan, one instance of
`sharing-obligation` with the business key `<obligation id>@<deadline in UTC>`.

**Exactly once per occurrence.** The start runs under the once store every worker of the deployment
shares (scope `sharing-obligation-schedule`), and inside it the engine is asked first whether an
instance with that business key exists (a worker that died between starting and recording leaves
that trace), so two workers, overlapping scans and restarts start nothing twice.

**Catch-up.** The position is kept in `STATE_DIR/obligation-schedule.json`. A worker that was down
starts every occurrence that fell into the gap when it comes back, logs how many and which, and the
task itself says it is a catch-up. The first scan on a new state folder starts from that moment:
deadlines before it are not invented retroactively. A start that fails (engine down) keeps the
position before it, so the next scan tries again.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from workers.processes.sharing_obligation import PROCESS_KEY
from workers.runtime.idempotency import OnceStore
from workers.runtime.settings import Settings
from workers.shared.organisation.obligations import SharingObligation
from workers.shared.scanning import ScanningCompanion, scan_until

log = logging.getLogger("crossdept.obligations")
SCOPE = "sharing-obligation-schedule"


@dataclass
class ScheduleReport:
    started: list[str] = field(default_factory=list)  # business keys started (or found started) now
    caught_up: list[str] = field(default_factory=list)  # of those, the ones due before the previous scan
    failed: list[str] = field(default_factory=list)


class ObligationScheduler(ScanningCompanion):
    STATE_FILE = "obligation-schedule.json"

    def run(self, stopping: threading.Event) -> None:
        """Scan until `stopping` is set; a failed scan is logged and retried later, never raised."""
        scan_until(stopping, lambda: self.scan().failed, self.settings.obligation_scan_s, "obligation scheduler",
                   "occurrence(s) not started", log)

    def scan(self) -> ScheduleReport:
        now, report = self.now(), ScheduleReport()
        since = self._since(now)
        resume = now
        for obligation in self.organisation().sharing_obligations:
            for deadline in obligation.deadlines_starting(since, now, self.zone):
                appears = deadline - obligation.lead
                if not self._start(obligation, deadline, report):
                    resume = min(resume, appears - timedelta(microseconds=1))
                elif now - appears > timedelta(seconds=2 * self.settings.obligation_scan_s):
                    report.caught_up.append(obligation.occurrence_key(deadline))
        if report.caught_up:
            log.warning("obligation scheduler: caught up %d occurrence(s) missed while no worker was scanning "
                        "(since %s): %s", len(report.caught_up), since.isoformat(), ", ".join(report.caught_up))
        self._save(resume)
        return report

    def _start(self, obligation: SharingObligation, deadline: datetime, report: ScheduleReport) -> bool:
        key = obligation.occurrence_key(deadline)
        try:
            self.once_store.once(key, SCOPE, "start", lambda: self._start_instance(key))
        except Exception as exc:  # one failed start must not hold back the others
            report.failed.append(f"{key}: {type(exc).__name__}: {exc}")
            return False
        report.started.append(key)
        return True

    def _start_instance(self, business_key: str) -> str:
        """The id of the occurrence's instance: an existing one with this business key, or a new one."""
        found = self.engine.request("GET", "/history/process-instance", params={
            "processDefinitionKey": PROCESS_KEY, "processInstanceBusinessKey": business_key, "maxResults": 1}) or []
        if found:
            return found[0]["id"]
        # Not retried here: a start that timed out may still commit, and a second POST would be a
        # second instance. The failure releases the claim; the next scan's look-up above finds it.
        started = self.engine.request("POST", f"/process-definition/key/{PROCESS_KEY}/start",
                                      json={"businessKey": business_key}, retry_for_s=0)
        log.info("obligation scheduler: started %s (%s)", business_key, started["id"])
        return started["id"]

    # --- state and organisation
    def _since(self, now: datetime) -> datetime:
        if not self.state_path.is_file():
            self._save(now)  # a new state folder starts here: nothing before it is invented
            return now
        try:
            return datetime.fromisoformat(json.loads(self.state_path.read_text(encoding="utf-8"))["scannedUntil"])
        except (ValueError, KeyError, TypeError) as exc:
            raise RuntimeError(f"{self.state_path} is not the obligation scheduler's state ({exc}); delete it to "
                               "start afresh from now (occurrences already started are not started again)") from exc

    def _save(self, until: datetime) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.state_path.with_suffix(".tmp")
        temporary.write_text(json.dumps({"scannedUntil": until.isoformat()}), encoding="utf-8")
        temporary.replace(self.state_path)


def scheduler_for(settings: Settings, engine: Any, once_store: OnceStore) -> ObligationScheduler:
    """The scheduler `crossdept worker` runs; an unreadable organisation file stops the start here."""
    scheduler = ObligationScheduler(settings, engine, once_store)
    scheduler.organisation()
    return scheduler
