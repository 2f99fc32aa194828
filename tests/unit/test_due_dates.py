"""Due dates from a lead time in company working days (workers.shared.due_dates), and the reminder topic
the project-cooperation processes share (workers.shared.reminders.reminder_topic), in the harness."""

from __future__ import annotations

import email
import email.policy
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from tests.support.model_properties import element_properties
from tests.unit.test_acceptance_report import project_variables
from tests.unit.test_handover_parties import delegations
from workers.runtime.settings import Settings
from workers.runtime.testing import Completed, Failed, HandlerEnvironment
from workers.shared.due_dates import DueDateSettings

SHANGHAI = timezone(timedelta(hours=8))
ROOT = Path(__file__).resolve().parents[2]
ORGANISATION = str(ROOT / "org" / "demo-organisation.yaml")


def settings(days: int) -> DueDateSettings:
    return DueDateSettings.model_validate({
        "dueWorkingDays": str(days), "timeZone": "Asia/Shanghai", "deadlineTime": "18:00",
        "calendarFile": "org/company-calendar.yaml", "reminderIntervalHours": "24", "escalateAfterReminders": "2"})


def test_a_lead_time_given_on_a_friday_ends_after_the_weekend() -> None:
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=SHANGHAI)
    assert settings(3).due(friday) == datetime(2026, 12, 2, 18, 0, tzinfo=SHANGHAI)


def test_the_national_day_holiday_does_not_count_and_its_make_up_saturday_does() -> None:
    # 2026: 1–7 October off, Saturday 10 October worked (org/company-calendar.yaml, State Council notice)
    before_the_holiday = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    assert settings(3).due(before_the_holiday) == datetime(2026, 10, 10, 18, 0, tzinfo=SHANGHAI)


def test_the_start_day_never_counts_even_late_at_night() -> None:
    monday_night = datetime(2026, 11, 23, 23, 30, tzinfo=SHANGHAI)
    assert settings(1).due(monday_night) == datetime(2026, 11, 24, 18, 0, tzinfo=SHANGHAI)


def test_a_missing_lead_time_is_an_incident_naming_the_property() -> None:
    properties = element_properties("project-cooperation-acceptance.bpmn", "Task_PrepareAcceptance")
    del properties["dueWorkingDays"]
    outcome = HandlerEnvironment(engine=delegations("li.qiang", "sun.li")).run(
        "cooperation-acceptance.prepare", project_variables(), properties=properties, activity_id="Task_PrepareAcceptance")
    assert isinstance(outcome, Failed) and outcome.incident
    assert "Task_PrepareAcceptance: camunda:property dueWorkingDays is missing" in outcome.message


@pytest.mark.parametrize(("topic", "element", "due_variable"), [
    ("cooperation-acceptance.prepare", "Task_PrepareAcceptance", "acceptanceDue"),
    ("cooperation-acceptance.prepare-assessment", "Task_PrepareAssessment", "assessmentDue"),
])
def test_the_step_returns_its_due_date_from_the_models_lead_time(topic: str, element: str, due_variable: str) -> None:
    now = datetime(2026, 9, 30, 2, 0, tzinfo=timezone.utc)
    properties = element_properties("project-cooperation-acceptance.bpmn", element)
    engine = delegations("li.qiang", "sun.li").answer("GET", "/process-instance/pi-1/variables", {})
    outcome = HandlerEnvironment(engine=engine, now=now).run(topic, project_variables(), properties=properties,
                                                             process_instance_id="pi-1")
    assert isinstance(outcome, Completed), outcome
    expected = DueDateSettings.model_validate(properties).due(now)
    assert datetime.fromisoformat(outcome.variables[due_variable]) == expected
    assert expected.date() > now.date() + timedelta(days=int(properties["dueWorkingDays"]))  # the holiday week
    assert outcome.variables["reminderIntervalHours"] == int(properties["reminderIntervalHours"])
    assert outcome.variables["escalateAfterReminders"] == int(properties["escalateAfterReminders"])


