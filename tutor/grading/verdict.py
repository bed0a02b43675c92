"""The Verdict: what grading one answer says, on screen and in `grade --json` alike."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


class Status(str, Enum):
    """How an attempt ended. Only `correct` and `incorrect` cost an attempt."""

    CORRECT = "correct"
    INCORRECT = "incorrect"
    UNREADABLE = "unreadable"  # the answer could not be read; no attempt charged
    LIMIT = "limit"  # learner code hit a time or memory limit
    CRASHED = "crashed"  # learner code raised or died
    FORBIDDEN = "forbidden"  # learner code used a forbidden call

    @property
    def charges_attempt(self) -> bool:
        return self is not Status.UNREADABLE


@dataclass
class Verdict:
    """The outcome of grading one answer.

    `read_as` echoes how a formula was read (terminal math), so a typo is not
    mistaken for a wrong idea. `details` carries type-specific extras such as
    the first failing case of a code exercise; it never contains checking code.
    """

    status: Status
    score: float = 0.0
    feedback: str = ""
    mistake: str | None = None
    read_as: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return self.status is Status.CORRECT

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status.value
        data["correct"] = self.correct
        return data


class GraderNotAvailable(Exception):
    """Raised for an exercise type whose grader has not landed yet.

    Callers say so plainly to the user; a verdict is never faked.
    """
