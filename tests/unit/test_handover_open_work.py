"""`handover.collect-open-work` pre-fills the giver's checklist with what the engine knows they
still hold; the rows are read by staff, so they say where the work is in Tasklist's own words."""

from __future__ import annotations

import re

from workers.runtime.testing import Completed, FakeEngine, HandlerEnvironment


def test_prefilled_rows_say_where_the_work_is_in_tasklist_terms_without_engine_ids() -> None:
    engine = (FakeEngine()
              .answer("GET", "/task", [{"id": "task-7f3a", "name": "审核报价", "processDefinitionId": "quote:1:x",
                                        "processInstanceId": "other-1"}])
              .answer("GET", "/process-definition", [{"id": "quote:1:x", "key": "quote", "name": "报价审批"}])
              .answer("GET", "/history/process-instance", [{
                  "id": "instance-9c2e", "processDefinitionKey": "quote", "processDefinitionName": "报价审批",
                  "businessKey": None, "startTime": "2026-11-20T09:30:00.000+0000"}]))
    outcome = HandlerEnvironment(engine=engine).run("handover.collect-open-work", {"giverId": "yang.fan"},
                                                   activity_id="Task_CollectOpenWork", process_instance_id="handover-1")
    assert isinstance(outcome, Completed)
    task_row, process_row = outcome.variables["checklistItems"]
    assert task_row["camundaTaskId"] == "task-7f3a", "the id the reassignment moves stays in its own field"
    assert task_row["location"] == "待办任务列表「我的待办」 / Tasklist, My tasks"
    assert process_row["location"] == "待办任务列表「我发起的」 / Tasklist, Started by me"
    assert "发起于 / started 2026-11-20" in process_row["description"]
    for row in (task_row, process_row):
        shown = f"{row['description']} {row['location']}"
        assert "Camunda" not in shown and not re.search(r"task-7f3a|instance-9c2e", shown), shown
