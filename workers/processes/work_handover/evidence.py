"""What the engine's history says a hand-over really went through, for the steps that act on it.

Variables can be written by anyone who completes a task or starts an instance with start
instructions; the history cannot. So the privileged steps (recording the signatures, archiving,
moving the giver's tasks) first check here that the instance passed its checks in order, that the
parties are those `handover.resolve-parties` named (the last update of each id was written by that
step) and that each signature was made by its assignee, who is that party. Anything else raises
`EvidenceMismatch`, an incident whose message says what was not passed or who signed instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from workers.runtime.errors import EvidenceMismatch

RESOLVE_PARTIES = "Task_ResolveParties"
COLLECT_OPEN_WORK = "Task_CollectOpenWork"
RECORD_SENDBACK = "Task_RecordSendBack"
VERIFICATION = "Task_RecordVerification"
SUMMARY = "checklistSummary"  # written by the verification only when it accepts the checklist
SIGNING = {"Task_GiverSigns": "giverId", "Task_ReceiverSigns": "receiverId", "Task_SupervisorConfirms": "supervisorId"}
PARTIES = tuple(SIGNING.values())
# The steps in the order the model passes them (element ids of bpmn/work-handover.bpmn), one stage
# each; the three signatures run in parallel, so they are one stage.
STAGES: tuple[tuple[str, ...], ...] = (
    (RESOLVE_PARTIES,), ("Task_CheckNotice",), (COLLECT_OPEN_WORK,), ("Task_CheckChecklist",), (VERIFICATION,),
    tuple(SIGNING), ("Task_RecordSignatures",), ("Task_ArchiveChecklist",), ("Task_SendCopies",),
    ("Task_ReassignOpenTasks",))


@dataclass(frozen=True)
class Trail:
    """One instance's history: its finished activities and every update of each variable."""

    process_instance_id: str
    completed: dict[str, list[dict[str, Any]]]  # activity id -> finished, not cancelled, by end time
    updates: dict[str, list[dict[str, Any]]]  # variable name -> its history details, oldest first

    def last_end(self, activity_id: str) -> datetime | None:
        done = self.completed.get(activity_id)
        return _instant(done[-1]["endTime"]) if done else None

    def written_by(self, variable: str, activity_id: str) -> Any:
        """The variable's value if its last update was made by `activity_id`, else EvidenceMismatch."""
        update = (self.updates.get(variable) or [None])[-1]
        if update is None or update.get("activityInstanceId") not in self._instances(activity_id):
            where = update.get("activityInstanceId") if update else "nowhere"
            raise EvidenceMismatch(f"{self.process_instance_id}: {variable} was not last written by {activity_id} "
                                   f"(last written by {where})")
        return _value(update)

    def last_written_by(self, variable: str, activity_id: str) -> Any:
        """The value `activity_id` last wrote to the variable (whoever wrote it since), else EvidenceMismatch."""
        ours = [u for u in self.updates.get(variable, []) if u.get("activityInstanceId") in self._instances(activity_id)]
        if not ours:
            raise EvidenceMismatch(f"{self.process_instance_id}: {activity_id} never wrote {variable}")
        return _value(ours[-1])

    def _instances(self, activity_id: str) -> set[str]:
        return {a["id"] for a in self.completed.get(activity_id, [])}


def load_trail(engine: Any, process_instance_id: str) -> Trail:
    activities = engine.request("GET", "/history/activity-instance", params={
        "processInstanceId": process_instance_id, "finished": "true",
        "sortBy": "endTime", "sortOrder": "asc"}) or []
    completed: dict[str, list[dict[str, Any]]] = {}
    for activity in activities:
        if not activity.get("canceled"):  # a step left by a BPMN error did not pass
            completed.setdefault(activity["activityId"], []).append(activity)
    updates = engine.request("GET", "/history/detail", params={
        "processInstanceId": process_instance_id, "variableUpdates": "true", "deserializeValues": "false",
        "sortBy": "occurrence", "sortOrder": "asc"}) or []
    by_name: dict[str, list[dict[str, Any]]] = {}
    for update in updates:
        by_name.setdefault(update["variableName"], []).append(update)
    return Trail(process_instance_id, completed, by_name)


def verified_parties(trail: Trail, through: str) -> dict[str, str]:
    """The parties' ids as resolve-parties wrote them, once the instance is shown to have passed,
    in order, every stage before `through` (an activity of STAGES), each signature by its party."""
    stages = list(STAGES[:next(i for i, stage in enumerate(STAGES) if through in stage)])
    _passed_in_order(trail, stages)
    if (VERIFICATION,) in stages:
        _verified_without_questions(trail)
    parties = {name: trail.written_by(name, RESOLVE_PARTIES) for name in PARTIES}
    if any(activity in SIGNING for stage in stages for activity in stage):
        for activity, party in SIGNING.items():
            signer = trail.completed[activity][-1].get("assignee")
            if signer != parties[party]:
                raise EvidenceMismatch(f"{trail.process_instance_id}: {activity} was completed by {signer}, "
                                       f"not by {parties[party]} ({party} as resolve-parties named)")
    return parties


def _passed_in_order(trail: Trail, stages: list[tuple[str, ...]]) -> None:
    """Each activity of a stage last ended after every activity of the stage before (the three
    signatures are one stage: they run in parallel)."""
    before: tuple[str, datetime] | None = None
    for stage in stages:
        ends = {}
        for activity in stage:
            ended = trail.last_end(activity)
            if ended is None:
                raise EvidenceMismatch(f"{trail.process_instance_id}: {activity} was not passed")
            if before and ended < before[1]:
                raise EvidenceMismatch(f"{trail.process_instance_id}: {activity} last ended before {before[0]}: "
                                       "the checks were not passed in order")
            ends[activity] = ended
        before = max(ends.items(), key=lambda item: item[1])
    sent_back, verified = trail.last_end(RECORD_SENDBACK), trail.last_end(VERIFICATION)
    if sent_back and verified and sent_back > verified:
        raise EvidenceMismatch(f"{trail.process_instance_id}: sent back after the last verification and not "
                               "verified since")


def _verified_without_questions(trail: Trail) -> None:
    """The last verification accepted the checklist: it wrote the summary, which it writes only
    when the receiver raised no questions (with questions it sends the checklist back instead)."""
    last = trail.completed[VERIFICATION][-1]["id"]
    if not any(u.get("activityInstanceId") == last for u in trail.updates.get(SUMMARY, [])):
        raise EvidenceMismatch(f"{trail.process_instance_id}: the last {VERIFICATION} returned open questions "
                               "and the checklist was not verified since")


def _value(update: dict[str, Any]) -> Any:
    value = update.get("value")
    return json.loads(value) if update.get("variableType") == "Json" and isinstance(value, str) else value


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))
