"""Regular sharing obligations on the real engine: the scheduler (as `crossdept worker` runs it) starts
an occurrence seconds after its schedule says, the owning head gets 准备并发布 with the deadline as due
date; one left undone past its deadline is recorded, commented and escalated by e-mail; one done in
time is published through information-sharing with its preparer as the publisher (a missing field goes
back to them in information-sharing's correction task for regular shares, where the obligation's title,
category, sensitivity and receiving departments are read-only and the engine refuses a change to them;
one made past the engine is caught by the check, named and put back), reaches each target department's
acknowledgement task and is recorded with its completer and the share."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest
import yaml

from tests.integration.test_engine_enforcement import complete as submit, refused
from tests.integration.test_information_sharing import deploy as deploy_sharing
from tests.support.assertions import has_ended, has_passed, variable_equals, waits_at
from tests.support.driver import EngineDriver, ProcessInstance, running_worker, wait_until
from tests.support.receivers import Mailbox, smtp_server
from tests.support.staff import DEMO, Staff
from tests.support.timers import external_task_done_within, timer_fired_within
from workers.catalog import load_registry
from workers.processes.sharing_obligation.records import read_records
from workers.processes.sharing_obligation.scheduler import ObligationScheduler
from workers.runtime.client import EngineClient
from workers.runtime.idempotency import once_store_for
from workers.runtime.settings import Settings
from workers.shared.received import received_by
from workers.shared.organisation.model import parse_organisation

pytestmark = pytest.mark.engine

TOPICS = ["sharing-obligation.assign", "sharing-obligation.overdue", "sharing-obligation.record-fulfilment"]
TASKLIST = "http://camunda.corp.example/camunda/app/tasklist/default/"
LEAD_S = 10
LATE_S = 10  # a few 1-second scans on a loaded machine (re-reading the file checks its names' font too)
FIXED = {"title", "category", "sensitivity", "targetDepartments"}  # the obligation's, in the share


def quick(obligation_id: str, owner: str, targets: list[str], first_deadline: datetime, lead_s: int,
          category: str = "customer", sensitivity: str = "internal") -> dict[str, Any]:
    """An obligation due in seconds, written as an office would (an interval from a first deadline)."""
    return {"id": obligation_id, "title_zh": "订单快报", "title_en": "Order flash report", "owner": owner,
            "targets": targets, "category": category, "sensitivity": sensitivity,
            "schedule": {"every": "P1D", "from": first_deadline.isoformat(timespec="seconds")},
            "lead_time": f"PT{lead_s}S"}


def write_organisation(path: Path, obligations: list[dict[str, Any]]) -> dict[str, Any]:
    data = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    data["sharing_obligations"] = obligations
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def scenario(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    folder = tmp_path_factory.mktemp("obligations")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(parse_organisation(write_organisation(organisation_file, [])))
    staff.deploy("sharing-obligation-test", organisation_file, ["sharing-obligation.bpmn"],
                 ["sharing-obligation-prepare.form"], edits={'value="PT24H"': 'value="PT1H"'})
    deploy_sharing(staff, organisation_file)  # what the call activity publishes through, with its approval block
    topics = TOPICS + [t for t in load_registry().names() if t.startswith(("sharing.", "approval."))]
    with smtp_server() as (box, port):
        settings = engine.model_copy(update={
            "worker_id": "obligation-worker", "state_dir": folder / "state", "archive_dir": folder / "archive",
            "organisation_file": organisation_file, "obligation_scan_s": 1.0, "smtp_host": "127.0.0.1",
            "smtp_port": port, "tasklist_url": TASKLIST, "webhook_urls": []})
        user, password = settings.worker_credentials()
        client = EngineClient(settings.engine_url, user, password)
        scheduler = ObligationScheduler(settings, client, once_store_for(settings))
        stopping = threading.Event()
        beside = threading.Thread(target=scheduler.run, args=(stopping,), daemon=True)
        with running_worker(load_registry().subset(topics), settings):
            beside.start()
            try:
                wait_until((folder / "state" / "obligation-schedule.json").is_file, 10, "the scheduler's first scan")
                # The office adds two obligations to the running system's file: the scheduler picks them up.
                # Missed: appears 6 s from now, due at 16 s. Done: appears 6 s from now, due in ten minutes.
                now = datetime.now(timezone.utc).replace(microsecond=0)
                missed_deadline, done_deadline = now + timedelta(seconds=16), now + timedelta(minutes=10)
                write_organisation(organisation_file, [
                    quick("orders-flash", "sales", ["production"], missed_deadline, LEAD_S),
                    quick("budget-flash", "finance", ["sales", "production"], done_deadline, 594,
                          category="business-data", sensitivity="public")])  # public: no approval on the way
                yield {"staff": staff, "admin": admin, "box": box, "settings": settings,
                       "missed": ("orders-flash", missed_deadline), "done": ("budget-flash", done_deadline)}
            finally:
                stopping.set()
                beside.join(timeout=10)
                client.close()


def occurrence(scenario: dict, which: str, within: float = 20) -> ProcessInstance:
    obligation_id, deadline = scenario[which]
    key = f"{obligation_id}@{deadline.strftime('%Y-%m-%dT%H:%M:%SZ')}"
    found = wait_until(lambda: scenario["admin"].get("/process-instance", businessKey=key), within,
                       f"an instance with business key {key}", interval_s=0.3)
    assert len(found) == 1, f"{key} was started {len(found)} times"
    return ProcessInstance(scenario["admin"], found[0]["id"])


def test_the_occurrence_is_started_on_schedule_with_the_task_for_the_owning_head(scenario: dict) -> None:
    instance = occurrence(scenario, "missed")
    started = scenario["admin"].get("/history/process-instance", processInstanceId=instance.id)[0]
    appeared = datetime.fromisoformat(started["startTime"])
    deadline = scenario["missed"][1]
    scheduled = deadline - timedelta(seconds=LEAD_S)
    assert scheduled <= appeared <= scheduled + timedelta(seconds=LATE_S), (
        f"started at {appeared}, its schedule says {scheduled}: never before, at most {LATE_S} s after")
    waits_at(instance, "Task_PreparePublish")
    [task] = scenario["staff"].tasks(instance.id)
    assert task["assignee"] == "li.qiang" and task["name"] == "准备并发布 / Prepare and publish：订单快报 / Order flash report"
    assert datetime.fromisoformat(task["due"]) == deadline


def test_a_deadline_passed_is_recorded_commented_and_escalated_to_the_heads_superior(scenario: dict) -> None:
    instance = occurrence(scenario, "missed")
    settings: Settings = scenario["settings"]
    has_passed(instance, "Event_DeadlinePassed", within=timer_fired_within(settings, scenario["missed"][1]))
    variable_equals(instance, "deadlineMissed", True, within=external_task_done_within(settings))
    [record] = read_records(scenario["settings"].archive_root, "orders-flash")
    assert record["held_by"] == ["li.qiang"] and record["business_key"].startswith("orders-flash@")
    [task] = scenario["staff"].tasks(instance.id)
    comments = scenario["admin"].get(f"/task/{task['id']}/comment")
    assert any(c["message"].startswith("已逾期：截止时间") for c in comments), comments
    box: Mailbox = scenario["box"]
    escalation = wait_until(lambda: [m for m in box.messages if "逾期升级" in str(m["Subject"])], 20,
                            "the escalation e-mail")
    assert {a.addr_spec for a in escalation[0]["To"].addresses} == {"li.qiang@example.com", "liu.min@example.com"}
    waits_at(instance, "Task_PreparePublish")  # the task stays open: recorded late is still to be done


def the_share(scenario: dict, instance: ProcessInstance) -> ProcessInstance:
    """The information-sharing instance the call activity started."""
    found = wait_until(lambda: scenario["admin"].get("/process-instance", superProcessInstance=instance.id), 20,
                       f"the share called by {instance.id}", interval_s=0.3)
    return ProcessInstance(scenario["admin"], found[0]["id"])


def acknowledge(staff: Staff, share: ProcessInstance, department: str, person: str) -> None:
    [task] = staff.wait_for_tasks(share.id, 1, f"{department}'s acknowledgement task",
                                  taskDefinitionKey="Task_Acknowledge", candidateGroup=department)
    staff.call(person, "POST", f"/task/{task['id']}/claim", json={"userId": person})
    staff.complete(person, task["id"], {"feedbackKind": "none"})


def fields(form: dict[str, Any], readonly: bool) -> set[str]:
    """The keys of a deployed form's fields that are (or are not) read-only."""
    return {c["key"] for c in form["components"] if "key" in c and bool(c.get("readonly")) is readonly}


