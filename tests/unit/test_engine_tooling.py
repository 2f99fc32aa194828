"""Our own logic around the engine: configuration, secrets, prerequisites, ports, pid files."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from workers.runtime.settings import MissingSecret, Settings
from workers.engine import lifecycle as engine
from workers.engine import EngineSetupError
from workers.engine.access import ensure_worker_user


def make_settings(tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "data_dir": tmp_path / "data",
        "cache_dir": tmp_path / "cache",
        "engine_port": 18080,
        "admin_password": None,
        "engine_password": None,
        "jdbc_url": None,
        "cors_allowed_origins": [],
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def read_config(settings: Settings) -> dict:
    path = engine.write_config(settings)
    assert path == settings.data_dir / "engine" / "application.yml"
    assert mode(path) == 0o600  # it holds passwords
    return yaml.safe_load(path.read_text(encoding="utf-8"))


# --- write_config ------------------------------------------------------------------------------


def test_config_for_h2(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, admin_password=SecretStr("s3cret"), admin_user="boss")
    config = read_config(settings)

    assert config["server"]["port"] == 18080
    source = config["spring"]["datasource"]
    # WRITE_DELAY=0: every commit is in the file before the engine answers (see test_h2_durability)
    assert source["url"] == (f"jdbc:h2:file:{settings.data_dir}/h2/camunda;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0;"
                             "MAX_COMPACT_TIME=10000")
    assert source["driver-class-name"] == "org.h2.Driver"
    bpm = config["camunda"]["bpm"]
    assert bpm["admin-user"] == {"id": "boss", "password": "s3cret"}
    assert bpm["authorization"]["enabled"] is True
    assert bpm["default-serialization-format"] == "application/json"
    assert bpm["history-level"] == "full"
    assert bpm["webapp"]["index-redirect-enabled"] is True
    assert "filter" not in bpm  # no "All tasks" filter
    assert "history-time-to-live" not in bpm["generic-properties"]["properties"]  # models declare it
    # CORS off while no origins are set; the workers' user is exempt from login throttling.
    assert config["crossdept"] == {"rest-auth": True, "worker-user": "crossdept-worker"}


def test_config_throttles_staff_logins_briefly_and_locks_at_ten_failures(tmp_path: Path) -> None:
    properties = read_config(make_settings(tmp_path, admin_password=SecretStr("pw")))["camunda"]["bpm"][
        "generic-properties"]["properties"]
    assert (properties["login-delay-base"], properties["login-delay-factor"], properties["login-delay-max-time"]) == (1, 2, 30)
    assert properties["login-max-attempts"] == 10


def test_config_writes_the_job_executors_max_wait_the_tests_bound_their_timer_waits_by(tmp_path: Path) -> None:
    def max_wait(**overrides: object) -> object:
        settings = make_settings(tmp_path, admin_password=SecretStr("pw"), **overrides)
        return read_config(settings)["camunda"]["bpm"]["job-execution"]["max-wait"]

    assert max_wait() == 60_000  # Camunda's own default, written out
    assert max_wait(job_acquisition_max_wait_ms=10_000) == 10_000


def test_config_for_postgresql_and_cors(tmp_path: Path) -> None:
    settings = make_settings(
        tmp_path,
        admin_password=SecretStr("pw"),
        jdbc_url="jdbc:postgresql://db:5432/camunda",
        jdbc_user="camunda",
        jdbc_password=SecretStr("dbpw"),
        cors_allowed_origins="https://a.example, https://b.example",
    )
    config = read_config(settings)

    assert config["spring"]["datasource"] == {
        "url": "jdbc:postgresql://db:5432/camunda",
        "driver-class-name": "org.postgresql.Driver",
        "username": "camunda",
        "password": "dbpw",
    }
    assert config["crossdept"]["cors"]["allowed-origins"] == "https://a.example,https://b.example"
    assert not (settings.data_dir / "h2").exists()


def test_config_needs_an_admin_password(tmp_path: Path) -> None:
    with pytest.raises(MissingSecret):
        engine.write_config(make_settings(tmp_path))


# --- ensure_secrets ----------------------------------------------------------------------------


def test_secrets_are_generated_once_and_private(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)

    assert engine.ensure_secrets(settings) == {"admin-password": True, "engine-password": True}
    assert mode(settings.secrets_dir) == 0o700
    first = {}
    for name in ("admin-password", "engine-password"):
        path = settings.secrets_dir / name
        assert mode(path) == 0o600
        first[name] = path.read_text(encoding="utf-8")
        assert len(first[name].strip()) >= 24
    assert first["admin-password"] != first["engine-password"]

    assert engine.ensure_secrets(settings) == {"admin-password": False, "engine-password": False}
    assert {name: (settings.secrets_dir / name).read_text(encoding="utf-8") for name in first} == first
    assert settings.admin_credentials() == ("admin", first["admin-password"].strip())


def test_explicit_secrets_are_not_generated(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, admin_password=SecretStr("given"))

    assert engine.ensure_secrets(settings) == {"admin-password": False, "engine-password": True}
    assert not (settings.secrets_dir / "admin-password").exists()
    assert settings.admin_credentials() == ("admin", "given")


# --- prerequisites -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("output", "major"),
    [
        ('openjdk version "17.0.15" 2025-04-15', 17),
        ('openjdk version "21" 2023-09-19', 21),
        ('java version "1.8.0_292"', 8),
        ("something else", None),
    ],
)
def test_java_major_version(output: str, major: int | None) -> None:
    assert engine.java_major_version(output) == major


def fake_tools(mocker, missing: set[str] = set(), java_output: str = 'openjdk version "17.0.2"'):
    mocker.patch.object(engine.shutil, "which", side_effect=lambda name: None if name in missing else f"/usr/bin/{name}")
    mocker.patch.object(
        engine.subprocess, "run",
        return_value=subprocess.CompletedProcess(["java", "-version"], 0, stdout="", stderr=java_output),
    )


def test_prerequisites_met(mocker) -> None:
    fake_tools(mocker)
    engine.check_prerequisites()


def test_java_missing(mocker) -> None:
    fake_tools(mocker, missing={"java"})
    with pytest.raises(EngineSetupError, match=r"Java 17 or newer is required .*apt-get install openjdk-17"):
        engine.check_prerequisites()


def test_java_too_old(mocker) -> None:
    fake_tools(mocker, java_output='openjdk version "11.0.22" 2024-01-16')
    with pytest.raises(EngineSetupError, match=r"Java 17 or newer is required \(found 11\)"):
        engine.check_prerequisites(maven=False)


def test_maven_missing_only_matters_for_a_build(mocker) -> None:
    fake_tools(mocker, missing={"mvn"})
    engine.check_prerequisites(maven=False)
    with pytest.raises(EngineSetupError, match=r"Maven \(mvn\) is not installed.*apt-get install maven"):
        engine.check_prerequisites(maven=True)


def test_jre_without_javac_cannot_build(mocker) -> None:
    fake_tools(mocker, missing={"javac"})
    with pytest.raises(EngineSetupError, match="needs a JDK"):
        engine.check_prerequisites(maven=True)


# --- ports -------------------------------------------------------------------------------------


def test_port_in_use_is_detected() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert engine.port_in_use(port)
        with pytest.raises(EngineSetupError, match=f"port {port} is already in use: .*CROSSDEPT_ENGINE_PORT"):
            engine.ensure_port_free(port)
    assert not engine.port_in_use(port)
    engine.ensure_port_free(port)


# --- build freshness ---------------------------------------------------------------------------


def test_jar_is_current_compares_with_every_source(tmp_path: Path) -> None:
    sources = tmp_path / "engine"
    java = sources / "src" / "App.java"
    java.parent.mkdir(parents=True)
    (sources / "pom.xml").write_text("<project/>")
    java.write_text("class App {}")
    jar = tmp_path / "build" / "crossdept-engine.jar"
    assert not engine.jar_is_current(jar, sources)

    jar.parent.mkdir()
    jar.write_bytes(b"jar")
    past = time.time() - 100
    for path in (sources / "pom.xml", java):
        os.utime(path, (past, past))
    assert engine.jar_is_current(jar, sources)

    (sources / "target").mkdir()  # Maven's default output inside engine/ is ignored
    (sources / "target" / "x.class").write_bytes(b"")
    assert engine.jar_is_current(jar, sources)

    java.touch()
    assert not engine.jar_is_current(jar, sources)


FAKE_MAVEN = """#!/bin/sh
for n in 1 2 3; do
  echo "Downloading from central: https://repo.example/a$n.jar"
  echo "Downloaded from central: https://repo.example/a$n.jar (1 kB at 1 kB/s)"
