"""What a learner is shown of an exercise: the prompt with *their* numbers.

Shared by `ce-tutor show` and the app, so both show the same variant.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from tutor.i18n import _
from tutor.pack.model import (
    ChoiceExercise,
    CodeExercise,
    Exercise,
    FormulaExercise,
    Lesson,
    NumberExercise,
    Pack,
    PredictExercise,
)

DECIMALS = 4  # how many a prompt shows of each drawn number
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
        from tutor.grading.variants import draw_distinct
        from tutor.numeric.params import draw_params, to_plain

        seed = learner_seed(pack, lesson, exercise, learner)
        if isinstance(exercise, NumberExercise):
            values = draw_distinct(exercise, seed)  # the very numbers the grader uses
        else:
            values = draw_params(exercise_params(exercise), seed)
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
    if isinstance(exercise, PredictExercise):
        shown["code"] = exercise.code
    if isinstance(exercise, FormulaExercise):
        shown["symbols"] = {name: describe_symbol(spec) for name, spec in exercise.symbols.items()}
    return shown


def describe_symbol(spec: Any) -> str:
    """`distribution of size K: the true probabilities`: a declared symbol in words."""
    text = spec.kind.value  # a pack keyword (`distribution`), as the author wrote it
    if spec.size is not None:
        text += _(" of size {size}").format(size=spec.size)
    if spec.low is not None and spec.high is not None:
        text += _(" in [{low}, {high}]").format(low=f"{spec.low:g}", high=f"{spec.high:g}")
    description = getattr(spec, "description", "")
    return (
        _("{what}: {description}").format(what=text, description=description)
        if description
        else text
    )


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


@lru_cache(maxsize=256)
def shown_names(prompt: str) -> frozenset[str]:
    """The parameters a prompt shows (its `{name}` placeholders outside math)."""
    return frozenset(_PLACEHOLDER.findall(_MATH_SPAN.sub("", prompt)))


def as_shown(params: dict[str, Any], prompt: str) -> dict[str, Any]:
    """The parameters as a learner reads them: each shown one rounded as `format_value` prints it.

    A parameter the prompt does not show keeps its exact value (the learner
    derives it from those shown, exactly). Tensors keep their dtype.
    """
    names = shown_names(prompt)
    return {
        name: _rounded_as_shown(value) if name in names else value for name, value in params.items()
    }


def _rounded_as_shown(value: Any) -> Any:
    """`value` to the 4 decimals `format_value` shows (integers and booleans as they are)."""
    if isinstance(value, float):
        return float(format_value(value))
    if hasattr(value, "is_floating_point") and value.is_floating_point():
        import torch

        return (torch.round(value.double() * 10**DECIMALS) / 10**DECIMALS).to(value.dtype)
    return value


def format_value(value: Any) -> str:
    """Numbers as a learner would type them into Python: 4 decimals, nested lists."""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return f"{value:.{DECIMALS}f}"
    if isinstance(value, list):
        if value and isinstance(value[0], list):
            rows = ",\n ".join(format_value(row) for row in value)
            return f"[{rows}]"
        return "[" + ", ".join(format_value(item) for item in value) + "]"
    return str(value)
