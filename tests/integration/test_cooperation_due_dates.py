"""Due dates and reminders (催办) of the project-cooperation tasks on the real engine, with the real SMTP
receiver, through the acceptance check (Task_CheckCriteria) of project-cooperation-acceptance.

The lead time is read back from the deployed model's properties (Task_PrepareAcceptance), never
written here a second time. The overdue timer is fired by hand, as the job executor does when its
due date has passed: each firing is one interval, and from the `escalateAfterReminders + 1`-th the
head's superior hears too. A model redeployed with a longer lead time gives the next acceptance a
later due date.
"""

from __future__ import annotations

import email.message
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Iterator

import pytest

from tests.support.acceptance import HEADS, contract_inputs, deploy, start
from tests.support.driver import EngineDriver, running_worker, wait_until, worker_settings_in
from tests.support.model_properties import element_properties
from tests.support.receivers import smtp_server
from tests.support.staff import ROOT, Staff, demo_with_starters
from workers.catalog import load_registry
from workers.runtime.settings import Settings
from workers.shared.due_dates import DueDateSettings
from workers.shared.notify.todo import engine_time
from workers.shared.organisation.file import load
from workers.shared.organisation.lookups import superior

pytestmark = pytest.mark.engine

MODEL = "project-cooperation-acceptance.bpmn"
KEY = "project-cooperation-acceptance"
TOPICS = [name for name in load_registry().names() if name.startswith("cooperation-acceptance.")]
TIMER = "Event_AcceptanceOverdue"
FIRINGS = 3


@dataclass
class Reminded:
    organisation_file: Path
    task: dict[str, Any]  # the acceptance task, as the engine shows it
    started: datetime  # when its instance started (the lead time counts from that day)
    timer_due: list[datetime]  # the overdue timer's due date before each firing
    mails: list[list[email.message.EmailMessage]]  # the reminder mails each firing brought
    longer: DueDateSettings  # the redeployed model's settings
    longer_task: dict[str, Any]
    longer_started: datetime


def _settings() -> DueDateSettings:
    return DueDateSettings.model_validate(element_properties(MODEL, "Task_PrepareAcceptance"))


def _start_until_check(admin: EngineDriver, staff: Staff, organisation_file: Path, business_key: str) -> tuple[dict, datetime]:
    instance_id = start(admin, KEY, business_key, contract_inputs(organisation_file))
    [task] = wait_until(lambda: staff.tasks(instance_id, taskDefinitionKey="Task_CheckCriteria"), 60,
                        "the acceptance task", interval_s=0.3)
    started = engine_time(admin.get(f"/history/process-instance/{instance_id}")["startTime"])
    assert started is not None
    return task, started


def _timer_due(admin: EngineDriver, instance_id: str) -> datetime:
    [job] = wait_until(lambda: admin.get("/job", processInstanceId=instance_id, activityId=TIMER), 30, "the overdue timer")
    due = engine_time(job["dueDate"])
    assert due is not None
    return due


def _fire(admin: EngineDriver, instance_id: str) -> None:
    [job] = admin.get("/job", processInstanceId=instance_id, activityId=TIMER)
    response = admin.session.post(f"{admin.url}/job/{job['id']}/execute", timeout=30)
    assert response.ok, response.text


def _reminded(admin: EngineDriver, instance_id: str) -> bool:
    """The firing's reminder task is done (it keeps the counts the next firing reads)."""
    return not admin.get("/external-task", processInstanceId=instance_id, activityId="Task_RemindAcceptance")


