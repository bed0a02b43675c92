"""One record per learner in every language of a course: older rows brought under it.

A translated pack records its learners' work under the original's id
(`Pack.gradebook_id`), and a choice by its place as written (`[n] text`,
`choice.recorded_answer`), so either language reads it back. Earlier
versions recorded a translation's work under its own id and a choice by its
text alone: `adopt_course_rows` folds such rows in, once, when a pack of the
course meets a store (the app opening it, the class's service serving it, an
instructor's `progress`, `export` or `validate --db`). Folding moves rows,
never drops or re-grades one: each keeps its status, score and time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.pack.model import ChoiceExercise, Pack

if TYPE_CHECKING:
    from tutor.progress.store import ProgressStore


def adopt_course_rows(store: ProgressStore, pack: Pack) -> int:
    """Fold the course's older rows into the gradebook `pack` records under; rows changed.

    The pack's own (`adopt_rows`); those of each installed translation of the
    course that the store still holds under the translation's id (an
    instructor reading the English gradebook sees work done in Chinese); and,
    for a translation, the original's choices kept as its plain texts when
    this pack cannot read them (a learner who worked in English before opens
    the Chinese course). Two or three reads when there is nothing to fold.
    """
    from tutor.pack.discovery import installed_pack_root, installed_packs, manifest_fields
    from tutor.pack.loader import load_pack

    changed, unreadable = _adopt(store, pack)
    stored = store.pack_ids() - {pack.gradebook_id, pack.id}
    for source in installed_packs() if stored else []:
        fields = manifest_fields(source.root)
        if fields.get("translates") == pack.gradebook_id and fields.get("id") in stored:
            changed += _adopt(store, load_pack(source.root)[0])[0]
    if pack.translates and unreadable:
        root = installed_pack_root(pack.translates)
        if root is not None:
            changed += _adopt(store, load_pack(root)[0])[0]
    return changed


def _adopt(store: ProgressStore, pack: Pack) -> tuple[int, bool]:
    """Fold `pack`'s own older rows in: (rows changed, whether choices it cannot read remain).

    Rows under the pack's own id, when it translates another, move to the
    original's; choices recorded as plain texts of this pack get their place.
    """
    own = [pack.id] if pack.id != pack.gradebook_id and pack.id in store.pack_ids() else []
    choices = {
        (lesson.id, exercise.id): exercise
        for lesson in pack.lessons
        for exercise in lesson.exercises
        if isinstance(exercise, ChoiceExercise)
    }
    answers, unreadable = {}, False
    exercise_ids = sorted({exercise_id for _lesson, exercise_id in choices})
    recorded = store.answers_to([pack.gradebook_id, *own], exercise_ids)
    if recorded:  # not before: a first start pays for no import
        from tutor.grading.choice import recorded_picks, upgraded_record
    for key in recorded:
        exercise = choices.get(key[:2])
        if exercise is None:
            continue
        upgraded = upgraded_record(exercise, key[2])
        if upgraded is not None and upgraded != key[2]:
            answers[key] = upgraded
        unreadable |= upgraded is None and recorded_picks(exercise, key[2]) is None
    if not own and not answers:
        return 0, unreadable
    return store.fold_rows(pack.gradebook_id, own, answers), unreadable
