"""A pack as a class's service hands it to a learner's app: every answer left out.

In a class the app is a client trusted with nothing, so the lesson it shows
must not carry what grades it: the pack travels in the pack cache's JSON
encoding (`tutor.pack.cache.encode`, type-tagged, never pickle) with each
exercise's answer, solution, reference, cross-check, known mistakes and
hidden (edge) cases removed, and each choice's correctness and feedback.
A solution travels later, one exercise at a time, when the service has
recorded that it was shown (`Classroom.solution`); so does each hint
(`Classroom.hint`): a hint read without being counted would make the
gradebook's "hints used" a learner's choice.
"""

from __future__ import annotations

import json
from typing import Any

from tutor.i18n import _
from tutor.pack import cache
from tutor.pack.model import Pack

# fields of the model's exercises (and their choices) that say or imply the answer
WITHHELD_FIELDS = frozenset(
    {
        "answer",  # FormulaExercise: the reference formula
        "solution",  # every exercise: the worked solution
        "reference",  # NumberExercise, CodeExercise: the reference computation
        "check",  # FormulaExercise: a torch expression agreeing with the answer
        "formula",  # NumberExercise: the same quantity as a formula
        "misconceptions",  # known wrong answers and their tags
        "edge_cases",  # CodeExercise: the hidden cases
        "correct",  # Choice: which is right
        "feedback",  # Choice: says why it is right or wrong
        "tag",  # Choice: the mistake a tempting choice stands for
        "raises",  # CodeExercise: the exception the reference raises on purpose
        "distinct_from",  # NumberExercise: tags of (withheld) misconceptions
        "accept",  # PredictExercise, NumberExercise: other right answers
        "why",  # every exercise: the reasoning, sent with a correct verdict only
    }
)
# the model classes whose fields above are withheld; other blocks are shown as written
_REDACTED_CLASSES = frozenset(
    {
        "Exercise",
        "ChoiceExercise",
        "NumberExercise",
        "FormulaExercise",
        "CodeExercise",
        "PredictExercise",
        "Choice",
    }
)
# what the app shows in place of a solution it has not been sent yet
SOLUTION_ON_REQUEST = "(the solution is sent when it is shown)"
# in place of each hint: a hint travels once the service has counted it as seen
HINT_ON_REQUEST = "(the hint is sent when it is shown)"


def served_pack(pack: Pack) -> dict[str, Any]:
    """`{"pack": <encoded, answers removed>, "with_solution": [[lesson, exercise], ...]}`."""
    with_solution = [
        [lesson.id, exercise.id]
        for lesson in pack.lessons
        for exercise in lesson.exercises
        if exercise.solution
    ]
    return {"pack": _strip(cache.encode(pack)), "with_solution": with_solution}


def _strip(data: Any) -> Any:
    if isinstance(data, list):
        return [_strip(item) for item in data]
    if not isinstance(data, dict):
        return data
    redact = data.get("@") in _REDACTED_CLASSES
    kept = {
        key: _strip(value) for key, value in data.items() if not (redact and key in WITHHELD_FIELDS)
    }
    if redact and isinstance(kept.get("hints"), list):  # how many, not what they say
        kept["hints"] = [HINT_ON_REQUEST] * len(kept["hints"])
    return kept


def pack_from_service(served: dict[str, Any]) -> Pack:
    """The app's copy of a served pack; a solution stands as a placeholder until sent."""
    pack = cache.decode(json.dumps(served["pack"]))
    if not isinstance(pack, Pack):
        raise ValueError(_("the service sent something that is not a pack"))
    for lesson_id, exercise_id in served.get("with_solution", []):
        exercise = pack.find_exercise(str(lesson_id), str(exercise_id))
        if exercise is not None:
            exercise.solution = SOLUTION_ON_REQUEST
    return pack
