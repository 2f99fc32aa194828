"""Under a steady load of hand-overs, each fault once per database: every instance must reach its
end by itself once the fault is gone, and nothing outside the engine may happen twice.

A fault that lasts longer than a step's retries ends that step as an incident (SMTP, webhook and
archive steps have 3 to 5 retries, 1 s apart in the suite's models): that is the documented
behaviour, and the suite then does what an operator does, raises the retries, and the instance
must go on to its end. Incidents cleared this way are listed, not counted as lost.
"""

from __future__ import annotations

import threading
import time

import pytest

from tests.reliability.conftest import SCALE
from tests.reliability.faults import FAULTS
from tests.reliability.figures import FIGURES
from tests.reliability.load import HandoverLoad
from tests.reliability.rig import Rig

HOLD_S = {"engine SIGKILL and restart": 3, "worker SIGKILL mid-handler": 2,
          "long poll cut: proxy stalls connections": 20 if SCALE.full else 12}  # past a long poll (5 s)
DEFAULT_HOLD_S = 12 if SCALE.full else 6


@pytest.mark.parametrize("fault", list(FAULTS))
def test_every_handover_ends_once_the_fault_is_gone(system: Rig, fault: str) -> None:
    load = HandoverLoad(system, SCALE.handovers)
    load.start_all(move_tasks=True)
    FIGURES.add("instances run", load.count)
    reported = set(system.duplicates())
    mails_before = len(system.mailbox.box.accepted)
    stop = threading.Event()
    driver = threading.Thread(target=load.drive, args=(600,), kwargs={"stop": stop}, daemon=True)
    driver.start()
    time.sleep(1)  # under way: notices sent, checklists being filled
    try:
        FAULTS[fault](system, HOLD_S.get(fault, DEFAULT_HOLD_S))
        FIGURES.add("faults injected")
    finally:
        stop.set()
        driver.join(timeout=120)
    open_ = load.drive(60 + 20 * load.count)
    if open_:
        FIGURES.cleared.extend(_raise_retries(system, open_, fault))
        open_ = load.drive(60 + 20 * load.count)
    lost = [FIGURES.defect("instances lost", f"{system.database}, {fault}: {i} waits at "
                           f"{system.admin.instance(i).waiting_at()}") for i in sorted(open_)]
    not_moved, moved_twice = load.moves()
    lost += [FIGURES.defect("instances lost", f"{system.database}, {fault}: {m}") for m in not_moved]
    found = [d for d in [*system.duplicates(), *moved_twice] if d not in reported]
    repeated = [d for d in found if _repeat_of_interrupted_send(d, system.worker.interrupted_mails)]
    FIGURES.add("mails repeated after a kill mid-send", len(repeated))
    duplicates = [FIGURES.defect("duplicate side effects", f"{system.database}, {fault}: {d}")
                  for d in found if d not in repeated]
    assert len(system.mailbox.box.accepted) > mails_before, "no mail arrived: the duplicate count would prove nothing"
    assert not lost and not duplicates, "\n".join(lost + duplicates + [f"worker log: {system.logs[0]}"])


def _repeat_of_interrupted_send(duplicate: str, interrupted: set[str]) -> bool:
    """A mail delivered exactly twice whose send the kill interrupted: its SMTP delivery may have
    finished just before the worker died, unrecorded, so the takeover sends it again with the same
    Message-ID (at-least-once, as workers/runtime/idempotency.py says). Any other repeat is a defect."""
    return any(duplicate.startswith(f"mail {mid} ") and duplicate.endswith(" delivered 2 times") for mid in interrupted)


def _raise_retries(system: Rig, instances: set[str], fault: str) -> list[str]:
    """What an operator does once the cause is gone: give each failed step its retries back."""
    cleared = []
    for incident in system.admin.get("/incident"):
        if incident["processInstanceId"] not in instances:
            continue
        kind = "external-task" if incident["incidentType"] == "failedExternalTask" else "job"
        response = system.admin.session.put(f"{system.admin.url}/{kind}/{incident['configuration']}/retries",
                                            json={"retries": 3}, timeout=30)
        assert response.ok, response.text
        cleared.append(f"{system.database}, {fault}: {incident['activityId']}: {incident['incidentMessage'][:160]}")
    return cleared
