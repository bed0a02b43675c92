"""The learner's formula reader: text in, a checked formula tree or a message out.

    read_formula(text, table) -> Formula | Unreadable

Two syntaxes: plain (`-sum(p*log(q))`, `logsumexp(z) - z[y]`, `^` or `**`)
and LaTeX (`-\\sum_i p_i \\log q_i`), chosen by the presence of a backslash.
Plain text goes through `ast.parse` and a walk over a small whitelist of
node types; nothing is ever evaluated, and a sympy `Symbol` is only ever
made later, from a declared name. Every refusal is a value (`Unreadable`)
with a 1-based column and a message a learner can act on, e.g.
"unknown name `sofmax` at column 1 — did you mean `softmax`?".
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass
from fractions import Fraction

from tutor.i18n import N_, _
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.tree import (
    ALIASES,
    FUNCTIONS,
    Bin,
    Call,
    Const,
    Index,
    Neg,
    Node,
    Num,
    Shape,
    ShapeError,
    Sym,
    SymbolTable,
    Vec,
    check,
)

MAX_LENGTH = 2000  # characters
MAX_NODES = 400
MAX_DEPTH = 40  # nesting of brackets, and of the tree
MAX_EXPONENT = 64  # |constant exponent| of a constant base (2**1000 is refused)
MAX_SYMBOLIC_EXPONENT = 100_000  # of a base with symbols: (a - x)**6000 is decided in mpmath
MAX_LITERAL = 10**30  # digits typed; a huge value needs an exponent, which is capped
UNICODE_OPERATORS = {"−": "-", "·": "*", "⋅": "*", "×": "*", "÷": "/", "∗": "*"}
CONSTANTS = ("pi", "e")  # when not declared as symbols
PLAIN_ALIASES = {"sigma": "sigmoid"}  # σ(x) typed as a character, when sigma is not declared


@dataclass(frozen=True)
class Formula:
    """A formula that read: its tree, its shape, and the symbols it was read against.

    `notes` say what the reader understood beyond the plain syntax (typed
    characters it mapped, how sum bounds count). `base` is the number a
    LaTeX formula's entries are counted from when its bounds say so (0 or
    1; None: not said, entries count from 0). `alternative` is the other
    reading when the bounds could count from 0 or from 1 (`\\sum_{i=1}^{K-1}`):
    grading accepts the answer only if both readings are right.
    """

    text: str
    tree: Node
    shape: Shape
    table: SymbolTable
    syntax: str  # "plain" or "latex"
    notes: tuple[str, ...] = ()
    base: int | None = None
    alternative: Node | None = None


@dataclass(frozen=True)
class Unreadable:
    """Text that could not be read as a formula; `message` names the column."""

    text: str
    message: str
    col: int = 0
    status: str = "unreadable"


class ReadError(Exception):
    def __init__(self, message: str, col: int) -> None:
        super().__init__(message)
        self.message = message
        self.col = col


def read_formula(
    text: str, table: SymbolTable, *, allow_grad: bool = False
) -> Formula | Unreadable:
    """Read `text` against the declared symbols; never raises for bad input."""
    try:
        if len(text) > MAX_LENGTH:
            raise ReadError(
                _("the formula is too long ({length} characters; at most {most})").format(
                    length=len(text), most=MAX_LENGTH
                ),
                0,
            )
        for col, char in enumerate(text, start=1):
            if char == "\x00" or (ord(char) < 32 and char not in "\t\n\r"):
                raise ReadError(
                    _("control character {char} at column {col}").format(char=repr(char), col=col),
                    col,
                )
        if not text.strip():
            raise ReadError(_("the answer is empty"), 0)
        _check_nesting(text)
    except ReadError as error:
        return Unreadable(text, error.message, error.col)
    from tutor.symbolic.typed import looks_like_latex, normalise_typed

    latex = looks_like_latex(text)
    typed = normalise_typed(text, table, latex=latex)
    notes: tuple[str, ...] = tuple(typed.notes)
    if notes:
        notes = (_("read {mappings}").format(mappings=_(", ").join(typed.notes)),)
    base, alternative = None, None
    try:
        if latex:
            from tutor.symbolic.latex import read_latex_formula

            tree, base, alternative, bound_notes = read_latex_formula(typed.text, table)
            syntax, notes = "latex", notes + bound_notes
        else:
            tree, syntax = _read_plain(typed.text, table), "plain"
        shape = check(tree, table, allow_grad=allow_grad)
        if alternative is not None:
            check(alternative, table, allow_grad=allow_grad)
    except (ReadError, ShapeError) as error:
        col = typed.column(error.col) if error.col else 0
        message = _remap_columns(error.message, typed)
        if col and not _COLUMN.search(message):
            message = _("{problem} at column {col}").format(problem=message, col=col)
        return Unreadable(text, message, col)
    except (RecursionError, MemoryError, ValueError, OverflowError):
        return Unreadable(text, _("the formula is too large or too deeply nested to read"))
    return Formula(text, tree, shape, table, syntax, notes, base, alternative)


def _remap_columns(message: str, typed) -> str:
    """Columns in a message about the normalised text, as columns of what was typed."""
    return _COLUMN.sub(lambda m: _column(m, typed), message)


# "column 7" in English, "第 7 列" in Chinese: the column number in a message, either way
_COLUMN = re.compile(r"(column |第 )(\d+)")


def _column(match: re.Match, typed) -> str:
    return f"{match.group(1)}{typed.column(int(match.group(2)))}"


def _check_nesting(text: str) -> None:
    depth = 0
    for col, char in enumerate(text, start=1):
        if char in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise ReadError(
                    _("brackets nested more than {most} deep").format(most=MAX_DEPTH), col
                )
        elif char in ")]}":
            depth -= 1


def suggest(name: str, candidates: list[str]) -> str:
    close = difflib.get_close_matches(name, candidates, n=1, cutoff=0.6)
    return _(" — did you mean `{name}`?").format(name=close[0]) if close else ""


def unknown_name(name: str, col: int, table: SymbolTable) -> ReadError:
    base, _sep, sub = name.partition("_")
    if sub and base in table.specs:
        return ReadError(
            _("unknown name `{name}` at column {col} — write `{base}[{sub}]` for an entry").format(
                name=name, col=col, base=base, sub=sub
            ),
            col,
        )
    hint = suggest(name, sorted(FUNCTIONS) + table.names())
    if not hint:
        declared = ", ".join(table.names()) or _("none")
        hint = _(" (the symbols here are: {declared})").format(declared=declared)
    return ReadError(
        _("unknown name `{name}` at column {col}{hint}").format(name=name, col=col, hint=hint), col
    )


def check_literal(value: Fraction, col: int) -> Num:
    if abs(value) > MAX_LITERAL:
        raise ReadError(_("the number at column {col} is too large").format(col=col), col)
    return Num(value, col)


def check_power(base: Node, exponent: Node, col: int) -> Node:
    """`e**x` is exp(x); refuse exponents that make huge numbers (`9**9**9`, `2**1000`).

    A base with symbols may take a large exponent (`(a - x)**6000`): its
    value can still be small, and equivalence decides it in mpmath.
    """
    if isinstance(base, Const) and base.name == "e":
        return Call("exp", (exponent,), base.col)
    value = constant_value(exponent)
    if value is not None and abs(value) > MAX_EXPONENT:
        symbolic = constant_value(base) is None and not isinstance(base, Const)
        if not symbolic or abs(value) > MAX_SYMBOLIC_EXPONENT:
            cap = MAX_SYMBOLIC_EXPONENT if symbolic else MAX_EXPONENT
            raise ReadError(
                _("the exponent at column {col} is too large (at most {most})").format(
                    col=col, most=cap
                ),
                col,
            )
    return Bin("**", base, exponent, col)


def constant_value(node: Node) -> Fraction | None:
    """The exact value of a symbol-free subtree, or None; never builds huge numbers."""
    if isinstance(node, Num):
        return node.value
    if isinstance(node, Neg):
        inner = constant_value(node.operand)
        return None if inner is None else -inner
    if isinstance(node, Bin):
        left, right = constant_value(node.left), constant_value(node.right)
        if left is None or right is None:
            return None
        if node.op == "+":
            return left + right
        if node.op == "-":
            return left - right
        if node.op == "*":
            return left * right
        if node.op == "/":
            return None if right == 0 else left / right
        if right.denominator != 1 or abs(right) > MAX_EXPONENT:
            return None if right.denominator != 1 else Fraction(10**13)
        if abs(left.numerator) > 10**6 or left.denominator > 10**6 or (left == 0 and right < 0):
            return None
        return left**right
    return None


# -- plain syntax ---------------------------------------------------------------------------------

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}
_REFUSED = {
    ast.Attribute: N_("attribute access `.`"),
    ast.Lambda: N_("`lambda`"),
    ast.Compare: N_("comparisons"),
    ast.BoolOp: N_("`and`/`or`"),
    ast.IfExp: N_("`if … else`"),
    ast.Dict: N_("dictionaries"),
    ast.Set: N_("sets"),
    ast.Tuple: N_("tuples"),
    ast.ListComp: N_("comprehensions"),
    ast.GeneratorExp: N_("comprehensions"),
    ast.DictComp: N_("comprehensions"),
    ast.SetComp: N_("comprehensions"),
    ast.JoinedStr: N_("strings"),
    ast.Starred: N_("`*` unpacking"),
    ast.NamedExpr: N_("`:=`"),
    ast.Await: N_("`await`"),
    ast.Slice: N_("slices"),
}


def _refused(what: str, col: int) -> str:
    return _("{what} at column {col} is not part of the formula syntax").format(what=what, col=col)


def _normalise(text: str) -> tuple[str, list[int]]:
    """Map unicode operators and `^` to the plain syntax, keeping each char's source column."""
    out: list[str] = []
    cols: list[int] = []
    bars = 0
    for col, char in enumerate(text, start=1):
        char = " " if char in "\n\r\t" else UNICODE_OPERATORS.get(char, char)
        if char == "|":  # |x| is abs(x): bars alternate between opening and closing
            bars += 1
            piece = "abs(" if bars % 2 else ")"
            out.extend(piece)
            cols.extend([col] * len(piece))
            continue
        if char == "^":
            out.extend("**")
            cols.extend((col, col))
            continue
        if not char.isascii():
            raise ReadError(
                _("the character `{char}` at column {col} is not part of the syntax").format(
                    char=char, col=col
                ),
                col,
            )
        out.append(char)
        cols.append(col)
    cols.append(len(text) + 1)
    return "".join(out), cols


