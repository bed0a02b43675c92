"""A failing code case summarised in one line (issue 17 #9): shapes, the first differing element."""

from __future__ import annotations

import torch

from tutor.grading.case_summary import summarise
from tutor.grading.compare import agreeing
from tutor.grading.sandbox import Raised
from tutor.pack.model import Tolerance

TOL = Tolerance(rel=1e-4, abs=1e-6)


def test_the_first_differing_element_with_both_values() -> None:
    expected = torch.tensor([0.6931, 1.3863, 2.0, 3.0])
    got = torch.tensor([0.6931, 0.6931, 2.0, 3.5])
    assert summarise(expected, got, TOL) == (
        "output shape (4,) as expected; first difference at [1] (2 of 4 differ): "
        "yours 0.6931, expected 1.3863"
    )


def test_a_matrix_index_and_enough_digits_to_tell_the_numbers_apart() -> None:
    expected = torch.tensor([[1.0, 2.0], [3.0, 4.0]])
    got = torch.tensor([[1.0, 2.0], [3.0, 4.00002]])
    assert summarise(expected, got, Tolerance(abs=1e-6)).endswith(
        "at [1, 1] (1 of 4 differ): yours 4.00002, expected 4.00000"
    )


def test_shape_dtype_scalar_items_and_raises() -> None:
    assert summarise(torch.ones(2), torch.ones(3), TOL) == "output shape (3,), expected (2,)"
    assert summarise(torch.ones(2), torch.ones(2, dtype=torch.float64), TOL) == (
        "output shape (2,) as expected, but dtype float64, expected float32"
    )
    assert summarise(torch.tensor(2.3026), torch.tensor(float("inf")), TOL) == (
        "a scalar as expected: yours inf, expected 2.3026"
    )
    pair = summarise((1.0, torch.ones(2)), (1.0, torch.tensor([1.0, 3.0])), TOL)
    assert pair.startswith("item 1: output shape (2,) as expected; first difference at [1]")
    assert summarise(torch.ones(1), Raised("ValueError", "bad"), TOL) == "raised ValueError: bad"


def test_agreeing_never_lets_an_infinity_through_a_relative_tolerance() -> None:
    expected = torch.tensor([float("inf"), float("nan"), 1.0, float("-inf")])
    got = torch.tensor([1.0, float("nan"), 1.00001, float("-inf")])
    assert agreeing(expected, got, Tolerance(rel=1.0)).tolist() == [False, True, True, True]
