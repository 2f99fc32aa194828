"""Process `sharing-obligation` without an engine: the scheduler's once-per-occurrence starts and
catch-up (fixed clocks), and the handlers through the harness."""

from __future__ import annotations

import email
import email.policy
import json
import os
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import yaml

from workers.processes.sharing_obligation.records import read_records
from workers.processes.sharing_obligation.scheduler import ObligationScheduler
from workers.runtime.idempotency import SqliteOnceStore
from workers.runtime.settings import Settings
from workers.runtime.testing import Completed, Failed, FakeEngine, HandlerEnvironment

DEMO = Path(__file__).resolve().parents[2] / "org" / "demo-organisation.yaml"
START = "/process-definition/key/sharing-obligation/start"
WEEKLY_KEY = "sales-orders-weekly@2026-12-07T02:00:00Z"  # Monday 7 December 10:00 in Shanghai


def organisation_with(folder: Path, obligations: list[dict[str, Any]] | None = None) -> Path:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    if obligations is not None:
        data["sharing_obligations"] = obligations
    path = folder / "organisation.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


class Clock:
    def __init__(self, moment: str) -> None:
        self.moment = datetime.fromisoformat(moment)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, **delta: float) -> None:
        self.moment += timedelta(**delta)


def engine_starting() -> FakeEngine:
    engine = FakeEngine()
    engine.answer("GET", "/history/process-instance", [])
    engine.answer("POST", START, lambda request: {"id": f"pi-{request.json['businessKey']}"})
    return engine


def scheduler(folder: Path, engine: FakeEngine, clock: Clock, store: SqliteOnceStore | None = None,
              state: str = "state") -> ObligationScheduler:
    settings = Settings(worker_id="schedule-test", data_dir=folder, state_dir=folder / state,
                        organisation_file=organisation_with(folder), obligation_scan_s=60)
    return ObligationScheduler(settings, engine, store or SqliteOnceStore(folder / "once.sqlite"), now=clock)


def started_keys(engine: FakeEngine) -> list[str]:
    return [r.json["businessKey"] for r in engine.requested("POST", START)]


def test_the_first_scan_starts_from_now_and_the_task_appears_lead_time_before_the_deadline(tmp_path: Path) -> None:
    engine, clock = engine_starting(), Clock("2026-12-06T09:59:00+08:00")  # Sunday, one minute early
    schedule = scheduler(tmp_path, engine, clock)
    assert schedule.scan().started == []
    clock.advance(minutes=1)  # Sunday 10:00: one day (lead_time P1D) before Monday 10:00
    assert schedule.scan().started == [WEEKLY_KEY]
    clock.advance(minutes=1)
    assert schedule.scan().started == []
    assert started_keys(engine) == [WEEKLY_KEY]


def test_two_workers_sharing_the_once_store_start_an_occurrence_once(tmp_path: Path) -> None:
    engine, clock = engine_starting(), Clock("2026-12-06T09:59:00+08:00")
    store = SqliteOnceStore(tmp_path / "once.sqlite")
    first, second = (scheduler(tmp_path, engine, clock, store, state=f"state-{n}") for n in (1, 2))
    first.scan(), second.scan()
    clock.advance(minutes=2)
    assert first.scan().started == [WEEKLY_KEY] and second.scan().started == [WEEKLY_KEY]
    assert started_keys(engine) == [WEEKLY_KEY]


def test_an_instance_already_in_the_engine_is_not_started_again(tmp_path: Path) -> None:
    """A worker that died after the start, before the once store kept it: the engine has the trace."""
    engine, clock = engine_starting(), Clock("2026-12-06T09:59:00+08:00")
    engine.answer("GET", "/history/process-instance", [{"id": "pi-earlier"}])
    schedule = scheduler(tmp_path, engine, clock)
    schedule.scan()
    clock.advance(minutes=2)
    assert schedule.scan().started == [WEEKLY_KEY]
    assert started_keys(engine) == []
    lookup = engine.requested("GET", "/history/process-instance")[0]
    assert lookup.params["processInstanceBusinessKey"] == WEEKLY_KEY


