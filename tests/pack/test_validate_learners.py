"""`validate` simulates a class on every number exercise (issue 15.2 and 15.3).

Learners compute from the numbers the prompt shows (4 decimals); a tolerance
they cannot meet that way, or a misconception that gives the answer's number
for some of them, is the author's error, with the share and the fix.
"""

from __future__ import annotations

from pathlib import Path

from tests.pack.helpers import line_of, validate_lesson

TIGHT = """\
---
id: tight
title: A tolerance the shown numbers cannot meet
---

## Step

```exercise
id: ratio
type: number
prompt: "x = {x}. What is 1 / x?"
params:
  x: uniform(0.01, 0.02)
reference: 1 / x
tolerance: {rel: 1e-4}
```
"""

COLLIDING = """\
---
id: colliding
title: A mistake that is sometimes right
---

## Step

```exercise
id: square
type: number
prompt: "n = {n}. What is n squared?"
params:
  n: randint(1, 4)
reference: n * n
misconceptions:
  - reference: n + n
    tag: doubled
    feedback: That is 2n, not n².
```
"""


def test_a_tolerance_the_shown_numbers_cannot_meet_is_an_error(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", TIGHT)
    at = [e.message for e in errors if e.line == line_of(TIGHT, "id: ratio")]
    assert at, errors
    assert "simulated learners" in at[0] and "numbers the prompt shows (4 decimals)" in at[0]
    assert "would be graded wrong" in at[0]
    assert "Suggested fix: `tolerance: {rel: 0.0001, abs: " in at[0]


def test_the_suggested_tolerance_makes_it_clean(tmp_path: Path) -> None:
    errors = validate_lesson(tmp_path / "p", TIGHT)
    message = next(e.message for e in errors if "Suggested fix" in e.message)
    suggested = message.split("Suggested fix: `tolerance: ")[1].split("`")[0]
    fixed = TIGHT.replace("tolerance: {rel: 1e-4}", f"tolerance: {suggested}")
    assert validate_lesson(tmp_path / "q", fixed) == []


def test_a_misconception_equal_to_the_answer_for_some_learners_gives_the_share(
    tmp_path: Path,
) -> None:
    errors = validate_lesson(tmp_path / "p", COLLIDING)
    at = [e.message for e in errors if e.line == line_of(COLLIDING, "- reference: n + n")]
    assert at, errors
    # n is 1, 2 or 3: n + n == n * n for n == 2, a third of the class
    assert "`doubled` gives the right answer's number" in at[0]
    assert "simulated learners (3" in at[0]
    assert "distinct_from: [doubled]" in at[0]


def test_distinct_from_redraws_those_learners(tmp_path: Path) -> None:
    fixed = COLLIDING.replace("reference: n * n\n", "reference: n * n\ndistinct_from: [doubled]\n")
    assert validate_lesson(tmp_path / "p", fixed) == []


def test_distinct_from_must_name_a_misconception(tmp_path: Path) -> None:
    wrong = COLLIDING.replace("reference: n * n\n", "reference: n * n\ndistinct_from: [doubld]\n")
    errors = validate_lesson(tmp_path / "p", wrong, deep=False)
    assert any("did you mean `doubled`" in e.message for e in errors), errors


def test_the_prompt_and_the_grader_use_the_same_redrawn_numbers(tmp_path: Path) -> None:
    from tests.pack.helpers import write_pack
    from tutor.grading import grade
    from tutor.grading.presentation import present_exercise
    from tutor.pack.loader import load_pack

    fixed = COLLIDING.replace("reference: n * n\n", "reference: n * n\ndistinct_from: [doubled]\n")
    pack, _ = load_pack(write_pack(tmp_path / "p", {"01.md": fixed}))
    lesson = pack.lessons[0]
    exercise = lesson.exercises[0]
    for index in range(30):
        learner = f"learner-{index}"
        n = present_exercise(pack, lesson, exercise, learner)["params"]["n"]
        assert n != 2
        assert grade(pack, lesson, exercise, str(n * n), learner).correct
        assert grade(pack, lesson, exercise, str(n + n), learner).mistake == "doubled"


def test_a_correct_verdict_says_which_values_it_used(tmp_path: Path) -> None:
    """torch computes from the exact numbers; the note gives what the shown ones give."""
    from tutor.grading.number import grade_number
    from tutor.pack.model import Location, NumberExercise, Tolerance

    exercise = NumberExercise(
        id="ratio",
        prompt="x = {x}",
        location=Location(Path("x.md"), 1),
        reference="1 / x",
        params={"x": "uniform(0.01, 0.02)"},
        tolerance=Tolerance(rel=1e-3, abs=1.0),
    )
    from tutor.numeric.params import draw_params

    x = float(draw_params(exercise.params, 3)["x"])
    verdict = grade_number(exercise, f"{1 / x:.6f}", seed=3)
    assert verdict.correct
    assert "(from the exact x; the values shown, to 4 decimals, give " in verdict.feedback


def test_the_builtin_exercises_named_in_the_issue_pass_for_careful_learners() -> None:
    """kl-number, kl-div-batchmean, nll-on-logits-value: 13.8, 4.2, 1.5 % graded wrong before."""
    from tutor.grading.number_checks import TINY_SHARE, simulate_class
    from tutor.pack.discovery import builtin_pack_dir
    from tutor.pack.loader import load_pack

    pack, _ = load_pack(builtin_pack_dir())
    named = {"kl-number", "kl-div-batchmean", "nll-on-logits-value"}
    found = [(le, ex) for le in pack.lessons for ex in le.exercises if ex.id in named]
    assert len(found) == 3
    for lesson, exercise in found:
        run = simulate_class(exercise, pack.id, lesson.id)
        assert run.missed <= TINY_SHARE * run.learners, (exercise.id, run)
        assert run.collisions == {}, (exercise.id, run.collisions)
