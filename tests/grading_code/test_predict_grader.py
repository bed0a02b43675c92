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


BATCH = PredictExercise(
    id="transposed",
    prompt="?",
    location=HERE,
    code=(
        "x = torch.tensor([[1.0, 2.0, 3.0], [1.0, 0.0, -1.0]])\n"
        "y = torch.tensor([2, 0])\n"
        "print(F.cross_entropy(x.T, y))\n"
    ),
)
MESSAGE = "Expected input batch_size (3) to match target batch_size (2)."


@pytest.mark.parametrize(
    "answer",
    [
        "ValueError",
        "valueerror",
        "It raises a ValueError",
        f"ValueError: {MESSAGE}",
        "ValueError: Expected input batch_size (3) to match target batch_size (2)",
        f"ValueError('{MESSAGE}')",
        MESSAGE,
        "Expected input batch_size (3)",
    ],
)
def test_one_outcome_named_is_correct(answer, sandbox):
    assert grade_predict(BATCH, answer, 1, sandbox=sandbox).correct


@pytest.mark.parametrize(
    ("answer", "status"),
    [
        ("ValueError or RuntimeError", Status.UNREADABLE),  # a hedge
        ("tensor(0.4076) ValueError", Status.UNREADABLE),  # two outcomes
        ("RuntimeError, maybe ValueError", Status.UNREADABLE),
        ("ValueError: something else entirely", Status.INCORRECT),  # a wrong message
        ("RuntimeError", Status.INCORRECT),
        ("batch", Status.INCORRECT),  # too short to be a quote
    ],
)
def test_hedges_extra_outcomes_and_wrong_messages_are_not_correct(answer, status, sandbox):
    verdict = grade_predict(BATCH, answer, 1, sandbox=sandbox)
    assert verdict.status is status, (answer, verdict.feedback)
    assert "ValueError" not in verdict.feedback


def test_right_message_under_the_wrong_class_is_told_so(sandbox):
    verdict = grade_predict(BATCH, f"RuntimeError: {MESSAGE}", 1, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.feedback == "Right message, but the exception is ValueError."
    assert verdict.mistake == "right-message-wrong-exception"  # named in the gradebook


def test_output_printed_before_the_raise_may_precede_the_exception(sandbox):
    exercise = PredictExercise(
        id="print-then-raise",
        prompt="?",
        location=HERE,
        code="print(torch.tensor(2.0))\nraise ValueError('no such class index here')\n",
    )
    assert grade_predict(exercise, "tensor(2.) ValueError", 1, sandbox=sandbox).correct
    assert grade_predict(exercise, "ValueError", 1, sandbox=sandbox).correct
    wrong = grade_predict(exercise, "tensor(3.) ValueError", 1, sandbox=sandbox)
    assert not wrong.correct
