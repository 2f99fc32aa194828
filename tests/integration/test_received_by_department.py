"""本部门收到的信息 / Received by my department (Tasklist's navbar view, crossdept-received.js) on the
real engine with the real sharing workers: the exact reads the view makes, with a member's Tasklist
session, give a receiving department's member every share it received, running and ended, with
version, acknowledgement state (who, when, due), correction and the department's feedback and
answer, confidential ones included; a member of a department that received none of them gets none
of them, from any of the reads."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from dataclasses import dataclass, field
from typing import Any

import pytest

from tests.integration.test_information_sharing import (  # noqa: F401 (world is a fixture)
    CONTENT, LEADER, PUBLISHER, SALES_HEAD, World, acknowledge, acknowledgement_task, decide, edited, share, world,
)
from tests.support.assertions import has_ended
from tests.support.driver import wait_until

pytestmark = pytest.mark.engine

MEMBER, COLLEAGUE, OUTSIDER = "he.jun", "ma.lin", "xu.ming"  # 生产部 Production twice; 技术部 Engineering
PROCESS = "information-sharing"
# What crossdept-received.js asks the history for (SHARE_VARIABLES + RECEIPT_VARIABLES there).
VARIABLES = ["title", "category", "sensitivity", "summary", "content", "contentLink", "shareVersion",
             "previousShareInstance", "publishedAt", "acknowledgementDue", "receivingDepartments", "publisherDepartment",
             "acknowledgementRequired", "companyTimeZone", "acknowledgement", "feedbackKind", "feedbackText",
             "feedbackAnswer"]
QUESTION, ANSWER = "A 客户的价格含税吗？ / Is A's price with tax?", "不含税 / without tax"


@dataclass
class Received:
    """The shares the fixture started, by what they show."""

    world: World
    acknowledged: str = ""
    pending: str = ""
    overdue: str = ""
    late: str = ""
    corrected: str = ""
    correction: str = ""
    confidential: str = ""
    ours: set[str] = field(default_factory=set)


@pytest.fixture(scope="module")
def received(world: World) -> Received:  # noqa: F811
    shares = Received(world)
    shares.acknowledged = share(world, title="十二月客户订单 / December orders", targetDepartments=["production", "finance"],
                                channels=["email"])
    acknowledge(world, shares.acknowledged, "production", MEMBER)
    wait_until(lambda: world.staff.admin.get("/history/variable-instance", processInstanceId=shares.acknowledged,
                                             variableName="acknowledgement", deserializeValues="false")[0]["value"],
               30, "production's receipt recorded by the workers")
    shares.pending = share(world, title="元旦值班安排 / New Year duty roster", category="policy",
                           targetDepartments=["production"], channels=["email"], contentLink="https://wiki.example/duty")
    # Due the day it is published at 00:00: already past (as in test_information_sharing's late receipt).
    with edited(world, bpmn_edits={'name="deadlineTime" value="18:00"': 'name="deadlineTime" value="00:00"'},
                decision_edits={'<outputEntry id="Rule_ProjectProgressPublic_AcknowledgementDays">\n          <text>5</text>':
                                '<outputEntry id="Rule_ProjectProgressPublic_AcknowledgementDays">\n          <text>0</text>'}):
        shares.overdue = share(world, title="项目周报 / Weekly project report", category="project-progress",
                               targetDepartments=["production"], channels=["email"])
        shares.late = share(world, title="项目月报 / Monthly project report", category="project-progress",
                            targetDepartments=["production"], channels=["email"])
        acknowledgement_task(world, shares.overdue, "production")
        acknowledge(world, shares.late, "production", COLLEAGUE)
    shares.corrected = share(world, title="一月生产计划 / January production plan", targetDepartments=["production"],
                             channels=["email"])
    acknowledge(world, shares.corrected, "production", MEMBER, feedbackKind="error",
                feedbackText="B 客户应为 150 台 / B should be 150")
    answer = wait_until(lambda: next(iter(world.staff.tasks(shares.corrected, taskDefinitionKey="Task_AnswerFeedback")),
                                     None), 60, "the publisher's answer task")
    world.staff.complete(PUBLISHER, answer["id"], {"feedbackAnswer": "已更正 / corrected", "correctionNeeded": True,
                                                   "correctedContent": CONTENT.replace("120", "150")})
    shares.correction = wait_until(lambda: next((v["processInstanceId"] for v in world.staff.admin.get(
        "/history/variable-instance", variableName="previousShareInstance") if v["value"] == shares.corrected), None),
        30, "version 2")
    shares.confidential = share(world, title="重点客户价格 / Key customer prices", category="customer",
                                sensitivity="confidential", targetDepartments=["production"], channels=["email"])
    decide(world, SALES_HEAD)
    decide(world, LEADER)
    acknowledge(world, shares.confidential, "production", MEMBER, feedbackKind="question", feedbackText=QUESTION)
    answer = wait_until(lambda: next(iter(world.staff.tasks(shares.confidential, taskDefinitionKey="Task_AnswerFeedback")),
                                     None), 60, "the publisher's answer task")
    world.staff.complete(PUBLISHER, answer["id"], {"feedbackAnswer": ANSWER, "correctionNeeded": False})
    acknowledgement_task(world, shares.acknowledged, "finance")  # finance has not acknowledged it yet
    for pid in (shares.late, shares.corrected, shares.confidential):
        has_ended(world.staff.admin.instance(pid), at="EndEvent_Shared")
    acknowledgement_task(world, shares.correction, "production")
    shares.ours = {shares.acknowledged, shares.pending, shares.overdue, shares.late, shares.corrected,
                   shares.correction, shares.confidential}
    return shares


@dataclass
class ViewReads:
    groups: list[dict[str, Any]]
    form: dict[str, Any]
    instances: list[dict[str, Any]]
    variables: list[dict[str, Any]]
    tasks: dict[str, list[dict[str, Any]]]

    def of(self, pid: str) -> dict[str, Any]:
        """The instance's own variables (not those of its receiving subprocesses), decoded."""
        return {v["name"]: decoded(v) for v in self.variables
                if v["processInstanceId"] == pid and v["executionId"] == pid}

    def receipts(self, pid: str) -> list[dict[str, Any]]:
        """Per receiving department (one subprocess scope each): its receipt, feedback and answer. The
        scope is the execution: all departments' subprocesses share the multi-instance's activity instance."""
        scopes: dict[str, dict[str, Any]] = {}
        for v in self.variables:
            if v["processInstanceId"] == pid and v["executionId"] != pid:
                scopes.setdefault(v["executionId"], {})[v["name"]] = decoded(v)
        return [s for s in scopes.values() if s.get("acknowledgement")]


