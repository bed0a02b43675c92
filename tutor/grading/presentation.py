"""What a learner is shown of an exercise: the prompt with *their* numbers.

Shared by `ce-tutor show` and the app, so both show the same variant.
"""

from __future__ import annotations

import re
from typing import Any

from tutor.pack.model import ChoiceExercise, CodeExercise, Exercise, Lesson, Pack

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
_MATH_SPAN = re.compile(r"\$\$.*?\$\$|\$[^$]*\$", re.DOTALL)


def exercise_params(exercise: Exercise) -> dict[str, str]:
    """The generator texts an exercise draws per learner (params or args)."""
    return dict(getattr(exercise, "params", None) or {})


def present_exercise(
    pack: Pack, lesson: Lesson, exercise: Exercise, learner: str
) -> dict[str, Any]:
    """A JSON-able view: id, type, prompt (numbers filled in), params, choices, starter."""
    shown: dict[str, Any] = {
        "lesson": lesson.id,
        "exercise": exercise.id,
        "type": exercise.type,
        "points": exercise.points,
        "hints": len(exercise.hints),
    }
    params: dict[str, Any] = {}
    if exercise_params(exercise):
        from tutor.grading import learner_seed
        from tutor.numeric.params import draw_params, to_plain

        values = draw_params(
            exercise_params(exercise), learner_seed(pack, lesson, exercise, learner)
        )
        params = {name: to_plain(value) for name, value in values.items()}
    shown["params"] = params
    shown["prompt"] = fill_prompt(exercise.prompt, params)
    if isinstance(exercise, ChoiceExercise):  # in this learner's own order
        from tutor.grading.choice import learner_order

        order = learner_order(pack, lesson, exercise, learner)
        shown["choices"] = [exercise.choices[i].text for i in order]
        shown["multiple"] = exercise.multiple
    if isinstance(exercise, CodeExercise):
        shown["entry"] = exercise.entry
        shown["starter"] = exercise.starter
    return shown


def fill_prompt(prompt: str, params: dict[str, Any]) -> str:
    """Replace `{name}` (outside math) by the learner's value of `name`."""
    pieces = []
    last = 0
    for math in _MATH_SPAN.finditer(prompt):
        pieces.append(_fill(prompt[last : math.start()], params))
        pieces.append(math.group(0))
        last = math.end()
    pieces.append(_fill(prompt[last:], params))
    return "".join(pieces)


def _fill(text: str, params: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(
        lambda m: format_value(params[m.group(1)]) if m.group(1) in params else m.group(0), text
    )


def format_value(value: Any) -> str:
    """Numbers as a learner would type them into Python: 4 decimals, nested lists."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.4f}"
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            rows = ",\n ".join(format_value(row) for row in value)
            return f"[{rows}]"
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return str(value)
