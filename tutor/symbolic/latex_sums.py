"""How a LaTeX formula's sums, series and numbered entries are read (a part of `latex`).

Bounds are honoured, never silently widened: `\\sum_{c=1}^{C}` and
`\\sum_{c=0}^{C-1}` are every entry, counted from 1 or from 0; any other
range is a partial sum (`sumrange`) with its meaning; `\\sum_{j \\neq y}`
is every entry but one; `\\sum_{x \\in \\mathcal{X}}` every outcome; a set
that may be a subset is refused. `a_1 + \\cdots + a_K` is the sum whose
terms follow the template of the terms either side of the dots. What says
how entries are counted (a bound, an entry `z_0`) is collected in
`Reading`, so `read_latex_formula` reads the whole formula that way, or
both ways when nothing says.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from fractions import Fraction

from tutor.i18n import _
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.reader import ReadError, check_literal
from tutor.symbolic.tree import Bin, Call, Index, Neg, Node, Num, ShapeError, Sym, check, to_text

NOT_EQUAL = {"\\neq", "\\ne"}
ELLIPSES = {"\\cdots", "\\dots", "\\ldots", "\\dotsb", "\\dotsc"}
GENERIC_SIZES = (7, 8, 9)  # sizes at which a sum's bounds are classified


@dataclass
class Reading:
    """What one pass over the text found about how its entries are counted."""

    pins: dict[int, str]  # base -> what said so (`\sum_{c=1}^{C}`, `z_0`)
    partial: bool  # a partial sum whose meaning depends on the base
    numbered: bool  # an entry named by a number (`z_1`)
    bounded: list[str]  # how each bounded sum reads, for the read-as


class SumsMixin:
    """The sum-reading part of the LaTeX parser (`latex._Parser`), which provides the rest."""

    def pin(self, base: int, why: str) -> None:
        self.reading.pins.setdefault(base, why)

    # -- grammar --

    def dots_ahead(self) -> bool:
        return all(self.peek(k).text == "." for k in range(3))

    def series_sum(self, node: Node, first: Node | None, op) -> Node:
        """`a_1 + \\cdots + a_K`: the terms either side differ only in an index."""
        dots = self.take()
        if dots.text == ".":
            self.take(), self.take()
        if first is None or op.text != "+" or self.peek().text != "+":
            raise ReadError(
                _("could not read the `…` at column {col}: write `{example}` (or a {sum})").format(
                    col=dots.col, example="a_1 + \\cdots + a_K", sum="\\sum"
                ),
                dots.col,
            )
        self.take()
        self.series = True
        try:
            last = self.product()
        finally:
            self.series = False
        pairs: list[tuple[Node, Node]] = []
        body = _unify(first, last, pairs)
        if body is None or not pairs or len({(repr(a), repr(b)) for a, b in pairs}) != 1:
            raise ReadError(
                _(
                    "could not read the `…` at column {col}: the terms either side of it "
                    "must differ only in an index"
                ).format(col=dots.col),
                dots.col,
            )
        low, high = pairs[0]
        assert isinstance(low, Num)
        rest = _without_last(node, first)
        while rest is not None:  # `x_1 + x_2 + \cdots + x_K`: x_1 belongs to the series too
            term = rest.right if isinstance(rest, Bin) and rest.op == "+" else rest
            earlier: list[tuple[Node, Node]] = []
            if _unify(term, last, earlier) is None or len(earlier) != 1:
                break
            before = earlier[0][0]
            if not (isinstance(before, Num) and before.value == low.value - 1):
                break
            low = before
            rest = None if term is rest else rest.left  # type: ignore[union-attr]
        written_low = Num(low.value + self.base, low.col)
        total = self.bounded_sum(body, "k", written_low, high, dots.col)
        return total if rest is None else Bin("+", rest, total, op.col)

    def sum(self) -> Node:
        start = self.take()
        if self.peek().text != "_":
            raise ReadError(_index_of_the_sum(start.col), start.col)
        self.take()
        group = self.group_tokens()
        upper = self.group_tokens() if self.take_if("^") else None
        index, low, excluded = self.sum_range(group, start.col)
        if (low is None) != (upper is None):
            raise ReadError(
                _(
                    "the sum at column {col} has only one bound: write both ({both}) or none ({none})"
                ).format(col=start.col, both="\\sum_{i=1}^{K}", none="\\sum_i"),
                start.col,
            )
        self.bound.append(index)
        self.used.append(set())
        self.enter(start.col)
        body = self.product()
        self.depth -= 1
        used = self.used.pop()
        self.bound.pop()
        if index not in used:
            raise ReadError(
                _("the sum over `{index}` at column {col} does not use `{index}`").format(
                    index=index, col=start.col
                ),
                start.col,
            )
        if used - {index}:
            raise ReadError(
                _(
                    "sums over two indices at once (column {col}) are not supported: "
                    "write the inner sum on its own"
                ).format(col=start.col),
                start.col,
            )
        if excluded is not None:  # every entry but one
            return Bin("-", Call("sum", (body,), start.col), Index(body, excluded), start.col)
        if low is None or upper is None:
            return Call("sum", (body,), start.col)
        high = self.bound_node(upper, start.col)
        return self.bounded_sum(body, index, low, high, start.col)

    def take_if(self, text: str) -> bool:
        if self.peek().text == text:
            self.take()
            return True
        return False

    def sum_range(self, tokens: list, col: int) -> tuple[str, Node | None, Node | None]:
        """(index, lower bound or None, excluded entry or None) from a sum's subscript."""
        if not tokens or tokens[0].kind != "letter":
            raise ReadError(_index_of_the_sum(col), col)
        index, rest = tokens[0].text, tokens[1:]
        if not rest:
            return index, None, None
        head = rest[0].text
        if head == "=":
            return index, self.bound_node(rest[1:], col), None
        if head == "\\in" and _is_a_set(index, rest[1:], self.table):
            return index, None, None  # every outcome of the distribution: every entry
        if head in NOT_EQUAL or (head == "\\not" and len(rest) > 1 and rest[1].text == "="):
            other = rest[2:] if head == "\\not" else rest[1:]
            if len(other) == 1:
                return index, None, self.entry(other[0], col)
        text = "".join(t.text for t in tokens)
        raise ReadError(
            _("could not read the range of the sum `{text}` at column {col}: write {forms}").format(
                text=text,
                col=col,
                forms=_("{a}, {b}, {c} or {d}").format(
                    a="\\sum_i",
                    b="\\sum_{i=1}^{K}",
                    c="\\sum_{x \\in \\mathcal{X}}",
                    d="\\sum_{j \\neq y}",
                ),
            ),
            col,
        )

    def entry(self, token, col: int) -> Node:
        """An entry named in a sum's range (`j \\neq y`): a class index or a number."""
        if token.kind == "num":
            return self.numbered_entry(token)
        spec = self.table.specs.get(token.text)
        if token.kind == "letter" and spec is not None and spec.kind is SymbolKind.INDEX:
            return Sym(token.text, token.col)
        raise ReadError(
            _("`{name}` at column {col} is not a class index").format(
                name=token.text, col=token.col
            ),
            col,
        )

    def bound_node(self, tokens: list, col: int) -> Node:
        """A sum's bound: whole numbers and size symbols with + - *."""
        if not tokens:
            raise ReadError(_("a bound of the sum at column {col} is empty").format(col=col), col)
        end = replace(tokens[-1], kind="end", text="", col=tokens[-1].col + 1)
        sub = type(self)([*tokens, end], self.table)  # type: ignore[call-arg]
        node = sub.expr()
        if sub.peek().kind != "end":
            raise ReadError(
                _("could not read a bound of the sum at column {col}").format(col=col), col
            )
        if not _is_bound(node, self.table):
            text = "".join(t.text for t in tokens)
            raise ReadError(
                _(
                    "the bound `{text}` of the sum at column {col} must be a whole number or a size "
                    "(like K or K-1)"
                ).format(text=text, col=col),
                col,
            )
        return node

    def bounded_sum(self, body: Node, index: str, low: Node, high: Node, col: int) -> Node:
        """A sum from `low` to `high` as written: every entry, or a partial sum, or refused."""
        try:
            size = check(body, self.table)
        except ShapeError:
            size = None
        if size is None:
            raise ReadError(
                _("the sum at column {col} needs a vector under it").format(col=col), col
            )
        names = _bound_sizes(low) | _bound_sizes(high)
        if names - ({size} if isinstance(size, str) else set()):
            other = sorted(names)[0]
            raise ReadError(
                _(
                    "the sum at column {col} runs to {other}, but the vector under it has {size} "
                    "entries"
                ).format(col=col, other=other, size=size),
                col,
            )
        generic = [size] if isinstance(size, int) else list(GENERIC_SIZES)

        def at(node: Node, n: int) -> int:
            return _bound_value(node, {size: n} if isinstance(size, str) else {})

        lows = [at(low, n) for n in generic]
        highs = [at(high, n) for n in generic]
        shown = f"{index} = {_text(low)} … {_text(high)}"
        if all(lo == 1 and hi == n for lo, hi, n in zip(lows, highs, generic, strict=True)):
            self.pin(1, shown)
            self.reading.bounded.append(_("{sum} is every entry").format(sum=shown))
            return Call("sum", (body,), col, bound=(index, 1))
        if all(lo == 0 and hi == n - 1 for lo, hi, n in zip(lows, highs, generic, strict=True)):
            self.pin(0, shown)
            self.reading.bounded.append(_("{sum} is every entry").format(sum=shown))
            return Call("sum", (body,), col, bound=(index, 0))
        base = self.base
        if all(lo == 0 for lo in lows):
            self.pin(0, shown)
            base = 0
        elif all(hi == n for hi, n in zip(highs, generic, strict=True)):
            self.pin(1, shown)
            base = 1
        self.reading.partial = True
        if any(
            lo - base < 0 or hi - base + 1 > n
            for lo, hi, n in zip(lows, highs, generic, strict=True)
        ):
            raise ReadError(
                _(
                    "the sum {sum} at column {col} runs past the entries of the vector under it "
                    "({size} entries, counted from {base})"
                ).format(sum=shown, col=col, size=size, base=base),
                col,
            )
        self.reading.bounded.append(_("{sum} is a partial sum").format(sum=shown))
        lo0 = _plus(low, -base)
        hi0 = _plus(high, 1 - base)
        return Call("sumrange", (body, lo0, hi0), col, bound=(index, base))

    def index_of_sum(self, col: int) -> str:
        tokens = self.group_tokens()
        if len(tokens) != 1 or tokens[0].kind != "letter":
            raise ReadError(
                _("write one index letter at column {col}: {example}").format(
                    col=col, example="\\max_i z_i"
                ),
                col,
            )
        return tokens[0].text

    def numbered_entry(self, sub) -> Num:
        """`z_1`: entry 1 counted from this formula's base (0 unless its bounds count from 1)."""
        value = Fraction(sub.text)
        if value.denominator != 1:
            raise ReadError(
                _("the subscript `{text}` at column {col} is not whole").format(
                    text=sub.text, col=sub.col
                ),
                sub.col,
            )
        if value == 0:
            self.pin(0, _("the entry numbered 0 at column {col}").format(col=sub.col))
        self.reading.numbered = True
        if value - self.base < 0:
            raise ReadError(
                _("entries are counted from 1 here: `{text}` at column {col}").format(
                    text=sub.text, col=sub.col
                ),
                sub.col,
            )
        return check_literal(value - self.base, sub.col)


