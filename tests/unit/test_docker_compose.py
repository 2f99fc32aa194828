"""docker-compose.yml and what it mounts (no Docker here: checked by parsing)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def services() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))["services"]


def test_services(services: dict) -> None:
    assert {"postgres", "engine", "workers"} <= set(services)


def test_postgres_has_a_healthcheck(services: dict) -> None:
    postgres = services["postgres"]
    assert postgres["image"] == "postgres:16"
    assert "pg_isready" in " ".join(postgres["healthcheck"]["test"])


def test_engine_is_camunda_run_7_24_on_postgres(services: dict) -> None:
    engine = services["engine"]
    assert engine["image"] == "camunda/camunda-bpm-platform:run-7.24.0"
    assert engine["command"] == ["./camunda.sh", "--webapps", "--rest", "--production"]
    env = engine["environment"]
    assert env["DB_DRIVER"] == "org.postgresql.Driver"
    assert env["DB_URL"].startswith("jdbc:postgresql://postgres:5432/")
    assert env["DB_USERNAME"] == services["postgres"]["environment"]["POSTGRES_USER"]
    assert env["DB_PASSWORD"] == services["postgres"]["environment"]["POSTGRES_PASSWORD"]
    assert env["WAIT_FOR"] == "postgres:5432"
    assert env["CROSSDEPT_ADMIN_PASSWORD"].startswith("${CROSSDEPT_ADMIN_PASSWORD:?")  # required, no default
    assert engine["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_mounted_configuration_enables_auth(services: dict) -> None:
    # "host:container:ro" → {container: host}
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in services["engine"]["volumes"]}
    source = mounts.get("/camunda/configuration/production.yml")
    assert source is not None, "production.yml must be mounted: --production reads it"
    config = yaml.safe_load((ROOT / source).read_text(encoding="utf-8"))
    bpm = config["camunda.bpm"]
    assert bpm["run"]["auth"]["enabled"] is True
    assert bpm["authorization"]["enabled"] is True
    assert bpm["default-serialization-format"] == "application/json"
    assert bpm["history-level"] == "full"
    assert bpm["admin-user"] == {"id": "${CROSSDEPT_ADMIN_USER:admin}", "password": "${CROSSDEPT_ADMIN_PASSWORD}"}
    assert "filter" not in bpm


def test_workers_reach_the_engine(services: dict) -> None:
    workers = services["workers"]
    env = workers["environment"]
    assert env["CROSSDEPT_ENGINE_URL"] == "http://engine:8080/engine-rest"
    assert env["CROSSDEPT_ENGINE_PASSWORD"].startswith("${CROSSDEPT_ENGINE_PASSWORD:?")
    assert workers["command"] == ["crossdept", "worker"]
    assert workers["build"] == "."
    # The workers' user exists before they poll.
    assert workers["depends_on"]["setup"]["condition"] == "service_completed_successfully"
    assert services["setup"]["command"] == ["crossdept", "engine", "worker-user"]


def test_dockerfile_installs_the_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "\nFROM python:3.11-slim\n" in dockerfile
    assert "pip install ." in dockerfile
    assert 'CMD ["crossdept", "worker"]' in dockerfile
