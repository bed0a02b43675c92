"""`validate` grades every `solution:` through its own exercise's grader.

A solution is what a stuck learner copies. So a code solution must be a
whole function that passes as pasted (forbidden calls included: the learner
is graded with them); a predict solution's answer (the first `code` span, or
all spans as lines) must be what the snippet does; a formula solution's
formula (its `code` spans, or the text itself when it reads) must be right;
a number solution that is a plain number must be right. Prose the graders
cannot read is not checked (the guide says so): a teacher reviews it.
"""

from __future__ import annotations

import ast
import re
from typing import TYPE_CHECKING

from tutor.i18n import _
from tutor.pack.model import (
    CodeExercise,
    Exercise,
    FormulaExercise,
    Lesson,
    NumberExercise,
    Pack,
    PredictExercise,
)

if TYPE_CHECKING:
    from tutor.grading.sandbox import Sandbox
    from tutor.grading.sandbox.prefetch import Prefetched

Problems = list[tuple[int, str]]
SOLUTION_LEARNER = "ce-tutor-validate-solution"
CODE_SOLUTION_LEARNER = "ce-tutor-validate"  # pack_checks.VALIDATE_LEARNER
_SPAN = re.compile(r"`([^`\n]+)`")


def check_solution(
    pack: Pack,
    lesson: Lesson,
    exercise: Exercise,
    sandbox: Sandbox | Prefetched | None = None,
) -> Problems:
    """The solution as a learner would paste or type it, graded like theirs.

    A code solution runs in `sandbox` (`validate` passes the one that made
    its run ahead: `sandbox.prefetch`).
    """
    if not exercise.solution or not exercise.solution.strip():
        return []
    if isinstance(exercise, CodeExercise):
        return _code(pack, lesson, exercise, sandbox)
    answers = _answers(exercise)
    if not answers:
        return []
    from tutor.grading import grade

    verdicts = [grade(pack, lesson, exercise, answer, SOLUTION_LEARNER) for answer in answers]
    if any(v.correct for v in verdicts):
        return []
    read = [
        (a, v) for a, v in zip(answers, verdicts, strict=True) if v.status.value != "unreadable"
    ]
    if not read:
        return []  # prose the grader cannot read: for the human review
    answer, verdict = read[0]
    return [
        (
            exercise.location.line,
            _(
                "the solution's answer `{answer}` is graded {status} ({feedback}): a learner "
                "who copies it is told it is wrong"
            ).format(
                answer=_short(answer),
                status=verdict.status.value,
                feedback=_first_line(verdict.feedback),
            ),
        )
    ]


def _answers(exercise: Exercise) -> list[str]:
    """What in the solution a learner would type as the answer."""
    text = exercise.solution.strip()
    spans = _SPAN.findall(text)
    if isinstance(exercise, PredictExercise):
        return spans + (["\n".join(spans)] if len(spans) > 1 else [])
    if isinstance(exercise, FormulaExercise):
        return spans or [text.rstrip(".")]
    if isinstance(exercise, NumberExercise):
        from tutor.numeric.answers import NotANumber, read_number

        plain = text.rstrip(".")
        return [] if isinstance(read_number(plain), NotANumber) else [plain]
    return []


def code_solution(exercise: CodeExercise) -> str | None:
    """The solution, when it is code a learner could paste (it parses), else None."""
    source = exercise.solution or ""
    try:
        ast.parse(source)
    except SyntaxError:
        return None  # prose, not code: for the human review
    return source


def _code(
    pack: Pack, lesson: Lesson, exercise: CodeExercise, sandbox: Sandbox | Prefetched | None
) -> Problems:
    from tutor.grading import grade

    line = exercise.location.line
    source = code_solution(exercise)
    if source is None:
        return []
    tree = ast.parse(source)
    defined = {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}
    if exercise.entry not in defined:
        return [
            (
                line,
                _(
                    "the solution is code but not a whole function `{entry}`: a learner who "
                    "pastes it in place of the starter is told to define it. Write the "
                    "solution as `def {entry}(…):` with its body"
                ).format(entry=exercise.entry),
            )
        ]
    # graded on the cases the reference was checked on: its outcomes there are remembered
    # (grading/code.py), so the solution costs one sandbox run, not two
    verdict = grade(pack, lesson, exercise, source, CODE_SOLUTION_LEARNER, sandbox=sandbox)
    if verdict.correct:
        return []
    return [
        (
            line,
            _("the solution, pasted as a learner's answer, is graded {status}: {feedback}").format(
                status=verdict.status.value, feedback=_first_line(verdict.feedback)
            ),
        )
    ]


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text and text.strip() else ""


def _short(text: str) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= 60 else text[:57] + "…"