def test_after_downtime_every_missed_occurrence_is_started_once_and_reported(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    engine, clock = engine_starting(), Clock("2026-12-01T00:00:00+08:00")
    schedule = scheduler(tmp_path, engine, clock)
    schedule.scan()
    clock.moment = datetime.fromisoformat("2026-12-22T00:00:00+08:00")  # three weeks down
    restarted = scheduler(tmp_path, engine, clock)  # a new process, same state folder
    report = restarted.scan()
    assert report.started == report.caught_up == [  # in the file's order, each obligation's in time order
        "sales-orders-weekly@2026-12-07T02:00:00Z", "sales-orders-weekly@2026-12-14T02:00:00Z",
        "sales-orders-weekly@2026-12-21T02:00:00Z", "finance-budget-monthly@2026-12-05T09:00:00Z"]
    assert started_keys(engine) == report.started
    assert "caught up 4 occurrence(s)" in caplog.text


def test_a_failed_start_is_tried_again_on_the_next_scan(tmp_path: Path) -> None:
    engine, clock = engine_starting(), Clock("2026-12-06T09:59:00+08:00")
    schedule = scheduler(tmp_path, engine, clock)
    schedule.scan()

    def engine_down(request: Any) -> Any:
        raise ConnectionError("engine unreachable")

    engine.answer("POST", START, engine_down)
    clock.advance(minutes=2)
    report = schedule.scan()
    assert report.started == [] and "engine unreachable" in report.failed[0]
    engine.answer("POST", START, lambda request: {"id": "pi-1"})
    clock.advance(minutes=1)
    assert schedule.scan().started == [WEEKLY_KEY]


def test_a_schedule_edited_in_the_file_is_picked_up_without_a_restart(tmp_path: Path) -> None:
    engine, clock = engine_starting(), Clock("2026-12-02T08:00:00+00:00")
    schedule = scheduler(tmp_path, engine, clock)
    schedule.scan()
    every = {"id": "quick-share", "title_zh": "快报", "title_en": "Quick report", "owner": "sales",
             "targets": ["production"], "category": "business-data", "sensitivity": "internal",
             "schedule": {"every": "PT30S", "from": "2026-12-02T08:00:40+00:00"}, "lead_time": "PT10S"}
    path = organisation_with(tmp_path, [every])
    os.utime(path, (1, 1))  # a different modification time than the first write, however fast
    clock.advance(seconds=35)
    assert schedule.scan().started == ["quick-share@2026-12-02T08:00:40Z"]


def test_a_damaged_state_file_is_named_with_what_to_do(tmp_path: Path) -> None:
    engine, clock = engine_starting(), Clock("2026-12-02T08:00:00+00:00")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "obligation-schedule.json").write_text("{not json")
    with pytest.raises(RuntimeError, match="obligation-schedule.json is not the obligation scheduler's state"):
        scheduler(tmp_path, engine, clock).scan()


# --- handlers ---------------------------------------------------------------------------------------
def env_at(moment: str, tmp_path: Path) -> HandlerEnvironment:
    settings = Settings(worker_id="harness", data_dir=tmp_path, company_time_zone="Asia/Shanghai",
                        tasklist_url="http://tasklist.example/camunda/app/tasklist/default/",
                        mail_outbox_dir=tmp_path / "outbox")
    env = HandlerEnvironment(now=datetime.fromisoformat(moment), settings=settings)
    env.engine.answer("GET", "/process-instance", [])  # no active delegations
    return env


def started_by(env: HandlerEnvironment, user: str) -> None:
    env.engine.answer("GET", "/history/process-instance/pi-1", {"startUserId": user})


ASSIGN_PROPS = {"organisationFile": str(DEMO), "reminderInterval": "PT24H", "escalateAfterReminders": "0"}


