"""The to-do watcher (workers.shared.notify.watch) against an engine of canned tasks and history:
who is told of which task, once, and what survives restarts and failures. Mails go to a recording
sender instead of SMTP; the real server is in tests/integration/test_todo_notifications.py."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from workers.runtime.idempotency import SqliteOnceStore
from workers.runtime.settings import Settings
from workers.runtime.testing import HandlerEnvironment
from workers.shared import notify as notify_module
from workers.shared.notify import Notification
from workers.shared.notify.mail import MailNotSent
from workers.shared.notify.watch import ToDoWatcher, WatcherMisconfigured, check_permissions, engine_param
from workers.shared.notify.todo import engine_time

ROOT = Path(__file__).resolve().parents[2]
ORGANISATION = ROOT / "org" / "demo-organisation.yaml"
START = datetime(2026, 12, 1, 1, 0, tzinfo=timezone.utc)  # 09:00 in Shanghai
HANDOVER = {"id": "work-handover:1:abc", "key": "work-handover", "name": "工作交接 / Work hand-over"}


def stamp(moment: datetime) -> str:
    return engine_param(moment)


@dataclass
class World:
    """The engine as the watcher sees it: open tasks, their candidates, ended instances."""

    now: datetime = START
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)
    links: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    ended: list[dict[str, Any]] = field(default_factory=list)
    activities: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    assignments: list[dict[str, Any]] = field(default_factory=list)  # the identity-link log's assignee adds
    queries: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    down: bool = False

    def add_task(self, task_id: str, assignee: str | None, name: str = "填写工作交接清单 / Fill in the checklist",
                 **extra: Any) -> dict[str, Any]:
        self.tasks[task_id] = {"id": task_id, "name": name, "assignee": assignee, "created": stamp(self.now),
                               "lastUpdated": None, "due": None, "processInstanceId": "pi-1",
                               "processDefinitionId": HANDOVER["id"], "taskDefinitionKey": "Task_X", **extra}
        return self.tasks[task_id]

    def reassign(self, task_id: str, assignee: str) -> None:
        self.tasks[task_id].update(assignee=assignee, lastUpdated=stamp(self.now))
        self.assignments.append({"taskId": task_id, "userId": assignee, "time": stamp(self.now),
                                 "type": "assignee", "operationType": "add"})

    def comment(self, task_id: str) -> None:
        self.tasks[task_id].update(lastUpdated=stamp(self.now))

    def pass_time(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def request(self, method: str, path: str, *, params: dict[str, Any] | None = None, **_: Any) -> Any:
        if self.down:
            raise ConnectionError("engine down")
        params = params or {}
        self.queries.append((path, params))
        if path == "/task":
            return self._page([t for t in self.tasks.values() if self._after(t, params)], params)
        if path.startswith("/task/") and path.endswith("/identity-links"):
            return self.links.get(path.split("/")[2], [])
        if path.startswith("/process-definition/"):
            return HANDOVER
        if path == "/history/process-instance":
            since = engine_time(params["finishedAfter"])
            return self._page([i for i in self.ended if engine_time(i["endTime"]) > since], params)
        if path == "/history/activity-instance":
            return self.activities.get(params["processInstanceId"], [])
        if path == "/history/identity-link-log":
            return [e for e in self.assignments if e["taskId"] == params["taskId"] and e["userId"] == params["userId"]]
        if path == "/history/variable-instance":
            found = self.variables.get(params["processInstanceId"], {})
            return [{"name": "initiator", "value": found["initiator"]}] if "initiator" in found else []
        raise AssertionError(f"unexpected request {method} {path} {params}")

    @staticmethod
    def _after(task: dict[str, Any], params: dict[str, Any]) -> bool:
        if "createdAfter" in params:
            return engine_time(task["created"]) > engine_time(params["createdAfter"])
        updated = engine_time(task["lastUpdated"])
        return updated is not None and updated > engine_time(params["updatedAfter"])

    @staticmethod
    def _page(items: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
        first = params.get("firstResult", 0)
        return items[first:first + params.get("maxResults", len(items))]


@dataclass
class Sent:
    """What reached the mail channel, and whether it should refuse."""

    mails: list[Notification] = field(default_factory=list)
    refuse_for: set[str] = field(default_factory=set)  # person ids whose mail server refuses

    def send(self, settings: Settings, notification: Notification) -> str:
        if {p.id for p in notification.recipients} & self.refuse_for:
            raise MailNotSent("the mail server 127.0.0.1:25 refused the e-mail: 451 try again later")
        self.mails.append(notification)
        return notification.event_key

    def to(self, person_id: str) -> list[Notification]:
        return [m for m in self.mails if [p.id for p in m.recipients] == [person_id]]


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> Sent:
    recorded = Sent()
    monkeypatch.setattr(notify_module, "send_mail", recorded.send)
    return recorded


@pytest.fixture
def world() -> World:
    return World()


def settings_in(folder: Path) -> Settings:
    return Settings(worker_id="watch-test", data_dir=folder, organisation_file=ORGANISATION,
                    tasklist_url="http://tasklist.example/camunda/app/tasklist/default/", notify_overlap_s=60)


def watcher(world: World, folder: Path, store: SqliteOnceStore | None = None) -> ToDoWatcher:
    return ToDoWatcher(settings_in(folder), world, store or SqliteOnceStore(folder / "once.sqlite"),
                       now=lambda: world.now)


def started(world: World, folder: Path) -> ToDoWatcher:
    """A watcher that has made its first scan (its floor) on an engine with no tasks yet."""
    first = watcher(world, folder)
    first.scan()
    world.pass_time(5)
    return first


# --- who is told ---------------------------------------------------------------------------------


def test_the_assignee_of_a_new_task_is_told_once_however_often_it_is_scanned(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", "yang.fan")
    for _ in range(3):
        watch.scan()
        world.pass_time(10)
    assert [m.event_key for m in sent.mails] == ["todo:t1:yang.fan"]


def test_the_message_names_process_and_step_links_the_task_and_gives_the_due_date_in_company_time(
        world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", "yang.fan", due="2026-12-04T10:00:00.000+0000")
    watch.scan()
    [mail] = sent.mails
    assert mail.subject.zh == "新待办：填写工作交接清单（工作交接）"
    assert mail.subject.en == "New to-do: Fill in the checklist (Work hand-over)"
    assert "2026-12-04 18:00 (Asia/Shanghai)" in mail.body.zh, mail.body.zh
    assert mail.task_link("http://tasklist.example/camunda/app/tasklist/default/") == \
        "http://tasklist.example/camunda/app/tasklist/default/#/?task=t1"


def test_an_unassigned_task_tells_each_candidate_user_and_each_member_of_a_candidate_group(
        world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", None, name="裁定职责冲突 / Decide responsibility conflicts")
    world.links["t1"] = [{"type": "candidate", "groupId": "leadership"}, {"type": "candidate", "userId": "chen.jing"},
                         {"type": "candidate", "groupId": "camunda-admin"}]
    watch.scan()
    assert sorted(p.id for m in sent.mails for p in m.recipients) == ["chen.jing", "liu.min", "wang.jianguo"]
    assert all("认领" in m.body.zh for m in sent.mails), "candidates are told to claim the task first"


def test_a_reassigned_task_tells_its_new_assignee_once_and_the_old_one_not_again(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", "yang.fan")
    watch.scan()
    world.pass_time(120)
    watch.scan()  # the scans have moved on beyond the overlap: only its update brings it back
    world.reassign("t1", "wu.hao")
    watch.scan()
    watch.scan()
    assert [m.event_key for m in sent.mails] == ["todo:t1:yang.fan", "todo:t1:wu.hao"]


def test_a_claimed_candidate_task_does_not_tell_the_claimant_twice(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", None)
    world.links["t1"] = [{"type": "candidate", "groupId": "leadership"}]
    watch.scan()
    world.reassign("t1", "liu.min")  # a claim sets the assignee
    watch.scan()
    assert len(sent.to("liu.min")) == 1 and len(sent.to("wang.jianguo")) == 1


def test_someone_outside_the_organisation_is_left_out(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", "admin")
    report = watch.scan()
    assert sent.mails == [] and report.failed == []


# --- cold start and restarts ---------------------------------------------------------------------


def first_scan_after(world: World, folder: Path, task_id: str, assignee: str) -> ToDoWatcher:
    """A watcher whose first scan on `folder` comes after the task was created."""
    world.add_task(task_id, assignee)
    world.pass_time(5)
    watch = watcher(world, folder)
    watch.scan()
    return watch


def test_tasks_created_before_the_first_scan_on_a_state_folder_are_not_announced(world, sent, tmp_path) -> None:
    watch = first_scan_after(world, tmp_path, "old", "yang.fan")
    world.pass_time(1)
    world.add_task("new", "yang.fan")
    watch.scan()
    assert [m.event_key for m in sent.mails] == ["todo:new:yang.fan"]


def test_a_task_from_before_the_first_scan_tells_only_a_new_assignee_not_its_holder_of_a_comment(
        world, sent, tmp_path) -> None:
    watch = first_scan_after(world, tmp_path, "old", "yang.fan")
    world.pass_time(5)
    world.comment("old")  # the hand-over comments on a task it is about to move
    watch.scan()
    world.pass_time(1)
    world.reassign("old", "wu.hao")
    watch.scan()
    assert [m.event_key for m in sent.mails] == ["todo:old:wu.hao"]


def test_a_restarted_watcher_on_the_kept_state_sends_nothing_twice_and_what_came_meanwhile_once(
        world, sent, tmp_path) -> None:
    started(world, tmp_path).scan()
    world.add_task("t1", "yang.fan")
    watcher(world, tmp_path).scan()  # the first worker process tells yang.fan, then stops
    world.pass_time(600)
    world.add_task("t2", "wu.hao")  # while no worker ran
    world.pass_time(5)
    watcher(world, tmp_path).scan()  # a new worker process, the same state folder
    watcher(world, tmp_path).scan()
    assert [m.event_key for m in sent.mails] == ["todo:t1:yang.fan", "todo:t2:wu.hao"]


def test_two_watchers_sharing_the_once_store_tell_each_person_once(world, sent, tmp_path) -> None:
    store = SqliteOnceStore(tmp_path / "shared.sqlite")
    one, other = watcher(world, tmp_path / "a", store), watcher(world, tmp_path / "b", store)
    one.scan(), other.scan()
    world.pass_time(1)
    world.add_task("t1", "yang.fan")
    world.pass_time(1)
    one.scan(), other.scan()
    assert [m.event_key for m in sent.mails] == ["todo:t1:yang.fan"]


# --- failures ------------------------------------------------------------------------------------


def test_a_failed_send_is_reported_and_sent_on_a_later_scan_even_after_the_overlap(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    world.add_task("t1", "yang.fan")
    world.add_task("t2", "wu.hao")
    sent.refuse_for = {"yang.fan"}
    report = watch.scan()
    assert report.sent == 1 and len(report.failed) == 1 and "451 try again later" in report.failed[0]
    world.pass_time(3600)  # the mail server stays down for an hour
    watch.scan()
    sent.refuse_for = set()
    world.pass_time(10)
    watch.scan()
    assert [m.event_key for m in sent.mails] == ["todo:t2:wu.hao", "todo:t1:yang.fan"]


def test_an_unreachable_engine_never_stops_the_watcher_and_it_says_so(world, sent, tmp_path, caplog) -> None:
    watch = started(world, tmp_path)
    watch.settings.notify_scan_s = 0.01
    world.down = True
    stopping = threading.Event()
    runner = threading.Thread(target=watch.run, args=(stopping,))
    with caplog.at_level(logging.WARNING, logger="crossdept.notify"):
        runner.start()
        threading.Event().wait(0.3)
        world.down = False
        world.add_task("t1", "yang.fan")
        threading.Event().wait(0.5)
        stopping.set()
        runner.join(timeout=10)
    assert not runner.is_alive(), "the watcher did not stop"
    assert any("scan failed" in r.getMessage() and "engine down" in r.getMessage() for r in caplog.records)
    assert [m.event_key for m in sent.mails] == ["todo:t1:yang.fan"], "the scan after the outage sent the task"


# --- ended processes -----------------------------------------------------------------------------


def ended(world: World, instance_id: str, state: str, start_user: str, **extra: Any) -> None:
    world.ended.append({"id": instance_id, "state": state, "startUserId": start_user,
                        "processDefinitionId": HANDOVER["id"], "startTime": stamp(START),
                        "endTime": stamp(world.now), "superProcessInstanceId": None, **extra})


def test_the_initiator_is_told_once_with_the_end_event_their_process_reached_last(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    ended(world, "pi-9", "COMPLETED", "chen.jing")
    world.activities["pi-9"] = [
        {"activityId": "EndEvent_HandedOver", "activityType": "noneEndEvent", "activityName": "交接完成 / Handed over",
         "endTime": stamp(world.now)},
        {"activityId": "EndEvent_Notified", "activityType": "noneEndEvent", "activityName": "已通知 / Notified",
         "endTime": stamp(START)},
        {"activityId": "Task_X", "activityType": "userTask", "activityName": "x", "endTime": stamp(world.now)}]
    world.pass_time(1)
    watch.scan()
    watch.scan()
    [mail] = sent.mails
    assert [p.id for p in mail.recipients] == ["chen.jing"]
    assert mail.subject.zh == "流程已结束：工作交接（交接完成）", mail.subject.zh
    assert mail.subject.en == "Process ended: Work hand-over (Handed over)"


def test_a_cancelled_process_tells_its_initiator_it_was_cancelled(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    ended(world, "pi-9", "EXTERNALLY_TERMINATED", "chen.jing")
    world.pass_time(1)
    watch.scan()
    assert [m.subject.line() for m in sent.mails] == [
        "流程已结束：工作交接（已取消） / Process ended: Work hand-over (cancelled)"]


def test_an_instance_the_operator_started_for_a_head_tells_that_head(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    ended(world, "pi-9", "EXTERNALLY_TERMINATED", "admin")
    world.variables["pi-9"] = {"initiator": "chen.jing"}
    world.pass_time(1)
    watch.scan()
    assert [p.id for m in sent.mails for p in m.recipients] == ["chen.jing"]


def test_a_called_sub_process_or_a_timer_start_tells_nobody(world, sent, tmp_path) -> None:
    watch = started(world, tmp_path)
    ended(world, "pi-8", "COMPLETED", "chen.jing", superProcessInstanceId="pi-7")
    ended(world, "pi-9", "COMPLETED", None)
    world.pass_time(1)
    watch.scan()
    assert sent.mails == []


# --- least privilege -----------------------------------------------------------------------------


def test_without_task_read_the_watcher_refuses_to_start_naming_the_grant() -> None:
    env = HandlerEnvironment()
    env.engine.answer("GET", "/authorization/check", lambda request: {
        "authorized": request.params["resourceType"] != 7})  # everything but TASK
    with pytest.raises(WatcherMisconfigured, match=r"lacks TASK READ.*crossdept engine start"):
        check_permissions(env.engine, "crossdept-worker")


def test_with_the_runtimes_grants_the_permission_check_passes() -> None:
    env = HandlerEnvironment()
    env.engine.answer("GET", "/authorization/check", {"authorized": True})
    check_permissions(env.engine, "crossdept-worker")
    asked = {(r.params["resourceType"], r.params["permissionName"]) for r in env.engine.requested("GET", "/authorization/check")}
    assert asked == {(7, "READ"), (6, "READ"), (6, "READ_HISTORY")}


def test_the_runtime_alone_grants_what_the_watcher_needs_whatever_the_processes_declare() -> None:
    from workers.runtime.permissions import NOTIFIER_PERMISSIONS, RUNTIME_PERMISSIONS

    missing = {(r.name, n) for r, names in NOTIFIER_PERMISSIONS.items() for n in names
               if n not in RUNTIME_PERMISSIONS.get(r, ())}
    assert missing == set()


def test_crossdept_worker_refuses_to_start_without_the_grants_and_says_which(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import typer

    from workers.cli.worker import _watchers

    env = HandlerEnvironment()
    env.engine.answer("GET", "/authorization/check", {"authorized": False})
    with pytest.raises(typer.Exit):
        _watchers(settings_in(tmp_path), env.engine, SqliteOnceStore(Path(":memory:")))
    said = " ".join(capsys.readouterr().err.split())
    assert "lacks PROCESS_DEFINITION READ, PROCESS_DEFINITION READ_HISTORY, TASK READ" in said, said


def test_switched_off_the_watcher_is_not_started_and_asks_nothing(tmp_path: Path) -> None:
    from workers.cli.worker import _watchers

    env = HandlerEnvironment()
    settings = settings_in(tmp_path).model_copy(update={"notify_todos": False, "schedule_obligations": False})
    assert _watchers(settings, env.engine, SqliteOnceStore(Path(":memory:"))) == []
    assert env.engine.requests == []


def test_a_damaged_state_file_fails_the_scan_naming_the_file_and_what_to_do(world, sent, tmp_path) -> None:
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "todo-watch.json").write_text("{", encoding="utf-8")
    with pytest.raises(RuntimeError, match=r"todo-watch.json is not the to-do watcher's state.*delete it"):
        watcher(world, tmp_path).scan()
