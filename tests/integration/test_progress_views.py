"""Progress anyone involved can follow: the person who started an instance and the heads of the
departments whose members hold its tasks read those tasks (READ only, granted by the engine for
every client) and find them in their provisioned Tasklist views; a colleague sees nothing new."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from tests.support.driver import EngineDriver
from tests.support.progress import (
    COLLEAGUE, HOLDER, HOLDER_HEAD, INITIATOR, KEY, OTHER_HEAD, OTHER_HOLDER, PROBE, probe_task,
)
from tests.support.staff import Staff, demo_with_starters
from workers.runtime.settings import Settings

pytestmark = pytest.mark.engine

@pytest.fixture(scope="module")
def staff(engine: Settings, admin: EngineDriver, tmp_path_factory: pytest.TempPathFactory) -> Staff:
    staff = Staff(engine, admin)
    org = demo_with_starters(tmp_path_factory.mktemp("org") / "organisation.yaml", **{KEY: ["heads"]})
    staff.provision(org)
    admin.deploy_xml(KEY, {f"{KEY}.bpmn": PROBE})
    return staff


@pytest.fixture
def task(staff: Staff) -> Iterator[dict[str, Any]]:
    with probe_task(staff) as found:
        yield found


def status(staff: Staff, user_id: str, method: str, path: str, **kwargs: Any) -> int:
    return staff.session(user_id).request(method, staff.engine.engine_url + path, timeout=30, **kwargs).status_code


def readable(staff: Staff, user_id: str, task_id: str) -> bool:
    return status(staff, user_id, "GET", f"/task/{task_id}") == 200


def view(staff: Staff, user_id: str, key: str) -> list[str]:
    """The task ids of the provisioned filter `key`, as `user_id` lists it in Tasklist."""
    [found] = [f for f in staff.call(user_id, "GET", "/filter", params={"resourceType": "Task"})
               if (f.get("properties") or {}).get("crossdept") == key]
    return [t["id"] for t in staff.call(user_id, "GET", f"/filter/{found['id']}/list")]


def visible_views(staff: Staff, user_id: str) -> set[str]:
    return {(f.get("properties") or {}).get("crossdept") for f in staff.call(user_id, "GET", "/filter")}


def test_the_initiator_finds_the_open_step_in_started_by_me(staff: Staff, task: dict[str, Any]) -> None:
    assert readable(staff, INITIATOR, task["id"])
    assert task["id"] in view(staff, INITIATOR, f"started-by:{INITIATOR}")
    listed = staff.call(INITIATOR, "GET", f"/task/{task['id']}")
    assert (listed["name"], listed["assignee"]) == ("处理 / Work on it", HOLDER)


def test_the_holders_head_finds_it_in_the_staff_view(staff: Staff, task: dict[str, Any]) -> None:
    assert readable(staff, HOLDER_HEAD, task["id"])
    assert task["id"] in view(staff, HOLDER_HEAD, "staff-of:engineering")


def test_a_colleague_who_is_not_the_head_sees_nothing_new(staff: Staff, task: dict[str, Any]) -> None:
    assert not readable(staff, COLLEAGUE, task["id"])
    assert "staff-of:engineering" not in visible_views(staff, COLLEAGUE)
    assert visible_views(staff, COLLEAGUE) == {"my-tasks", "department-tasks", "due-soon", "overdue",
                                               f"started-by:{COLLEAGUE}", "received-by:engineering"}
    assert task["id"] not in view(staff, COLLEAGUE, f"started-by:{COLLEAGUE}")


@pytest.mark.parametrize("reader", [INITIATOR, HOLDER_HEAD])
def test_those_who_follow_a_task_can_neither_complete_nor_change_it(
    staff: Staff, task: dict[str, Any], reader: str
) -> None:
    path = f"/task/{task['id']}"
    attempts = {
        "complete": status(staff, reader, "POST", f"{path}/complete", json={"variables": {}}),
        "claim": status(staff, reader, "POST", f"{path}/claim", json={"userId": reader}),
        "assign": status(staff, reader, "POST", f"{path}/assignee", json={"userId": reader}),
        "variables": status(staff, reader, "POST", f"{path}/variables",
                            json={"modifications": {"holder": {"value": reader}}}),
        "due date": status(staff, reader, "PUT", path, json={"name": "x", "due": "2030-01-01T00:00:00.000+0000"}),
    }
    assert attempts == {name: 403 for name in attempts}
    assert staff.admin.get(path)["assignee"] == HOLDER


def test_a_task_moved_to_another_department_moves_to_that_head(staff: Staff, task: dict[str, Any]) -> None:
    staff.admin.session.post(f"{staff.admin.url}/task/{task['id']}/assignee", json={"userId": OTHER_HOLDER},
                             timeout=30).raise_for_status()
    assert not readable(staff, HOLDER_HEAD, task["id"])
    assert readable(staff, OTHER_HEAD, task["id"]) and task["id"] in view(staff, OTHER_HEAD, "staff-of:production")
    assert readable(staff, INITIATOR, task["id"])


def test_an_initiator_who_held_the_task_keeps_only_read_once_it_moves_on(staff: Staff) -> None:
    with probe_task(staff, holder=INITIATOR) as task:
        staff.admin.session.post(f"{staff.admin.url}/task/{task['id']}/assignee", json={"userId": HOLDER},
                                 timeout=30).raise_for_status()
        assert readable(staff, INITIATOR, task["id"])
        assert status(staff, INITIATOR, "POST", f"/task/{task['id']}/complete", json={"variables": {}}) == 403


def test_an_initiator_holding_their_own_task_can_complete_it(staff: Staff) -> None:
    with probe_task(staff, holder=INITIATOR) as task:
        staff.call(INITIATOR, "POST", f"/task/{task['id']}/complete", json={"variables": {}})


def test_the_grants_end_with_the_task(staff: Staff, task: dict[str, Any]) -> None:
    assert staff.admin.get("/authorization", resourceId=task["id"], resourceType=7)
    staff.call(HOLDER, "POST", f"/task/{task['id']}/complete", json={"variables": {}})
    assert staff.admin.get("/authorization", resourceId=task["id"], resourceType=7) == []


def test_each_departments_head_alone_is_in_its_heads_group(staff: Staff) -> None:
    members = {g: [u["id"] for u in staff.admin.get("/user", memberOfGroup=g)]
               for g in ("engineeringheads", "salesheads")}
    assert members == {"engineeringheads": ["zhang.wei"], "salesheads": ["li.qiang"]}
