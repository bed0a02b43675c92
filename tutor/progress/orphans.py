"""Learners' work on exercise ids a pack no longer has (renamed or removed).

Exercise and lesson ids key the gradebook: an author who renames one leaves
every answer to the old id behind, silently. `validate --db` names them
before learners lose sight of their work, and `export` lists their rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import get_close_matches

from tutor.i18n import _, ngettext
from tutor.progress.gradebook import LessonOutline
from tutor.progress.store import Attempt


@dataclass
class Orphan:
    """The answers recorded for one (lesson, exercise) id the pack no longer has."""

    lesson_id: str
    exercise_id: str
    answers: int = 0
    learners: set[str] = field(default_factory=set)


def orphans(
    attempts: Iterable[Attempt], lessons: Sequence[LessonOutline], pack_id: str
) -> list[Orphan]:
    """Every (lesson, exercise) of `pack_id` in the store that no lesson of the pack has."""
    known = {(lesson.id, exercise) for lesson in lessons for exercise in lesson.exercises}
    found: dict[tuple[str, str], Orphan] = {}
    for attempt in attempts:
        key = (attempt.lesson_id, attempt.exercise_id)
        if attempt.pack_id != pack_id or key in known:
            continue
        orphan = found.setdefault(key, Orphan(*key))
        orphan.answers += 1
        orphan.learners.add(attempt.learner)
    return [found[key] for key in sorted(found)]


def describe(orphan: Orphan, lessons: Sequence[LessonOutline]) -> str:
    """One sentence for a teacher, with the id it probably became when one is close."""
    lesson = next((le for le in lessons if le.id == orphan.lesson_id), None)
    if lesson is None:
        hint = did_you_mean(orphan.lesson_id, [le.id for le in lessons])
        what = _("lesson `{id}`{hint}").format(id=orphan.lesson_id, hint=hint)
    else:
        what = _("exercise `{id}`").format(id=f"{orphan.lesson_id}/{orphan.exercise_id}")
        what += did_you_mean(orphan.exercise_id, lesson.exercises)
    answers = ngettext("{count} answer", "{count} answers", orphan.answers).format(
        count=orphan.answers
    )
    learners = ngettext("{count} learner", "{count} learners", len(orphan.learners)).format(
        count=len(orphan.learners)
    )
    return _(
        "the store holds {answers} of {learners} to {what}, which this pack no longer has: ids "
        "key the gradebook, so a renamed id leaves that work behind. Keep the old id"
    ).format(answers=answers, learners=learners, what=what)


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """` (now `x`?)` when an id of the pack is close to the lost one."""
    close = get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return _(" (now `{id}`?)").format(id=close[0]) if close else ""
