"""The predict grader: the snippet runs in the sandbox; predictions match its output or exception."""

from pathlib import Path

import pytest

from tutor.grading.predict import grade_predict, same_output
from tutor.grading.verdict import Status
from tutor.pack.model import Location, Misconception, PredictExercise

HERE = Location(Path("lesson.md"), 1)


def test_exception_named_is_correct(predict_exercise, sandbox):
    verdict = grade_predict(predict_exercise, "RuntimeError", seed=1, sandbox=sandbox)
    assert verdict.status is Status.CORRECT
    assert verdict.details["actual"].startswith("RuntimeError: expected")


def test_exception_message_quoted_is_correct(predict_exercise, sandbox):
    answer = "expected target dtype to be Long or Byte"
    assert grade_predict(predict_exercise, answer, 1, sandbox=sandbox).correct


def test_wrong_prediction_does_not_reveal_the_answer_in_feedback(predict_exercise, sandbox):
    verdict = grade_predict(predict_exercise, "tensor(1.2345)", 1, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert "RuntimeError" not in verdict.feedback
    assert "RuntimeError" in verdict.details["actual"]  # for the caller, once allowed


def test_printed_output_with_grad_fn_may_be_predicted_without_it(sandbox):
    exercise = PredictExercise(
        id="loss",
        prompt="?",
        location=HERE,
        code=(
            "x = torch.tensor([[2.0, 0.0, -1.0]], requires_grad=True)\n"
            "print(F.cross_entropy(x, torch.tensor([1])))\n"
        ),
    )
    verdict = grade_predict(exercise, "tensor(2.1698)", 1, sandbox=sandbox)
    assert verdict.status is Status.CORRECT, verdict.details
    assert "grad_fn" in verdict.details["actual"]
    assert grade_predict(
        exercise, "  tensor( 2.1698 ,  grad_fn=<NllLossBackward0>) ", 1, sandbox=sandbox
    ).correct
    assert not grade_predict(exercise, "tensor(2.1798)", 1, sandbox=sandbox).correct


def test_params_are_drawn_per_learner(sandbox):
    exercise = PredictExercise(
        id="shape",
        prompt="?",
        location=HERE,
        code="print(logits.shape[1])\n",
        params={"logits": "randn(2, choice([3, 5]))"},
    )
    outputs = {
        grade_predict(exercise, "3", seed, sandbox=sandbox).details["actual"] for seed in range(12)
    }
    assert outputs == {"3", "5"}


def test_misconception_matched(predict_exercise, sandbox):
    predict_exercise.misconceptions = [
        Misconception(
            tag="float-targets-ok",
            feedback="Class indices must be integers.",
            location=HERE,
            answer="tensor(1.5000)",
        ),
    ]
    verdict = grade_predict(predict_exercise, "tensor(1.5)", 1, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.mistake == "float-targets-ok"


def test_empty_prediction_is_unreadable(predict_exercise, sandbox):
    assert grade_predict(predict_exercise, "  ", 1, sandbox=sandbox).status is Status.UNREADABLE


@pytest.mark.parametrize(
    ("answer", "actual", "same"),
    [
        ("tensor(1.2914)", "tensor(1.2914, grad_fn=<NllLossBackward0>)\n", True),
        ("1.29", "tensor(1.2914)\n", True),
        ("1.3", "tensor(1.2914)\n", False),
        ("tensor([0.5000, 0.5000])", "tensor([0.5000, 0.5000])", True),
        ("torch.Size([3, 4])", "torch.Size([3, 4])\n", True),
        ("torch.Size([4, 3])", "torch.Size([3, 4])\n", False),
        ("tensor(2)", "tensor(3)", False),
    ],
)
def test_output_matching(answer, actual, same):
    assert same_output(answer, actual) is same
