"""All configuration, read once from CROSSDEPT_* environment variables and an optional `.env`.

Nothing else in the code reads the environment: pass a `Settings` (or the value you need) down.
"""

from __future__ import annotations

import os
import secrets
import socket
import string
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from typing_extensions import Annotated


def _default_worker_id() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CROSSDEPT_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- the engine as the workers and tools see it
    engine_url: str = Field(
        "http://localhost:8080/engine-rest", description="Base URL of the Camunda REST API."
    )
    engine_user: str = Field("crossdept-worker", description="Technical user the workers log in as.")
    engine_password: SecretStr | None = Field(
        None, description="Its password; when unset, the one `crossdept engine start` generated."
    )
    http_timeout_s: float = Field(10.0, gt=0, description="Timeout of every REST call but long polls.")

    # --- the engine we start ourselves (`crossdept engine ...`)
    engine_port: int = Field(8080, ge=1, le=65535)
    admin_user: str = "admin"
    admin_password: SecretStr | None = Field(
        None, description="When unset, one is generated on first start and kept in data_dir/secrets."
    )
    staff_initial_password: SecretStr | None = Field(
        None, description="Initial password of users `crossdept provision` creates; generated per user when unset."
    )
    cache_dir: Path = Field(
        Path.home() / ".cache" / "crossdept", description="Engine build output (outside the repo)."
    )
    data_dir: Path = Field(
        Path.home() / ".local" / "share" / "crossdept",
        description="H2 database, engine config and log, generated secrets, worker state.",
    )
    jdbc_url: str | None = Field(None, description="PostgreSQL instead of H2, e.g. jdbc:postgresql://host/db")
    jdbc_user: str | None = None
    jdbc_password: SecretStr | None = None
    h2_write_delay_ms: int = Field(
        0, ge=0, description="H2's WRITE_DELAY: 0 writes every commit to the file before the engine answers, "
        "so a killed engine loses nothing it acknowledged; H2's own default, 500, lost completions.")
    job_acquisition_max_wait_ms: int = Field(
        60_000, ge=5_000, description="Camunda's job-execution max-wait: an idle job executor backs off from 5 s "
        "up to this between acquisitions, and a timer due more than 5 s after it was created does not wake it, "
        "so a timer fires up to this long after its due time (Camunda's default, 60 s).")
    cors_allowed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Comma-separated; CORS stays off while empty."
    )

    # --- the worker runtime
    worker_id: str = Field(default_factory=_default_worker_id)
    concurrency: int = Field(8, ge=1, le=512, description="Handlers running at once.")
    lock_duration_ms: int = Field(30_000, ge=1_000)
    long_poll_ms: int = Field(10_000, ge=0, le=1_800_000)
    use_priority: bool = Field(
        True, description="Fetch higher camunda:taskPriority first; false skips the ordering (faster fetches).")
    retries: int = Field(3, ge=0, description="Default retries of a technical failure.")
    retry_backoff_s: float = Field(5.0, ge=0, description="First retry delay; doubles each retry.")
    retry_backoff_max_s: float = Field(600.0, ge=0)
    metrics_port: int | None = Field(None, description="Serve Prometheus metrics on this port.")
    log_format: str = Field("text", pattern="^(text|json)$")
    log_level: str = "INFO"

    # --- side effects
    smtp_host: str = "localhost"
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_starttls: bool = False
    mail_from: str = "crossdept@localhost"
    mail_outbox_dir: Path | None = Field(
        None, description="Write e-mails as .eml files here instead of sending them (trials; `crossdept up` "
        "uses DATA_DIR/outbox unless CROSSDEPT_SMTP_HOST is set).")
    webhook_urls: Annotated[list[str], NoDecode] = Field(default_factory=list)
    interface_url: str | None = Field(
        None, description="The receiving system of the information-sharing `interface` channel: signed JSON POSTs.")
    interface_secret: SecretStr | None = Field(
        None, description="HMAC-SHA256 key both sides share; when unset, DATA_DIR/secrets/interface-secret.")
    archive_dir: Path | None = Field(None, description="Defaults to data_dir/archive.")
    state_dir: Path | None = Field(None, description="Side-effect records; defaults to data_dir/state.")
    once_lease_s: float = Field(
        300.0, gt=0, description="How long a claim of task.once keeps other workers waiting; a worker that dies "
        "inside the effect leaves its claim, and the next delivery runs the effect again after this.")
    tasklist_url: str | None = Field(None, description="Link base for notifications.")

    # --- to-do notifications of every process (workers.shared.notify.watch)
    notify_todos: bool = Field(
        True, description="Tell the assignee (or candidates) of every new user task and the initiator of every "
        "ended process; false switches the watcher off (handlers' own messages still go out).")
    notify_scan_s: float = Field(10.0, gt=0, description="Seconds between two scans of the engine's tasks.")
    notify_overlap_s: float = Field(
        300.0, ge=0, description="Each scan looks this far behind the last one, for commits that became visible late.")
    organisation_file: Path = Field(
        Path("org/demo-organisation.yaml"), description="Who is who for the watcher's messages (relative: to the "
        "worker's folder), the file the processes' organisationFile properties name.")
    company_time_zone: str = Field("Asia/Shanghai", description="Due dates in to-do messages are given in it.")

    # --- regular sharing obligations (workers.processes.sharing_obligation.scheduler)
    schedule_obligations: bool = Field(
        True, description="Start the organisation file's sharing_obligations on schedule; false switches it off.")
    obligation_scan_s: float = Field(60.0, gt=0, description="Seconds between two looks at the schedules.")

    @field_validator("cors_allowed_origins", "webhook_urls", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @property
    def state_root(self) -> Path:
        return self.state_dir or self.data_dir / "state"

    @property
    def archive_root(self) -> Path:
        return self.archive_dir or self.data_dir / "archive"

    @property
    def secrets_dir(self) -> Path:
        return self.data_dir / "secrets"

    def read_secret(self, name: str, explicit: SecretStr | None) -> str:
        """An explicitly configured secret, else the one generated into secrets_dir."""
        if explicit is not None:
            return explicit.get_secret_value()
        path = self.secrets_dir / name
        if path.is_file():
            return path.read_text(encoding="utf-8").strip()
        raise MissingSecret(
            f"No {name}: set it in the environment (CROSSDEPT_{name.upper().replace('-', '_')}) "
            f"or run `crossdept engine start`, which generates one into {path}."
        )

    def worker_credentials(self) -> tuple[str, str]:
        return self.engine_user, self.read_secret("engine-password", self.engine_password)

    def admin_credentials(self) -> tuple[str, str]:
        return self.admin_user, self.read_secret("admin-password", self.admin_password)


class MissingSecret(RuntimeError):
    """A password is neither configured nor generated yet."""


def write_private(path: Path, text: str, *, append: bool = False) -> None:
    """Write (or append to) a file only its owner can read: it holds passwords."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if append else os.O_TRUNC)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "a" if append else "w", encoding="utf-8") as file:
        file.write(text)
    path.chmod(0o600)  # O_CREAT's mode does not apply to an existing file


_PASSWORD_ALPHABET = string.ascii_letters + string.digits


def generate_password(length: int) -> str:
    """A random password of letters and digits: nothing a shell, a command line (a leading "-") or a
    person copying it from the file can trip over; 32 characters carry about 190 bits."""
    return "".join(secrets.choice(_PASSWORD_ALPHABET) for _ in range(length))
