"""Each learner sees a choice exercise's choices in an order of their own (issue 17, defect 1)."""

from __future__ import annotations

from dataclasses import dataclass

from tests.app.helpers import verdict_after, wait_until
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.grading.choice import learner_order
from tutor.pack.loader import load_pack
from tutor.pack.model import ChoiceExercise
from tutor.progress.store import ProgressStore, open_store

SHUFFLED = """\
---
id: shuffled
title: Shuffled choices
---

## Pick one

```exercise
id: form
type: choice
prompt: Which target form does `labels = zeros(N, dtype=long)` use?
choices:
  - text: class indices
    correct: true
  - text: class probabilities
    tag: indices-vs-probabilities
  - text: one-hot vectors
  - text: soft labels
  - text: a mask
```

```exercise
id: pinned
type: choice
shuffle: false
prompt: Which are right?
choices:
  - text: the first
  - text: the second
  - text: all of the above
    correct: true
```
"""


def _pack(tmp_path):
    from tests.pack.helpers import write_pack

    pack, errors = load_pack(write_pack(tmp_path / "pack", {"01-shuffled.md": SHUFFLED}))
    assert errors == []
    return pack


def test_the_right_choice_is_not_always_first_in_the_built_in_pack() -> None:
    from tutor.pack.discovery import builtin_pack_dir

    pack, _ = load_pack(builtin_pack_dir())
    singles = [
        (lesson, e)
        for lesson in pack.lessons
        for e in lesson.exercises
        if isinstance(e, ChoiceExercise) and not e.multiple
    ]
    assert len(singles) >= 20
    for learner in ("ada", "grace"):
        firsts = [learner_order(pack, lesson, e, learner)[0] for lesson, e in singles if e.shuffle]
        right_first = sum(
            e.choices[learner_order(pack, lesson, e, learner)[0]].correct for lesson, e in singles
        )
        assert right_first < len(singles) / 2, learner
        assert any(index != 0 for index in firsts)
    # two learners do not share one order, and each keeps theirs from one session to the next
    lesson, e = singles[0]
    orders = {tuple(learner_order(pack, lesson, e, f"learner{n}")) for n in range(8)}
    assert len(orders) > 1
    assert learner_order(pack, lesson, e, "ada") == learner_order(pack, lesson, e, "ada")


def test_shuffle_false_pins_the_written_order(tmp_path) -> None:
    pack = _pack(tmp_path)
    lesson = pack.lessons[0]
    pinned = lesson.exercise("pinned")
    assert isinstance(pinned, ChoiceExercise) and pinned.shuffle is False
    for learner in ("ada", "grace", "linus"):
        assert learner_order(pack, lesson, pinned, learner) == [0, 1, 2]


async def _answer_right(make_app, pack, learner: str) -> list[str]:
    """Open the lesson as `learner`, pick the right choice where they see it; the choices shown."""
    lesson = pack.lessons[0]
    exercise = lesson.exercise("form")
    app = make_app(pack=pack, learner=learner)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: bool(app.screen.query(ExerciseView)))
        view = next(v for v in app.screen.query(ExerciseView) if v.exercise.id == "form")
        await wait_until(pilot, lambda: bool(view.query(ChoiceAnswer)))
        shown = list(view.query_one(ChoiceAnswer)._texts)
        view.focus_answer()
        await pilot.press(str(shown.index("class indices") + 1), "enter")
        verdict = await verdict_after(pilot, view)
        assert verdict.startswith("✓"), verdict
        wrong = shown.index("class probabilities") + 1
        await pilot.press(str(wrong), "enter")
        assert "indices-vs-probabilities" in await verdict_after(pilot, view)
    order = learner_order(pack, lesson, exercise, learner)
    assert shown == [exercise.choices[i].text for i in order]
    return shown


async def test_two_learners_see_their_own_order_and_the_store_keeps_the_choice(
    make_app, tmp_path
) -> None:
    pack = _pack(tmp_path)
    seen = {}
    learners = [f"learner{n}" for n in range(6)]
    for learner in learners[:2]:
        seen[learner] = await _answer_right(make_app, pack, learner)
    if seen[learners[0]] == seen[learners[1]]:  # 1 in 120: a third learner settles it
        seen[learners[2]] = await _answer_right(make_app, pack, learners[2])
    assert len({tuple(order) for order in seen.values()}) > 1
    rows = [a for a in open_store().attempts(pack_id=pack.id) if a.exercise_id == "form"]
    # recorded by identity: the choice's place as written and its text, whatever position it
    # was shown at (the place reads back in a translation, the text keeps the record readable)
    assert [a.answer for a in rows if a.learner == learners[0]] == [
        "[1] class indices",
        "[2] class probabilities",
    ]
    assert {a.status for a in rows} == {"correct", "incorrect"}


@dataclass
class _Service:
    """What `Classroom.answer` asks of the service: find the exercise, grade it."""

    pack: object

    def _find(self, request):
        lesson = self.pack.lesson(request["lesson"])
        return self.pack, lesson, lesson.exercise(request["exercise"])

    def grade_only(self, pack, lesson, exercise, answer, learner):
        from tutor.grading import grade

        return grade(pack, lesson, exercise, answer, learner)


def test_a_class_service_reads_the_position_in_the_learners_order(tmp_path) -> None:
    from tutor.grading.classroom import Classroom

    pack = _pack(tmp_path)
    lesson = pack.lessons[0]
    exercise = lesson.exercise("form")
    with ProgressStore(tmp_path / "class.sqlite") as store:
        classroom = Classroom(store, identities=None)
        for learner in ("ada", "grace"):
            order = learner_order(pack, lesson, exercise, learner)
            right = order.index(0) + 1
            request = {"learner": learner, "lesson": lesson.id, "exercise": "form"}
            reply = classroom.answer(_Service(pack), {**request, "answer": str(right)})
            assert reply["verdict"]["status"] == "correct"
            assert reply["attempt"]["answer"] == "[1] class indices"