_PLAIN_TOKEN = re.compile(
    r"(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<space>\s+)|(?P<other>.)"
)


def _implicit_products(source: str, cols: list[int], table: SymbolTable) -> tuple[str, list[int]]:
    """`2p`, `2(x-1)`, `(a+5)(b+2)`, `2 x` and `a b` as products.

    Only where nothing else is meant: a number or a closing bracket before a
    name, a number or an opening bracket; two declared names apart. `log2(p)`
    is one name, `2e-3` one number, and `x(x+1)` or `H(p)` stays an error that
    says to write `x*(…)` (it may be a function's value).
    """
    out: list[str] = []
    out_cols: list[int] = []
    previous = ""  # the kind of the last token that was not a space: num, name, close, other
    previous_name = ""
    spaced = False
    for match in _PLAIN_TOKEN.finditer(source):
        kind, text = match.lastgroup or "other", match.group()
        if kind == "space":
            spaced = True
        else:
            opening = kind == "other" and text == "("
            joins = (
                (previous in ("num", "close") and (kind in ("name", "num") or opening))
                and not (previous == "num" and kind == "num")
            ) or (
                spaced
                and previous == "name"
                and kind == "name"
                and previous_name in table.specs
                and text not in ("for", "in", "if", "else", "and", "or", "not")
            )
            if joins:
                out.append("*")
                out_cols.append(cols[match.start()])
            previous = ("close" if text == ")" else "other") if kind == "other" else kind
            previous_name = text if kind == "name" else ""
            spaced = False
        out.append(text)
        out_cols.extend(cols[match.start() : match.end()])
    out_cols.append(cols[-1])
    return "".join(out), out_cols