def moment(text: str) -> datetime:
    """An engine date (2026-12-02T00:00:00.000+0800) or a worker's (…+08:00)."""
    return datetime.fromisoformat(text)


def decoded(variable: dict[str, Any]) -> Any:
    value = variable["value"]
    return json.loads(value) if variable["type"] == "Json" and isinstance(value, str) else value


def view_reads(received: Received, user: str) -> ViewReads:
    """What crossdept-received.js reads, in its order, with the user's Tasklist session; only the
    fixture's shares (other tests on the session engine leave theirs)."""
    browser, login = received.world.staff.webapp(user)
    assert login.ok, f"{user} logs in to Tasklist: {login.status_code}"
    base = received.world.staff.engine.engine_url.replace("/engine-rest", "/camunda/api/engine/engine/default")

    def get(path: str, **params: Any) -> Any:
        response = browser.get(f"{base}/{path}", params=params, timeout=30)
        assert response.ok, f"{user}: GET {path} -> {response.status_code} {response.text[:300]}"
        return response.json()

    groups = get("group", member=user, type="crossdept-department", sortBy="id", sortOrder="asc")
    form = get(f"process-definition/key/{PROCESS}/deployed-start-form")
    instances = [i for i in get("history/process-instance", processDefinitionKey=PROCESS, sortBy="startTime",
                                sortOrder="desc", maxResults=500) if i["id"] in received.ours]
    variables: list[dict[str, Any]] = []
    if instances:
        response = browser.post(f"{base}/history/variable-instance", params={"deserializeValues": "false"}, timeout=30,
                                json={"processInstanceIdIn": [i["id"] for i in instances], "variableNameIn": VARIABLES})
        assert response.ok, f"{user}: POST history/variable-instance -> {response.status_code} {response.text[:300]}"
        variables = response.json()
    tasks = {g["id"]: [t for t in get("task", processDefinitionKey=PROCESS, taskDefinitionKey="Task_Acknowledge",
                                      candidateGroup=g["id"], includeAssignedTasks="true")
                       if t["processInstanceId"] in received.ours] for g in groups}
    return ViewReads(groups, form, instances, variables, tasks)


def test_a_member_gets_every_share_the_department_received_running_and_ended(received: Received) -> None:
    reads = view_reads(received, MEMBER)
    assert [(g["id"], g["name"]) for g in reads.groups] == [("production", "生产部 Production")]
    assert {i["id"] for i in reads.instances} == received.ours
    starts = [i["startTime"] for i in reads.instances]
    assert starts == sorted(starts, reverse=True), "newest first"
    ended = {i["id"] for i in reads.instances if i["endTime"]}
    assert {received.confidential, received.corrected, received.late} <= ended
    assert received.acknowledged not in ended, "finance has not acknowledged it yet"
    shown = reads.of(received.acknowledged)
    assert (shown["title"], shown["shareVersion"], shown["category"], shown["sensitivity"]) == (
        "十二月客户订单 / December orders", 1, "business-data", "public")
    assert (shown["publisherDepartment"], shown["receivingDepartments"], shown["companyTimeZone"]) == (
        "sales", ["production", "finance"], "Asia/Shanghai")
    assert shown["publishedAt"] and shown["content"] == CONTENT


