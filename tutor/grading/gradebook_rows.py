"""One record per learner in every language of a course: older rows brought under it.

A translated pack records its learners' work under the original's id
(`Pack.gradebook_id`), and a choice by its place as written (`[n] text`,
`choice.recorded_answer`), so either language reads it back. Earlier
versions recorded a translation's work under its own id and a choice by its
text alone: `adopt_rows` folds such rows in, once, when a pack that can read
them meets a store (the app opening it, the class's service serving it, an
instructor's `progress`, `export` or `validate --db`). Folding moves rows,
never drops or re-grades one: each keeps its status, score and time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tutor.grading.choice import upgraded_record
from tutor.pack.model import ChoiceExercise, Pack

if TYPE_CHECKING:
    from tutor.progress.store import ProgressStore


def adopt_rows(store: ProgressStore, pack: Pack, learner: str | None = None) -> int:
    """Fold `pack`'s older rows (of one learner, if given) into its gradebook; rows changed.

    Rows under the pack's own id, when it translates another, move to the
    original's; choices recorded as plain texts of this pack get their place.
    Costs two reads when there is nothing to fold.
    """
    own = [pack.id] if pack.id != pack.gradebook_id and pack.id in store.pack_ids() else []
    choices = {
        (lesson.id, exercise.id): exercise
        for lesson in pack.lessons
        for exercise in lesson.exercises
        if isinstance(exercise, ChoiceExercise)
    }
    answers = {}
    exercise_ids = sorted({exercise_id for _lesson, exercise_id in choices})
    for key in store.answers_to([pack.gradebook_id, *own], exercise_ids, learner):
        exercise = choices.get(key[:2])
        upgraded = upgraded_record(exercise, key[2]) if exercise is not None else None
        if upgraded is not None and upgraded != key[2]:
            answers[key] = upgraded
    if not own and not answers:
        return 0
    return store.fold_rows(pack.gradebook_id, own, answers)


def adopt_course_rows(store: ProgressStore, pack: Pack) -> int:
    """`adopt_rows` for the pack and for each installed translation of its course the store
    has rows of: an instructor reading the English gradebook sees work done in Chinese."""
    from tutor.pack.discovery import installed_packs, manifest_fields
    from tutor.pack.loader import load_pack

    changed = adopt_rows(store, pack)
    stored = store.pack_ids() - {pack.gradebook_id, pack.id}
    for source in installed_packs() if stored else []:
        fields = manifest_fields(source.root)
        if fields.get("translates") == pack.gradebook_id and fields.get("id") in stored:
            changed += adopt_rows(store, load_pack(source.root)[0])
    return changed
