"""`take` means the same on the torch side and the symbolic (formula) side."""

from __future__ import annotations

import pytest
import torch

from tutor.numeric.expressions import evaluate
from tutor.numeric.formula import evaluate_formula

VALUES = {
    "l": torch.tensor([[0.5, -1.0, 2.0, 0.1], [1.5, 0.2, -0.3, 0.0], [0.0, 0.0, 3.0, -2.0]]),
    "w": torch.tensor([0.1, 0.2, 0.3, 0.4]),
    "t": torch.tensor([3, 0, 2]),
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("sum(take(l, 0))", 0.5 + 1.5 + 0.0),  # a scalar index: that column of every row
        ("sum(take(w, t))", 0.4 + 0.1 + 0.3),  # same dimensions: w[t]
        ("sum(take(l, t))", 0.1 + 1.5 + 3.0),  # one fewer: each row's entry at its index
    ],
)
def test_take_agrees_on_both_sides(text: str, expected: float) -> None:
    assert float(evaluate(text, VALUES)) == pytest.approx(expected, rel=1e-6)
    assert float(evaluate_formula(text, VALUES)) == pytest.approx(expected, rel=1e-6)
