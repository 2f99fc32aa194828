"""The engine's Docker image without Docker: its build stage's script and its runtime command.

docker/engine.Dockerfile builds the jar with docker/build-engine.sh and runs it with
docker/application.yml; here the same script builds with the machine's Maven (and ~/.m2), and the
entrypoint the Dockerfile names runs that jar with that file on a throwaway PostgreSQL, configured
from the environment as docker-compose.yml configures it.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.conftest import free_port
from tests.support.driver import wait_until
from tests.support.postgres import postgres_server
from tests.support.dockerfile import runtime_entrypoint
from workers.engine.access import ensure_worker_user
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"
IMAGE_JAR = "/opt/crossdept/crossdept-engine.jar"
IMAGE_CONFIG = "/opt/crossdept/config/application.yml"


@pytest.fixture(scope="module")
def jar(tmp_path_factory: pytest.TempPathFactory) -> Path:
    output = tmp_path_factory.mktemp("engine-build")
    result = subprocess.run(["sh", str(ROOT / "docker" / "build-engine.sh"), str(output)],
                            capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    assert result.returncode == 0, result.stdout[-3000:]
    return output / "crossdept-engine.jar"


def test_the_built_jar_holds_every_class_of_engine_src(jar: Path) -> None:
    sources = ENGINE / "src" / "main" / "java"
    expected = {f"BOOT-INF/classes/{path.relative_to(sources).with_suffix('.class')}"
                for path in sources.rglob("*.java")}
    assert any("/enforcement/" in name for name in expected) and any("/identity/" in name for name in expected)
    with zipfile.ZipFile(jar) as archive:
        assert expected - set(archive.namelist()) == set()


def test_the_built_jar_serves_our_tasklist_files_unchanged(jar: Path) -> None:
    resources = ENGINE / "src" / "main" / "resources"
    files = [path for path in resources.rglob("*") if path.is_file()]
    assert any(path.name == "zh.json" for path in files)
    with zipfile.ZipFile(jar) as archive:
        names = set(archive.namelist())
        for path in files:
            # Spring Boot's repackaging keeps META-INF/ at the jar's root, where it serves it from.
            name = str(path.relative_to(resources))
            name = name if name.startswith("META-INF/") else f"BOOT-INF/classes/{name}"
            assert name in names, f"{path} is not in the jar"
            assert archive.read(name) == path.read_bytes(), path
        # docker-compose runs the engine on PostgreSQL: the driver must be in the jar.
        assert any(name.startswith("BOOT-INF/lib/postgresql-") for name in archive.namelist())


@pytest.fixture(scope="module")
def image_engine(jar: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """The Dockerfile's ENTRYPOINT, with the image's paths mapped to the built jar and the file."""
    command = [{IMAGE_JAR: str(jar)}.get(part, part).replace(IMAGE_CONFIG, str(ROOT / "docker" / "application.yml"))
               for part in runtime_entrypoint()]
    port, admin_password = free_port(), secrets.token_urlsafe(24)
    folder = tmp_path_factory.mktemp("image-engine")
    with postgres_server(free_port()) as jdbc_url:
        env = {"PATH": os.environ["PATH"], "HOME": str(folder),
               # What docker-compose.yml sets; SERVER_PORT only because 8080 may be taken here.
               "CROSSDEPT_JDBC_URL": jdbc_url, "CROSSDEPT_JDBC_USER": "camunda", "CROSSDEPT_JDBC_PASSWORD": "camunda",
               "CROSSDEPT_ADMIN_PASSWORD": admin_password, "SERVER_PORT": str(port)}
        with (folder / "engine.log").open("wb") as log:
            process = subprocess.Popen(command, cwd=folder, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                       stderr=subprocess.STDOUT)
        try:
            settings = Settings(_env_file=None, data_dir=folder / "data", engine_url=f"http://localhost:{port}/engine-rest",
                                admin_password=admin_password, engine_password=secrets.token_urlsafe(24))
            wait_until(lambda: process.poll() is not None or answers(settings), 300, "the engine to answer", 1)
            assert process.poll() is None, (folder / "engine.log").read_text(errors="replace")[-3000:]
            ensure_worker_user(settings)  # what the compose `setup` service runs
            yield settings
        finally:
            process.terminate()
            process.wait(timeout=60)


def answers(settings: Settings) -> bool:
    try:
        return requests.get(f"{settings.engine_url}/user", auth=settings.admin_credentials(), timeout=5).ok
    except requests.RequestException:
        return False


def test_the_image_engine_requires_authentication(image_engine: Settings) -> None:
    assert requests.get(f"{image_engine.engine_url}/user", timeout=10).status_code == 401


def test_the_image_engine_enforces_the_model(image_engine: Settings) -> None:
    modification = requests.post(
        f"{image_engine.engine_url}/process-instance/any-instance/modification", timeout=10,
        auth=image_engine.worker_credentials(), json={"instructions": [{"type": "startBeforeActivity", "activityId": "x"}]})
    assert modification.status_code == 403 and "ENGINE-CROSSDEPT-04" in modification.text, modification.text


def test_the_image_engine_serves_the_chinese_tasklist(image_engine: Settings) -> None:
    base = image_engine.engine_url.removesuffix("/engine-rest")
    locale = requests.get(f"{base}/camunda/app/tasklist/locales/zh.json", timeout=10)
    ours = ENGINE / "src/main/resources/META-INF/resources/webjars/camunda/app/tasklist/locales/zh.json"
    assert locale.status_code == 200 and locale.content == ours.read_bytes()


def test_the_image_engine_does_not_let_strangers_lock_out_the_workers(image_engine: Settings) -> None:
    user, _ = image_engine.worker_credentials()
    for attempt in range(15):
        requests.get(f"{image_engine.engine_url}/external-task", auth=(user, f"guess-{attempt}"), timeout=10)
    fetched = requests.get(f"{image_engine.engine_url}/external-task", auth=image_engine.worker_credentials(), timeout=10)
    assert fetched.status_code == 200
