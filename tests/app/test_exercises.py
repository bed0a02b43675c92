"""Choice exercises (graded in the app's process), hints, solutions, and no faked verdicts.

The other types, graded by the real service, are in test_graded_by_service.py.
"""

from __future__ import annotations

from textual.widgets import Input

from tests.app.helpers import (
    attempts_of,
    command,
    exercise,
    open_step,
    show_solution,
    text_of,
    type_and_submit,
    verdict_after,
    wait_until,
)
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.hint_list import HintList
from tutor.grading import learner_seed
from tutor.progress.store import open_store


async def test_choice_wrong_then_right_with_number_keys(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.press("2")
        assert view.query_one(ChoiceAnswer).highlighted == 1
        await pilot.press("enter")
        wrong = await verdict_after(pilot, view)
        assert wrong.startswith("✗ Not quite.") and "Mistake: indices-vs-probabilities" in wrong
        await pilot.press("up", "enter")
        right = await verdict_after(pilot, view)
        assert right.startswith("✓ Correct.") and "class indices" in right
        assert "✓ solved" in str(view.border_title)
    assert attempts_of("pick") == [
        ("incorrect", "indices-vs-probabilities", False),
        ("correct", None, False),
    ]


async def test_hints_one_at_a_time_then_the_solution_on_request(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        hints = view.query_one(HintList)
        assert not hints.display
        assert "hints 0/2" in str(view.border_title)
        await command(pilot, "h")
        assert text_of(hints) == "Hint 1/2: Look at the dtype."
        assert "hints 1/2" in str(view.border_title)  # the title counts it at once
        await command(pilot, "h")
        assert text_of(hints).endswith("Hint 2/2: And at the shape.")
        await command(pilot, "h")  # no third hint: nothing changes
        assert text_of(hints).count("Hint") == 2
        await show_solution(pilot, app)
        assert text_of(hints).endswith("Solution: Class indices.")
        view.focus_answer()
        await pilot.press("1", "enter")
        await verdict_after(pilot, view)
    # each reveal is recorded as such (the third "h" showed nothing, so no row),
    # and the later answer carries hints and solution
    assert attempts_of("pick") == [
        ("hint", None, False),
        ("hint", None, False),
        ("solution", None, True),
        ("correct", None, True),
    ]
    recorded = [a for a in open_store().attempts(learner="ada") if a.status == "correct"]
    assert recorded[0].hints_used == 2
    # the variant's seed is kept, so the attempt can be re-graded later
    exercise_ = next(e for lesson_ in app.pack.lessons for e in lesson_.exercises if e.id == "pick")
    lesson = next(lesson_ for lesson_ in app.pack.lessons if lesson_.exercise("pick"))
    assert recorded[0].seed == learner_seed(app.pack, lesson, exercise_, "ada")


async def test_the_solution_appears_after_the_attempts_run_out(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        hints = view.query_one(HintList)
        view.focus_answer()
        await pilot.press("3", "enter")
        await verdict_after(pilot, view)
        assert "Solution" not in text_of(hints)
        await pilot.press("2", "enter")  # the second of `attempts: 2`
        await verdict_after(pilot, view)
        assert text_of(hints).endswith("Solution: Class indices.")
        assert "2 tried, 0 left" in str(view.border_title)
    assert [s for s, _, _ in attempts_of("pick")] == ["incorrect", "incorrect", "solution"]


MULTIPLE = """\
---
id: several
title: Several right choices
---

## Pick all

```exercise
id: all-right
type: choice
multiple: true
shuffle: false
prompt: Which are probability targets for logits of shape (2, 3)?
choices:
  - text: a float tensor of shape (2, 3) whose rows sum to one
    correct: true
  - text: a one-hot float tensor of shape (2, 3)
    correct: true
  - text: a long tensor of shape (2,)
    feedback: Those are class indices.
    tag: indices-vs-probabilities
```
"""


async def test_several_right_choices_are_toggled_with_space(make_app, tmp_path) -> None:
    from tests.pack.helpers import write_pack
    from tutor.pack.loader import load_pack

    pack, errors = load_pack(write_pack(tmp_path / "pack", {"01-several.md": MULTIPLE}))
    assert errors == []
    app = make_app(pack=pack)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen.query(ExerciseView))
        view = app.screen.query_one(ExerciseView)
        await wait_until(pilot, lambda: bool(view.query(ChoiceAnswer)))
        choices = view.query_one(ChoiceAnswer)
        view.focus_answer()
        await pilot.press("space", "enter")  # only the first: right so far, one missing
        partial = await verdict_after(pilot, view)
        assert partial.startswith("✗") and "1 more choice is correct" in partial
        await pilot.press("2", "space")
        assert choices.picked == {0, 1}
        assert "[x]" in str(choices.get_option_at_index(1).prompt)
        await pilot.press("enter")
        assert (await verdict_after(pilot, view)).startswith("✓ Correct.")


async def test_hints_and_a_shown_solution_survive_a_restart(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        await command(pilot, "h")
        await show_solution(pilot, app)
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, again, "Choice")
        view = await exercise(pilot, screen, "pick")
        hints = text_of(view.query_one(HintList))
        assert "Hint 1/2: Look at the dtype." in hints and "Solution: Class indices." in hints
        assert "Hint 2/2" not in hints


async def test_hints_seen_without_an_answer_survive_a_restart_and_are_not_attempts(
    make_app,
) -> None:
    from tutor.progress.gradebook import LessonOutline, grade_rows

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        await command(pilot, "h", "h")  # then quit, as a crash would, with no answer given
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, again, "Choice")
        view = await exercise(pilot, screen, "pick")
        assert "Hint 2/2" in text_of(view.query_one(HintList))
        history = again.session.history(view.lesson, view.exercise)
        assert history.attempts == 0 and not history.solved
        assert again.session.state(view.lesson, view.exercise) is None  # no attempt counted
        pack = again.pack
        outline = [LessonOutline(le.id, tuple(e.id for e in le.exercises)) for le in pack.lessons]
        rows = grade_rows(again.store.attempts(), outline, pack.id, pack.version)
        (row,) = [r for r in rows if r.exercise_id == "pick"]
        assert (row.hints_used, row.attempts, row.best_score) == (2, 0, 0.0)


async def test_checking_is_said_only_when_a_verdict_takes_a_while(make_app) -> None:
    """A quick verdict replaces nothing; a slow one is announced, then shown."""
    import threading

    from tutor.app.widgets.verdict_view import VerdictView
    from tutor.grading.verdict import Status, Verdict

    release = threading.Event()

    class SlowClient:
        def start(self) -> None:
            pass

        def close(self) -> None:
            release.set()

        def show(self, *args):
            raise AssertionError("nothing to show from the service here")

        def grade(self, pack, lesson, exercise, answer, learner):
            if answer == "slow":
                release.wait(30)
            return Verdict(Status.INCORRECT, feedback="no")

    app = make_app(client=SlowClient())
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        verdict = view.query_one(VerdictView)
        announced: list[str] = []
        show_pending = verdict.show_pending
        verdict.show_pending = lambda text: (announced.append(text), show_pending(text))
        quick = await type_and_submit(pilot, view, "0.1")
        await pilot.pause(0.3)  # past the delay: a quick verdict is never followed by "checking"
        assert quick.startswith("✗") and announced == []
        view.query_one(Input).clear()
        view.focus_answer()
        await pilot.press(*"slow", "enter")
        await wait_until(pilot, lambda: verdict.has_class("-pending"))
        assert "checking your answer" in text_of(verdict) and announced
        release.set()
        assert (await verdict_after(pilot, view)).startswith("✗")