def test_the_prepare_form_keeps_the_obligations_fields_read_only_and_the_engine_refuses_changing_them(
        scenario: dict) -> None:
    staff: Staff = scenario["staff"]
    instance = occurrence(scenario, "missed")
    waits_at(instance, "Task_PreparePublish")
    [task] = staff.tasks(instance.id)
    form = staff.call("li.qiang", "GET", f"/task/{task['id']}/deployed-form")
    assert {"obligationTitle", "targetDepartmentsLabel", "category", "sensitivity"} <= fields(form, readonly=True)
    assert fields(form, readonly=False) == {"summary", "content", "contentLink", "channels"}
    draft = {"summary": "本周订单", "content": "A 客户 300 台", "channels": ["email"]}
    for name, value, why in (("category", "business-data", "read-only on"), ("sensitivity", "public", "read-only on"),
                             ("obligationTitle", "随便 / Anything", "read-only on"),
                             ("targetDepartments", ["production", "finance"], "not a field of")):
        response = submit(staff, "li.qiang", task["id"], {**draft, name: value})
        refused(response, 400, "ENGINE-CROSSDEPT-06", "Task_PreparePublish", f"'{name}' ({why}",
                "sharing-obligation-prepare")
    held = instance.variables()
    assert (held["category"], held["sensitivity"], held["targetDepartments"]) == ("customer", "internal", ["production"])
    waits_at(instance, "Task_PreparePublish")