done
for n in $(seq 1 25); do echo "[ERROR] line $n"; done
if [ "$FAKE_MAVEN_FAILS" = 1 ]; then exit 1; fi
for arg in "$@"; do
  case "$arg" in -Dcrossdept.buildDir=*) dir="${arg#*=}";; esac
done
mkdir -p "$dir" && echo jar > "$dir/crossdept-engine.jar"
"""


@pytest.fixture
def fake_maven(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Maven's output as our build step parses it (the real build is covered by the engine tests)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "mvn").write_text(FAKE_MAVEN)
    (bin_dir / "mvn").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")


def test_build_reports_downloads_and_returns_the_jar(tmp_path: Path, fake_maven: None) -> None:
    settings = make_settings(tmp_path)
    messages: list[str] = []
    jar = engine.build_engine(settings, messages.append)
    assert jar == settings.cache_dir / "engine-build" / "crossdept-engine.jar" and jar.is_file()
    assert messages == ["Maven: building the engine"] + [f"Maven: downloaded {n} artifacts" for n in (1, 2, 3)]

    messages.clear()
    assert engine.build_engine(settings, messages.append) == jar  # up to date: no Maven run
    assert messages == []


def test_failed_build_shows_the_end_of_mavens_output(
    tmp_path: Path, fake_maven: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_MAVEN_FAILS", "1")
    with pytest.raises(EngineSetupError, match="exit code 1") as failure:
        engine.build_engine(make_settings(tmp_path))
    message = str(failure.value)
    assert "[ERROR] line 25" in message and "[ERROR] line 6\n" in message
    assert "[ERROR] line 5\n" not in message  # only the last 20 lines


# --- pid file and logs -------------------------------------------------------------------------


def test_stop_without_engine(tmp_path: Path) -> None:
    settings = make_settings(tmp_path)
    assert engine.stop_engine(settings) is False
    status = engine.engine_status(settings.model_copy(update={"engine_port": _closed_port()}))
    assert (status.running, status.pid, status.rest_answering) == (False, None, False)


def test_stale_pid_file_never_kills_a_stranger(tmp_path: Path) -> None:
    """After a reboot the pid in the file may belong to an unrelated process."""
    settings = make_settings(tmp_path)
    stranger = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        engine.pid_path(settings).parent.mkdir(parents=True)
        engine.pid_path(settings).write_text(f"{stranger.pid}\n")
        assert engine.engine_status(settings).running is False
        assert engine.stop_engine(settings) is False
        assert stranger.poll() is None
        assert not engine.pid_path(settings).exists()
    finally:
        stranger.kill()
        stranger.wait()


def test_tail_log(tmp_path: Path) -> None:
    log = tmp_path / "engine.log"
    assert engine.tail_log(log) == []
    log.write_text("".join(f"line {n}\n" for n in range(100)), encoding="utf-8")
    assert engine.tail_log(log, 3) == ["line 97", "line 98", "line 99"]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_worker_user_setup_explains_an_unreachable_engine(tmp_path: Path) -> None:
    port = _closed_port()
    settings = make_settings(
        tmp_path, engine_url=f"http://localhost:{port}/engine-rest",
        admin_password=SecretStr("a"), engine_password=SecretStr("w" * 20),
    )
    with pytest.raises(EngineSetupError, match=f"cannot reach the engine at http://localhost:{port}/engine-rest"):
        ensure_worker_user(settings)


def test_worker_user_setup_refuses_a_short_password_as_nothing_throttles_its_guessing(tmp_path: Path) -> None:
    settings = make_settings(tmp_path, engine_url=f"http://localhost:{_closed_port()}/engine-rest",
                             admin_password=SecretStr("a"), engine_password=SecretStr("short-but-19-chars!"))
    with pytest.raises(EngineSetupError, match="CROSSDEPT_ENGINE_PASSWORD must have at least 20 characters "
                                               r"\(it has 19\)") as refused:
        ensure_worker_user(settings)  # before any request: the engine is not even reachable
    assert "short-but-19-chars!" not in str(refused.value)


# --- CLI ---------------------------------------------------------------------------------------


def test_cli_status_and_logs_without_an_engine(tmp_path: Path, mocker) -> None:
    from typer.testing import CliRunner

    from workers.cli import engine as cli

    settings = make_settings(tmp_path, engine_port=_closed_port())
    mocker.patch.object(cli, "load_settings", return_value=settings)
    runner = CliRunner()

    status = runner.invoke(cli.app, ["status"])
    assert status.exit_code == 1 and "stopped" in status.output
    logs = runner.invoke(cli.app, ["logs", "-n", "5"])
    assert logs.exit_code == 1
    stop = runner.invoke(cli.app, ["stop"])
    assert stop.exit_code == 0 and "not running" in stop.output


def test_the_workers_user_is_granted_what_the_runtime_and_each_process_declare() -> None:
    from workers.catalog import worker_permissions
    from workers.runtime.permissions import Resource

    assert worker_permissions() == {
        Resource.PROCESS_DEFINITION: ("READ", "READ_HISTORY", "READ_INSTANCE", "UPDATE_INSTANCE"),
        # the sharing obligations' scheduler and a correction start their own process, no other
        (Resource.PROCESS_DEFINITION, "information-sharing"): ("CREATE_INSTANCE",),
        (Resource.PROCESS_DEFINITION, "sharing-obligation"): ("CREATE_INSTANCE",),
        # the work hand-over lists and moves the giver's open tasks; never UPDATE or TASK_WORK (completing)
        Resource.TASK: ("READ", "TASK_ASSIGN"),
        Resource.PROCESS_INSTANCE: ("CREATE", "READ", "UPDATE"),
    }
