"""What a scenario expects of a process instance, in the words of the policy.

    waits_at(handover, "Task_VerifyChecklist")
    has_passed(handover, "Task_RecordSendBack", times=2)
    variable_equals(handover, "handoverRound", 3)
    has_ended(handover, at="EndEvent_HandedOver")
    incident_at(handover, "Task_ArchiveChecklist", "simulated crash")

Workers run asynchronously, so the helpers that describe where an instance is or has been wait up to
`within` seconds for it to get there (an ended instance gets nowhere any more: they stop waiting at
once). A failure says what was expected and what the engine shows instead.
"""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from tests.support.driver import ProcessInstance, wait_until

T = TypeVar("T")
WITHIN_S = 60.0
_ENDED = ("COMPLETED", "EXTERNALLY_TERMINATED", "INTERNALLY_TERMINATED")


def waits_at(instance: ProcessInstance, activity_id: str, within: float = WITHIN_S) -> None:
    """The instance is waiting at `activity_id` (a user, receive or external task, a timer, ...)."""
    def where() -> tuple[list[str], str | None]:
        waiting = instance.waiting_at()
        return waiting, (None if waiting else instance.state())

    waiting, state = _eventually(where, lambda found: activity_id in found[0] or found[1] in _ENDED, within)
    if activity_id not in waiting:
        raise AssertionError(f"{instance} is not waiting at {activity_id}; {_whereabouts(instance, waiting, state)}")


def has_passed(instance: ProcessInstance, activity_id: str, times: int | None = None,
               within: float = WITHIN_S) -> None:
    """The instance has finished `activity_id` at least once, or exactly `times` times."""
    def enough(passed: list[str]) -> bool:
        count = passed.count(activity_id)
        return count >= (times or 1)

    passed = _eventually(instance.passed, lambda found: enough(found) or instance.state() in _ENDED, within)
    count = passed.count(activity_id)
    if count == 0 or (times is not None and count != times):
        expected = f"{times} time(s)" if times is not None else "at least once"
        raise AssertionError(
            f"{instance} was expected to have passed {activity_id} {expected}, it did {count} time(s); "
            f"it passed {_trail(passed)}; {_whereabouts(instance)}")


def has_ended(instance: ProcessInstance, at: str | None = None, within: float = WITHIN_S) -> None:
    """The instance reached an end of the process (not deleted), and `at` is the end event it
    reached last (an earlier one may have ended a parallel branch)."""
    state = _eventually(instance.state, lambda found: found in _ENDED, within)
    if state != "COMPLETED":
        raise AssertionError(f"{instance} was expected to have ended{_at(at)}; {_whereabouts(instance, state=state)}")
    if at is not None and (ends := _end_events(instance))[-1:] != [at]:
        raise AssertionError(f"{instance} was expected to have ended at {at}; it passed the end events "
                             f"{_listing(ends)}")


def variable_equals(instance: ProcessInstance, name: str, expected: Any, within: float = 0) -> None:
    """Variable `name` equals `expected`, decoded as workers see it (Json as lists and dicts)."""
    variables = _eventually(instance.variables, lambda found: found.get(name) == expected, within)
    if name not in variables:
        raise AssertionError(f"{instance} was expected to have variable {name} = {expected!r}; it has no such "
                             f"variable, only {_listing(sorted(variables))}")
    if variables[name] != expected:
        raise AssertionError(f"{instance} was expected to have {name} = {expected!r}; it is {variables[name]!r}")


def incident_at(instance: ProcessInstance, activity_id: str, message_contains: str = "",
                within: float = WITHIN_S) -> dict[str, Any]:
    """An open incident at `activity_id` whose message contains `message_contains`; returns it."""
    def matching(incidents: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [i for i in incidents if i["activityId"] == activity_id
                and message_contains in (i.get("incidentMessage") or "")]

    incidents = _eventually(instance.incidents, lambda found: bool(matching(found)) or instance.state() in _ENDED,
                            within)
    if not matching(incidents):
        found = "; ".join(f"at {i['activityId']}: {i.get('incidentMessage')!r}" for i in incidents) or "none"
        wanted = f" with a message containing {message_contains!r}" if message_contains else ""
        raise AssertionError(f"{instance} was expected to have an incident at {activity_id}{wanted}; "
                             f"its incidents: {found}")
    return matching(incidents)[0]


# --- how the engine's answer is put into words ---------------------------------------------------


def _eventually(observe: Callable[[], T], holds: Callable[[T], bool], within: float) -> T:
    """The last observation: the first that holds, or the one found when `within` seconds ran out."""
    last: list[T] = []

    def check() -> bool:
        last[:] = [observe()]
        return holds(last[0])

    try:
        wait_until(check, within, "the expected state", interval_s=0.2)
    except AssertionError:
        pass  # the caller words the failure from what was found last
    return last[0]


def _whereabouts(instance: ProcessInstance, waiting: list[str] | None = None, state: str | None = None) -> str:
    waiting = instance.waiting_at() if waiting is None else waiting
    if waiting:
        return f"it waits at {', '.join(waiting)}"
    state = state or instance.state()
    if state is None:
        return "the engine knows no such instance"
    if state == "COMPLETED":
        return f"it has ended (end events passed: {_listing(_end_events(instance))})"
    if state in _ENDED:
        return f"it was deleted ({state}) after passing {_trail(instance.passed(), 3)}"
    return f"it is {state} and waits nowhere"


def _end_events(instance: ProcessInstance) -> list[str]:
    """The end events it has passed, in the order it reached them."""
    ends = [a for a in instance.activities(finished="true") if a["activityType"].endswith("EndEvent")]
    return [a["activityId"] for a in sorted(ends, key=lambda a: a["endTime"])]


def _at(end_event: str | None) -> str:
    return f" at {end_event}" if end_event else ""


def _trail(passed: list[str], last: int = 12) -> str:
    """The activities passed, the last few only: enough to see where it went instead."""
    earlier = len(passed) - last
    return (f"{earlier} activities, then " if earlier > 0 else "") + _listing(passed[-last:])


def _listing(items: list[str]) -> str:
    return ", ".join(items) if items else "nothing"
