"""What an answer earns: the one rule the gradebook and the learner's app both count by.

An answer's score is its verdict's (an exercise's points when right); what
it *earns* takes off a quarter of that for each hint the learner had seen
before answering, and all of it when the solution had been shown before.
An exercise earns the most any of its answers earned, so a hint seen after
solving costs nothing, and practising after the solution never lowers a grade.

Each answer row carries the hints seen and whether the solution was shown
when it was given (the class's service fills both in from the store, never
from the learner's request), so this needs no other row.

    earned(Attempt(..., status="correct", score=1.0, hints_used=1))   # 0.75
"""

from __future__ import annotations

from collections.abc import Iterable

from tutor.progress.store import NOT_ATTEMPTS, Attempt

HINT_COST = 0.25  # the share of an answer's score each hint seen before it takes off


def earned(attempt: Attempt) -> float:
    """What one answer earns towards the grade (0 for a row that is no answer)."""
    if attempt.status in NOT_ATTEMPTS or attempt.solution_shown:
        return 0.0
    return attempt.score * max(0.0, 1.0 - HINT_COST * attempt.hints_used)


def exercise_score(attempts: Iterable[Attempt]) -> float:
    """What an exercise earns: the most any of its answers earned."""
    return max((earned(attempt) for attempt in attempts), default=0.0)


def mean_score(scores: Iterable[float], exercises: int) -> float:
    """A lesson's (or a course's) score, 0..1 when each exercise is worth 1: `progress`'s cell."""
    return sum(scores) / exercises if exercises else 0.0


def percent(fraction: float) -> str:
    """`71%`: a score as `progress` and the app both write it (the same rounding)."""
    return f"{fraction:.0%}"
