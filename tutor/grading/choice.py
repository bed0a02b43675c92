"""Grading a choice exercise: which option(s) the learner picked."""

from __future__ import annotations

import re

from tutor.grading.verdict import Status, Verdict
from tutor.pack.model import ChoiceExercise


def read_choice(exercise: ChoiceExercise, answer: str) -> list[int] | str:
    """The 0-based indices picked, or a message saying why the answer is unreadable.

    Accepts 1-based numbers (`2`), letters (`b`), several separated by commas
    or spaces for `multiple` exercises (`1,3`), or a choice's exact text.
    """
    text = answer.strip()
    if not text:
        return "no choice given"
    count = len(exercise.choices)
    for index, choice in enumerate(exercise.choices):
        if text.casefold() == choice.text.strip().casefold():
            return [index]
    picks: list[int] = []
    for token in re.split(r"[,\s]+", text):
        if token.isdigit() and 1 <= int(token) <= count:
            picks.append(int(token) - 1)
        elif len(token) == 1 and token.isalpha() and ord(token.lower()) - ord("a") < count:
            picks.append(ord(token.lower()) - ord("a"))
        else:
            return f"`{token}` is not one of the choices: give 1–{count} or a–{chr(ord('a') + count - 1)}"
    picks = sorted(set(picks))
    if len(picks) > 1 and not exercise.multiple:
        return "pick exactly one choice"
    return picks


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