def remind(tmp_path: Path, properties: dict[str, str], tasks: list[dict]) -> tuple[object, HandlerEnvironment]:
    env = HandlerEnvironment(settings=Settings(worker_id="harness", data_dir=tmp_path, mail_outbox_dir=tmp_path / "outbox",
                                               tasklist_url="http://tasklist.example/camunda/app/tasklist/"))
    env.engine.answer("GET", "/task", tasks, params={"processInstanceId": "pi-1",
                                                     "taskDefinitionKeyIn": properties["remindTasks"]})
    outcome = env.run("cooperation-acceptance.remind", {"escalateAfterReminders": 1, "remindersSent": {"t1": 1}},
                      properties=properties, process_instance_id="pi-1", activity_id="Task_RemindRectification")
    return outcome, env


def test_the_reminder_asks_only_for_the_tasks_its_model_names_and_counts_on(tmp_path: Path) -> None:
    properties = element_properties("project-cooperation-acceptance.bpmn", "Task_RemindRectification")
    assert properties["remindTasks"] == "Task_Rectify"
    task = {"id": "t1", "name": "整改 / Rectify", "assignee": "zhou.gang", "due": "2026-12-04T10:00:00.000+0000"}
    outcome, env = remind(tmp_path, properties, [task])
    assert outcome == Completed({"remindersSent": {"t1": 2}})
    [path] = list((tmp_path / "outbox").glob("*.eml"))
    mail = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert mail["Subject"].startswith("项目验收与考核逾期升级（第 2 次催办）：整改 / Rectify"), mail["Subject"]
    # zhou.gang heads production: escalated to his superior
    assert len(mail["To"].addresses) == 2 and "zhou.gang" in {a.username for a in mail["To"].addresses}


def test_a_reminder_task_without_its_tasks_is_an_incident_naming_the_property(tmp_path: Path) -> None:
    outcome, _ = remind(tmp_path, {"organisationFile": ORGANISATION, "remindTasks": " , "}, [])
    assert isinstance(outcome, Failed) and outcome.incident
    assert "remindTasks" in outcome.message


def test_counts_a_subprocess_declared_empty_start_from_nothing(tmp_path: Path) -> None:
    # SubProcess_Meeting and SubProcess_FollowUp declare remindersSent without a value: null, not {}
    properties = element_properties("project-cooperation-implementation.bpmn", "Task_RemindMinutes")
    env = HandlerEnvironment(settings=Settings(worker_id="harness", data_dir=tmp_path, mail_outbox_dir=tmp_path / "outbox",
                                               tasklist_url="http://tasklist.example/camunda/app/tasklist/default/"))
    env.engine.answer("GET", "/task", [{"id": "m1", "name": "填写会议纪要", "assignee": "huang.lei", "due": None}],
                      params={"processInstanceId": "pi-1", "taskDefinitionKeyIn": "Task_WriteMinutes",
                              "taskVariables": "meetingId_eq_R2"})
    outcome = env.run("cooperation-implementation.remind",
                      {"escalateAfterReminders": 2, "remindersSent": None, "remindTaskValue": "R2"},
                      properties=properties, process_instance_id="pi-1")
    assert outcome == Completed({"remindersSent": {"m1": 1}})


@pytest.mark.parametrize("element", ["Task_ReturnCountersign", "Task_ReturnLeadership"])
def test_a_returned_agreement_is_due_again_the_redrafting_lead_time_from_its_return(element: str) -> None:
    now = datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)  # a Friday
    properties = element_properties("project-cooperation.bpmn", element)
    outcome = HandlerEnvironment(now=now).run("cooperation.return-agreement", {
        "returnedStep": "agreement-countersign", "returnedOutcome": "rejected", "returnedReason": "预算过高 / too costly"},
        properties=properties)
    assert isinstance(outcome, Completed), outcome
    due = datetime.fromisoformat(outcome.variables["draftingDue"])
    assert due == DueDateSettings.model_validate(properties).due(now) > now
    assert outcome.variables["agreementRejection"].startswith("会签被驳回：预算过高")
