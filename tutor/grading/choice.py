"""Grading a choice exercise: which option(s) the learner picked."""

from __future__ import annotations

import re

from tutor.grading.verdict import Status, Verdict
from tutor.pack.model import ChoiceExercise


def read_choice(exercise: ChoiceExercise, answer: str) -> list[int] | str:
    """The 0-based indices picked, or a message saying why the answer is unreadable.

    Accepts 1-based numbers (`2`), letters (`b`), several separated by commas
    or spaces for `multiple` exercises (`1,3`), or a choice's exact text.
    Numbers and letters are read as positions first, so a choice whose text
    is `1` is still picked by its position, as the app shows it.
    """
    text = answer.strip()
    if not text:
        return "no choice given"
    count = len(exercise.choices)
    picks = _positions(text, count)
    if picks is None:
        for index, choice in enumerate(exercise.choices):
            if text.casefold() == choice.text.strip().casefold():
                return [index]
        last = chr(ord("a") + count - 1)
        return f"`{text}` is not one of the choices: give 1–{count}, a–{last}, or a choice's text"
    if len(picks) > 1 and not exercise.multiple:
        return "pick exactly one choice"
    return picks


def _positions(text: str, count: int) -> list[int] | None:
    """`2`, `b`, `1,3`, `a c` as 0-based positions, or None if any token is not one."""
    picks: set[int] = set()
    for token in re.split(r"[,\s]+", text):
        if token.isdigit() and 1 <= int(token) <= count:
            picks.add(int(token) - 1)
        elif len(token) == 1 and token.isalpha() and 0 <= ord(token.lower()) - ord("a") < count:
            picks.add(ord(token.lower()) - ord("a"))
        else:
            return None
    return sorted(picks)


def grade_choice(exercise: ChoiceExercise, answer: str) -> Verdict:
    picks = read_choice(exercise, answer)
    if isinstance(picks, str):
        return Verdict(Status.UNREADABLE, feedback=picks)
    chosen = [exercise.choices[i] for i in picks]
    right = {i for i, choice in enumerate(exercise.choices) if choice.correct}
    read_as = ", ".join(f"{i + 1}. {exercise.choices[i].text}" for i in picks)
    if set(picks) == right:
        feedback = " ".join(c.feedback for c in chosen if c.feedback) or "Correct."
        return Verdict(Status.CORRECT, score=exercise.points, feedback=feedback, read_as=read_as)
    wrong = [c for c in chosen if not c.correct]
    if wrong:
        feedback = " ".join(c.feedback for c in wrong if c.feedback) or "Not this one."
        tag = next((c.tag for c in wrong if c.tag), None)
    else:
        missing = len(right - set(picks))
        feedback = (
            f"Right so far, but {missing} more choice{'s are' if missing > 1 else ' is'} correct."
        )
        tag = None
    return Verdict(Status.INCORRECT, feedback=feedback, mistake=tag, read_as=read_as)