def sent_back(scenario: dict) -> tuple[ProcessInstance, ProcessInstance]:
    """The occurrence done in time, prepared without content or link: its share waits in the regular
    share's correction task (once per module; later tests go on from there)."""
    if "sent_back" not in scenario:
        staff: Staff = scenario["staff"]
        instance = occurrence(scenario, "done")
        waits_at(instance, "Task_PreparePublish")
        [task] = staff.tasks(instance.id)
        assert task["assignee"] == "guo.hong"  # the head of finance
        staff.complete("guo.hong", task["id"], {"summary": "11 月预算执行", "content": "", "contentLink": "",
                                                "channels": ["record", "email"]})
        waits_at(instance, "CallActivity_Publish")
        share = the_share(scenario, instance)
        waits_at(share, "Task_CorrectRegularShare")  # information-sharing's check: neither content nor a link
        scenario["sent_back"] = (instance, share)
    return scenario["sent_back"]


def correction_task(scenario: dict, share: ProcessInstance, other_than: str | None = None) -> dict[str, Any]:
    return wait_until(lambda: next((t for t in scenario["staff"].tasks(share.id, taskDefinitionKey="Task_CorrectRegularShare")
                                    if t["id"] != other_than), None), 30, f"the regular share's correction in {share.id}")


def test_an_obligations_share_sent_back_is_corrected_with_the_obligations_fields_read_only(scenario: dict) -> None:
    staff: Staff = scenario["staff"]
    instance, share = sent_back(scenario)
    started = scenario["admin"].get("/history/process-instance", processInstanceId=share.id)[0]
    shared = share.variables()
    assert (started["startUserId"], shared["initiator"], shared["publisher"]) == ("guo.hong",) * 3, (
        "the preparer, whose completion started the share, is its publisher, not the workers' user")
    assert (shared["title"], shared["category"], shared["sensitivity"], shared["targetDepartments"]) == (
        "订单快报 / Order flash report", "business-data", "public", ["sales", "production"])
    assert shared["sharingObligation"] == "budget-flash", "found through the calling instance, by the check"
    own = scenario["admin"].get("/history/process-instance", processInstanceId=instance.id)[0]
    assert started["businessKey"] == own["businessKey"]
    assert "请填写内容或文档链接" in shared["rejectionMessage"], shared["rejectionMessage"]
    task = correction_task(scenario, share)
    assert task["assignee"] == "guo.hong" and not staff.tasks(share.id, taskDefinitionKey="Task_CorrectRequest")
    form = staff.call("guo.hong", "GET", f"/task/{task['id']}/deployed-form")
    assert form["id"] == "information-sharing-correct-obligation"
    assert FIXED <= fields(form, readonly=True), fields(form, readonly=True)
    assert fields(form, readonly=False) == {"summary", "content", "contentLink", "channels", "withdraw"}


