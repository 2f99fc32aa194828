"""Due dates and reminders (催办) of the project-cooperation tasks on the real engine, with the real SMTP
receiver, through the acceptance check (Task_CheckCriteria) of project-cooperation-acceptance.

The lead time is read back from the deployed model's properties (Task_PrepareAcceptance), never
written here a second time. Its reminder timer first fires at that due date. A copy of the model
with no lead time and a midnight deadline makes an acceptance overdue at once: its timer is due on
the series `R/<due>/PT<reminderIntervalHours>H`, the first still ahead; each firing (by hand, as the
job executor does when the interval has passed) brings one reminder, from the
`escalateAfterReminders + 1`-th to the head's superior too. A model redeployed with a longer lead
time gives the next acceptance a later due date.
"""

from __future__ import annotations

import email.message
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
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
    task: dict[str, Any]  # the acceptance task of the model as it is, as the engine shows it
    started: datetime  # when its instance started (the lead time counts from that day)
    timer_due: datetime  # when its overdue timer first fires
    overdue_task: dict[str, Any]  # the acceptance task of a copy whose lead time has already run out
    overdue_timer_due: list[tuple[datetime, datetime]]  # (when read, the timer's due date) around each firing
    mails: list[list[email.message.EmailMessage]]  # the reminder mails each firing brought
    longer: DueDateSettings  # the settings of the model redeployed with a longer lead time
    longer_task: dict[str, Any]
    longer_started: datetime


def _settings() -> DueDateSettings:
    return DueDateSettings.model_validate(element_properties(MODEL, "Task_PrepareAcceptance"))


def _with(original: str, **properties: str) -> str:
    """The model with Task_PrepareAcceptance's properties changed, as a process owner edits them."""
    start = original.index('<bpmn:serviceTask id="Task_PrepareAcceptance"')
    end = original.index("</bpmn:serviceTask>", start)
    task = original[start:end]
    for name, value in properties.items():
        old = f'<camunda:property name="{name}" value="{element_properties(MODEL, "Task_PrepareAcceptance")[name]}"/>'
        assert old in task, old
        task = task.replace(old, f'<camunda:property name="{name}" value="{value}"/>')
    return original[:start] + task + original[end:]


def _start_until_check(admin: EngineDriver, staff: Staff, organisation_file: Path, business_key: str) -> tuple[dict, datetime]:
    instance_id = start(admin, KEY, business_key, contract_inputs(organisation_file))
    [task] = wait_until(lambda: staff.tasks(instance_id, taskDefinitionKey="Task_CheckCriteria"), 60,
                        "the acceptance task", interval_s=0.3)
    started = engine_time(admin.get(f"/history/process-instance/{instance_id}")["startTime"])
    assert started is not None
    return task, started


def _timer(admin: EngineDriver, instance_id: str) -> dict[str, Any]:
    [job] = wait_until(lambda: admin.get("/job", processInstanceId=instance_id, activityId=TIMER), 30, "the overdue timer")
    return job


def _due(job: dict[str, Any]) -> datetime:
    due = engine_time(job["dueDate"])
    assert due is not None
    return due


def _fire(admin: EngineDriver, instance_id: str) -> None:
    response = admin.session.post(f"{admin.url}/job/{_timer(admin, instance_id)['id']}/execute", timeout=30)
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
    original = (ROOT / "bpmn" / MODEL).read_text("utf-8")
    with smtp_server() as (box, port):
        settings = worker_settings_in(engine, folder, smtp_host="127.0.0.1", smtp_port=port,
                                      mail_from="crossdept@corp.example", archive_dir=folder / "archive",
                                      tasklist_url="http://tasklist.corp.example/camunda/app/tasklist/default/")
        instances: list[str] = []
        with running_worker(load_registry().subset(TOPICS), settings):
            try:
                task, started = _start_until_check(admin, staff, organisation_file, "PC-DUE-1")
                instances.append(task["processInstanceId"])
                timer_due = _due(_timer(admin, task["processInstanceId"]))

                # no lead time, due at midnight: the acceptance is overdue the moment it is created
                admin.deploy_xml("cooperation-due-dates-overdue", {MODEL: _with(original, dueWorkingDays="0",
                                                                                deadlineTime="00:00")})
                overdue, _ = _start_until_check(admin, staff, organisation_file, "PC-DUE-2")
                instance_id = overdue["processInstanceId"]
                instances.append(instance_id)
                overdue_timer_due, mails = [], []
                for firing in range(FIRINGS):
                    overdue_timer_due.append((datetime.now(timezone.utc), _due(_timer(admin, instance_id))))
                    before = len(box.messages)
                    _fire(admin, instance_id)
                    wait_until(lambda: len(box.messages) > before and _reminded(admin, instance_id), 60,
                               f"reminder {firing + 1}", interval_s=0.3)
                    mails.append(list(box.messages[before:]))
                overdue_timer_due.append((datetime.now(timezone.utc), _due(_timer(admin, instance_id))))

                # the process owner lengthens the lead time and redeploys: the next acceptance follows it
                longer = _settings().model_copy(update={"due_working_days": _settings().due_working_days + 4})
                admin.deploy_xml("cooperation-due-dates-longer",
                                 {MODEL: _with(original, dueWorkingDays=str(longer.due_working_days))})
                longer_task, longer_started = _start_until_check(admin, staff, organisation_file, "PC-DUE-3")
                instances.append(longer_task["processInstanceId"])
                yield Reminded(organisation_file, task, started, timer_due, overdue, overdue_timer_due, mails,
                               longer, longer_task, longer_started)
            finally:
                admin.deploy_xml("cooperation-due-dates-restored", {MODEL: original})  # later tests start it as it is
                for instance_id in instances:
                    staff.delete(instance_id)


def test_the_acceptance_task_is_due_the_lead_time_in_working_days_after_it_starts(reminded: Reminded) -> None:
    expected = _settings().due(reminded.started)
    assert engine_time(reminded.task["due"]) == expected
    # the end of a working day by the company calendar, in the company's zone
    assert expected.astimezone(_settings().time_zone).time() == _settings().deadline_time
    assert expected.date() >= reminded.started.date() + timedelta(days=_settings().due_working_days)


def test_the_first_reminder_is_due_when_the_task_is(reminded: Reminded) -> None:
    assert reminded.timer_due == engine_time(reminded.task["due"])


def test_an_overdue_tasks_reminders_fall_one_interval_apart_from_its_due_date(reminded: Reminded) -> None:
    due = engine_time(reminded.overdue_task["due"])
    assert due is not None
    interval = timedelta(hours=_settings().reminder_interval_hours)
    for read_at, timer_due in reminded.overdue_timer_due:
        # the cycle R/<due>/PT<interval>: the next reminder is the first of the series still ahead
        steps = (timer_due - due) / interval
        assert steps == int(steps) and steps >= 1, (due, timer_due)
        assert timer_due - interval <= read_at < timer_due, (read_at, timer_due)


def test_each_interval_reminds_the_holder_once(reminded: Reminded) -> None:
    assert [len(mails) for mails in reminded.mails] == [1] * FIRINGS
    head = HEADS["sales"]  # the requesting department's head checks the acceptance
    first = reminded.mails[0][0]
    assert first["Subject"].startswith("催办（第 1 次）："), first["Subject"]
    assert {a.username for a in first["To"].addresses} == {head}
    body = first.get_body(("plain",)).get_content()
    assert f"?task={reminded.overdue_task['id']}" in body and "已超过期限" in body


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
