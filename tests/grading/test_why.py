"""An exercise's `why`: the reason a right answer is right, shown with a correct verdict only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.pack.helpers import write_pack
from tutor.grading import grade
from tutor.pack.loader import load_pack
from tutor.pack.served import pack_from_service, served_pack

FORMULA_WHY = "The weights are the true $p_k$: the code is built for the world, read by $q$."
CHOICE_WHY = "A distribution is non-negative and sums to one; 0.25 + 0.75 = 1."
NUMBER_WHY = "Surprise is $-\\log q$, and $\\log 2 \\approx 0.6931$."

LESSON = f"""\
---
id: why
title: Whys
---

## Step

```exercise
id: ce-formula
type: formula
prompt: Write the cross-entropy $H(p, q)$.
symbols:
  p: {{kind: distribution, size: K}}
  q: {{kind: distribution, size: K}}
answer: -sum(p*log(q))
why: "{FORMULA_WHY}"
misconceptions:
  - answer: -sum(q*log(p))
    tag: swapped-arguments
    feedback: The weights are the true probabilities p.
```

```exercise
id: pick
type: choice
prompt: Which of these is a probability distribution?
shuffle: false
why: {CHOICE_WHY}
choices:
  - text: "[0.25, 0.75]"
    correct: true
    feedback: Non-negative, and it sums to one.
  - text: "[0.5, 0.75]"
    feedback: It sums to 1.25.
```

```exercise
id: half-surprise
type: number
prompt: What is the surprise, in nats, of an event of probability 0.5?
reference: -torch.log(torch.tensor(0.5))
why: '{NUMBER_WHY}'
```

```exercise
id: no-why
type: formula
prompt: Write the entropy $H(p)$.
symbols:
  p: {{kind: distribution, size: K}}
answer: -sum(p*log(p))
```
"""


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    pack, errors = load_pack(write_pack(tmp_path_factory.mktemp("why"), {"01-why.md": LESSON}))
    assert errors == []
    return pack


def _grade(pack, exercise_id: str, answer: str):
    lesson = pack.lessons[0]
    return grade(pack, lesson, lesson.exercise(exercise_id), answer, "ada")


def test_the_loader_reads_why_for_every_type(pack) -> None:
    lesson = pack.lessons[0]
    assert lesson.exercise("ce-formula").why == FORMULA_WHY
    assert lesson.exercise("pick").why == CHOICE_WHY
    assert lesson.exercise("no-why").why is None


def test_a_correct_formula_shows_the_why_instead_of_a_second_correct(pack) -> None:
    verdict = _grade(pack, "ce-formula", "-sum(p*log(q))")
    assert verdict.correct
    assert verdict.feedback == FORMULA_WHY
    assert _grade(pack, "no-why", "-sum(p*log(p))").feedback == "Correct."


def test_a_wrong_answer_never_shows_the_why(pack) -> None:
    for exercise, answer in (
        ("ce-formula", "-sum(q*log(p))"),  # a named mistake
        ("ce-formula", "sum(p)"),  # just wrong
        ("pick", "2"),
        ("half-surprise", "0.5"),
        ("ce-formula", "-sum(p*log("),  # unreadable
    ):
        verdict = _grade(pack, exercise, answer)
        assert not verdict.correct
        assert "code is built" not in verdict.feedback and "sums to one;" not in verdict.feedback
        assert "approx" not in verdict.feedback


def test_the_why_comes_after_the_feedback_a_correct_verdict_already_has(pack) -> None:
    choice = _grade(pack, "pick", "1")
    assert choice.feedback == f"Non-negative, and it sums to one.\n{CHOICE_WHY}"
    number = _grade(pack, "half-surprise", "0.6931")
    assert number.correct
    assert number.feedback.startswith("Correct: torch gives")
    assert number.feedback.endswith("\n" + NUMBER_WHY)


def test_the_why_is_withheld_from_a_served_pack(pack) -> None:
    served = served_pack(pack)
    text = str(served)
    for why in (FORMULA_WHY, CHOICE_WHY, "approx"):
        assert why not in text
    assert all(exercise.why is None for exercise in pack_from_service(served).lessons[0].exercises)
    assert pack.lessons[0].exercise("pick").why == CHOICE_WHY  # the pack itself keeps it


def test_a_misspelt_why_is_named_and_its_math_is_checked(tmp_path: Path) -> None:
    from tutor.pack.text_checks import text_problems

    misspelt = LESSON.replace(f"why: {CHOICE_WHY}", "whi: x", 1)
    _pack, errors = load_pack(write_pack(tmp_path / "a", {"01-why.md": misspelt}))
    assert any("`whi`" in e.message and "`why`" in e.message for e in errors), errors
    bad = LESSON.replace("\\approx", "\\qquad", 1)
    pack, errors = load_pack(write_pack(tmp_path / "b", {"01-why.md": bad}))
    assert errors == []
    found = [message for _lesson, _line, message in text_problems(pack)]
    assert any("qquad" in m and "the why of exercise `half-surprise`" in m for m in found), found


def test_every_formula_and_predict_exercise_of_the_course_says_why() -> None:
    from tutor.pack.discovery import builtin_pack_dir

    course, errors = load_pack(builtin_pack_dir())
    assert errors == []
    missing = [
        f"{lesson.id}/{exercise.id}"
        for lesson in course.lessons
        for exercise in lesson.exercises
        if exercise.type in ("formula", "predict") and not exercise.why
    ]
    assert missing == [], "a right formula or prediction should say why, not just 'Correct.'"
