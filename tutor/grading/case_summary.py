"""A failing code case in one line: the output's shape, and the first element that differs.

    summarise(expected, got, tolerance, scale)
    -> "output shape (4,) as expected; first difference at [1]: yours 0.6931, expected 1.3863"

Forty wrapped lines of tensors hide the one number that matters; the grader
puts this line first and the whole case after it (one key away in the app).
"""

from __future__ import annotations

import math
from typing import Any

from tutor.grading.compare import agreeing, dtype_text, mismatch, shape_text
from tutor.grading.sandbox import Raised
from tutor.i18n import _
from tutor.pack.model import Tolerance


def summarise(expected: Any, got: Any, tolerance: Tolerance, scale: float = 0.0) -> str:
    """What differs between the reference's value and the learner's, in words and two numbers."""
    import torch

    if isinstance(expected, Raised) or isinstance(got, Raised):
        return mismatch(expected, got, tolerance, scale) or ""
    if isinstance(expected, torch.Tensor) and isinstance(got, torch.Tensor):
        return _tensors(expected, got, tolerance, scale)
    if _is_number(expected) and _is_number(got):
        return _("yours {got}, expected {expected}").format(**_numbers(got, expected))
    sequences = isinstance(expected, list | tuple) and isinstance(got, list | tuple)
    if sequences and len(got) == len(expected):
        for index, (e, g) in enumerate(zip(expected, got, strict=True)):
            if mismatch(e, g, tolerance, scale) is not None:
                inner = summarise(e, g, tolerance, scale)
                return _("item {index}: {what}").format(index=index, what=inner)
    return mismatch(expected, got, tolerance, scale) or ""


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _tensors(expected: Any, got: Any, tolerance: Tolerance, scale: float) -> str:
    shape, want = shape_text(got), shape_text(expected)
    if shape != want:
        return _("output shape {shape}, expected {expected}").format(shape=shape, expected=want)
    if got.dtype != expected.dtype:
        return _("output shape {shape} as expected, but dtype {dtype}, expected {want}").format(
            shape=shape, dtype=dtype_text(got), want=dtype_text(expected)
        )
    ok = agreeing(expected, got, tolerance, scale)
    wrong = (~ok).nonzero()
    if len(wrong) == 0:
        return _("output shape {shape} as expected").format(shape=shape)
    at = tuple(int(i) for i in wrong[0])
    numbers = _numbers(got[at].item(), expected[at].item())
    if not at:  # a 0-d tensor: one number
        return _("a scalar as expected: yours {got}, expected {expected}").format(**numbers)
    count = len(wrong)
    return _(
        "output shape {shape} as expected; first difference at {index} "
        "({count} of {total} differ): yours {got}, expected {expected}"
    ).format(
        shape=shape,
        index="[" + ", ".join(map(str, at)) + "]",
        count=count,
        total=ok.numel(),
        **numbers,
    )


def _numbers(got: Any, expected: Any) -> dict[str, str]:
    """Both numbers with as many digits as it takes to tell them apart (4 at least)."""
    for digits in range(4, 12):
        pair = {"got": _number(got, digits), "expected": _number(expected, digits)}
        if pair["got"] != pair["expected"]:
            return pair
    return pair


def _number(value: Any, digits: int) -> str:
    if isinstance(value, int):  # bool too
        return str(value)
    if isinstance(value, complex):
        return f"{value:.{digits}g}"
    if math.isnan(value) or math.isinf(value):
        return str(value)
    if value == 0 or 1e-3 <= abs(value) < 1e5:
        return f"{value:.{digits}f}"
    return f"{value:.{digits}g}"
