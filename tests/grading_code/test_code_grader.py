"""The code grader: right and wrong cross-entropies, known mistakes, and attempts to cheat."""

import torch

from tutor.grading.code import draw_cases, grade_code
from tutor.grading.verdict import Status

STABLE = (
    "def cross_entropy(logits, target):\n"
    "    shifted = logits - logits.max(1, keepdim=True).values\n"
    "    log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()\n"
    "    return -log_probs[torch.arange(len(target)), target].mean()\n"
)
NAIVE = (
    "def cross_entropy(logits, target):\n"
    "    probs = logits.exp() / logits.exp().sum(1, keepdim=True)\n"
    "    return -probs[torch.arange(len(target)), target].log().mean()\n"
)
SUMMED = (
    "def cross_entropy(logits, target):\n"
    "    log_probs = torch.log_softmax(logits, 1)\n"
    "    return -log_probs[torch.arange(len(target)), target].sum()\n"
)


def test_correct_implementation_passes(ce_exercise, sandbox):
    verdict = grade_code(ce_exercise, STABLE, seed=7, sandbox=sandbox)
    assert verdict.status is Status.CORRECT, verdict.feedback
    assert verdict.score == ce_exercise.points
    assert verdict.details["passed"] == 6  # 3 random, 2 edge, and the float64 copy


def test_unstable_implementation_fails_on_the_large_logits_edge_case(ce_exercise, sandbox):
    verdict = grade_code(ce_exercise, NAIVE, seed=7, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.details["label"] == "edge case 1"
    assert "logits = tensor(" in verdict.feedback and "expected:" in verdict.feedback
    assert "F.cross_entropy" not in verdict.feedback  # the reference code stays hidden


def test_known_mistake_gets_its_feedback_and_tag(ce_exercise, sandbox):
    verdict = grade_code(ce_exercise, SUMMED, seed=7, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.mistake == "sum-not-mean"
    assert verdict.feedback.startswith("The default reduction is the mean")


def test_wrong_dtype_is_named(ce_exercise, sandbox):
    source = STABLE.replace(".mean()", ".mean().double()")
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.details["reason"] == "dtype float64 instead of float32"


def test_forbidden_call_by_alias(ce_exercise, sandbox):
    source = (
        "from torch.nn.functional import cross_entropy as ce\n"
        "def cross_entropy(logits, target):\n"
        "    return ce(logits, target)\n"
    )
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.FORBIDDEN
    assert verdict.details["call"] == "F.cross_entropy"


def test_forbidden_call_by_getattr_is_caught_at_run_time(ce_exercise, sandbox):
    source = (
        "def cross_entropy(logits, target):\n"
        "    loss = getattr(torch.nn, 'CrossEntropy' + 'Loss')()\n"
        "    return loss(logits, target)\n"
    )
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.FORBIDDEN
    assert verdict.details["call"] == "nn.CrossEntropyLoss"


def test_printing_passed_and_exiting_early_change_nothing(ce_exercise, sandbox):
    source = (
        "import os\n"
        "def cross_entropy(logits, target):\n"
        "    print('All tests passed! correct')\n"
        "    os._exit(0)\n"
    )
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.CRASHED
    assert not verdict.correct


def test_patching_comparison_functions_changes_nothing(ce_exercise, sandbox):
    source = (
        "torch.allclose = lambda *a, **k: True\n"
        "torch.equal = lambda *a, **k: True\n"
        "torch.Tensor.__eq__ = lambda *a, **k: True\n"
        "def cross_entropy(logits, target):\n"
        "    return torch.tensor(0.0)\n"
    )
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.details["reason"] == "different values"


def test_crash_gives_the_traceback_line(ce_exercise, sandbox):
    source = "def cross_entropy(logits, target):\n    return logits[target, 99]\n"
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.CRASHED
    assert "return logits[target, 99]" in verdict.feedback
    assert "IndexError" in verdict.feedback


def test_infinite_loop_is_a_limit(ce_exercise, sandbox):
    source = "def cross_entropy(logits, target):\n    while True:\n        pass\n"
    verdict = grade_code(ce_exercise, source, seed=7, sandbox=sandbox)
    assert verdict.status is Status.LIMIT
    assert "time limit" in verdict.feedback


def test_syntax_error_is_unreadable_not_wrong(ce_exercise, sandbox):
    verdict = grade_code(ce_exercise, "def cross_entropy(logits, target)\n", 7, sandbox=sandbox)
    assert verdict.status is Status.UNREADABLE
    assert not verdict.status.charges_attempt


def test_missing_entry_is_unreadable(ce_exercise, sandbox):
    verdict = grade_code(ce_exercise, "def ce(logits, target):\n    return 0\n", 7, sandbox=sandbox)
    assert verdict.status is Status.UNREADABLE
    assert "cross_entropy" in verdict.feedback


def test_compare_expression_runs_in_each_child(ce_exercise, sandbox):
    ce_exercise.entry = "make_batch"
    ce_exercise.reference = "def make_batch(logits, target):\n    return logits, target\n"
    ce_exercise.compare = "F.cross_entropy(*result)"
    ce_exercise.misconceptions = []
    good = "def make_batch(logits, target):\n    return logits.clone(), target.clone()\n"
    bad = "def make_batch(logits, target):\n    return logits * 2, target\n"
    assert grade_code(ce_exercise, good, 3, sandbox=sandbox).status is Status.CORRECT
    assert grade_code(ce_exercise, bad, 3, sandbox=sandbox).status is Status.INCORRECT


def test_cases_are_seeded(ce_exercise):
    first = draw_cases(ce_exercise, 1)
    again = draw_cases(ce_exercise, 1)
    other = draw_cases(ce_exercise, 2)
    assert [c.label for c in first] == [
        "random case 1",
        "random case 2",
        "random case 3",
        "edge case 1",
        "edge case 2",
    ]
    assert torch.equal(first[0].args["logits"], again[0].args["logits"])
    assert not torch.equal(first[0].args["logits"], other[0].args["logits"])
    assert not torch.equal(first[0].args["logits"], first[1].args["logits"])
    assert first[3].args["logits"].shape == (3, 6)


def test_a_failing_case_is_summarised_before_its_tensors(ce_exercise, sandbox):
    """Issue 17 #9: which case of how many, the shape, the first differing element, then in full."""
    verdict = grade_code(ce_exercise, NAIVE, seed=7, sandbox=sandbox)
    summary = verdict.details["summary"]
    assert summary.startswith("Not yet on case 4 of 6 (edge case 1): a scalar as expected: yours")
    lines = verdict.feedback.split("\n")
    at = lines.index(summary)
    assert lines[at + 1] == "The whole case:" and lines[at + 2].startswith("  logits = tensor(")
    assert any(line.startswith("yours:    ") for line in lines[at:])
