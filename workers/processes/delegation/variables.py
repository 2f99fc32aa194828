"""The variables of process `delegation`: the registration as the form delivers it, and what the
check writes (the period as engine dates, which the end timer `${delegationEnds}` waits for)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from workers.runtime.contract import AsTyped
from workers.runtime.registry import ProcessVariables


class ValidateDelegationInput(ProcessVariables):
    """The start form's fields, as typed (the check names every problem by field), and who registered."""

    principal: Annotated[Any, AsTyped(str)] = None  # the absent person
    delegate: Annotated[Any, AsTyped(str)] = None
    start_date: Annotated[Any, AsTyped(datetime)] = None  # a date, or a date-time
    end_date: Annotated[Any, AsTyped(datetime)] = None
    reason: Annotated[Any, AsTyped(str)] = None
    # Who started it is not read from here: the `initiator` variable can be forged by a start that
    # skips listeners; the handler asks the engine's history for the start user.


class ValidateDelegationOutput(ProcessVariables):
    principal: str
    delegate: str
    principal_name: str
    delegate_name: str
    delegation_starts: datetime
    delegation_ends: datetime
    rejection_message: str | None = None