def _is_a_set(index: str, tokens: list, table) -> bool:
    """`x \\in \\mathcal{X}`, `x \\in X`, `i \\in [K]`: every outcome, so every entry.

    Any other set (`i \\in S`) may be a subset: it is refused, never widened.
    """
    texts = [t.text for t in tokens]
    if len(tokens) == 1 and tokens[0].kind == "letter":
        return texts[0] == index.upper() and texts[0] != index
    if len(texts) == 4 and texts[0] in ("\\mathcal", "\\mathbb", "\\mathscr") and texts[1] == "{":
        return tokens[2].kind == "letter" and texts[3] == "}"
    if len(texts) == 2 and texts[0] in ("\\mathcal", "\\mathbb", "\\mathscr"):
        return tokens[1].kind == "letter"
    if len(texts) == 3 and texts[0] == "[" and texts[2] == "]":
        spec = table.specs.get(texts[1])
        return spec is not None and spec.kind is SymbolKind.SIZE
    return False


def _is_bound(node: Node, table) -> bool:
    if isinstance(node, Num):
        return node.value.denominator == 1
    if isinstance(node, Sym):
        return table.specs[node.name].kind is SymbolKind.SIZE
    if isinstance(node, Neg):
        return _is_bound(node.operand, table)
    if isinstance(node, Bin) and node.op in "+-*":
        return _is_bound(node.left, table) and _is_bound(node.right, table)
    return False