def test_the_engine_refuses_a_correction_that_changes_what_the_obligation_fixes(scenario: dict) -> None:
    staff: Staff = scenario["staff"]
    _, share = sent_back(scenario)
    task = correction_task(scenario, share)
    corrected = {"content": "预算执行率 87%", "withdraw": False}
    for name, value, how in (("targetDepartments", ["production"], "complete"),
                             ("targetDepartments", ["production"], "submit-form"),
                             ("category", "finance", "complete"), ("sensitivity", "internal", "complete"),
                             ("title", "预算 / Budget", "complete")):
        response = submit(staff, "guo.hong", task["id"], {**corrected, name: value}, how=how)
        refused(response, 400, "ENGINE-CROSSDEPT-06", "Task_CorrectRegularShare", f"'{name}' (read-only on",
                "information-sharing-correct-obligation")
    shared = share.variables()
    assert (shared["title"], shared["category"], shared["sensitivity"], shared["targetDepartments"]) == (
        "订单快报 / Order flash report", "business-data", "public", ["sales", "production"]), "nothing written"
    assert correction_task(scenario, share)["id"] == task["id"], "the task is still open"


def test_a_fixed_field_changed_past_the_engine_is_caught_by_the_check_named_and_put_back(scenario: dict) -> None:
    staff: Staff = scenario["staff"]
    _, share = sent_back(scenario)
    task = correction_task(scenario, share)
    # The engine lets an administrator correct variables; the check still holds the obligation's line.
    scenario["admin"].session.put(f"{scenario['admin'].url}/process-instance/{share.id}/variables/targetDepartments",
                                  json={"type": "Json", "value": '["production"]'}, timeout=10).raise_for_status()
    staff.complete("guo.hong", task["id"], {"content": "预算执行率 87%", "withdraw": False})
    again = correction_task(scenario, share, other_than=task["id"])
    message = share.variables()["rejectionMessage"]
    assert message.startswith("接收部门 / Receiving departments: 定期共享「订单快报」由制度规定为销售部、生产部"), message
    assert "Sales, Production" in message and "put back" in message, message
    assert share.variables()["targetDepartments"] == ["sales", "production"], "the obligation's targets put back"
    assert again["assignee"] == "guo.hong"


def test_a_share_done_in_time_is_published_by_its_preparer_acknowledged_and_recorded(scenario: dict) -> None:
    staff: Staff = scenario["staff"]
    instance, share = sent_back(scenario)
    correct = correction_task(scenario, share)
    # As Tasklist submits the form: the read-only fields with the values they have, the corrected ones changed.
    staff.complete("guo.hong", correct["id"], {
        "title": "订单快报 / Order flash report", "category": "business-data", "sensitivity": "public",
        "targetDepartments": ["sales", "production"], "summary": "11 月预算执行", "content": "预算执行率 87%",
        "contentLink": "", "channels": ["email"], "withdraw": False})

    mails = wait_until(lambda: [m for m in scenario["box"].messages
                                if "he.jun@example.com" in str(m["To"]) and "订单快报" in str(m["Subject"])], 30,
                       "the share's e-mail to production")
    assert "预算执行率 87%" in mails[0].get_body(preferencelist=("plain",)).get_content()
    acknowledge(staff, share, "production", "he.jun")
    acknowledge(staff, share, "sales", "wu.hao")
    has_ended(share, at="EndEvent_Shared")
    has_ended(instance, at="EndEvent_Prepared")
    [record] = read_records(scenario["settings"].archive_root, "budget-flash")
    # the record keeps what was published, corrected in information-sharing, not the first draft
    assert (record["prepared_by"], record["on_time"], record["content"]) == ("guo.hong", True, "预算执行率 87%")
    assert (record["share_instance"], record["share_version"]) == (share.id, 1) and record["published_at"]
    assert instance.variables()["onTime"] is True
    [entry] = [e for e in received_by(scenario["settings"].archive_root, "production")
               if e.share.process_instance_id == share.id]
    assert entry.acknowledgement is not None and entry.acknowledgement.acknowledged_by == "he.jun"
