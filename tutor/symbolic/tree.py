"""The formula tree: what the reader builds from learner text, before any sympy.

Both readers (plain syntax and LaTeX) produce these nodes, and every later
step interprets them: as sympy over concrete sizes (proofs), as 2-D display
math (read-as), or as numpy arrays over many sample points (equivalence).
Keeping one small tree means the learner's text never reaches `eval`, and
the three interpretations cannot drift apart in what they accept.

A `SymbolTable` is the exercise's declared symbols; `check` gives every node
its shape (a scalar, or a vector of a named or fixed size) and reports the
first misuse with its column.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from tutor.i18n import _
from tutor.symbolic.domain import SIZED_KINDS, SymbolKind, SymbolSpec

# Function name -> (min args, max args). Semantics live in the interpreters.
ELEMENTWISE = ("log", "exp", "log2", "sigmoid", "abs", "sqrt")
REDUCING = ("sum", "mean", "logsumexp")  # vector -> scalar
VECTOR_TO_VECTOR = ("softmax", "log_softmax")
FUNCTIONS: dict[str, tuple[int, int]] = {
    **{name: (1, 1) for name in ELEMENTWISE + REDUCING + VECTOR_TO_VECTOR},
    "max": (1, 2),  # max(v) over a vector, or elementwise max(a, b)
    "onehot": (2, 2),  # onehot(y, K)
    "grad": (2, 2),  # grad(f, z): derivations only
}
ALIASES = {"ln": "log", "logsoftmax": "log_softmax", "lse": "logsumexp"}


class Node:
    """A node of the formula tree; `col` is its 1-based column in the source."""

    col: int


@dataclass(frozen=True)
class Num(Node):
    value: Fraction
    col: int = 0


@dataclass(frozen=True)
class Sym(Node):
    name: str
    col: int = 0


@dataclass(frozen=True)
class Const(Node):
    """A named mathematical constant: `pi` or `e` (Euler's number), when not a declared symbol."""

    name: str
    col: int = 0


@dataclass(frozen=True)
class Call(Node):
    """A function applied to arguments.

    `bound` is how a LaTeX sum was written, for display only: (index letter,
    the number its entries are counted from). `sumrange(body, lo, hi)` is a
    partial sum over entries lo ≤ i < hi (counted from 0), lo and hi being
    numbers and size symbols.
    """

    fn: str
    args: tuple[Node, ...]
    col: int = 0
    bound: tuple[str, int] | None = field(default=None, compare=False)


@dataclass(frozen=True)
class Index(Node):
    base: Node
    index: Node
    col: int = 0


@dataclass(frozen=True)
class Bin(Node):
    op: str  # one of + - * / **
    left: Node
    right: Node
    col: int = 0


@dataclass(frozen=True)
class Neg(Node):
    operand: Node
    col: int = 0


@dataclass(frozen=True)
class Vec(Node):
    items: tuple[Node, ...]
    col: int = 0


Size = int | str  # a fixed number of entries, or the name of a size symbol
Shape = Size | None  # None: a scalar


@dataclass(frozen=True)
class SymbolTable:
    """The declared symbols of an exercise or derivation.

    A vector's `size` naming an undeclared symbol (`K`) declares it implicitly
    as a `size` symbol, so authors need not repeat it.
    """

    specs: dict[str, SymbolSpec] = field(default_factory=dict)

    @classmethod
    def of(cls, specs: dict[str, SymbolSpec]) -> SymbolTable:
        table = {}
        for name, spec in specs.items():
            if spec.kind in SIZED_KINDS and spec.size is None:
                spec = replace(spec, size="K")  # an unsized vector has K entries
            table[name] = spec
        for spec in list(table.values()):
            if isinstance(spec.size, str) and spec.size not in table:
                table[spec.size] = SymbolSpec(spec.size, SymbolKind.SIZE)
        return cls(table)

    def kind(self, name: str) -> SymbolKind:
        return self.specs[name].kind

    def size_of(self, name: str) -> Size:
        size = self.specs[name].size
        assert size is not None, name
        return size

    @property
    def size_names(self) -> list[str]:
        return [n for n, s in self.specs.items() if s.kind is SymbolKind.SIZE]

    def names(self) -> list[str]:
        return list(self.specs)


class ShapeError(Exception):
    """A formula that reads but does not make sense (wrong arity, vector misuse)."""

    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.col = col


def _describe(shape: Shape) -> str:
    if shape is None:
        return _("a single number")
    return _("a vector of {size} entries").format(size=shape)


def check(node: Node, table: SymbolTable, *, allow_grad: bool = False) -> Shape:
    """The shape of `node`; raises ShapeError at the first misuse."""
    if isinstance(node, Num | Const):
        return None
    if isinstance(node, Sym):
        spec = table.specs[node.name]
        return table.size_of(node.name) if spec.kind.is_vector else None
    if isinstance(node, Neg):
        return check(node.operand, table, allow_grad=allow_grad)
    if isinstance(node, Vec):
        for item in node.items:
            if check(item, table, allow_grad=allow_grad) is not None:
                raise ShapeError(_("a vector [a, b, …] holds single numbers only"), item.col)
        return len(node.items)
    if isinstance(node, Bin):
        left = check(node.left, table, allow_grad=allow_grad)
        right = check(node.right, table, allow_grad=allow_grad)
        if left is not None and right is not None and left != right:
            raise ShapeError(
                _("`{op}` between vectors of different sizes ({left} and {right})").format(
                    op=node.op, left=left, right=right
                ),
                node.col,
            )
        return left if left is not None else right
    if isinstance(node, Index):
        base = check(node.base, table, allow_grad=allow_grad)
        if base is None:
            raise ShapeError(_("only a vector can be indexed with [ ]"), node.col)
        _check_index(node.index, table)
        return None
    if isinstance(node, Call):
        return _check_call(node, table, allow_grad)
    raise ShapeError(_("unsupported expression"), getattr(node, "col", 1))


def _check_index(node: Node, table: SymbolTable) -> None:
    if isinstance(node, Num) and node.value.denominator == 1 and node.value >= 0:
        return
    if isinstance(node, Sym) and table.kind(node.name) is SymbolKind.INDEX:
        return
    raise ShapeError(_("an index must be a class-index symbol or a whole number ≥ 0"), node.col)


def _check_call(node: Call, table: SymbolTable, allow_grad: bool) -> Shape:
    fn, args = node.fn, node.args
    if fn == "grad" and not allow_grad:
        raise ShapeError(_("`grad` is only available in derivations"), node.col)
    if fn == "onehot":
        _check_index(args[0], table)
        size = args[1]
        if isinstance(size, Num) and size.value.denominator == 1 and size.value >= 1:
            return int(size.value)
        if isinstance(size, Sym) and table.kind(size.name) is SymbolKind.SIZE:
            return size.name
        raise ShapeError(_("onehot(y, K) needs a number of classes as K"), size.col)
    if fn == "grad":
        f = check(args[0], table, allow_grad=True)
        var = args[1]
        if f is not None:
            raise ShapeError(_("grad(f, z) needs a single-number f"), args[0].col)
        if not (isinstance(var, Sym) and table.kind(var.name).is_vector):
            raise ShapeError(_("grad(f, z) differentiates by a declared vector z"), var.col)
        return table.size_of(var.name)
    shapes = [check(a, table, allow_grad=allow_grad) for a in args]
    if fn == "sumrange":
        if shapes[0] is None:
            raise ShapeError(_("a sum needs a vector under it"), args[0].col)
        return None
    if fn in ELEMENTWISE:
        return shapes[0]
    if fn == "max" and len(args) == 2:
        a, b = shapes
        if a is not None and b is not None and a != b:
            raise ShapeError(_("max(a, b) of vectors of different sizes"), node.col)
        return a if a is not None else b
    if shapes[0] is None:
        raise ShapeError(
            _("`{name}` needs a vector, not {shape}").format(name=fn, shape=_describe(None)),
            args[0].col,
        )
    if fn in VECTOR_TO_VECTOR:
        return shapes[0]
    return None  # sum, mean, logsumexp, max(v)


def count_nodes(node: Node) -> int:
    return 1 + sum(count_nodes(c) for c in children(node))


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Call):
        return node.args
    if isinstance(node, Index):
        return (node.base, node.index)
    if isinstance(node, Bin):
        return (node.left, node.right)
    if isinstance(node, Neg):
        return (node.operand,)
    if isinstance(node, Vec):
        return node.items
    return ()


