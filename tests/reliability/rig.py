"""One system under test: an engine of the suite's own (H2 or PostgreSQL), the demo organisation,
our models, the real workers as a `crossdept worker` subprocess behind a loopback proxy, and the
mailbox, webhook and archive folder they write to. Everything here was started by the suite, so
the suite may kill it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from tests.conftest import engine_settings, free_port
from tests.reliability.outside import Mailbox, Proxy, Webhook, start_webhook
from tests.support.driver import EngineDriver, wait_until
from tests.support.staff import Staff, demo_with_starters
from workers.engine import lifecycle
from workers.shared.archive import TEMP_SUFFIX
from workers.runtime.settings import Settings
from workers.shared.notify.mail import message_id

ROOT = Path(__file__).resolve().parents[2]
# work-handover goes with FAST_RETRIES; the cooperation's called phases get their organisation file
# from the caller, and no hostile input here reaches them
OTHER_BPMN = ["delegation.bpmn", "responsibility-review.bpmn", "project-cooperation.bpmn", "approval.bpmn",
              "information-sharing.bpmn"]
FORMS = sorted(path.name for path in (ROOT / "forms").glob("*.form"))
DECISIONS = tuple(sorted(path.name for path in (ROOT / "dmn").glob("*.dmn")))
# Production waits minutes between retries; a fault that lasts seconds should not wait that long.
FAST_RETRIES = {f'name="retryBackoff" value="{value}"': 'name="retryBackoff" value="PT1S"'
                for value in ("PT1M", "PT30S", "PT5M")}


@dataclass
class WorkerProcess:
    """`crossdept worker` for every topic, talking to the engine through the proxy."""

    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    # Mails whose send was under way when the worker was SIGKILLed: claimed in the once store, not
    # recorded as done. workers/runtime/idempotency.py promises at-least-once for exactly these.
    interrupted_mails: set[str] = field(default_factory=set)

    def start(self) -> None:
        self.starts += 1
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workers", "worker"], cwd=ROOT,
                env={**self.env, "CROSSDEPT_WORKER_ID": f"reliability-{self.starts}"},
                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)

    def kill(self) -> None:
        """SIGKILL: no in-flight handler finishes, no lock is given back."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)
            self.interrupted_mails |= self._mails_mid_send()

    def _mails_mid_send(self) -> set[str]:
        """The Message-IDs of the mails the killed worker had claimed and not finished."""
        store = Path(self.env["CROSSDEPT_DATA_DIR"]) / "state" / "side-effects.sqlite"
        if not store.exists():
            return set()
        with contextlib.closing(sqlite3.connect(store, timeout=30)) as db:
            keys = [row[0] for row in db.execute(
                "SELECT effect_key FROM crossdept_once_claims WHERE NOT done AND effect_key LIKE 'mail:%'")]
        mail_from = self.env.get("CROSSDEPT_MAIL_FROM", Settings.model_fields["mail_from"].default)
        return {message_id(key.removeprefix("mail:"), mail_from) for key in keys}

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Rig:
    database: str
    settings: Settings
    admin: EngineDriver
    staff: Staff
    mailbox: Mailbox
    webhook: Webhook
    proxy: Proxy
    worker: WorkerProcess
    archive: Path
    organisation_file: Path
    logs: list[Path] = field(default_factory=list)

    def kill_engine(self) -> None:
        pid = lifecycle.engine_status(self.settings).pid
        assert pid is not None, f"the {self.database} engine is not running"
        os.killpg(pid, signal.SIGKILL)
        wait_until(lambda: not lifecycle.engine_status(self.settings).running, 30, "the killed engine to be gone")

    def start_engine(self) -> None:
        lifecycle.start_engine(self.settings, foreground=False, timeout_s=240)

    def duplicates(self) -> list[str]:
        return self.mailbox.duplicates() + self.webhook.duplicates() + archive_duplicates(self.archive)


