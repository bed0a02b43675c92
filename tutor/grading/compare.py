"""Is a learner's value the expected one? Done in the grader, never in the learner's process.

Tensors must agree in shape and dtype, then in value within the exercise's
tolerance (an element passes within *any* of rel, abs, sig); numbers,
tuples, lists and dicts are compared element by element. The answer is a
reason a learner can read, or None when the values agree.

Every correct float evaluation order must pass: `m + log(sum(exp(z - m)))`
then `z - lse` and the reference's `z - m - log(sum(…))` differ by a few
units in the last place of the *inputs* (at |z| ≈ 3000, about 1e-3 in
float32), which no fixed tolerance on the output allows without also
letting wrong answers through at small magnitudes. So a tensor element
also passes within `ROUNDING` units of its dtype's epsilon times `scale`,
the magnitude of the case's inputs.
"""

from __future__ import annotations

from typing import Any

from tutor.grading.sandbox import Raised
from tutor.i18n import _
from tutor.numeric.answers import within
from tutor.pack.model import Tolerance

ROUNDING = 8  # units of float epsilon, times the inputs' magnitude, that rounding may cost


def mismatch(expected: Any, got: Any, tolerance: Tolerance, scale: float = 0.0) -> str | None:
    """Why `got` is not `expected`, or None if it is (within tolerance, or rounding at `scale`)."""
    import torch

    if isinstance(expected, Raised) or isinstance(got, Raised):
        if isinstance(expected, Raised) and isinstance(got, Raised):
            return (
                None
                if expected.type == got.type
                else _("raised {got}, not {expected}").format(got=got.type, expected=expected.type)
            )
        if isinstance(expected, Raised):
            return _("should raise {type}").format(type=expected.type)
        return _("raised {error}").format(error=got)
    if isinstance(expected, torch.Tensor):
        if not isinstance(got, torch.Tensor):
            return _("a {type} instead of a tensor").format(type=type(got).__name__)
        if tuple(got.shape) != tuple(expected.shape):
            return _("shape {got} instead of {expected}").format(
                got=shape_text(got), expected=shape_text(expected)
            )
        if got.dtype != expected.dtype:
            return _("dtype {got} instead of {expected}").format(
                got=dtype_text(got), expected=dtype_text(expected)
            )
        return None if _close_tensors(expected, got, tolerance, scale) else _("different values")
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        same = type(got) is type(expected) and got == expected
        return None if same else _("a different value")
    if isinstance(expected, int | float):
        if isinstance(got, bool) or not isinstance(got, int | float):
            return _("a {type} instead of a number").format(type=type(got).__name__)
        close = _close(float(expected), float(got), tolerance)
        return None if close else _("a different value")
    if isinstance(expected, list | tuple):
        if not isinstance(got, list | tuple):
            return _("a {got} instead of a {expected}").format(
                got=type(got).__name__, expected=type(expected).__name__
            )
        if len(got) != len(expected):
            return _("{got} items instead of {expected}").format(
                got=len(got), expected=len(expected)
            )
        for index, (e, g) in enumerate(zip(expected, got, strict=True)):
            reason = mismatch(e, g, tolerance, scale)
            if reason:
                return _("item {index}: {what}").format(index=index, what=reason)
        return None
    if isinstance(expected, dict):
        if not isinstance(got, dict) or set(got) != set(expected):
            return _("different keys")
        for key in expected:
            reason = mismatch(expected[key], got[key], tolerance, scale)
            if reason:
                return _("[{key}]: {what}").format(key=repr(key), what=reason)
        return None
    return None if expected == got else _("a different value")


def _close(e: float, g: float, tol: Tolerance) -> bool:
    """One number against another: the same rule as number exercises use."""
    return within(g, e, tol)


def _close_tensors(expected: Any, got: Any, tol: Tolerance, scale: float = 0.0) -> bool:
    import torch

    if expected.numel() == 0 or torch.equal(expected.detach(), got.detach()):
        return True  # equal and without nan: the common case, fast
    return bool(agreeing(expected, got, tol, scale).all())


def agreeing(expected: Any, got: Any, tol: Tolerance, scale: float = 0.0) -> Any:
    """Which elements of two same-shaped tensors agree (a bool tensor of their shape).

    Equal, both nan, or within any of the tolerances (or rounding at `scale`);
    an infinity agrees only with the same infinity.
    """
    import torch

    expected, got = expected.detach(), got.detach()
    if not (expected.is_floating_point() or expected.is_complex()):
        return expected == got
    eps = torch.finfo(expected.dtype).eps if expected.is_floating_point() else 0.0
    e = expected.to(torch.complex128 if expected.is_complex() else torch.float64)
    g = got.to(e.dtype)
    equal = (e == g) | (torch.isnan(e) & torch.isnan(g))
    diff = (g - e).abs()
    ok = torch.zeros_like(equal)
    if scale and eps:
        ok |= diff <= ROUNDING * eps * scale
    if tol.abs is not None:
        ok |= diff <= tol.abs
    if tol.rel is not None:
        ok |= diff <= tol.rel * e.abs()
    if tol.sig is not None:
        magnitude = torch.floor(torch.log10(e.abs().clamp_min(1e-300)))
        ok |= diff <= 0.5 * 10 ** (magnitude - tol.sig + 1)
    # tolerances hold between finite numbers only (inf <= rel * inf would)
    return equal | (ok & torch.isfinite(e) & torch.isfinite(g))


def shape_text(t: Any) -> str:
    return str(tuple(t.shape))


def dtype_text(t: Any) -> str:
    return str(t.dtype).removeprefix("torch.")
