"""docker/engine.Dockerfile read as Docker reads it: stages, their instructions, the entrypoint."""

from __future__ import annotations

import json
import re
from pathlib import Path

DOCKERFILE = Path(__file__).resolve().parents[2] / "docker" / "engine.Dockerfile"


def dockerfile_stages() -> dict[str, list[str]]:
    """{stage name: its instructions (continuation lines joined)}, in order."""
    text = DOCKERFILE.read_text(encoding="utf-8").replace("\\\n", " ")
    stages: dict[str, list[str]] = {}
    current: list[str] = []
    for line in text.splitlines():
        line = " ".join(line.split())
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"FROM (\S+) AS (\w+)", line)
        if match:
            current = stages.setdefault(match.group(2), [])
        current.append(line)
    return stages


def stage_commands(stage: list[str]) -> str:
    return "\n".join(line for line in stage if line.startswith("RUN "))


def runtime_entrypoint() -> list[str]:
    line = next(line for line in dockerfile_stages()["runtime"] if line.startswith("ENTRYPOINT "))
    return json.loads(line.removeprefix("ENTRYPOINT "))