def test_assign_gives_the_task_to_the_owning_heads_with_the_obligations_labels(tmp_path: Path) -> None:
    env = env_at("2026-12-06T10:00:05+08:00", tmp_path)
    started_by(env, "crossdept-worker")
    outcome = env.run("sharing-obligation.assign", {}, properties=ASSIGN_PROPS, process_instance_id="pi-1",
                      business_key=WEEKLY_KEY)
    assert isinstance(outcome, Completed), outcome
    v = outcome.variables
    assert (v["preparer"], v["ownerDepartment"], v["targetDepartments"]) == ("li.qiang", "sales", ["production"])
    assert v["obligationTitle"] == "客户订单周报 / Weekly customer orders"
    assert v["deadline"] == "2026-12-07T10:00:00+08:00"
    assert v["deadlineLabel"] == "2026-12-07 10:00 (Asia/Shanghai)"
    assert v["catchUpNote"] == "" and v["reminderInterval"] == "PT24H"


def test_assign_says_when_a_task_comes_late_as_a_catch_up(tmp_path: Path) -> None:
    env = env_at("2026-12-06T12:00:00+08:00", tmp_path)
    started_by(env, "crossdept-worker")
    outcome = env.run("sharing-obligation.assign", {}, properties=ASSIGN_PROPS, process_instance_id="pi-1",
                      business_key=WEEKLY_KEY)
    assert isinstance(outcome, Completed)
    assert outcome.variables["catchUpNote"].startswith("补发：本任务应于 2026-12-06 10:00 出现")


def test_assign_refuses_an_instance_someone_else_started(tmp_path: Path) -> None:
    env = env_at("2026-12-06T10:00:05+08:00", tmp_path)
    started_by(env, "li.qiang")
    outcome = env.run("sharing-obligation.assign", {}, properties=ASSIGN_PROPS, process_instance_id="pi-1",
                      business_key=WEEKLY_KEY)
    assert isinstance(outcome, Failed) and outcome.incident
    assert "started by the workers' scheduler" in outcome.message and "'li.qiang'" in outcome.message


PREPARED = {"summary": "第 49 周订单", "content": "订单 A-1001：200 台", "contentLink": "", "channels": ["record"]}


OCCURRENCE = {"obligationId": "sales-orders-weekly", "deadline": "2026-12-07T10:00:00+08:00",
              "organisationFile": str(DEMO)}


def test_the_first_overdue_firing_records_the_miss_comments_and_escalates_to_the_heads_superior(
        tmp_path: Path) -> None:
    env = env_at("2026-12-07T10:00:02+08:00", tmp_path)
    env.engine.answer("GET", "/task", [{"id": "t-1", "name": "准备并发布 / Prepare and publish", "assignee": "li.qiang",
                                        "due": "2026-12-07T02:00:00.000+0000"}])
    env.engine.answer("POST", "/task/t-1/comment/create", {})
    outcome = env.run("sharing-obligation.overdue", {**OCCURRENCE, "escalateAfterReminders": 0, "remindersSent": {}},
                      process_instance_id="pi-1", business_key=WEEKLY_KEY)
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["deadlineMissed"] is True and outcome.variables["remindersSent"] == {"t-1": 1}
    [record] = read_records(tmp_path / "archive", "sales-orders-weekly")
    assert (record["obligation"], record["deadline"], record["held_by"]) == (
        "sales-orders-weekly", "2026-12-07T10:00:00+08:00", ["li.qiang"])
    [comment] = env.engine.requested("POST", "/task/t-1/comment/create")
    assert comment.json["message"].startswith("已逾期：截止时间 2026-12-07 10:00 +0800 已过")
    [mail] = [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
              for p in (tmp_path / "outbox").glob("*.eml")]
    # the head who holds it, and at once (escalateAfterReminders 0) their superior in the demo file, 刘敏
    assert {a.addr_spec for a in mail["To"].addresses} == {"li.qiang@example.com", "liu.min@example.com"}
    assert "逾期升级" in str(mail["Subject"])


