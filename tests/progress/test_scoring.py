"""What an answer earns (tutor/progress/scoring.py): the rule the gradebook and the app share."""

from __future__ import annotations

import pytest

from tutor.progress.gradebook import LessonOutline, grade_rows
from tutor.progress.scoring import earned, exercise_score
from tutor.progress.store import Attempt


def _row(status: str, score: float, hints: int = 0, shown: bool = False) -> Attempt:
    return Attempt("ada", "p", "1", "l", "e", "x", status, score, None, hints, shown)


@pytest.mark.parametrize(
    ("attempt", "expected"),
    [
        (_row("correct", 1.0), 1.0),
        (_row("correct", 1.0, hints=1), 0.75),
        (_row("correct", 1.0, hints=2), 0.5),
        (_row("correct", 1.0, hints=9), 0.0),  # never below nothing
        (_row("correct", 2.0, hints=1), 1.5),  # a share of the exercise's points
        (_row("correct", 1.0, shown=True), 0.0),  # after the solution
        (_row("incorrect", 0.0), 0.0),
        (_row("hint", 0.0, hints=1), 0.0),  # a hint row is no answer
        (_row("solution", 0.0, shown=True), 0.0),
    ],
)
def test_an_answer_earns_its_score_less_what_helped_it(attempt: Attempt, expected: float) -> None:
    assert earned(attempt) == pytest.approx(expected)


def test_an_exercise_earns_its_best_answer_so_practise_never_lowers_it() -> None:
    rows = [
        _row("incorrect", 0.0),
        _row("correct", 1.0),  # solved unaided
        _row("hint", 0.0, hints=1),  # a hint seen afterwards costs nothing
        _row("solution", 0.0, shown=True),
        _row("correct", 1.0, hints=1, shown=True),  # practising after the solution
    ]
    assert exercise_score(rows) == 1.0
    (row,) = grade_rows(rows, [LessonOutline("l", ("e",))], "p", "1")
    assert (row.score, row.best_score, row.hints_used, row.solution_shown) == (1.0, 1.0, 1, True)


def test_the_gradebook_scores_an_answer_given_after_the_solution_as_nothing() -> None:
    rows = [_row("solution", 0.0, shown=True), _row("correct", 1.0, shown=True)]
    (row,) = grade_rows(rows, [LessonOutline("l", ("e",))], "p", "1")
    assert (row.solved, row.best_score, row.score) == (True, 1.0, 0.0)
