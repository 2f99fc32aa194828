"""The suite's figures: what it did and what went wrong, printed once at the end of the session.

Tests add to the one `FIGURES` object; the conftest prints it and fails the session when any of
the last three is not 0. Each defect count comes with its details, so a non-zero figure says
which instance, which mail, which check.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ACTIVITY = ("instances run", "faults injected", "inputs tried", "access checks made",
            "mails repeated after a kill mid-send")  # the documented at-least-once window, see rig.py
DEFECTS = ("instances lost", "duplicate side effects", "mismatches")


@dataclass
class Figures:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ACTIVITY + DEFECTS, 0))
    details: dict[str, list[str]] = field(default_factory=lambda: {name: [] for name in DEFECTS})
    cleared: list[str] = field(default_factory=list)  # incidents a fault caused, cleared by raising retries

    def add(self, name: str, amount: int = 1) -> None:
        self.counts[name] += amount

    def defect(self, name: str, detail: str) -> str:
        """Count one defect and keep what it was; returns the detail for the test's own message."""
        self.counts[name] += 1
        self.details[name].append(detail)
        return detail

    def defects(self) -> int:
        return sum(self.counts[name] for name in DEFECTS)

    def lines(self, details_per_figure: int = 20) -> list[str]:
        lines = [f"{name:>24}: {self.counts[name]}" for name in ACTIVITY + DEFECTS]
        lines += [f"  incident cleared by raising retries: {note}" for note in self.cleared]
        for name in DEFECTS:
            for detail in self.details[name][:details_per_figure]:
                lines.append(f"  {name}: {detail}")
            if len(self.details[name]) > details_per_figure:
                lines.append(f"  {name}: ... {len(self.details[name]) - details_per_figure} more")
        return lines


FIGURES = Figures()
