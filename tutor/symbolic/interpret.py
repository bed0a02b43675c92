"""Three readings of one formula tree.

- `to_sympy`: sympy over concrete sizes and class indices (vectors become
  lists of symbols `p_0 … p_{K-1}`), built from `definitions`; used for
  symbolic proof and derivatives.
- `to_display`: sympy with symbolic sizes (`Σ_{i=0}^{K-1} p_i log q_i`), only
  for showing how an answer was read.
- `evaluate` (in `evaluation`, which needs no sympy): numpy over a batch of
  sample points at once; the workhorse of equivalence.

Symbols are only ever created here, from declared names.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

import sympy as sp

from tutor.i18n import _
from tutor.symbolic import definitions as d
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.evaluation import OPS as _OPS
from tutor.symbolic.evaluation import bound_value, resolve_size
from tutor.symbolic.tree import Bin, Call, Const, Index, Neg, Node, Num, Sym, SymbolTable, Vec

# -- concrete sympy -------------------------------------------------------------------------------


def concrete_env(
    table: SymbolTable, sizes: dict[str, int], indices: dict[str, int]
) -> dict[str, Any]:
    """Sympy values for every declared symbol at the given sizes and index values.

    Sizes and indices a formula does not use may be left out (2 and 0 stand in).
    """
    sizes = {name: 2 for name in table.size_names} | sizes
    env: dict[str, Any] = {}
    for name, spec in table.specs.items():
        kind = spec.kind
        if kind is SymbolKind.SIZE:
            env[name] = sp.Integer(sizes[name])
        elif kind is SymbolKind.INDEX:
            env[name] = indices.get(name, 0)
        elif kind is SymbolKind.ONEHOT:
            size = resolve_size(table.size_of(name), sizes)
            env[name] = d.onehot(indices.get(name, 0), size)
        else:
            assumptions = d._ASSUMPTIONS[kind]
            if kind.is_vector:
                size = resolve_size(table.size_of(name), sizes)
                env[name] = [sp.Symbol(f"{name}_{i}", **assumptions) for i in range(size)]
            else:
                env[name] = sp.Symbol(name, **assumptions)
    return env


def _num(value: Fraction) -> sp.Expr:
    return sp.Rational(value.numerator, value.denominator)


def _elementwise(f: Callable[..., Any], *values: Any) -> Any:
    vectors = [v for v in values if isinstance(v, list)]
    if not vectors:
        return f(*values)
    n = len(vectors[0])
    return [f(*(v[i] if isinstance(v, list) else v for v in values)) for i in range(n)]


_SYMPY_UNARY: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "log": sp.log,
    "exp": sp.exp,
    "log2": lambda x: sp.log(x) / sp.log(2),
    "sigmoid": d.sigmoid,
    "abs": sp.Abs,
    "sqrt": sp.sqrt,
}


def to_sympy(node: Node, env: dict[str, Any]) -> Any:
    """A sympy expression (or list, for a vector) over the concrete `env`."""
    if isinstance(node, Const):
        return sp.pi if node.name == "pi" else sp.E
    if isinstance(node, Num):
        return _num(node.value)
    if isinstance(node, Sym):
        return env[node.name]
    if isinstance(node, Neg):
        return _elementwise(lambda a: -a, to_sympy(node.operand, env))
    if isinstance(node, Vec):
        return [to_sympy(item, env) for item in node.items]
    if isinstance(node, Bin):
        left, right = to_sympy(node.left, env), to_sympy(node.right, env)
        return _elementwise(_OPS[node.op], left, right)
    if isinstance(node, Index):
        return to_sympy(node.base, env)[_index_value(node.index, env)]
    assert isinstance(node, Call)
    fn = node.fn
    if fn == "onehot":
        return d.onehot(_index_value(node.args[0], env), int(to_sympy(node.args[1], env)))
    if fn == "grad":
        f = to_sympy(node.args[0], env)
        return [sp.diff(f, s) for s in env[node.args[1].name]]  # type: ignore[attr-defined]
    args = [to_sympy(a, env) for a in node.args]
    if fn in _SYMPY_UNARY:
        return _elementwise(_SYMPY_UNARY[fn], args[0])
    if fn == "max":
        return _elementwise(sp.Max, *args) if len(args) == 2 else sp.Max(*args[0])
    if fn == "sum":
        return sp.Add(*args[0])
    if fn == "sumrange":
        sizes = {k: int(v) for k, v in env.items() if isinstance(v, sp.Integer)}
        lo, hi = bound_value(node.args[1], sizes), bound_value(node.args[2], sizes)
        if lo < 0 or hi > len(args[0]):
            raise ValueError(_("the sum runs past the vector's entries"))
        return sp.Add(*args[0][lo:hi])
    if fn == "mean":
        return sp.Add(*args[0]) / len(args[0])
    if fn == "logsumexp":
        return d.logsumexp(args[0])
    if fn == "softmax":
        return d.softmax(args[0])
    if fn == "log_softmax":
        return d.log_softmax(args[0])
    raise ValueError(fn)


def _index_value(node: Node, env: dict[str, Any]) -> int:
    if isinstance(node, Num):
        return int(node.value)
    assert isinstance(node, Sym)
    return int(env[node.name])


# -- display --------------------------------------------------------------------------------------

_BOUND_NAMES = "ijklmnabcdefgh"
_LOG2 = sp.Function("log₂")
_SIGMOID = sp.Function("σ")
_LOG2_ASCII = sp.Function("log2")
_SIGMOID_ASCII = sp.Function("sigmoid")


class _Display:
    """Vectors are functions from an index (a sympy symbol or int) to an entry."""

    def __init__(self, table: SymbolTable, ascii: bool, base: int = 0) -> None:
        self.table = table
        self.ascii = ascii
        self.base = base
        self.taken = set(table.names())

    def size(self, size: int | str) -> sp.Expr:
        return sp.Integer(size) if isinstance(size, int) else sp.Symbol(size)

    def bound(self, body: Callable[[Any], sp.Expr], size: sp.Expr) -> tuple[sp.Symbol, sp.Expr]:
        probe = body(sp.Dummy())
        used = {str(v) for s in probe.atoms(sp.Sum) for v, *_ in s.limits}
        name = next(n for n in _BOUND_NAMES if n not in used and n not in self.taken)
        index = sp.Symbol(name, integer=True)
        return index, body(index)

    def reduce(self, fn: str, vec: Any, size: sp.Expr) -> sp.Expr:
        if isinstance(size, sp.Integer) and int(size) <= 6:  # a short fixed vector: write it out
            total = sp.Add(*(vec(k) for k in range(int(size))))
            return total / size if fn == "mean" else total
        index, body = self.bound(vec, size)
        with sp.evaluate(True):  # Sum wraps its body in Mul(1, ·) when not evaluating
            total = sp.Sum(body, (index, 0, size - 1))
        return total / size if fn == "mean" else total

    def bounded_sum(self, node: Call, vec: Any, size: sp.Expr) -> sp.Expr:
        """A sum as its bounds were written: Σ_{c=1}^{C}, entries counted from 1."""
        name, base = node.bound or ("i", 0)
        index = sp.Symbol(name if name not in self.taken else "i", integer=True)
        with sp.evaluate(True):  # the bounds as written: C, not C - 1 + 1
            if node.fn == "sumrange":
                low = self.bound_expr(node.args[1]) + base
                high = self.bound_expr(node.args[2]) + base - 1
            else:
                low, high = sp.Integer(base), size - 1 + base
            return sp.Sum(vec(index), (index, low, high))

    def bound_expr(self, node: Node) -> sp.Expr:
        if isinstance(node, Num):
            return _num(node.value)
        if isinstance(node, Sym):
            return sp.Symbol(node.name)
        if isinstance(node, Neg):
            return -self.bound_expr(node.operand)
        assert isinstance(node, Bin)
        with sp.evaluate(True):
            return _OPS[node.op](self.bound_expr(node.left), self.bound_expr(node.right))

    def value(self, node: Node) -> Any:
        """A sympy expression, or (function, size) for a vector."""
        table = self.table
        if isinstance(node, Const):
            return sp.pi if node.name == "pi" else sp.E
        if isinstance(node, Num):
            return _num(node.value)
        if isinstance(node, Sym):
            spec = table.specs[node.name]
            if spec.kind.is_vector:
                return (lambda i, n=node.name: sp.Symbol(f"{n}_{i}")), self.size(
                    table.size_of(node.name)
                )
            return sp.Symbol(node.name)
        if isinstance(node, Neg):
            return self.map(lambda a: -a, self.value(node.operand))
        if isinstance(node, Vec):
            items = [self.value(item) for item in node.items]
            return (
                lambda i: items[i] if isinstance(i, int) else sp.Indexed(sp.IndexedBase("v"), i)
            ), sp.Integer(len(items))
        if isinstance(node, Bin):
            return self.map(_OPS[node.op], self.value(node.left), self.value(node.right))
        if isinstance(node, Index):
            base = self.value(node.base)
            index = node.index
            if isinstance(index, Num):
                at: Any = int(index.value) + self.base
            else:
                at = self.bound_expr(index)
            return base[0](at)
        assert isinstance(node, Call)
        return self.call(node)

    def map(self, f: Callable[..., sp.Expr], *values: Any) -> Any:
        vectors = [v for v in values if isinstance(v, tuple)]
        if not vectors:
            return f(*values)
        size = vectors[0][1]

        def entry(i: Any) -> sp.Expr:
            return f(*(v[0](i) if isinstance(v, tuple) else v for v in values))

        return entry, size

    def call(self, node: Call) -> Any:
        fn = node.fn
        if fn == "onehot":
            y = node.args[0]
            at = _num(y.value) if isinstance(y, Num) else sp.Symbol(y.name)  # type: ignore[attr-defined]
            size = self.value(node.args[1])
            return (lambda i: sp.KroneckerDelta(i, at)), size
        if fn == "grad":
            f = self.value(node.args[0])
            name = node.args[1].name  # type: ignore[attr-defined]
            return (lambda i: sp.Derivative(f, sp.Symbol(f"{name}_{i}"))), self.size(
                self.table.size_of(name)
            )
        args = [self.value(a) for a in node.args]
        unary = {
            "log": sp.log,
            "exp": sp.exp,
            "abs": sp.Abs,
            "sqrt": sp.sqrt,
            "log2": _LOG2_ASCII if self.ascii else _LOG2,
            "sigmoid": _SIGMOID_ASCII if self.ascii else _SIGMOID,
        }
        if fn in unary:
            return self.map(unary[fn], args[0])
        if fn == "max" and len(args) == 2:
            return self.map(sp.Max, *args)
        vec, size = args[0]
        if fn == "sumrange" or (fn == "sum" and node.bound is not None):
            return self.bounded_sum(node, vec, size)
        if fn in ("sum", "mean"):
            return self.reduce(fn, vec, size)
        if fn == "logsumexp":
            return sp.log(self.reduce("sum", lambda i: sp.exp(vec(i)), size))
        if fn == "max":
            index, body = self.bound(vec, size)
            return sp.Function("max")(body)
        total = self.reduce("sum", lambda i: sp.exp(vec(i)), size)
        if fn == "softmax":
            return (lambda i: sp.exp(vec(i)) / total), size
        return (lambda i: vec(i) - sp.log(total)), size  # log_softmax


def to_display(node: Node, table: SymbolTable, *, ascii: bool = False, base: int = 0) -> sp.Basic:
    """A sympy object for showing the formula: sums over symbolic sizes, no evaluation of K.

    `base` is the number entries are counted from as the learner wrote them
    (`z_1` is shown as written under `\\sum_{c=1}^{C}`).
    """
    display = _Display(table, ascii, base)
    with sp.evaluate(False):  # show what was written: -(a - b) stays as it is
        value = display.value(node)
        if isinstance(value, tuple):  # a vector: show its entry at a free index
            entry, size = value
            index, _shown = display.bound(entry, size)
            value = entry(index)
    return value