def _bound_sizes(node: Node) -> set[str]:
    if isinstance(node, Sym):
        return {node.name}
    if isinstance(node, Neg):
        return _bound_sizes(node.operand)
    if isinstance(node, Bin):
        return _bound_sizes(node.left) | _bound_sizes(node.right)
    return set()


def _bound_value(node: Node, sizes: dict[str, int]) -> int:
    from tutor.symbolic.evaluation import bound_value  # numpy: only when a bound is read

    return bound_value(node, sizes)


def _plus(node: Node, k: int) -> Node:
    if k == 0:
        return node
    if isinstance(node, Num):
        return Num(node.value + k, node.col)
    return Bin("+" if k > 0 else "-", node, Num(abs(k)), node.col)


def _text(node: Node) -> str:
    return to_text(node).replace(" ", "")


def _unify(a: Node, b: Node, pairs: list[tuple[Node, Node]]) -> Node | None:
    """The common template of two terms that differ only in entries' indices, else None.

    Each differing index is recorded as (index in `a`, index in `b`); in the
    template the indexed vector stands for itself, taken elementwise.
    """
    if isinstance(a, Index) and isinstance(b, Index) and _same(a.base, b.base):
        if not _same(a.index, b.index):
            if not isinstance(a.index, Num):
                return None
            pairs.append((a.index, b.index))
            return a.base
        return a
    if type(a) is not type(b):
        return None
    if isinstance(a, Call) and isinstance(b, Call):
        if a.fn != b.fn or len(a.args) != len(b.args):
            return None
        args = [_unify(x, y, pairs) for x, y in zip(a.args, b.args, strict=True)]
        return None if None in args else Call(a.fn, tuple(args), a.col, a.bound)  # type: ignore[arg-type]
    if isinstance(a, Bin) and isinstance(b, Bin):
        if a.op != b.op:
            return None
        left, right = _unify(a.left, b.left, pairs), _unify(a.right, b.right, pairs)
        return None if left is None or right is None else Bin(a.op, left, right, a.col)
    if isinstance(a, Neg) and isinstance(b, Neg):
        inner = _unify(a.operand, b.operand, pairs)
        return None if inner is None else Neg(inner, a.col)
    return a if _same(a, b) else None


def _same(a: Node, b: Node) -> bool:
    return a == b or repr(_strip_cols(a)) == repr(_strip_cols(b))


def _strip_cols(node: Node) -> Node:
    changes = {}
    for item in fields(node):
        value = getattr(node, item.name)
        if item.name == "col":
            changes["col"] = 0
        elif isinstance(value, Node):
            changes[item.name] = _strip_cols(value)
        elif isinstance(value, tuple) and value and isinstance(value[0], Node):
            changes[item.name] = tuple(_strip_cols(v) for v in value)
    return replace(node, **changes)


def _without_last(node: Node, last: Node) -> Node | None:
    """`a + b + last` without its last term (None when `node` is that term)."""
    if node is last:
        return None
    assert isinstance(node, Bin) and node.right is last
    return node.left


def _index_of_the_sum(col: int) -> str:
    return _("write the index of the sum at column {col}: {example}").format(
        col=col, example="\\sum_i"
    )