@pytest.fixture(scope="module")
def reminded(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reminded]:
    folder = tmp_path_factory.mktemp("coop-due")
    organisation_file = folder / "organisation.yaml"
    staff = Staff(engine, admin)
    staff.provision(demo_with_starters(organisation_file))
    deploy(admin, organisation_file, "cooperation-due-dates")
    with smtp_server() as (box, port):
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", archive_dir=folder / "archive",
                                      tasklist_url="http://tasklist.corp.example/camunda/app/tasklist/default/")
        instances: list[str] = []
        with running_worker(load_registry().subset(TOPICS), settings):
            try:
                task, started = _start_until_check(admin, staff, organisation_file, "PC-DUE-1")
                instance_id = task["processInstanceId"]
                instances.append(instance_id)
                timer_due, mails = [], []
                for firing in range(FIRINGS):
                    timer_due.append(_timer_due(admin, instance_id))
                    before = len(box.messages)
                    _fire(admin, instance_id)
                    wait_until(lambda: len(box.messages) > before and _reminded(admin, instance_id), 60,
                               f"reminder {firing + 1}", interval_s=0.3)
                    mails.append(list(box.messages[before:]))

                # the process owner lengthens the lead time and redeploys: the next acceptance follows it
                longer = _settings().model_copy(update={"due_working_days": _settings().due_working_days + 4})
                original = (ROOT / "bpmn" / MODEL).read_text("utf-8")
                edited = original.replace(
                    f'<camunda:property name="dueWorkingDays" value="{_settings().due_working_days}"/>',
                    f'<camunda:property name="dueWorkingDays" value="{longer.due_working_days}"/>', 1)
                assert edited != original
                admin.deploy_xml("cooperation-due-dates-longer", {MODEL: edited})
                try:
                    longer_task, longer_started = _start_until_check(admin, staff, organisation_file, "PC-DUE-2")
                    instances.append(longer_task["processInstanceId"])
                finally:  # later tests start the model as the repository has it
                    admin.deploy_xml("cooperation-due-dates-restored", {MODEL: original})
                yield Reminded(organisation_file, task, started, timer_due, mails, longer, longer_task, longer_started)
            finally:
                for instance_id in instances:
                    staff.delete(instance_id)


def test_the_acceptance_task_is_due_the_lead_time_in_working_days_after_it_starts(reminded: Reminded) -> None:
    expected = _settings().due(reminded.started)
    assert engine_time(reminded.task["due"]) == expected
    # the end of a working day by the company calendar, in the company's zone
    assert expected.astimezone(_settings().time_zone).time() == _settings().deadline_time
    assert expected.date() >= reminded.started.date() + timedelta(days=_settings().due_working_days)


def test_the_overdue_timer_starts_at_the_due_date_and_repeats_once_per_interval(reminded: Reminded) -> None:
    assert reminded.timer_due[0] == engine_time(reminded.task["due"])
    interval = timedelta(hours=_settings().reminder_interval_hours)
    assert [b - a for a, b in zip(reminded.timer_due, reminded.timer_due[1:])] == [interval] * (FIRINGS - 1)


def test_each_interval_reminds_the_holder_once(reminded: Reminded) -> None:
    assert [len(mails) for mails in reminded.mails] == [1] * FIRINGS
    head = HEADS["sales"]  # the requesting department's head checks the acceptance
    first = reminded.mails[0][0]
    assert first["Subject"].startswith("催办（第 1 次）："), first["Subject"]
    assert {a.username for a in first["To"].addresses} == {head}
    body = first.get_body(("plain",)).get_content()
    assert f"?task={reminded.task['id']}" in body and "已超过期限" in body


def test_after_the_allowed_reminders_the_holders_superior_hears_too(reminded: Reminded) -> None:
    allowed = _settings().escalate_after_reminders
    assert allowed == FIRINGS - 1  # the scenario fires once past the allowance
    org = load(reminded.organisation_file)
    boss = superior(org, HEADS["sales"])
    assert boss is not None
    for count, [mail] in enumerate(reminded.mails, start=1):
        escalated = count > allowed
        recipients = {a.username for a in mail["To"].addresses}
        assert recipients == ({HEADS["sales"], boss.id} if escalated else {HEADS["sales"]}), (count, recipients)
        assert ("逾期升级" in mail["Subject"]) is escalated, mail["Subject"]


def test_a_lead_time_changed_and_redeployed_gives_the_next_acceptance_a_later_due_date(reminded: Reminded) -> None:
    assert engine_time(reminded.longer_task["due"]) == reminded.longer.due(reminded.longer_started)
    assert engine_time(reminded.longer_task["due"]) > engine_time(reminded.task["due"])
