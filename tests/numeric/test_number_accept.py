"""`accept:` on a number exercise: other right numbers (another unit), graded correct too."""

from __future__ import annotations

from pathlib import Path

from tests.numeric.test_number_grading import SEED, exercise, value_of
from tests.pack.helpers import line_of, validate_lesson, write_pack
from tutor.grading.number import grade_number, number_exercise_problems
from tutor.grading.verdict import Status

IN_BITS = "F.cross_entropy(logits, target) / log(2)"


def test_an_accepted_number_is_graded_correct() -> None:
    ex = exercise(accept=[IN_BITS])
    bits, nats = value_of(IN_BITS, ex), value_of("F.cross_entropy(logits, target)", ex)
    verdict = grade_number(ex, f"{bits:.6f}", SEED)
    assert verdict.status is Status.CORRECT and verdict.score == 2.0
    assert "is accepted too" in verdict.feedback and f"{nats:.6g}" in verdict.feedback
    assert grade_number(ex, f"{nats:.6f}", SEED).status is Status.CORRECT
    # without `accept`, the same number in bits is wrong
    assert grade_number(exercise(), f"{bits:.6f}", SEED).status is Status.INCORRECT


def test_an_accepted_number_with_too_few_digits_asks_for_more() -> None:
    ex = exercise(accept=[IN_BITS])
    bits = value_of(IN_BITS, ex)
    verdict = grade_number(ex, f"{bits:.1f}", SEED)
    if abs(round(bits, 1) - bits) > 1e-3 * abs(bits):  # not already within the tolerance
        assert verdict.status is Status.UNREADABLE and "more digits" in verdict.feedback


def test_a_literal_number_may_be_accepted() -> None:
    ex = exercise(params={}, reference="0.5", formula=None, misconceptions=[], accept=["0.25"])
    assert grade_number(ex, "0.25", SEED).correct and grade_number(ex, "0.5", SEED).correct
    ex = exercise(params={}, reference="log(2)", formula=None, misconceptions=[], accept=["1"])
    assert grade_number(ex, "1", SEED).correct  # "one bit", when the prompt allows it


def test_validate_refuses_an_accepted_value_that_does_not_compute() -> None:
    problems = number_exercise_problems(exercise(accept=["logit / log(2)"]), "pack", "lesson")
    assert problems and problems[0][0] == 10
    assert "`accept` lists `logit / log(2)`, which does not compute" in problems[0][1]


def _validate_number(ex) -> list[tuple[int, str]]:
    """What `validate` reports for one number exercise (its checks and its simulated class)."""
    from tutor.grading.pack_checks import _check_number
    from tutor.pack.model import Lesson, Pack

    lesson = Lesson(id="lesson", title="L", path=Path("lesson.md"), steps=[])
    return _check_number(Pack(id="pack", title="P", root=Path(".")), lesson, ex)


def test_validate_refuses_an_accepted_value_that_is_a_misconception() -> None:
    summed = "F.cross_entropy(logits, target, reduction='sum')"
    problems = _validate_number(exercise(accept=[summed]))
    assert any(
        f"`accept` lists `{summed}`, which gives misconception `sum-not-mean`'s number for "
        "400 of 400 simulated learners (100.0 %)" in message
        for _line, message in problems
    ), problems
    assert _validate_number(exercise(accept=[IN_BITS])) == []


def test_validate_counts_an_accept_collision_only_some_learners_hit() -> None:
    """`2 * x` and the mistake `x * x` agree at x = 2 only: 1 learner in 20, which six
    validation learners missed; the simulated class finds it and reports the share."""
    from tutor.pack.model import Location, Misconception

    mistake = Misconception(
        tag="squared",
        feedback="x",
        location=Location(Path("lesson.md"), 30),
        reference="x * x",
    )
    ex = exercise(
        params={"x": "randint(1, 21)"},
        reference="x + 100",
        formula=None,
        misconceptions=[mistake],
        accept=["2 * x"],
    )
    from tutor.numeric.params import draw_params, seed_for

    hit = [
        learner
        for learner in (f"validate-{i}" for i in range(6))
        if int(draw_params(ex.params, seed_for("pack", "lesson", ex.id, learner))["x"]) == 2
    ]
    assert hit == []  # the six validation learners do not meet it
    problems = _validate_number(ex)
    found = [m for _line, m in problems if "`accept` lists `2 * x`" in m]
    assert len(found) == 1, problems
    count = int(found[0].split("number for ")[1].split(" of ")[0])
    assert 0 < count < 400 and "of 400 simulated learners" in found[0], found


LESSON = """\
---
id: bits
title: Bits or nats
---

## Step

```exercise
id: coin
type: number
prompt: The entropy of a fair coin, in nats (or in bits).
reference: log(2)
accept: [1]
misconceptions:
  - answer: "0.5"
    tag: half
    feedback: That is the probability, not the entropy.
```
"""


def test_a_pack_with_accept_loads_validates_and_grades(tmp_path: Path) -> None:
    from tutor.grading import grade
    from tutor.pack.loader import load_pack
    from tutor.pack.served import pack_from_service, served_pack

    assert validate_lesson(tmp_path / "v", LESSON) == []
    pack, errors = load_pack(write_pack(tmp_path / "p", {"01.md": LESSON}))
    assert errors == []
    lesson = pack.lessons[0]
    coin = lesson.exercises[0]
    assert coin.accept == ["1"]
    assert grade(pack, lesson, coin, "1", "ada").correct
    assert grade(pack, lesson, coin, "0.6931", "ada").correct
    assert grade(pack, lesson, coin, "0.5", "ada").mistake == "half"
    served = pack_from_service(served_pack(pack))  # a class's apps are not told
    assert served.lessons[0].exercises[0].accept == []

    clash = LESSON.replace("accept: [1]", "accept: [1, 0.5]")
    errors = validate_lesson(tmp_path / "c", clash)
    assert [(e.line, "`accept` lists `0.5`" in e.message) for e in errors] == [
        (line_of(clash, "id: coin"), True)
    ], errors