def walk(node: Node):
    """Every node, depth first, parents before children."""
    yield node
    for child in children(node):
        yield from walk(child)


def symbols_used(node: Node) -> set[str]:
    return {n.name for n in walk(node) if isinstance(n, Sym)}


def used_sizes(node: Node, table: SymbolTable) -> set[str]:
    """The size symbols a formula depends on, through its vectors or directly."""
    sizes = set()
    for name in symbols_used(node):
        spec = table.specs[name]
        if spec.kind is SymbolKind.SIZE:
            sizes.add(name)
        elif spec.kind in SIZED_KINDS and isinstance(table.size_of(name), str):
            sizes.add(table.size_of(name))
    return sizes


def to_text(node: Node) -> str:
    """The plain-syntax text of a tree (used to show generated mistakes)."""
    if isinstance(node, Const):
        return node.name
    if isinstance(node, Num):
        v = node.value
        return str(v.numerator) if v.denominator == 1 else f"{v.numerator}/{v.denominator}"
    if isinstance(node, Sym):
        return node.name
    if isinstance(node, Call):
        return f"{node.fn}({', '.join(to_text(a) for a in node.args)})"
    if isinstance(node, Index):
        return f"{_wrap(node.base)}[{to_text(node.index)}]"
    if isinstance(node, Neg):
        return f"-{_wrap(node.operand)}"
    if isinstance(node, Vec):
        return f"[{', '.join(to_text(a) for a in node.items)}]"
    assert isinstance(node, Bin)
    return f"{_wrap(node.left)} {node.op} {_wrap(node.right)}"


def _wrap(node: Node) -> str:
    text = to_text(node)
    return f"({text})" if isinstance(node, Bin | Neg) else text
