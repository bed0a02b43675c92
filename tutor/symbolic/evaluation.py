"""A formula tree evaluated numerically: numpy over a batch of sample points at once.

Float64, or mpmath objects for high precision; the workhorse of
equivalence, and what draws a lesson's plot. Class indices vary per
point, so one call covers every index value. No sympy here, so the app can
plot without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath
import numpy as np

from tutor.i18n import _
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.tree import Bin, Call, Const, Index, Neg, Node, Num, Sym, SymbolTable, Vec

OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": lambda a, b: a**b,
}


def resolve_size(size: int | str, sizes: dict[str, int]) -> int:
    return size if isinstance(size, int) else sizes.get(size, 2)


def bound_value(node: Node, sizes: dict[str, int]) -> int:
    """A sum's bound (numbers and size symbols, + - *) at concrete sizes."""
    if isinstance(node, Num):
        return int(node.value)
    if isinstance(node, Sym):
        return resolve_size(node.name, sizes)
    if isinstance(node, Neg):
        return -bound_value(node.operand, sizes)
    if isinstance(node, Bin) and node.op in "+-*":
        left, right = bound_value(node.left, sizes), bound_value(node.right, sizes)
        return left + right if node.op == "+" else left - right if node.op == "-" else left * right
    raise ValueError(_("a sum's bound must be a whole number or a size"))


def constant(name: str, mp: bool) -> Any:
    """The value of a named constant (`pi`, `e`)."""
    if name == "pi":
        return +mpmath.pi if mp else np.pi
    return mpmath.e() if mp else np.e


class Numeric:
    """numpy over a batch of points: scalars have shape (B,), vectors (B, K).

    With `mp=True` the arrays hold mpmath numbers (object dtype), so the
    same code evaluates at any precision (set by the caller via mpmath.mp).
    """

    def __init__(self, mp: bool = False) -> None:
        self.mp = mp
        if mp:
            self.exp = np.frompyfunc(mpmath.exp, 1, 1)
            self.log = np.frompyfunc(_mp_log, 1, 1)
            self.abs = np.frompyfunc(abs, 1, 1)
            self.sqrt = np.frompyfunc(_mp_sqrt, 1, 1)
        else:
            self.exp, self.log, self.abs, self.sqrt = np.exp, np.log, np.abs, np.sqrt

    def cast(self, value: Any) -> Any:
        if not self.mp:
            return np.asarray(value, dtype=float)
        array = np.asarray(value, dtype=object)
        return np.frompyfunc(mpmath.mpf, 1, 1)(array) if array.size else array

    def logsumexp(self, z: np.ndarray) -> np.ndarray:
        top = np.max(z, axis=1) if not self.mp else np.array([max(row) for row in z], object)
        if not self.mp:
            top = np.where(np.isfinite(top), top, 0.0)
        return top + self.log(np.sum(self.exp(z - top[:, None]), axis=1))

    def sigmoid(self, x: np.ndarray) -> np.ndarray:
        if self.mp:
            return 1 / (1 + self.exp(-x))
        e = np.exp(-np.abs(x))
        return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def _real_or_nan(x: Any) -> Any:
    if isinstance(x, mpmath.mpc):
        return x.real if x.imag == 0 else mpmath.mpf("nan")
    return x


_real_entries = np.frompyfunc(_real_or_nan, 1, 1)


def _real(value: Any) -> Any:
    """Real numbers only, as float64 has them: a complex power is undefined (nan)."""
    if isinstance(value, np.ndarray):
        return _real_entries(value) if value.size else value
    return _real_or_nan(value)


def _mp_log(x: Any) -> Any:
    if x == 0:
        return mpmath.mpf("-inf")
    if x < 0:
        return mpmath.mpf("nan")
    return mpmath.log(x)


def _mp_sqrt(x: Any) -> Any:
    return mpmath.mpf("nan") if x < 0 else mpmath.sqrt(x)


def _lift(a: Any, b: Any, a_vec: bool, b_vec: bool) -> tuple[Any, Any]:
    if a_vec and not b_vec:
        b = b[:, None] if np.ndim(b) else b
    if b_vec and not a_vec:
        a = a[:, None] if np.ndim(a) else a
    return a, b


