"""A number exercise's `formula:`, computed by the symbolic engine's definitions, not by torch.

`formula: mean(logsumexp(logits, 1) - take(logits, target))` is batched (rows
of logits, a vector of class indices), while the symbolic reader works on
single vectors. So the formula is read by the same whitelisted walk as the
torch expressions (`tutor.numeric.expressions`), but every function in it is
the sympy definition from `tutor.symbolic.definitions`, lambdified for
mpmath and applied row by row along the given axis. mpmath has no overflow,
so `logsumexp(1000 * z)` computed from the naive definition log Σ exp is
still exact: the value is the mathematics, independent of torch's tricks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp
import torch

from tutor.i18n import _
from tutor.numeric.expressions import ExpressionError, Value, parse_expression, to_number
from tutor.symbolic import definitions as defs

_ROW_DEFINITIONS: dict[str, Callable[[list[sp.Expr]], Any]] = {
    "logsumexp": defs.logsumexp,
    "softmax": defs.softmax,
    "log_softmax": defs.log_softmax,
}
_ELEMENTWISE: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "log": sp.log,
    "exp": sp.exp,
    "sqrt": sp.sqrt,
    "abs": sp.Abs,
    "log2": lambda x: sp.log(x, 2),
    "sigmoid": defs.sigmoid,
}


@lru_cache(maxsize=256)
def _row_function(name: str, size: int) -> Callable[..., Any]:
    z = list(sp.symbols(f"z0:{size}", real=True))
    return sp.lambdify(z, _ROW_DEFINITIONS[name](z), "mpmath")


@lru_cache(maxsize=64)
def _elementwise_function(name: str) -> Callable[[Any], Any]:
    x = sp.Symbol("x", real=True)
    fn = sp.lambdify([x], _ELEMENTWISE[name](x), "mpmath")

    def real(value: Any) -> Any:
        # mpmath answers log(-1) with a complex number; torch, like the lesson, with nan
        result = fn(value)
        if isinstance(result, mpmath.mpc):
            return result.real if result.imag == 0 else mpmath.mpf("nan")
        return result

    return np.frompyfunc(real, 1, 1)


def _as_array(x: Any) -> np.ndarray:
    if isinstance(x, np.ndarray):
        return x
    return np.array(x, dtype=object)


def _elementwise(name: str) -> Callable[[Any], Any]:
    def apply(x: Any) -> Any:
        result = _elementwise_function(name)(_as_array(x))
        return result if isinstance(result, np.ndarray) and result.ndim else _scalar(result)

    return apply


def _along(name: str) -> Callable[..., Any]:
    """A vector definition applied to every 1-D slice along `dim`."""

    def apply(x: Any, dim: int = -1) -> Any:
        arr = np.moveaxis(_as_array(x), int(dim), -1)
        fn = _row_function(name, arr.shape[-1])
        vector_out = name != "logsumexp"
        out = np.empty(arr.shape if vector_out else arr.shape[:-1], dtype=object)
        for index in np.ndindex(*arr.shape[:-1]):
            value = fn(*arr[index])
            out[index] = np.array(value, dtype=object) if vector_out else value
        if vector_out:
            return np.moveaxis(out, -1, int(dim))
        return out if out.ndim else _scalar(out)

    return apply


def _scalar(value: Any) -> Any:
    return value.item() if isinstance(value, np.ndarray) else value


def _sum(x: Any, dim: int | None = None) -> Any:
    arr = _as_array(x)
    result = arr.sum(axis=dim) if dim is not None else arr.sum()
    return _scalar(result) if not isinstance(result, np.ndarray) or result.ndim == 0 else result


def _mean(x: Any, dim: int | None = None) -> Any:
    arr = _as_array(x)
    count = arr.size if dim is None else arr.shape[dim]
    total = _sum(arr, dim)
    return total / mpmath.mpf(count)


def _take(x: Any, index: Any, dim: int = -1) -> Any:
    """Same semantics as the torch side's `take` (see `tutor.numeric.expressions`)."""
    arr = _as_array(x)
    idx = np.asarray(index, dtype=np.int64)
    if idx.ndim == 0:
        picked = np.take(arr, int(idx), axis=dim)
    elif idx.ndim == arr.ndim:
        picked = np.take(arr, idx, axis=dim)
    else:
        picked = np.take_along_axis(arr, np.expand_dims(idx, dim), dim).squeeze(dim)
    return _scalar(picked) if not isinstance(picked, np.ndarray) or picked.ndim == 0 else picked


def _onehot(index: Any, size: int) -> Any:
    eye = np.array([[mpmath.mpf(int(i == j)) for j in range(int(size))] for i in range(int(size))])
    return eye[np.asarray(index, dtype=np.int64)]


SYMBOLIC_FUNCTIONS: dict[str, Callable[..., Any]] = {
    **{name: _elementwise(name) for name in _ELEMENTWISE},
    **{name: _along(name) for name in _ROW_DEFINITIONS},
    "sum": _sum,
    "mean": _mean,
    "take": _take,
    "onehot": _onehot,
    "len": len,
    "range": range,
}


def to_symbolic_values(params: Mapping[str, Any]) -> dict[str, Any]:
    """Parameters as the symbolic side sees them: exact mpmath numbers, integer index arrays."""
    values: dict[str, Any] = {}
    for name, value in params.items():
        if isinstance(value, torch.Tensor):
            if value.is_floating_point():
                floats = value.detach().double().numpy()
                values[name] = (
                    np.frompyfunc(mpmath.mpf, 1, 1)(floats)
                    if floats.ndim
                    else mpmath.mpf(float(floats))
                )
            else:
                values[name] = value.detach().numpy().astype(np.int64)
                if values[name].ndim == 0:
                    values[name] = int(values[name])
        elif isinstance(value, float):
            values[name] = mpmath.mpf(value)
        else:
            values[name] = value
    return values


def check_formula(text: str) -> str | None:
    """An error message when `text` is not in the symbolic syntax (no F./torch./nn., no methods)."""
    try:
        expr = parse_expression(text)
    except ExpressionError as err:
        return str(err)
    if expr.uses_modules:
        return _(
            "a formula uses the engine's syntax (log, softmax, sum, take, …), not F./torch./nn."
        )
    return None


def evaluate_formula(text: str, params: Mapping[str, Any]) -> float:
    """The formula's value over the learner's parameters, by the sympy definitions."""
    problem = check_formula(text)
    if problem:
        raise ExpressionError(problem, 1)
    value: Value = parse_expression(text).evaluate(
        to_symbolic_values(params), functions=SYMBOLIC_FUNCTIONS
    )
    return to_number(value)
