"""The two ways a handler can fail, as the engine should see them."""

from __future__ import annotations

from typing import Any


class BusinessRejection(Exception):
    """The input breaks a business rule: becomes a BPMN error the process routes back to a person.

    `code` is the BPMN error code the diagram catches (declare it in `@topic(errors=...)`), `field`
    and `rule` say what to fix; `variables` travel with the error into the process.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        field: str | None = None,
        variables: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field
        self.variables = dict(variables or {})

    def __str__(self) -> str:
        """The message as the form shows it, naming the field once (a message that already starts
        with the field, like a list of "field: rule" lines, is left as it is)."""
        if not self.field or self.message.startswith(f"{self.field}:"):
            return self.message
        return f"{self.field}: {self.message}"


class InvalidInput(Exception):
    """The process variables do not match the topic's input model (names each variable and rule)."""

    def __init__(self, topic: str, problems: list[str]) -> None:
        self.topic = topic
        self.problems = problems
        super().__init__(f"invalid variables for {topic}: " + "; ".join(problems))


class EvidenceMismatch(Exception):
    """The instance's own history contradicts what a privileged step would act on (a step not passed,
    a signature by someone else, a variable not written where it must be): an incident at once, as
    retrying cannot change the history and an operator must look at the instance."""
