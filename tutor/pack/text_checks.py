"""`validate`'s checks of the text a learner reads: math that renders, and no raw `$…$`.

The app renders `$…$` in prose, prompts, hints, solutions, choices, step
titles and verdict feedback with a small LaTeX reader: a macro it does not
know shows as its bare name (`\\qquad` as "qquad"), and unbalanced braces
lose text silently. Texts still shown as typed (plot titles and labels,
derivation titles and reasons) show `$…$` with its dollars and backslashes.
Both are reported where they were written, with what the learner would see.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tutor.i18n import N_, _
from tutor.pack.model import (
    ChoiceExercise,
    Derivation,
    Exercise,
    Lesson,
    Pack,
    Plot,
    Prose,
)

Problems = list[tuple[int, str]]
_MATH = re.compile(r"\$\$(.+?)\$\$|(?<![\\$])\$(?!\s)([^$\n]+?)(?<!\s)\$(?!\$)", re.DOTALL)
_CODE = re.compile(r"```.*?```|`[^`\n]*`", re.DOTALL)
_MACRO = re.compile(r"\\([A-Za-z]+)")


def text_problems(pack: Pack) -> list[tuple[Lesson, int, str]]:
    """(lesson, line, message) for every rendered text's unknown LaTeX and every raw `$…$`."""
    found = []
    for lesson in pack.lessons:
        if lesson.intro:
            found += [(lesson, 1, m) for m in math_problems(lesson.intro, _("the lesson's intro"))]
        for step in lesson.steps:
            found += [
                (lesson, step.location.line, m)
                for m in math_problems(step.title, _("a step title"))
            ]
            for block in step.blocks:
                found += [(lesson, line, m) for line, m in _block_problems(block)]
    return found


def _block_problems(block: object) -> Iterator[tuple[int, str]]:
    if isinstance(block, Prose):
        for offset, message in _math_with_offsets(block.text):
            yield block.location.line + offset, message
    elif isinstance(block, Exercise):
        line = block.location.line
        where = _("exercise `{id}`").format(id=block.id)
        for text, what in _rendered_fields(block):
            for message in math_problems(text, _field_of(what, where)):
                yield line, message
        for text, what, at in _feedback_fields(block):
            for message in math_problems(text, _field_of(what, where)):
                yield at, message
    elif isinstance(block, Plot):
        for text in [block.title, *block.labels]:
            for message in raw_math(text, _("a plot's title or label")):
                yield block.location.line, message
    elif isinstance(block, Derivation):
        for message in raw_math(block.title, _("a derivation's title")):
            yield block.location.line, message
        for step in block.steps:
            for message in raw_math(step.reason, _("a derivation step's reason")):
                yield step.location.line, message


def _field_of(what: str, where: str) -> str:
    """ "the prompt of exercise `kl`": `what` a field's name (N_), `where` the exercise."""
    return _("the {what} of {where}").format(what=_(what), where=where)


def _rendered_fields(exercise: Exercise) -> Iterator[tuple[str, str]]:
    yield exercise.prompt, N_("prompt")
    for hint in exercise.hints:
        yield hint, N_("hint")
    if exercise.solution:
        yield exercise.solution, N_("solution")


def _feedback_fields(exercise: Exercise) -> Iterator[tuple[str, str, int]]:
    """Texts the app shows outside Markdown, with their math rendered (`prose.plain_text`)."""
    for known in exercise.misconceptions:
        yield known.feedback, _("feedback of `{tag}`").format(tag=known.tag), known.location.line
    if exercise.why:  # shown with a correct verdict, rendered as feedback is
        yield exercise.why, N_("why"), exercise.location.line
    if isinstance(exercise, ChoiceExercise):
        for choice in exercise.choices:
            yield choice.text, N_("choice text"), exercise.location.line
            yield choice.feedback, N_("feedback of a choice"), exercise.location.line


def _math_with_offsets(text: str) -> Iterator[tuple[int, str]]:
    prose = _CODE.sub(lambda m: "\n" * m.group(0).count("\n"), text)
    for match in _MATH.finditer(prose):
        latex = match.group(1) or match.group(2)
        for message in _latex_problems(latex):
            yield prose.count("\n", 0, match.start()), message


def math_problems(text: str, where: str) -> list[str]:
    """Unknown macros and unbalanced braces in the math of a text the app renders."""
    return [
        _("{problem} (in {where})").format(problem=message, where=where)
        for _line, message in _math_with_offsets(text)
    ]


def _latex_problems(latex: str) -> Iterator[str]:
    from tutor.symbolic.render import linear_macros

    known = linear_macros()
    for name in dict.fromkeys(_MACRO.findall(latex)):
        if name not in known:
            yield (
                _(
                    "the math `{math}` uses `\\{name}`, which ce-tutor's math renderer does not "
                    'know: learners would see the word "{name}". Write it another way'
                ).format(math=_short(latex), name=name)
            )
    depth = 0
    for index, char in enumerate(latex):
        if char in "{}" and index and latex[index - 1] == "\\":
            continue
        depth += 1 if char == "{" else -1 if char == "}" else 0
        if depth < 0:
            break
    if depth != 0:
        yield _("the math `{math}` has unbalanced braces: part of it would be lost").format(
            math=_short(latex)
        )


def raw_math(text: str, where: str) -> list[str]:
    """`$…$` in a text shown as typed: the learner would see the dollars and backslashes."""
    if not text:
        return []
    prose = _CODE.sub("", text)
    return [
        _(
            "{where} shows `{math}` as typed (math is not rendered there): write it in plain "
            "text or Unicode, e.g. D(p‖q), Σ, ε"
        ).format(where=where, math=_short(match.group(0)))
        for match in _MATH.finditer(prose)
    ]


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 50 else text[:47] + "…"