def evaluate(
    node: Node,
    table: SymbolTable,
    values: dict[str, Any],
    sizes: dict[str, int],
    backend: Numeric,
    batch: int | None = None,
) -> tuple[np.ndarray, bool]:
    """The formula at every point at once: (values, is_vector).

    `values` maps each vector symbol to a (B, K) array, scalars to (B,),
    class indices to (B,) ints; size symbols come from `sizes`. `batch` is B
    when no value says it (a formula of numbers and sizes only).
    """
    if batch is None:
        batch = len(next(iter(values.values()))) if values else 1

    def ev(n: Node) -> tuple[Any, bool]:
        if isinstance(n, Const):
            return constant(n.name, backend.mp), False
        if isinstance(n, Num):
            v = n.value
            return (mpmath.mpf(v.numerator) / v.denominator if backend.mp else float(v)), False
        if isinstance(n, Sym):
            spec = table.specs[n.name]
            if spec.kind is SymbolKind.SIZE:
                return (mpmath.mpf(sizes[n.name]) if backend.mp else float(sizes[n.name])), False
            if spec.kind is SymbolKind.INDEX:
                return values[n.name], False
            return values[n.name], spec.kind.is_vector
        if isinstance(n, Neg):
            a, v = ev(n.operand)
            return -a, v
        if isinstance(n, Vec):
            items = [np.broadcast_to(ev(i)[0], (batch,)) for i in n.items]
            return np.stack(items, axis=1), True
        if isinstance(n, Bin):
            (a, av), (b, bv) = ev(n.left), ev(n.right)
            a, b = _lift(a, b, av, bv)
            value = OPS[n.op](a, b)
            if backend.mp and n.op == "**":  # (-8)**(1/3) is complex in mpmath, nan in float64
                value = _real(value)
            return value, av or bv
        if isinstance(n, Index):
            base, _exact = ev(n.base)
            idx = n.index
            if isinstance(idx, Num):
                return base[:, int(idx.value)], False
            at = np.asarray(values[idx.name], dtype=int)  # type: ignore[attr-defined]
            return np.take_along_axis(base, at[:, None], axis=1)[:, 0], False
        assert isinstance(n, Call)
        return call(n)

    def call(n: Call) -> tuple[Any, bool]:
        fn = n.fn
        if fn == "onehot":
            size = resolve_size(_onehot_size(n.args[1], table), sizes)
            y = n.args[0]
            at = (
                np.full(batch, int(y.value))
                if isinstance(y, Num)
                else np.asarray(values[y.name], int)  # type: ignore[attr-defined]
            )
            hot = (np.arange(size)[None, :] == at[:, None]).astype(float)
            return backend.cast(hot), True
        args = [ev(a) for a in n.args]
        (x, xv) = args[0]
        if fn == "log":
            return backend.log(x), xv
        if fn == "exp":
            return backend.exp(x), xv
        if fn == "log2":
            return backend.log(x) / (mpmath.log(2) if backend.mp else np.log(2.0)), xv
        if fn == "sigmoid":
            return backend.sigmoid(x), xv
        if fn == "abs":
            return backend.abs(x), xv
        if fn == "sqrt":
            return backend.sqrt(x), xv
        if fn == "max":
            if len(args) == 2:
                (y, yv) = args[1]
                a, b = _lift(x, y, xv, yv)
                return np.where(a >= b, a, b), xv or yv
            return np.array([max(row) for row in x], dtype=x.dtype), False
        if fn == "sum":
            return np.sum(x, axis=1), False
        if fn == "sumrange":
            lo, hi = bound_value(n.args[1], sizes), bound_value(n.args[2], sizes)
            if lo < 0 or hi > x.shape[1]:  # entries the vector does not have: undefined
                return backend.cast(np.full(x.shape[0], np.nan)), False
            if hi <= lo:
                return backend.cast(np.zeros(x.shape[0])), False
            return np.sum(x[:, lo:hi], axis=1), False
        if fn == "mean":
            return np.sum(x, axis=1) / x.shape[1], False
        if fn == "logsumexp":
            return backend.logsumexp(x), False
        if fn == "softmax":
            return backend.exp(x - backend.logsumexp(x)[:, None]), True
        if fn == "log_softmax":
            return x - backend.logsumexp(x)[:, None], True
        raise ValueError(_("`{fn}` cannot be evaluated numerically").format(fn=fn))

    with np.errstate(all="ignore"):
        result, is_vector = ev(node)
        if not is_vector:
            result = np.broadcast_to(result, (batch,))
    return result, is_vector


def _onehot_size(node: Node, table: SymbolTable) -> int | str:
    if isinstance(node, Num):
        return int(node.value)
    return node.name  # type: ignore[attr-defined]