def test_the_labels_are_the_deployed_start_forms_options(received: Received) -> None:
    options = {c["key"]: {o["value"]: o["label"] for o in c.get("values") or []}
               for c in view_reads(received, MEMBER).form["components"] if c.get("key")}
    assert options["category"]["business-data"] == "业务数据 / Business data"
    assert options["sensitivity"]["confidential"] == "机密 / Confidential"
    assert options["targetDepartments"]["sales"] == "销售部 Sales"


def test_acknowledgement_states_are_who_and_when_or_the_open_task_and_its_due_date(received: Received) -> None:
    reads = view_reads(received, MEMBER)
    [done] = [r["acknowledgement"] for r in reads.receipts(received.acknowledged)
              if r["acknowledgement"]["department"] == "production"]
    assert (done["by"], done["byName"], done["late"]) == (MEMBER, "何军", False) and done["at"]
    [late] = [r["acknowledgement"] for r in reads.receipts(received.late)]
    assert (late["byName"], late["late"]) == ("马琳", True)
    open_tasks = {t["processInstanceId"]: t for t in reads.tasks["production"]}
    assert set(open_tasks) == {received.pending, received.overdue, received.correction}
    now = datetime.now(timezone.utc)
    assert moment(open_tasks[received.pending]["due"]) > now, "pending, due later"
    assert moment(open_tasks[received.overdue]["due"]) < now, "overdue"
    assert moment(open_tasks[received.overdue]["due"]) == moment(reads.of(received.overdue)["acknowledgementDue"])
    assert reads.receipts(received.pending) == [], "not acknowledged yet"
    assert reads.of(received.pending)["contentLink"] == "https://wiki.example/duty"


def test_a_corrected_version_names_the_one_it_corrects(received: Received) -> None:
    reads = view_reads(received, MEMBER)
    later = reads.of(received.correction)
    assert (later["shareVersion"], later["previousShareInstance"]) == (2, received.corrected)
    assert later["content"] == CONTENT.replace("120", "150")
    [asked] = reads.receipts(received.corrected)
    assert (asked["feedbackKind"], asked["feedbackAnswer"]) == ("error", "已更正 / corrected")


def test_the_department_reads_its_feedback_and_the_answer_to_a_confidential_share(received: Received) -> None:
    reads = view_reads(received, MEMBER)
    assert reads.of(received.confidential)["sensitivity"] == "confidential"
    [asked] = reads.receipts(received.confidential)
    assert (asked["feedbackKind"], asked["feedbackText"], asked["feedbackAnswer"]) == ("question", QUESTION, ANSWER)
    assert asked["acknowledgement"]["feedback"] == "question"
    mails = [m for m in received.world.mailbox.messages
             if f"{MEMBER}@example.com" in str(m["To"]) and "Answer to your feedback: 重点客户价格" in str(m["Subject"])]
    [mail] = wait_until(lambda: mails or None, 30, "the answer mail")
    text = mail.get_body(preferencelist=("plain",)).get_content()
    assert ANSWER not in text and "「本部门收到的信息」" in text, text


def test_another_department_gets_none_of_them_from_any_read(received: Received) -> None:
    reads = view_reads(received, OUTSIDER)
    assert [g["id"] for g in reads.groups] == ["engineering"]
    assert reads.instances == [] and reads.variables == [] and reads.tasks == {"engineering": []}
    browser, _ = received.world.staff.webapp(OUTSIDER)
    base = received.world.staff.engine.engine_url.replace("/engine-rest", "/camunda/api/engine/engine/default")
    asked = browser.post(f"{base}/history/variable-instance", params={"deserializeValues": "false"}, timeout=30,
                         json={"processInstanceIdIn": sorted(received.ours), "variableNameIn": VARIABLES})
    assert asked.status_code == 200 and asked.json() == [], asked.text[:300]
    production = browser.get(f"{base}/task", params={"candidateGroup": "production", "processDefinitionKey": PROCESS},
                             timeout=30)
    assert [t for t in production.json() if t["processInstanceId"] in received.ours] == []


def test_a_department_that_received_one_of_them_gets_only_that_one(received: Received) -> None:
    reads = view_reads(received, "lin.xiao")  # 财务部 Finance: a target of the December orders only
    assert {i["id"] for i in reads.instances} == {received.acknowledged}
    assert [t["processInstanceId"] for t in reads.tasks["finance"]] == [received.acknowledged]
