"""docker-compose.yml, the engine's Dockerfile and its configuration (no Docker here: checked by
parsing; tests/integration/test_engine_build.py runs the Dockerfile's build and start commands)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pydantic import SecretStr

from tests.support.dockerfile import dockerfile_stages, runtime_entrypoint, stage_commands
from workers.engine import lifecycle
from workers.runtime.settings import Settings

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


def test_engine_is_built_from_our_dockerfile_not_the_official_image(services: dict) -> None:
    engine = services["engine"]
    assert "image" not in engine, "the official Camunda image has none of engine/ (enforcement, zh Tasklist)"
    assert engine["build"] == {"context": ".", "dockerfile": "docker/engine.Dockerfile"}
    assert (ROOT / engine["build"]["dockerfile"]).is_file()


def test_engine_runs_on_the_compose_postgres(services: dict) -> None:
    engine, postgres = services["engine"], services["postgres"]
    env = engine["environment"]
    assert env["CROSSDEPT_JDBC_URL"] == f"jdbc:postgresql://postgres:5432/{postgres['environment']['POSTGRES_DB']}"
    assert env["CROSSDEPT_JDBC_USER"] == postgres["environment"]["POSTGRES_USER"]
    assert env["CROSSDEPT_JDBC_PASSWORD"] == postgres["environment"]["POSTGRES_PASSWORD"]
    assert engine["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_engine_and_workers_agree_on_the_admin_and_workers_users(services: dict) -> None:
    env = services["engine"]["environment"]
    assert env["CROSSDEPT_ADMIN_PASSWORD"].startswith("${CROSSDEPT_ADMIN_PASSWORD:?")  # required, no default
    assert env["CROSSDEPT_ADMIN_USER"] == services["setup"]["environment"]["CROSSDEPT_ADMIN_USER"]
    # The user the engine exempts from login throttling is the one the workers log in as.
    for service in ("setup", "workers"):
        assert env["CROSSDEPT_ENGINE_USER"] == services[service]["environment"]["CROSSDEPT_ENGINE_USER"]


def test_every_required_setting_of_the_engine_is_in_its_environment(services: dict) -> None:
    required = {name for name, default in placeholders(load_yaml(DOCKER_CONFIG)) if default is None}
    assert required == {"CROSSDEPT_JDBC_URL", "CROSSDEPT_JDBC_USER", "CROSSDEPT_JDBC_PASSWORD",
                        "CROSSDEPT_ADMIN_PASSWORD"}
    assert required <= set(services["engine"]["environment"])


def test_engine_healthcheck_asks_the_rest_api(services: dict) -> None:
    health = services["engine"]["healthcheck"]
    assert "curl -fsS http://localhost:8080/engine-rest/engine" in " ".join(health["test"])
    assert services["engine"]["ports"] == ["${CROSSDEPT_ENGINE_PORT:-8080}:8080"]
    assert "curl" in stage_commands(dockerfile_stages()["runtime"])  # the runtime image has it
    assert services["setup"]["depends_on"]["engine"]["condition"] == "service_healthy"


# --- docker/engine.Dockerfile --------------------------------------------------------------------


def test_dockerfile_builds_with_maven_and_runs_on_a_jre_17() -> None:
    stages = dockerfile_stages()
    assert list(stages) == ["build", "runtime"]
    assert stages["build"][0] == "FROM maven:3.9-eclipse-temurin-17 AS build"
    assert stages["runtime"][0] == "FROM eclipse-temurin:17-jre AS runtime"


def test_dockerfile_build_stage_runs_the_same_build_as_crossdept_engine_start() -> None:
    build = dockerfile_stages()["build"]
    assert "COPY engine ./engine" in build
    assert "COPY docker/build-engine.sh ./docker/build-engine.sh" in build
    assert "RUN sh docker/build-engine.sh /build" in build
    assert lifecycle.BUILD_SCRIPT == ROOT / "docker" / "build-engine.sh"  # what build_engine runs


def test_runtime_stage_runs_the_built_jar_with_docker_application_yml() -> None:
    runtime = dockerfile_stages()["runtime"]
    command = runtime_entrypoint()
    assert command[0] == "java" and command[command.index("-jar") + 1] == "/opt/crossdept/crossdept-engine.jar"
    assert "COPY --from=build /build/crossdept-engine.jar ./crossdept-engine.jar" in runtime
    assert "WORKDIR /opt/crossdept" in runtime
    assert "COPY docker/application.yml ./config/application.yml" in runtime
    assert "--spring.config.additional-location=file:/opt/crossdept/config/application.yml" in command
    assert any(line.startswith("USER ") and line != "USER root" for line in runtime)


# --- docker/application.yml: the settings write_config writes -----------------------------------


DOCKER_CONFIG = ROOT / "docker" / "application.yml"
PLACEHOLDER = re.compile(r"\$\{([A-Z_]+)(?::([^}]*))?\}")


def load_yaml(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def leaves(tree: object) -> list[object]:
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in leaves(value)]
    return [tree]


def placeholders(config: dict) -> list[tuple[str, str | None]]:
    return [(match.group(1), match.group(2)) for leaf in leaves(config) if isinstance(leaf, str)
            for match in PLACEHOLDER.finditer(leaf)]


def resolve(tree: object, env: dict[str, str]) -> object:
    """Spring's ${NAME:default} filled from env, as the engine reads the file."""
    if isinstance(tree, dict):
        return {key: resolve(value, env) for key, value in tree.items()}
    if isinstance(tree, str):
        return PLACEHOLDER.sub(lambda match: env.get(match.group(1), match.group(2) or ""), tree)
    return tree


