"""The process-level run of bench/compare.py: N work hand-overs driven through every step.

The demo organisation is provisioned on the engine, every model deployed, and `crossdept worker`
runs every topic as a subprocess (e-mails to an outbox folder, the archive to a temporary folder,
Prometheus metrics on a free port). A driver starts the hand-overs (notice back-dated to a fixed
2025 date, so the official calendar always covers it) and completes every user task it finds, as
admin on the assignees' behalf (so no one's password is touched): the checklist, the verification,
the three signatures. Where the time goes comes from the worker's metrics (handler run time per
topic, including its completion call) and the driver's own REST time.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import requests

from workers.shared.organisation.model import load_organisation
from workers.shared.organisation.provision import provision
from workers.runtime.client import EngineClient
from workers.runtime.variables import to_camunda
from workers.engine.deploy import deploy

ROOT = Path(__file__).resolve().parents[1]
NOTICE = datetime(2025, 11, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # a Monday
# (initiator, giver, receiver, receiving department): pairs with different supervisors and heads.
PAIRS = [("chen.jing", "yang.fan", "wu.hao", "sales"), ("zhang.wei", "xu.ming", "huang.lei", "engineering"),
         ("song.jie", "tang.ning", "lin.xiao", "finance"), ("guo.hong", "lin.xiao", "luo.fang", "projectoffice"),
         ("zhou.gang", "ma.lin", "he.jun", "production")]
ITEMS = [{"category": "documents", "description": "项目文档 / Project documents", "location": "Git"},
         {"category": "equipment", "description": "笔记本电脑 / Laptop", "location": "3F", "assetNumber": "IT-1"}]
CONFLICT_SIGNS = ("updated by another transaction", "ENGINE-03077")  # optimistic locking; parent execution gone
GROUPS = {"notification": ("handover.notify-notice", "handover.send-copies", "handover.remind"),
          "PDF and archive": ("handover.archive-checklist",)}


@dataclass
class HandoverLoad:
    instances: int
    seconds: float
    driver_rest_s: float
    handler_s: dict[str, float] = field(default_factory=dict)  # by group
    conflicts: int = 0  # user-task completions the engine refused as concurrent, then repeated

    @property
    def per_minute(self) -> float:
        return self.instances / self.seconds * 60


def run_handovers(engine_url: str, admin: tuple[str, str], worker: tuple[str, str], count: int,
                  metrics_port: int, log_path: Path, timeout_s: float, concurrency: int = 8) -> HandoverLoad:
    client = EngineClient(engine_url, *admin)
    try:
        org = load_organisation(ROOT / "org" / "demo-organisation.yaml")
        # Nobody logs in as these people (the driver completes their tasks as admin): random passwords.
        provision(client, org, initial_password=lambda _: secrets.token_urlsafe(16),
                  protected_users=(admin[0], worker[0]))
        deploy(client, ROOT)
    finally:
        client.close()
    scratch = Path(tempfile.mkdtemp(prefix="crossdept-bench-handover-"))
    env = {**os.environ, "CROSSDEPT_ENGINE_URL": engine_url, "CROSSDEPT_ENGINE_USER": worker[0],
           "CROSSDEPT_ENGINE_PASSWORD": worker[1], "CROSSDEPT_DATA_DIR": str(scratch),
           "CROSSDEPT_MAIL_OUTBOX_DIR": str(scratch / "outbox"), "CROSSDEPT_METRICS_PORT": str(metrics_port),
           "CROSSDEPT_TASKLIST_URL": "http://localhost/camunda/app/tasklist/default/",
           "CROSSDEPT_LOG_LEVEL": "WARNING", "CROSSDEPT_CONCURRENCY": str(concurrency)}
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "workers", "worker", "--topics", ",".join(_topics())],
                                   cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        return _drive(engine_url, admin, count, metrics_port, timeout_s, concurrency, process, log_path)
    finally:
        process.terminate()
        process.wait(timeout=60)


def _topics() -> list[str]:
    text = (ROOT / "bpmn" / "work-handover.bpmn").read_text(encoding="utf-8")
    return sorted(set(re.findall(r'camunda:topic="([^"]+)"', text)))


def _drive(engine_url: str, admin: tuple[str, str], count: int, metrics_port: int, timeout_s: float,
           concurrency: int, worker: subprocess.Popen[bytes], log_path: Path) -> HandoverLoad:
    admin_session = requests.Session()
    admin_session.auth = admin
    local = threading.local()  # one keep-alive session per driver thread
    rest_s = 0.0
    lock = threading.Lock()

    conflicts = 0

    def call(method: str, path: str, **kwargs: Any) -> Any:
        nonlocal rest_s, conflicts
        if not hasattr(local, "session"):
            local.session = requests.Session()
            local.session.auth = admin
        session = local.session
        for attempt in range(5):
            started = time.perf_counter()
            response = session.request(method, engine_url + path, timeout=60, **kwargs)
            with lock:
                rest_s += time.perf_counter() - started
            # The engine refuses a completion that collides with another branch of the same instance
            # (the notification branch ending at that very moment); a person would click again.
            if response.status_code != 500 or not any(sign in response.text for sign in CONFLICT_SIGNS):
                break
            with lock:
                conflicts += 1
            time.sleep(0.2 * (attempt + 1))
        if not response.ok:
            raise RuntimeError(f"{method} {path} -> {response.status_code} {response.text[:400]}")
        return response.json() if response.content else None

    tag = secrets.token_hex(4)  # this run's business keys, so an engine's other hand-overs do not count
    instance_ids: set[str] = set()
    started = time.perf_counter()
    for number in range(count):
        initiator, giver, receiver, department = PAIRS[number % len(PAIRS)]
        values = {"giverId": giver, "receiverId": receiver, "receivingDepartmentId": department,
                  "reason": "postChange", "plannedDate": "2025-11-07", "initiator": initiator,
                  "noticeSubmittedAt": NOTICE}
        body = {"variables": to_camunda(values), "businessKey": f"bench-{tag}-{number}",
                "startInstructions": [{"type": "startBeforeActivity", "activityId": "Gateway_NoticeSubmitted"}]}
        response = admin_session.post(f"{engine_url}/process-definition/key/work-handover/start", json=body, timeout=60)
        response.raise_for_status()
        instance_ids.add(response.json()["id"])

    answers = {
        "Task_FillChecklist": lambda task: {"checklistItems": ITEMS},
        "Task_VerifyChecklist": lambda task: {"verificationItems": [{"verdict": "accept"} for _ in ITEMS]},
        # A signature is an explicit act: the form's required 我已核对并确认 tick.
        "Task_GiverSigns": lambda task: {"signatureConfirmed": True},
        "Task_ReceiverSigns": lambda task: {"signatureConfirmed": True},
        "Task_SupervisorConfirms": lambda task: {"supervisorVerdict": "sign", "signatureConfirmed": True},
    }

    def complete(task: dict[str, Any]) -> None:
        variables = {name: ({"type": "Json", "value": json.dumps(value)} if isinstance(value, list)
                            else {"value": value}) for name, value in answers[task["taskDefinitionKey"]](task).items()}
        call("POST", f"/task/{task['id']}/complete", json={"variables": variables})

    deadline = time.monotonic() + timeout_s
    done_ids: set[str] = set()
    with ThreadPoolExecutor(concurrency) as pool:
        while True:
            ended = admin_session.get(f"{engine_url}/history/process-instance/count", timeout=60, params={
                "processDefinitionKey": "work-handover", "finished": "true",
                "processInstanceBusinessKeyLike": f"bench-{tag}-%"}).json()["count"]
            if ended >= count:
                break
            if worker.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"hand-over run: {ended} of {count} ended; worker log {log_path}")
            tasks = admin_session.get(f"{engine_url}/task", timeout=60, params={
                "processDefinitionKey": "work-handover", "processInstanceBusinessKeyLike": f"bench-{tag}-%",
                "maxResults": 500}).json()
            fresh = [t for t in tasks if t["id"] not in done_ids and t["taskDefinitionKey"] in answers]
            done_ids.update(t["id"] for t in fresh)
            list(pool.map(complete, fresh))
            if not fresh:
                time.sleep(0.2)
    seconds = time.perf_counter() - started
    incidents = [i for i in admin_session.get(f"{engine_url}/incident", timeout=60, params={
        "processDefinitionKeyIn": "work-handover"}).json() if i["processInstanceId"] in instance_ids]
    if incidents:
        raise RuntimeError(f"hand-over run: {len(incidents)} incident(s), e.g. {incidents[0]['incidentMessage']}; "
                           f"worker log {log_path}")
    return HandoverLoad(count, seconds, rest_s, _handler_seconds(metrics_port), conflicts)


def _handler_seconds(metrics_port: int) -> dict[str, float]:
    text = requests.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10).text
    by_topic = {m.group(1): float(m.group(2))
                for m in re.finditer(r'crossdept_handler_seconds_sum\{topic="([^"]+)"\} (\S+)', text)}
    grouped = {group: sum(by_topic.get(t, 0.0) for t in topics) for group, topics in GROUPS.items()}
    grouped["other workers"] = sum(by_topic.values()) - sum(grouped.values())
    return grouped
