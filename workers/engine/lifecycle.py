"""Build, configure, start and stop the Camunda 7.24 engine we run ourselves (see engine/pom.xml).

No CLI code here: `workers/cli/engine.py` turns these functions into `crossdept engine ...`.
Every `EngineSetupError` message is meant for people: what is wrong and how to fix it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import requests
import yaml

from workers.engine import EngineSetupError
from workers.engine.access import ensure_worker_user
from workers.runtime.settings import Settings, generate_password, write_private
from workers.shared.organisation.model import USER_ID_PATTERN

ENGINE_DIR = Path(__file__).resolve().parents[2] / "engine"
BUILD_SCRIPT = ENGINE_DIR.parent / "docker" / "build-engine.sh"
JAR_NAME = "crossdept-engine.jar"
MIN_JAVA = 17
SECRET_NAMES = ("admin-password", "engine-password")


ProgressCallback = Callable[[str], None]


@dataclass(frozen=True)
class EngineInfo:
    pid: int
    port: int
    rest_url: str
    tasklist_url: str
    cockpit_url: str
    admin_url: str
    log_path: Path
    new_secrets: tuple[str, ...] = ()
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True)
class EngineStatus:
    running: bool
    pid: int | None
    port: int
    rest_answering: bool
    rest_url: str
    log_path: Path


# --- paths -----------------------------------------------------------------------------------


def engine_home(settings: Settings) -> Path:
    return settings.data_dir / "engine"


def log_path(settings: Settings) -> Path:
    return engine_home(settings) / "engine.log"


def pid_path(settings: Settings) -> Path:
    return engine_home(settings) / "engine.pid"


def built_jar(settings: Settings) -> Path:
    return settings.cache_dir / "engine-build" / JAR_NAME


def rest_url(port: int) -> str:
    return f"http://localhost:{port}/engine-rest"


# --- prerequisites ---------------------------------------------------------------------------


def java_major_version(version_output: str) -> int | None:
    """`java -version` output → major version ("1.8.0_292" → 8, "17.0.15" → 17, "21" → 21)."""
    match = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if not match:
        return None
    major = int(match.group(1))
    return int(match.group(2) or 0) if major == 1 else major


def check_prerequisites(*, maven: bool = True) -> None:
    """Java 17+ to run the engine; Maven and a JDK (javac) only when it has to be built."""
    if shutil.which("java") is None:
        raise EngineSetupError(
            f"Java {MIN_JAVA} or newer is required but `java` is not on PATH: "
            "apt-get install openjdk-17-jdk-headless"
        )
    result = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    found = java_major_version(result.stderr + result.stdout)
    if found is None or found < MIN_JAVA:
        raise EngineSetupError(
            f"Java {MIN_JAVA} or newer is required (found {found or 'an unknown version'}): "
            "apt-get install openjdk-17-jdk-headless, or put a newer `java` first on PATH"
        )
    if not maven:
        return
    if shutil.which("mvn") is None:
        raise EngineSetupError("Maven (mvn) is not installed, it builds the engine: apt-get install maven")
    if shutil.which("javac") is None:
        raise EngineSetupError(
            "Building the engine needs a JDK, not only a JRE (javac not found): "
            "apt-get install openjdk-17-jdk-headless"
        )


def port_in_use(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR ignores TIME_WAIT leftovers (Tomcat sets it too) but still fails on a listener.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return True
    return False


def ensure_port_free(port: int) -> None:
    if port_in_use(port):
        raise EngineSetupError(
            f"port {port} is already in use: stop what listens there or set CROSSDEPT_ENGINE_PORT"
        )


# --- build -----------------------------------------------------------------------------------


def jar_is_current(jar: Path, sources: Path = ENGINE_DIR) -> bool:
    """True when the jar is newer than every file under engine/ (pom and sources)."""
    if not jar.is_file():
        return False
    built = jar.stat().st_mtime
    for path in sources.rglob("*"):
        if "target" in path.relative_to(sources).parts[:1]:
            continue
        if path.is_file() and path.stat().st_mtime >= built:
            return False
    return True


def build_engine(settings: Settings, progress_callback: ProgressCallback | None = None) -> Path:
    """Build the engine jar into cache_dir/engine-build with Maven, unless it is up to date."""
    jar = built_jar(settings)
    if jar_is_current(jar):
        return jar
    report = progress_callback or (lambda _text: None)
    report("Maven: building the engine")
    command = ["sh", str(BUILD_SCRIPT), str(jar.parent)]  # the build the engine's Docker image runs
    tail: deque[str] = deque(maxlen=20)
    downloaded = 0
    process = subprocess.Popen(  # check_prerequisites has made sure Maven is there
        command, cwd=ENGINE_DIR, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL, text=True, bufsize=1,
    )
    assert process.stdout is not None
    with process:
        for line in process.stdout:
            tail.append(line.rstrip())
            if line.startswith("Downloaded from"):
                downloaded += 1
                report(f"Maven: downloaded {downloaded} artifacts")
    if process.returncode != 0 or not jar.is_file():
        raise EngineSetupError(
            f"Maven could not build the engine (exit code {process.returncode}) in {ENGINE_DIR}. "
            "Last lines of its output:\n" + "\n".join(tail)
        )
    jar.touch()  # Maven may leave an unchanged jar's mtime alone; the check above relies on it
    return jar


# --- secrets and configuration ---------------------------------------------------------------


def ensure_secrets(settings: Settings) -> dict[str, bool]:
    """Generate the admin and worker passwords unless configured or already generated.

    Returns {name: newly created?} so that a new password can be shown once.
    """
    explicit = {"admin-password": settings.admin_password, "engine-password": settings.engine_password}
    settings.secrets_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    settings.secrets_dir.chmod(0o700)
    created: dict[str, bool] = {}
    for name in SECRET_NAMES:
        path = settings.secrets_dir / name
        if explicit[name] is not None or path.is_file():
            created[name] = False
            continue
        write_private(path, generate_password(32) + "\n")
        created[name] = True
    return created


# A clean stop may spend this long compacting the H2 file: with WRITE_DELAY=0 every commit writes a
# chunk and H2's background housekeeping (its compaction) does not run, so the file grows quickly.
H2_COMPACT_ON_CLOSE_MS = 10_000


def h2_url(settings: Settings) -> str:
    """WRITE_DELAY=0: H2 writes each commit to the file (the OS has it, no fsync) before the engine
    answers, so a killed JVM loses no acknowledged commit; a power loss still may."""
    h2 = settings.data_dir / "h2"
    return (f"jdbc:h2:file:{h2}/camunda;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY={settings.h2_write_delay_ms};"
            f"MAX_COMPACT_TIME={H2_COMPACT_ON_CLOSE_MS}")


def _datasource(settings: Settings) -> dict[str, str]:
    if not settings.jdbc_url:
        (settings.data_dir / "h2").mkdir(parents=True, exist_ok=True)
        return {
            "url": h2_url(settings),
            "username": "sa",
            "password": "",
            "driver-class-name": "org.h2.Driver",
        }
    source = {"url": settings.jdbc_url}
    if settings.jdbc_url.startswith("jdbc:postgresql:"):
        source["driver-class-name"] = "org.postgresql.Driver"
    if settings.jdbc_user:
        source["username"] = settings.jdbc_user
    if settings.jdbc_password is not None:
        source["password"] = settings.jdbc_password.get_secret_value()
    return source


# Staff (every user but the workers'): a wrong password locks the account for 1 s, doubling with
# each further failure up to 30 s, and the 10th failure in a row locks it until an administrator
# unlocks it in Admin. Camunda's defaults are 3 s doubling up to 60 s, 10 attempts.
LOGIN_THROTTLING = {
    "login-delay-base": 1,
    "login-delay-factor": 2,
    "login-delay-max-time": 30,
    "login-max-attempts": 10,
}


def write_config(settings: Settings) -> Path:
    """Write data_dir/engine/application.yml, the Spring Boot configuration of our engine.

    Deliberately absent: a default history-time-to-live (models must declare theirs) and
    camunda.bpm.filter.create (no "All tasks" filter everyone could see).
    """
    admin_user, admin_password = settings.admin_credentials()
    config: dict = {
        "server": {"port": settings.engine_port},
        "spring": {"datasource": _datasource(settings)},
        "camunda": {
            "bpm": {
                "admin-user": {"id": admin_user, "password": admin_password},
                "authorization": {"enabled": True},
                # Without it DMN collect results reach Python workers as Java-serialized base64.
                "default-serialization-format": "application/json",
                "history-level": "full",
                "webapp": {"index-redirect-enabled": True},
                # Written out, not left to Camunda's default: how late a timer may fire follows from it.
                "job-execution": {"max-wait": settings.job_acquisition_max_wait_ms},
                "generic-properties": {"properties": {
                    # The default pattern, [a-zA-Z0-9]+, rejects user ids such as "crossdept-worker".
                    "user-resource-whitelist-pattern": USER_ID_PATTERN,
                    **LOGIN_THROTTLING,
                }},
            }
        },
        # Exempt from login throttling (engine/.../identity): a stranger cannot lock the workers out.
        "crossdept": {"rest-auth": True, "worker-user": settings.engine_user},
    }
    if settings.cors_allowed_origins:
        config["crossdept"]["cors"] = {"allowed-origins": ",".join(settings.cors_allowed_origins)}
    path = engine_home(settings) / "application.yml"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private(path, yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    return path


# --- process control -------------------------------------------------------------------------


def _reap(pid: int) -> None:
    """Collect our own exited child so that it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _alive(pid: int) -> bool:
    """True until the process has exited (a zombie counts as exited)."""
    _reap(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    tasks = Path(f"/proc/{pid}/task")
    if not tasks.is_dir():
        return not Path("/proc/self").exists()  # no procfs (macOS): trust kill(0)
    # Exited once every thread is a zombie: the main thread may be one while other threads still
    # tear down (and hold the listening socket).
    for stat in tasks.glob("*/stat"):
        try:
            if stat.read_text().rsplit(")", 1)[1].split()[0] not in ("Z", "X"):  # "tid (comm) S ..."
                return True
        except (OSError, IndexError):
            continue
    return False


def _is_engine_process(pid: int) -> bool:
    if not _alive(pid):
        return False
    if not Path("/proc/self").exists():
        return True  # no procfs (macOS): trust the pid file
    try:
        # A stale pid file may name a pid the system has reused for something else.
        return JAR_NAME.encode() in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def _running_pid(settings: Settings) -> int | None:
    try:
        pid = int(pid_path(settings).read_text(encoding="utf-8").strip())
    except (OSError, ValueError):
        return None
    return pid if _is_engine_process(pid) else None


def _signal(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the whole session we started
    except (ProcessLookupError, PermissionError):
        try:
            os.kill(pid, sig)  # foreground engines share the CLI's process group
        except ProcessLookupError:
            pass


def _wait_gone(pid: int, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if not _alive(pid):
            return True
        time.sleep(0.2)
    return not _alive(pid)


def stop_engine(settings: Settings, timeout_s: float = 60) -> bool:
    """Stop the engine started from this data_dir; False when none was running."""
    pid = _running_pid(settings)
    if pid is not None:
        _signal(pid, signal.SIGTERM)
        if not _wait_gone(pid, timeout_s):
            _signal(pid, signal.SIGKILL)
            _wait_gone(pid, 10)
    pid_path(settings).unlink(missing_ok=True)
    return pid is not None


def _rest_answers(port: int) -> bool:
    try:  # /engine needs no credentials
        return requests.get(f"{rest_url(port)}/engine", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def engine_status(settings: Settings) -> EngineStatus:
    pid = _running_pid(settings)
    return EngineStatus(
        running=pid is not None,
        pid=pid,
        port=settings.engine_port,
        rest_answering=_rest_answers(settings.engine_port),
        rest_url=rest_url(settings.engine_port),
        log_path=log_path(settings),
    )


def tail_log(path: Path, lines: int = 40) -> list[str]:
    try:
        with path.open(encoding="utf-8", errors="replace") as file:
            return [line.rstrip("\n") for line in deque(file, maxlen=lines)]
    except FileNotFoundError:
        return []


def follow_log(path: Path, stop: Callable[[], bool] = lambda: False, poll_s: float = 0.5) -> Iterator[str]:
    """Yield lines appended to the log from now on, until stop() is true."""
    position = path.stat().st_size if path.exists() else 0
    while not stop():
        size = path.stat().st_size if path.exists() else 0
        if size < position:
            position = 0  # a new start rotated the log
        if size > position:
            with path.open(encoding="utf-8", errors="replace") as file:
                file.seek(position)
                chunk = file.read()
                position = file.tell()
            yield from chunk.splitlines()
        else:
            time.sleep(poll_s)


def _install_jar(jar: Path, settings: Settings) -> Path:
    """Run a private copy: a rebuild rewrites the cached jar in place, which would break a running JVM."""
    target = engine_home(settings) / JAR_NAME
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.is_file() or target.stat().st_mtime < jar.stat().st_mtime:
        shutil.copy2(jar, target.with_suffix(".tmp"))
        target.with_suffix(".tmp").replace(target)  # new inode; a running JVM keeps the old one
    return target


def _spawn(settings: Settings, jar: Path, config: Path, *, foreground: bool) -> subprocess.Popen[bytes]:
    log = log_path(settings)
    if log.exists():
        log.replace(log.with_suffix(".log.1"))
    command = [
        "java", "-Dfile.encoding=UTF-8", "-jar", str(jar),
        f"--spring.config.additional-location=file:{config}",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, cwd=engine_home(settings), stdin=subprocess.DEVNULL, stdout=output,
            stderr=subprocess.STDOUT,
            # In the background the engine outlives the CLI; in the foreground it shares the
            # terminal's process group, so Ctrl-C and a closed terminal reach it too.
            start_new_session=not foreground,
        )
    pid_path(settings).write_text(f"{process.pid}\n", encoding="utf-8")
    return process


def _wait_until_ready(
    settings: Settings, process: subprocess.Popen[bytes], timeout_s: float,
    report: ProgressCallback,
) -> None:
    url = f"{rest_url(settings.engine_port)}/user?maxResults=1"
    auth = settings.admin_credentials()
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < timeout_s:
        report(f"waiting for the engine ({elapsed:.0f} s)")
        if process.poll() is not None:
            raise EngineSetupError(
                f"the engine exited with code {process.returncode} while starting. "
                f"Last lines of {log_path(settings)}:\n" + "\n".join(tail_log(log_path(settings), 30))
            )
        try:
            status = requests.get(url, auth=auth, timeout=2).status_code
        except requests.RequestException:
            status = None
        if status == 200:
            return
        if status == 401:
            raise EngineSetupError(
                f"the engine is up but rejects the password of admin user {auth[0]!r}: its database "
                "was created with another one. Set CROSSDEPT_ADMIN_PASSWORD to that password "
                f"(or remove {settings.data_dir / 'h2'} to start afresh)"
            )
        time.sleep(0.5)
    raise EngineSetupError(
        f"the engine did not answer within {timeout_s:.0f} s. Last lines of {log_path(settings)}:\n"
        + "\n".join(tail_log(log_path(settings), 30))
    )


def start_engine(
    settings: Settings, *, foreground: bool = False, timeout_s: float = 180,
    progress_callback: ProgressCallback | None = None,
) -> EngineInfo:
    """Build if needed, configure, start and wait until REST answers; then set up the worker user."""
    report = progress_callback or (lambda _text: None)
    pid = _running_pid(settings)
    if pid is not None:
        raise EngineSetupError(
            f"the engine is already running (pid {pid}, {rest_url(settings.engine_port)}): "
            "`crossdept engine stop` stops it"
        )
    check_prerequisites(maven=not jar_is_current(built_jar(settings)))
    ensure_port_free(settings.engine_port)
    created = ensure_secrets(settings)
    jar = _install_jar(build_engine(settings, report), settings)
    config = write_config(settings)
    process = _spawn(settings, jar, config, foreground=foreground)
    try:
        _wait_until_ready(settings, process, timeout_s, report)
        report("creating the worker user")
        ensure_worker_user(settings, base_url=rest_url(settings.engine_port))
    except BaseException:  # also Ctrl-C: do not leave a half-started engine behind
        stop_engine(settings, timeout_s=20)
        raise
    port = settings.engine_port
    return EngineInfo(
        pid=process.pid,
        port=port,
        rest_url=rest_url(port),
        tasklist_url=f"http://localhost:{port}/camunda/app/tasklist/",
        cockpit_url=f"http://localhost:{port}/camunda/app/cockpit/",
        admin_url=f"http://localhost:{port}/camunda/app/admin/",
        log_path=log_path(settings),
        new_secrets=tuple(name for name, new in created.items() if new),
        process=process,
    )
