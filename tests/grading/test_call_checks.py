"""The code verdict's checks beyond values, as pure functions over what came back (issue 14)."""

from __future__ import annotations

from pathlib import Path

import torch

from tutor.grading import call_checks
from tutor.grading.sandbox import CaseOutcome
from tutor.pack.model import CodeExercise, Location

HERE = Location(Path("lesson.md"), 1)


def exercise(reference: str, entry: str = "f", forbid: list[str] | None = None) -> CodeExercise:
    return CodeExercise(
        id="x", prompt="", location=HERE, entry=entry, reference=reference, forbid=forbid or []
    )


def test_the_call_order_is_the_reference_signature_not_the_args_order():
    ex = exercise("def f(logits, target, w):\n    return w\n")
    assert call_checks.parameter_order(ex, ["w", "target", "logits"]) == ["logits", "target", "w"]
    unreadable = exercise("def f(:\n")
    assert call_checks.parameter_order(unreadable, ["b", "a"]) == ["b", "a"]


def test_gradients_are_not_asked_of_a_gradient_derived_by_hand():
    assert call_checks.wants_gradients(exercise("def f(x): ..."))
    assert not call_checks.wants_gradients(
        exercise("def f(x): ...", forbid=["torch.autograd.grad"])
    )
    assert not call_checks.wants_gradients(
        exercise("def f(x): ...", forbid=["torch.Tensor.backward"])
    )


def test_the_float64_copy_and_the_magnitude():
    args = {"z": torch.tensor([[3.0, -2000.0]]), "y": torch.tensor([1]), "T": 0.5}
    doubled = call_checks.as_float64(args)
    assert doubled["z"].dtype == torch.float64 and doubled["y"].dtype == torch.int64
    assert call_checks.as_float64({"y": torch.tensor([1])}) is None
    assert call_checks.magnitude(args) == 2000.0
    assert call_checks.magnitude({"p": torch.tensor([float("inf"), 2.0])}) == 2.0


def test_a_changed_input_is_found_against_what_was_drawn():
    z = torch.tensor([[1.0, float("nan")]])
    same = CaseOutcome(value=None, after=[z.clone()])
    assert call_checks.mutation("f", ["z"], {"z": z}, same) is None
    changed = CaseOutcome(value=None, after=[z - 1])
    assert (
        "changed its input `z` in place"
        in call_checks.mutation("f", ["z"], {"z": z}, changed).feedback
    )


def _grads(*tensors):
    return CaseOutcome(value=None, grads=list(tensors))


def test_gradients_a_detached_later_input_is_allowed_the_first_is_not():
    g_q, g_queue = torch.tensor([1.0, -2.0]), torch.tensor([0.5, 0.5])
    want = _grads(g_q, g_queue)
    names = ["q", "queue"]
    assert call_checks.gradient("f", names, want, _grads(g_q, g_queue), 1.0) is None
    # MoCo's official loss detaches its queue
    assert call_checks.gradient("f", names, want, _grads(g_q, torch.zeros(2)), 1.0) is None
    cut_first = call_checks.gradient("f", names, want, _grads(torch.zeros(2), g_queue), 1.0)
    assert cut_first.check == "no-gradient" and "`q`" in cut_first.feedback
    wrong = call_checks.gradient("f", names, want, _grads(g_q * 0.5, g_queue), 1.0)
    assert wrong.check == "gradient" and "with respect to `q`" in wrong.feedback
    none = call_checks.gradient("f", names, want, CaseOutcome(value=None, grads=None), 1.0)
    assert none.check == "no-gradient"
    assert call_checks.gradient("f", names, CaseOutcome(value=None), _grads(g_q, g_q), 1.0) is None


def test_stability_words():
    args = {"logits": torch.tensor([[0.0, 200.0]])}
    want = torch.tensor(100.0)
    assert "overflowed to inf at `logits` of magnitude 200" in call_checks.stability(
        args, want, torch.tensor(float("inf")), only_large=False
    )
    zeros = {"p": torch.tensor([[0.0, 1.0]])}
    assert "0 · log 0" in call_checks.stability(zeros, want, torch.tensor(float("nan")), False)
    assert "right on ordinary inputs" in call_checks.stability(args, want, torch.tensor(51.5), True)
    assert call_checks.stability(args, want, torch.tensor(51.5), only_large=False) is None