def archive_duplicates(root: Path) -> list[str]:
    """An instance folder with a copy written twice (more PDFs than the three holders) or a copy
    left half-written."""
    found = []
    for folder in sorted(p for p in root.rglob("*") if p.is_dir()):
        pdfs = list(folder.glob("*.pdf"))
        if len(pdfs) > 3:
            found.append(f"archive {folder.name}: {len(pdfs)} copies {sorted(p.name for p in pdfs)}")
        found += [f"archive {folder.name}: half-written {p.name}" for p in folder.glob(f".*{TEMP_SUFFIX}")]
    return found


@contextlib.contextmanager
def rig(database: str, folder: Path, jdbc_url: str | None = None) -> Iterator[Rig]:
    port = free_port()
    overrides = {"jdbc_url": jdbc_url, "jdbc_user": "camunda", "jdbc_password": "camunda"} if jdbc_url else {}
    settings = engine_settings(folder / "engine", port, **overrides)
    mailbox, (webhook, webhook_server) = Mailbox(), start_webhook()
    proxy = Proxy(port)
    lifecycle.start_engine(settings, foreground=False, timeout_s=240)
    worker = None
    try:
        admin = EngineDriver(settings.engine_url, *settings.admin_credentials())
        staff = Staff(settings, admin)
        organisation_file = folder / "organisation.yaml"
        staff.provision(demo_with_starters(organisation_file))
        staff.deploy(f"reliability-{database}", organisation_file, OTHER_BPMN, FORMS, DECISIONS)
        _deploy_fast_retries(staff, organisation_file)
        archive = folder / "archive"
        worker = WorkerProcess(_worker_env(settings, proxy, mailbox, webhook, archive, folder), folder / "worker.log")
        worker.start()
        yield Rig(database, settings, admin, staff, mailbox, webhook, proxy, worker, archive,
                  organisation_file, [folder / "worker.log", lifecycle.log_path(settings)])
    finally:
        if worker is not None:
            worker.stop()
        lifecycle.stop_engine(settings)
        proxy.stop()
        mailbox.down()
        webhook_server.shutdown()


def _deploy_fast_retries(staff: Staff, organisation_file: Path) -> None:
    staff.deploy("reliability-handover", organisation_file, ["work-handover.bpmn"], [], ("handover-policy.dmn",),
                 edits=FAST_RETRIES)


def _worker_env(settings: Settings, proxy: Proxy, mailbox: Mailbox, webhook: Webhook, archive: Path,
                folder: Path) -> dict[str, str]:
    user, password = settings.worker_credentials()
    keep = {name: value for name, value in os.environ.items() if not name.startswith("CROSSDEPT_")}
    return {**keep, "CROSSDEPT_ENGINE_URL": f"http://127.0.0.1:{proxy.port}/engine-rest",
            "CROSSDEPT_ENGINE_USER": user, "CROSSDEPT_ENGINE_PASSWORD": password,
            "CROSSDEPT_DATA_DIR": str(folder / "worker"), "CROSSDEPT_ARCHIVE_DIR": str(archive),
            "CROSSDEPT_SMTP_HOST": "127.0.0.1", "CROSSDEPT_SMTP_PORT": str(mailbox.port),
            "CROSSDEPT_WEBHOOK_URLS": f"{webhook.base_url}/hook",
            "CROSSDEPT_TASKLIST_URL": "http://localhost/camunda/app/tasklist/default/",
            "CROSSDEPT_LONG_POLL_MS": "5000", "CROSSDEPT_LOCK_DURATION_MS": "15000",
            "CROSSDEPT_HTTP_TIMEOUT_S": "5", "CROSSDEPT_RETRY_BACKOFF_S": "0.5", "CROSSDEPT_RETRY_BACKOFF_MAX_S": "5",
            "CROSSDEPT_CONCURRENCY": "4", "CROSSDEPT_LOG_LEVEL": "WARNING",
            # A worker killed inside a side effect holds its claim this long (300 s by default,
            # longer than the suite waits for an instance to end).
            "CROSSDEPT_ONCE_LEASE_S": "20"}
