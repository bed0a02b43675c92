"""A translation keeps the original's ids, so one gradebook serves both languages.

A pack that `translates` another records its learners' work under the
original's id (`Pack.gradebook_id`): a lesson or exercise id the original
does not have would be work no original lesson shows, and a choice is
recorded by its place as written, so a translation whose choices differ in
number or in which is right would read a learner's answer as another choice.
`validate` reports each at the translated file and line.
"""

from __future__ import annotations

from pathlib import Path

from tutor.i18n import _
from tutor.pack.errors import PackError, did_you_mean
from tutor.pack.model import ChoiceExercise, Pack


def translation_problems(pack: Pack) -> list[PackError]:
    """Where `pack` departs from the original it translates (none when it translates none)."""
    if not pack.translates:
        return []
    original = _original(pack.translates)
    if original is None:
        return [
            PackError(
                pack.root / "pack.toml",
                pack.extra.get("translates_line", 1),
                _("this pack translates `{id}`, which is not installed here: its lesson and "
                  "exercise ids, which key the gradebook the two share, cannot be checked"
                  ).format(id=pack.translates),
            )
        ]  # fmt: skip
    return [problem for lesson in pack.lessons for problem in _lesson_problems(lesson, original)]


def _original(pack_id: str) -> Pack | None:
    from tutor.pack.discovery import installed_pack_root
    from tutor.pack.loader import load_pack

    root = installed_pack_root(pack_id)
    return load_pack(root)[0] if root is not None else None


def _lesson_problems(lesson, original: Pack) -> list[PackError]:
    theirs = original.lesson(lesson.id)
    if theirs is None:
        return [
            PackError(
                lesson.path,
                1,
                _("lesson `{id}` is not in `{original}`, which this pack translates: a "
                  "translation keeps the original's lesson ids{hint}").format(
                    id=lesson.id, original=original.id,
                    hint=did_you_mean(lesson.id, [le.id for le in original.lessons])),
            )
        ]  # fmt: skip
    problems = []
    for exercise in lesson.exercises:
        where = (Path(exercise.location.path), exercise.location.line)
        english = theirs.exercise(exercise.id)
        if english is None:
            message = _(
                "exercise `{id}` is not in lesson `{lesson}` of `{original}`, which this pack "
                "translates: a translation keeps the original's exercise ids{hint}"
            ).format(
                id=exercise.id,
                lesson=lesson.id,
                original=original.id,
                hint=did_you_mean(exercise.id, [e.id for e in theirs.exercises]),
            )
        elif english.type != exercise.type:
            message = _(
                "exercise `{id}` is a {type} exercise here and a {theirs} exercise in the original"
            ).format(id=exercise.id, type=exercise.type, theirs=english.type)
        elif isinstance(exercise, ChoiceExercise) and [c.correct for c in exercise.choices] != [
            c.correct for c in english.choices
        ]:
            message = _(
                "exercise `{id}`: the choices differ from the original's (their number, or which "
                "are right): a choice is recorded by its place, so a translation keeps the "
                "original's choices in the original's order"
            ).format(id=exercise.id)
        else:
            continue
        problems.append(PackError(*where, message))
    return problems
