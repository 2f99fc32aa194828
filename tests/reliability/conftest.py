"""The reliability and security suite's engines and figures.

`make reliability` runs it all (CROSSDEPT_RELIABILITY_FULL=1: H2 and PostgreSQL, bigger numbers);
the default `pytest` run takes a small subset on H2. Numbers can be set one by one:
CROSSDEPT_RELIABILITY_HANDOVERS (hand-overs per fault), CROSSDEPT_RELIABILITY_EXAMPLES (hypothesis
examples per form), CROSSDEPT_RELIABILITY_DATABASES (h2,postgresql).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

from tests.conftest import free_port
from tests.reliability.figures import FIGURES
from tests.reliability.rig import Rig, rig
from tests.support.postgres import postgres_server

FULL = os.environ.get("CROSSDEPT_RELIABILITY_FULL") == "1"


@dataclass(frozen=True)
class Scale:
    handovers: int
    examples: int
    databases: tuple[str, ...]
    full: bool


def _scale() -> Scale:
    env = os.environ.get
    databases = env("CROSSDEPT_RELIABILITY_DATABASES", "h2,postgresql" if FULL else "h2")
    return Scale(handovers=int(env("CROSSDEPT_RELIABILITY_HANDOVERS", "6" if FULL else "2")),
                 examples=int(env("CROSSDEPT_RELIABILITY_EXAMPLES", "12" if FULL else "5")),
                 databases=tuple(d.strip() for d in databases.split(",") if d.strip()), full=FULL)


SCALE = _scale()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.reliability)
            item.add_marker(pytest.mark.engine)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "database" in metafunc.fixturenames:
        metafunc.parametrize("database", SCALE.databases, scope="session")


@pytest.fixture(scope="session")
def scale() -> Scale:
    return SCALE


@pytest.fixture(scope="session")
def system(database: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    folder = tmp_path_factory.mktemp(f"reliability-{database}")
    if database == "h2":
        with rig("h2", folder) as built:
            yield built
    else:
        with postgres_server(free_port()) as jdbc_url, rig("postgresql", folder, jdbc_url) as built:
            yield built


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not any(FIGURES.counts.values()):
        return  # the suite did not run in this session
    terminalreporter.section("reliability and security figures")
    for line in FIGURES.lines():
        terminalreporter.write_line(line)


def pytest_sessionfinish(session: pytest.Session) -> None:
    if FIGURES.defects() and session.exitstatus == 0:
        session.exitstatus = 1  # a defect counted outside any failing test still fails the run