def test_a_later_firing_reminds_again_without_a_second_record_or_comment(tmp_path: Path) -> None:
    env = env_at("2026-12-08T10:00:02+08:00", tmp_path)
    env.engine.answer("GET", "/task", [{"id": "t-1", "name": "准备并发布", "assignee": "li.qiang"}])
    env.engine.answer("POST", "/task/t-1/comment/create", {})
    env.run("sharing-obligation.overdue", {**OCCURRENCE, "escalateAfterReminders": 0, "remindersSent": {}},
            process_instance_id="pi-1")
    outcome = env.run("sharing-obligation.overdue",
                      {**OCCURRENCE, "escalateAfterReminders": 0, "remindersSent": {"t-1": 1}}, process_instance_id="pi-1")
    assert isinstance(outcome, Completed) and outcome.variables["remindersSent"] == {"t-1": 2}
    assert len(read_records(tmp_path / "archive", "sales-orders-weekly")) == 1
    assert len(env.engine.requested("POST", "/task/t-1/comment/create")) == 1


def test_the_fulfilment_record_names_the_completer_from_the_history_and_whether_on_time(tmp_path: Path) -> None:
    env = env_at("2026-12-07T09:00:00+08:00", tmp_path)
    env.engine.answer("GET", "/history/task", [{"assignee": "sun.li", "deleteReason": "completed",
                                                "endTime": "2026-12-07T00:30:00.000+0000"}])
    done = {**OCCURRENCE, "obligationTitle": "客户订单周报 / Weekly customer orders", "ownerDepartment": "sales",
            "targetDepartments": ["production"], "category": "customer", "sensitivity": "internal", **PREPARED,
            "publishedShareInstance": "pi-share", "publishedShareVersion": 1,
            "sharePublishedAt": "2026-12-07T08:31:00+08:00"}
    outcome = env.run("sharing-obligation.record-fulfilment", done, process_instance_id="pi-1")
    assert isinstance(outcome, Completed), outcome
    assert (outcome.variables["preparedBy"], outcome.variables["onTime"]) == ("sun.li", True)
    [record] = read_records(tmp_path / "archive", "sales-orders-weekly")
    assert record["prepared_by"] == "sun.li" and record["content"] == "订单 A-1001：200 台"
    assert (record["share_instance"], record["share_version"], record["published_at"]) == (
        "pi-share", 1, "2026-12-07T08:31:00+08:00")
    assert json.loads((tmp_path / "archive" / outcome.variables["fulfilmentRecord"]).read_text())["on_time"] is True


@pytest.mark.parametrize("published_at, on_time", [
    ("2026-12-07T10:20:00+08:00", False),  # the task done at 08:30, the corrected share published after 10:00
    (None, False),  # withdrawn in information-sharing: nothing was shared
])
def test_on_time_is_when_the_share_was_published_not_when_the_task_was_done(
        tmp_path: Path, published_at: str | None, on_time: bool) -> None:
    env = env_at("2026-12-07T11:00:00+08:00", tmp_path)
    env.engine.answer("GET", "/history/task", [{"assignee": "sun.li", "deleteReason": "completed",
                                                "endTime": "2026-12-07T00:30:00.000+0000"}])
    done = {**OCCURRENCE, "obligationTitle": "客户订单周报 / Weekly customer orders", "ownerDepartment": "sales",
            "targetDepartments": ["production"], "category": "customer", "sensitivity": "internal", **PREPARED,
            "publishedShareInstance": "pi-share", "publishedShareVersion": 1, "sharePublishedAt": published_at}
    outcome = env.run("sharing-obligation.record-fulfilment", done, process_instance_id="pi-1")
    assert isinstance(outcome, Completed), outcome
    assert outcome.variables["onTime"] is on_time
    [record] = read_records(tmp_path / "archive", "sales-orders-weekly")
    assert (record["on_time"], record["published_at"]) == (on_time, published_at)


def test_utc_clock_sanity_of_the_fixture() -> None:
    assert Clock("2026-12-06T10:00:00+08:00")().astimezone(timezone.utc).hour == 2