def _read_plain(text: str, table: SymbolTable) -> Node:
    source, cols = _normalise(text)
    source, cols = _implicit_products(source, cols, table)
    stripped = len(source) - len(source.lstrip())
    cols = cols[stripped:]
    if "=" in source.replace("==", ""):
        col = cols[source.index("=")]
        raise ReadError(
            _("`=` at column {col}: write only the right-hand side").format(col=col), col
        )
    try:
        tree = ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        offset = min(max((error.offset or 1) - 1, 0), len(cols) - 1)
        col = cols[offset]
        hint = ""
        if "decimal literal" in (error.msg or ""):
            hint = _(" (write `2*p`, not `2p`)")
        elif "never closed" in (error.msg or "") or "unexpected EOF" in (error.msg or ""):
            hint = _(" (a bracket is not closed)")
        elif "unmatched" in (error.msg or ""):
            hint = _(" (a bracket closes that was not opened)")
        return _raise(
            ReadError(
                _("could not read the formula at column {col}{hint}").format(col=col, hint=hint),
                col,
            )
        )
    walker = _PlainWalker(table, cols)
    return walker.visit(tree.body, 0)


def _raise(error: ReadError) -> Node:
    raise error


class _PlainWalker:
    """Builds tree nodes from a whitelisted subset of Python's AST."""

    def __init__(self, table: SymbolTable, cols: list[int]) -> None:
        self.table = table
        self.cols = cols
        self.nodes = 0

    def col(self, node: ast.AST) -> int:
        offset = getattr(node, "col_offset", 0)
        return self.cols[min(offset, len(self.cols) - 1)]

    def visit(self, node: ast.AST, depth: int) -> Node:
        self.nodes += 1
        col = self.col(node)
        if self.nodes > MAX_NODES:
            raise ReadError(
                _("the formula is too long (more than {most} parts)").format(most=MAX_NODES), col
            )
        if depth > MAX_DEPTH:
            raise ReadError(
                _("the formula is nested more than {most} deep").format(most=MAX_DEPTH), col
            )
        d = depth + 1
        if isinstance(node, ast.Constant):
            return self.constant(node, col)
        if isinstance(node, ast.Name):
            return self.name(node.id, col)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
            operand = self.visit(node.operand, d)
            return Neg(operand, col) if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            left, right = self.visit(node.left, d), self.visit(node.right, d)
            op = _BINOPS[type(node.op)]
            if op == "**":
                return check_power(left, right, self.col(node.right))
            return Bin(op, left, right, col)
        if isinstance(node, ast.Call):
            return self.call(node, col, d)
        if isinstance(node, ast.Subscript):
            return Index(self.visit(node.value, d), self.visit(node.slice, d), col)
        if isinstance(node, ast.List):
            if not node.elts:
                raise ReadError(_("an empty vector at column {col}").format(col=col), col)
            return Vec(tuple(self.visit(e, d) for e in node.elts), col)
        what = _REFUSED.get(type(node))
        what = _(what) if what else None
        if what is None and isinstance(node, ast.BinOp):
            what = _("the operator at column {col}").format(col=self.col(node.right))
        what = what or type(node).__name__
        raise ReadError(_refused(what, col), col)

    def constant(self, node: ast.Constant, col: int) -> Num:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ReadError(
                _("only numbers are allowed as constants (column {col})").format(col=col), col
            )
        if isinstance(value, float) and (value != value or value in (float("inf"), -float("inf"))):
            raise ReadError(_("the number at column {col} is too large").format(col=col), col)
        return check_literal(Fraction(repr(value)) if isinstance(value, float) else value, col)

    def name(self, name: str, col: int) -> Node:
        if name in self.table.specs:
            return Sym(name, col)
        if name in CONSTANTS:
            return Const(name, col)
        if name in FUNCTIONS or name in ALIASES:
            raise ReadError(
                _("`{name}` at column {col} is a function: write {name}(…)").format(
                    name=name, col=col
                ),
                col,
            )
        raise unknown_name(name, col, self.table)

    def call(self, node: ast.Call, col: int, depth: int) -> Node:
        if not isinstance(node.func, ast.Name):
            what = _REFUSED.get(type(node.func), "this call")
            raise ReadError(_refused(_(what), col), col)
        if node.keywords:
            raise ReadError(
                _("keyword arguments (column {col}) are not part of the syntax").format(col=col),
                col,
            )
        name = node.func.id
        if name not in self.table.specs:
            name = ALIASES.get(name, PLAIN_ALIASES.get(name, name))
        if name not in FUNCTIONS:
            if name in self.table.specs:
                raise ReadError(
                    _(
                        "`{name}` at column {col} is a symbol, not a function: "
                        "write `{name}*(…)` to multiply"
                    ).format(name=name, col=col),
                    col,
                )
            raise unknown_name(node.func.id, col, self.table)
        low, high = FUNCTIONS[name]
        if not low <= len(node.args) <= high:
            want = str(low) if low == high else _("{low} or {high}").format(low=low, high=high)
            takes = (
                _("`{name}` takes {want} arguments, got {got} (column {col})")
                if high > 1
                else _("`{name}` takes {want} argument, got {got} (column {col})")
            )
            raise ReadError(takes.format(name=name, want=want, got=len(node.args), col=col), col)
        return Call(name, tuple(self.visit(a, depth) for a in node.args), col)


def declared_kind(table: SymbolTable, name: str) -> SymbolKind | None:
    spec = table.specs.get(name)
    return spec.kind if spec else None
