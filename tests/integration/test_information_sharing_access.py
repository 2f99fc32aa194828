"""The endpoint-by-endpoint access check of test_sharing_access.py, on a real information-sharing
share: Sales' wu.hao publishes a business-data share to Production and Finance, the real workers
check it (sharing.check-request writes the audience: the target departments and the publisher)
and deliver it; then each of READS gives people outside the audience nothing of it, while the
receiving departments and the publisher read its content."""

from __future__ import annotations

import json
import uuid
from typing import Any, Iterator

import pytest
import requests

# The sharing scenario's own world (demo organisation, models, real workers and receivers), reused
# rather than set up a second way; `world` is its module fixture.
from tests.integration.test_information_sharing import World, world  # noqa: F401
from tests.support.driver import wait_until
from tests.support.sharing_access import READS, leak
from tests.support.staff import Staff

pytestmark = pytest.mark.engine

PUBLISHER = "wu.hao"  # 销售部 Sales
RECEIVERS = ("he.jun", "lin.xiao")  # production, finance: the target departments
# Outside: the publisher's own superior (Sales is no target), Engineering, Internal Audit.
OUTSIDERS = ("sun.li", "xu.ming", "tang.ning")


@pytest.fixture(scope="module")
def staff(world: World) -> Staff:
    return world.staff


@pytest.fixture(scope="module")
def share(staff: Staff) -> Iterator[dict[str, str]]:
    marker = f"SECRET-{uuid.uuid4().hex[:10]}"
    instance = staff.start(PUBLISHER, "information-sharing", {
        "title": f"十二月客户订单 / December customer orders {marker}", "category": "business-data",
        "sensitivity": "public", "summary": "本月订单汇总 / this month's orders",
        "content": f"A 客户 300 台 / customer A 300 units {marker}",
        "targetDepartments": ["production", "finance"], "channels": ["record"]})
    tasks = wait_until(lambda: (found := staff.tasks(instance, taskDefinitionKey="Task_Acknowledge"))
                       and len(found) == 2 and found, 90, "both departments' acknowledgement tasks")
    by_group = {}
    for task in tasks:
        [link] = [l for l in staff.admin.get(f"/task/{task['id']}/identity-links") if l["type"] == "candidate"]
        by_group[link["groupId"]] = task["id"]
    yield {"instance": instance, "marker": marker, "read": by_group["production"], "check": by_group["finance"]}
    staff.delete(instance)


def ask(staff: Staff, who: str, share: dict[str, str]) -> dict[str, requests.Response]:
    return {what: staff.session(who).get(staff.engine.engine_url + path.format(**share), timeout=30)
            for what, path in READS.items()}


@pytest.mark.parametrize("outsider", OUTSIDERS)
def test_an_outsider_gets_nothing_of_a_real_share(staff: Staff, share: dict[str, str], outsider: str) -> None:
    leaks = {what: found for what, response in ask(staff, outsider, share).items()
             if (found := leak(response, share["marker"], share["instance"]))}
    assert not leaks, f"{outsider} outside the audience got: " + json.dumps(leaks, ensure_ascii=False, indent=1)


@pytest.mark.parametrize("reader", (*RECEIVERS, PUBLISHER))
def test_the_receivers_and_the_publisher_read_its_content(staff: Staff, share: dict[str, str], reader: str) -> None:
    answers = ask(staff, reader, share)
    for what in ("GET /process-instance/{id}/variables", "GET /history/variable-instance", "GET /history/detail"):
        assert answers[what].ok and share["marker"] in answers[what].text, \
            f"{reader} could not read {what}: {answers[what].status_code} {answers[what].text[:200]}"


def test_the_audience_is_the_check_workers(staff: Staff, share: dict[str, str]) -> None:
    written: dict[str, Any] = staff.admin.history_variables(share["instance"])
    assert sorted(written["sharingAudienceGroups"]) == ["finance", "production"]
    assert PUBLISHER in written["sharingAudienceUsers"]
    grants = staff.admin.get("/authorization", resourceType=8, resourceId=share["instance"])
    assert {g["groupId"] or g["userId"] for g in grants} == {"finance", "production", *written["sharingAudienceUsers"]}