@pytest.mark.parametrize("user_env", [{}, {"CROSSDEPT_ADMIN_USER": "boss", "CROSSDEPT_ENGINE_USER": "robot"}])
def test_docker_configuration_is_what_crossdept_engine_start_writes(tmp_path: Path, user_env: dict) -> None:
    """Same keys and values, so that the Docker engine cannot drift from the one `make up` runs."""
    env = {"CROSSDEPT_JDBC_URL": "jdbc:postgresql://postgres:5432/camunda", "CROSSDEPT_JDBC_USER": "camunda",
           "CROSSDEPT_JDBC_PASSWORD": "db-pw", "CROSSDEPT_ADMIN_PASSWORD": "admin-pw", **user_env}
    settings = Settings(
        _env_file=None, data_dir=tmp_path, cache_dir=tmp_path / "cache", engine_port=8080,
        admin_user=env.get("CROSSDEPT_ADMIN_USER", "admin"), admin_password=SecretStr("admin-pw"),
        engine_user=env.get("CROSSDEPT_ENGINE_USER", "crossdept-worker"), engine_password=None,
        jdbc_url=env["CROSSDEPT_JDBC_URL"], jdbc_user="camunda", jdbc_password=SecretStr("db-pw"),
        cors_allowed_origins=[],
    )
    written = load_yaml(lifecycle.write_config(settings))
    # Numbers and booleans are YAML scalars in both files; placeholders only fill strings.
    assert resolve(load_yaml(DOCKER_CONFIG), env) == written


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


def test_worker_replicas_share_task_once_claims_in_the_engines_database(services: dict) -> None:
    workers, engine = services["workers"]["environment"], services["engine"]["environment"]
    for key in ("CROSSDEPT_JDBC_URL", "CROSSDEPT_JDBC_USER", "CROSSDEPT_JDBC_PASSWORD"):
        assert workers[key] == engine[key], f"{key}: the workers' claims table must be in the engine's database"
    assert workers["CROSSDEPT_JDBC_URL"].startswith("jdbc:postgresql://")


def test_dockerfile_installs_the_package() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "\nFROM python:3.11-slim\n" in dockerfile
    assert "pip install ." in dockerfile
    assert 'CMD ["crossdept", "worker"]' in dockerfile


def test_the_workers_image_has_the_font_the_documents_are_drawn_with() -> None:
    """The checklist's first check and its PDF need the font; python:3.11-slim has none."""
    from workers.shared.documents import CJK_FONT_FILE, CJK_FONT_PACKAGE

    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    installs = [line for line in dockerfile.splitlines() if line.startswith("RUN ") and "apt-get install" in line]
    assert any(CJK_FONT_PACKAGE in line.split() for line in installs), installs
    assert str(CJK_FONT_FILE).startswith("/usr/share/fonts/truetype/wqy/"), "where the Debian package puts it"


def test_the_worker_image_carries_the_organisation_file_the_watcher_reads() -> None:
    from workers.runtime.settings import Settings

    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    default = Settings.model_fields["organisation_file"].default
    assert "\nWORKDIR /app\n" in dockerfile and f"\nCOPY {default.parts[0]} ./{default.parts[0]}\n" in dockerfile
    assert (ROOT / default).is_file()


def test_build_context_leaves_out_local_secrets_and_build_output_but_not_what_images_copy() -> None:
    ignored = {line for line in (ROOT / ".dockerignore").read_text(encoding="utf-8").splitlines()
               if line and not line.startswith("#")}
    assert {".env", ".venv", "node_modules", "engine/target"} <= ignored
    copied = {line.split()[1] for stage in dockerfile_stages().values() for line in stage
              if line.startswith("COPY ") and not line.startswith("COPY --from")}
    assert copied == {"engine", "docker/build-engine.sh", "docker/application.yml"}
    assert not copied & ignored
