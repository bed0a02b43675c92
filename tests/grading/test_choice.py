"""The choice grader: positions, letters, text, several picks, per-choice feedback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.grading.choice import grade_choice, read_choice
from tutor.grading.verdict import Status
from tutor.pack.model import Choice, ChoiceExercise, Location

HERE = Location(Path("lesson.md"), 1)


def exercise(*choices: Choice, multiple: bool = False) -> ChoiceExercise:
    return ChoiceExercise(
        id="q", prompt="?", location=HERE, choices=list(choices), multiple=multiple
    )


NUMBERS = exercise(
    Choice("0.693", feedback="That is nats.", tag="nats-vs-bits"),
    Choice("1", correct=True, feedback="One bit."),
    Choice("2"),
)


@pytest.mark.parametrize(
    ("answer", "picks"), [("2", [1]), ("b", [1]), (" B ", [1]), ("0.693", [0])]
)
def test_positions_first_then_text(answer: str, picks: list[int]) -> None:
    assert read_choice(NUMBERS, answer) == picks


def test_a_choice_whose_text_is_a_number_is_picked_by_position() -> None:
    # "1" is the text of choice 2, but a learner typing 1 means the first choice
    assert read_choice(NUMBERS, "1") == [0]
    verdict = grade_choice(NUMBERS, "1")
    assert verdict.status is Status.INCORRECT and verdict.mistake == "nats-vs-bits"


@pytest.mark.parametrize("answer", ["", "4", "e", "1 4", "banana"])
def test_unreadable_answers_charge_nothing(answer: str) -> None:
    verdict = grade_choice(NUMBERS, answer)
    assert verdict.status is Status.UNREADABLE and not verdict.status.charges_attempt
    assert verdict.feedback


def test_one_pick_only_unless_multiple() -> None:
    assert read_choice(NUMBERS, "1,2") == "pick exactly one choice"


def test_multiple_needs_every_right_choice() -> None:
    several = exercise(
        Choice("a", correct=True), Choice("b", correct=True), Choice("c", tag="nope"), multiple=True
    )
    assert grade_choice(several, "1, 2").status is Status.CORRECT
    partial = grade_choice(several, "1")
    assert partial.status is Status.INCORRECT and "1 more choice is correct" in partial.feedback
    wrong = grade_choice(several, "a c")
    assert wrong.status is Status.INCORRECT and wrong.mistake == "nope"


def test_correct_scores_the_points() -> None:
    worth_two = exercise(Choice("x", correct=True), Choice("y"))
    worth_two.points = 2.0
    verdict = grade_choice(worth_two, "a")
    assert verdict.correct and verdict.score == 2.0 and verdict.read_as == "1. x"
