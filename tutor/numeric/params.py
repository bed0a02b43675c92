"""Per-learner parameters: a small generator language, seeded per learner.

A pack declares `logits: randn(3, 4)`; every learner draws their own numbers
from a seed made of (pack, lesson, exercise, learner), so the same learner
always sees the same numbers and two learners see different ones.

The generator text is read by a whitelisted walk over Python's `ast` (never
`eval`) into a tiny tree of our own. Parsing and `check_generator` need no
torch, so the lesson loader can validate a pack without importing it; only
`draw_params` imports torch.
"""

from __future__ import annotations

import ast
import hashlib
import math
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Union

from tutor.i18n import N_, _
from tutor.numeric.text_error import ColumnError

if TYPE_CHECKING:  # torch is imported lazily: the loader must stay light
    import torch

MAX_TEXT = 400
MAX_NODES = 120
MAX_DEPTH = 24
MAX_ELEMENTS = 65_536  # per drawn tensor
MAX_DIM = 4_096  # per axis
MAX_LITERAL = 1e12
MAX_INT_POWER = 64


class ParamError(ColumnError):
    """A generator that cannot be read or drawn; `column` is 1-based (0 when unknown)."""


# ---------------------------------------------------------------- the tree


@dataclass(frozen=True)
class Num:
    value: int | float
    column: int


@dataclass(frozen=True)
class Ref:
    """An earlier parameter, by name."""

    name: str
    column: int


@dataclass(frozen=True)
class ListLit:
    items: tuple[Node, ...]
    column: int


@dataclass(frozen=True)
class Call:
    name: str
    args: tuple[Node, ...]
    kwargs: tuple[tuple[str, Node], ...]
    column: int


@dataclass(frozen=True)
class BinOp:
    op: str  # one of + - * / **
    left: Node
    right: Node
    column: int


@dataclass(frozen=True)
class Neg:
    operand: Node
    column: int


Node = Union[Num, Ref, ListLit, Call, BinOp, Neg]  # noqa: UP007 (a runtime alias under py3.10)


@dataclass(frozen=True)
class Signature:
    """How a generator is called: positional arity and allowed keywords."""

    min_args: int
    max_args: int | None  # None: any number (shapes)
    keywords: frozenset[str] = frozenset()


GENERATORS: dict[str, Signature] = {
    "randn": Signature(0, None, frozenset({"shape"})),
    "rand": Signature(0, None, frozenset({"shape"})),
    "randint": Signature(1, 3, frozenset({"shape", "low", "high"})),
    "uniform": Signature(2, 3, frozenset({"shape", "low", "high"})),
    "simplex": Signature(1, 2),
    "onehot": Signature(2, 2),
    "softmax": Signature(1, 2, frozenset({"dim"})),
    "normalize": Signature(1, 2, frozenset({"dim"})),
    "choice": Signature(1, 1),
}

_BINOPS = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/", ast.Pow: "**"}


# ---------------------------------------------------------------- seeds


def seed_for(pack_id: str, lesson_id: str, exercise_id: str, learner: str, salt: str = "") -> int:
    """A 63-bit seed, stable across processes, machines and Python versions.

    `hash()` is salted per process, so we use SHA-256 over the parts joined
    by a separator no identifier contains.
    """
    text = "\x1f".join((pack_id, lesson_id, exercise_id, learner, salt))
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def _sub_seed(seed: int, name: str) -> int:
    """Each parameter draws from its own stream, so adding one leaves the others as they were."""
    digest = hashlib.sha256(f"{seed}\x1f{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


# ---------------------------------------------------------------- parsing


def parse_generator(text: str) -> Node:
    """Read one generator into a tree, or raise `ParamError(message, column)`."""
    if not isinstance(text, str):
        raise ParamError(_("a generator is text, not {type}").format(type=type(text).__name__), 0)
    return _parse_cached(text)


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Node:
    """Trees are frozen, so one parse serves every learner."""
    if not isinstance(text, str):
        raise ParamError(_("a generator is text, not {type}").format(type=type(text).__name__), 0)
    stripped = text.strip()
    if not stripped:
        raise ParamError(_("empty generator"), 1)
    if len(stripped) > MAX_TEXT:
        raise ParamError(
            _("generator longer than {max_text} characters").format(max_text=MAX_TEXT), MAX_TEXT
        )
    offset = len(text) - len(text.lstrip())
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and co. must not reach stderr
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        column = (err.offset or 1) + offset
        raise ParamError(_("cannot read this: {error}").format(error=err.msg), column) from None
    count = sum(1 for _node in ast.walk(tree))
    if count > MAX_NODES:
        raise ParamError(
            _("generator too long ({count} parts, at most {max_nodes})").format(
                count=count, max_nodes=MAX_NODES
            ),
            1 + offset,
        )
    return _Reader(offset).read(tree.body, 0)


class _Reader:
    def __init__(self, offset: int) -> None:
        self.offset = offset

    def col(self, node: ast.AST) -> int:
        return getattr(node, "col_offset", 0) + 1 + self.offset

    def read(self, node: ast.AST, depth: int) -> Node:
        if depth > MAX_DEPTH:
            raise ParamError(_("generator nested too deeply"), self.col(node))
        col = self.col(node)
        if isinstance(node, ast.Constant):
            value = node.value
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ParamError(
                    _("only numbers are allowed here, not {value}").format(value=repr(value)), col
                )
            if abs(value) > MAX_LITERAL:
                raise ParamError(
                    _("number too large (at most {max_literal:g})").format(max_literal=MAX_LITERAL),
                    col,
                )
            return Num(value, col)
        if isinstance(node, ast.Name):
            return Ref(node.id, col)
        if isinstance(node, (ast.List, ast.Tuple)):
            return ListLit(tuple(self.read(e, depth + 1) for e in node.elts), col)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.read(node.operand, depth + 1)
            if isinstance(node.op, ast.UAdd):
                return operand
            if isinstance(operand, Num):  # fold `-3` into a literal
                return Num(-operand.value, col)
            return Neg(operand, col)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
            return BinOp(
                _BINOPS[type(node.op)],
                self.read(node.left, depth + 1),
                self.read(node.right, depth + 1),
                col,
            )
        if isinstance(node, ast.Call):
            return self.read_call(node, depth)
        raise ParamError(
            _("{what} is not allowed in a generator").format(what=_describe(node)), col
        )

    def read_call(self, node: ast.Call, depth: int) -> Call:
        col = self.col(node)
        if isinstance(node.func, ast.Attribute):
            raise ParamError(
                _("methods ('.{attr}()') are not allowed in a generator").format(
                    attr=node.func.attr
                ),
                col,
            )
        if not isinstance(node.func, ast.Name):
            raise ParamError(
                _("only the generators {names} can be called").format(
                    names=", ".join(sorted(GENERATORS))
                ),
                col,
            )
        name = node.func.id
        sig = GENERATORS.get(name)
        if sig is None:
            raise ParamError(
                _("unknown generator {name}; known: {names}").format(
                    name=repr(name), names=", ".join(sorted(GENERATORS))
                ),
                col,
            )
        if any(isinstance(a, ast.Starred) for a in node.args):
            raise ParamError(_("`*` arguments are not allowed"), col)
        args = tuple(self.read(a, depth + 1) for a in node.args)
        kwargs: list[tuple[str, Node]] = []
        for kw in node.keywords:
            if kw.arg is None or kw.arg not in sig.keywords:
                allowed = ", ".join(sorted(sig.keywords)) or "none"
                raise ParamError(
                    _("{name}() takes no keyword {value} (allowed: {allowed})").format(
                        name=name, value=repr(kw.arg or "**"), allowed=allowed
                    ),
                    self.col(kw.value) if kw.arg else col,
                )
            kwargs.append((kw.arg, self.read(kw.value, depth + 1)))
        given = len(args) + sum(1 for k, _ in kwargs if k in ("low", "high"))
        if given < sig.min_args or (sig.max_args is not None and len(args) > sig.max_args):
            most = "any number of" if sig.max_args is None else f"at most {sig.max_args}"
            raise ParamError(
                _("{name}() takes at least {min_args} and {most} arguments, got {count}").format(
                    name=name, min_args=sig.min_args, most=most, count=len(args)
                ),
                col,
            )
        if name == "choice" and not isinstance(args[0], ListLit):
            raise ParamError(_("choice() takes a list, e.g. choice([3, 4, 5])"), args[0].column)
        if name == "choice" and not args[0].items:
            raise ParamError(_("choice() of an empty list"), args[0].column)
        return Call(name, args, tuple(kwargs), col)


def _describe(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return _("attribute access ('.{attr}')").format(attr=node.attr)
    if isinstance(node, ast.Constant):
        return _("the literal {value}").format(value=repr(node.value))
    described = _DESCRIBED.get(type(node))
    return _(described) if described else f"'{type(node).__name__}'"


# what a generator may not contain, as `validate` names it (translated where said)
_DESCRIBED = {
    ast.Subscript: N_("indexing"),
    ast.Lambda: N_("lambda"),
    ast.Compare: N_("comparison"),
    ast.BoolOp: N_("and/or"),
    ast.IfExp: N_("if/else"),
    ast.Dict: N_("a dict"),
    ast.Set: N_("a set"),
    ast.JoinedStr: N_("an f-string"),
}


def references(node: Node) -> list[Ref]:
    """The parameter names a generator uses, in reading order."""
    found: list[Ref] = []

    def walk(n: Node) -> None:
        if isinstance(n, Ref):
            found.append(n)
        elif isinstance(n, ListLit):
            for item in n.items:
                walk(item)
        elif isinstance(n, Call):
            for a in n.args:
                walk(a)
            for _, v in n.kwargs:
                walk(v)
        elif isinstance(n, BinOp):
            walk(n.left)
            walk(n.right)
        elif isinstance(n, Neg):
            walk(n.operand)

    walk(node)
    return found


def check_generator(text: str, names: Iterable[str] | None = None) -> str | None:
    """An error message (with its column) for a bad generator, or None. Needs no torch.

    With `names` (the parameters declared before this one), a reference to
    any other name is an error too.
    """
    try:
        node = parse_generator(text)
    except ParamError as err:
        return str(err)
    if names is not None:
        known = set(names)
        for ref in references(node):
            if ref.name not in known:
                hint = f" (declared: {', '.join(sorted(known))})" if known else ""
                return str(ParamError(f"unknown name {ref.name!r}{hint}", ref.column))
    return None


def check_params(specs: Mapping[str, str]) -> list[str]:
    """Every problem of a `params:` mapping, as `name: message`; names must come before use."""
    problems: list[str] = []
    seen: list[str] = []
    for name, text in specs.items():
        if not name.isidentifier() or name.startswith("_"):
            problems.append(f"{name}: not a usable parameter name")
        message = check_generator(text, seen)
        if message:
            problems.append(f"{name}: {message}")
        seen.append(name)
    return problems


# ---------------------------------------------------------------- drawing

Value = Union["torch.Tensor", int, float, list]  # noqa: UP007


def draw_params(specs: Mapping[str, str], seed: int) -> dict[str, torch.Tensor | int | float]:
    """Draw every parameter, in declaration order, from `seed`.

    float32 tensors (what torch users hold) and int64 for indices; `choice`
    of numbers gives a plain Python number, so it can serve as a size.
    """
    import torch

    values: dict[str, Any] = {}
    for name, text in specs.items():
        node = parse_generator(text)
        gen = torch.Generator().manual_seed(_sub_seed(seed, name))
        try:
            value = _Drawer(values, gen).eval(node)
        except ParamError as err:
            raise ParamError(
                _("{name}: {message}").format(name=name, message=err.message), err.column
            ) from None
        if isinstance(value, list):
            value = _to_tensor(value, node.column)
        values[name] = value
    return values


class _Drawer:
    def __init__(self, env: Mapping[str, Any], gen: torch.Generator) -> None:
        self.env = env
        self.gen = gen

    def eval(self, node: Node) -> Any:
        if isinstance(node, Num):
            return node.value
        if isinstance(node, Ref):
            if node.name not in self.env:
                raise ParamError(
                    _("unknown name {name} (declare it before)").format(name=repr(node.name)),
                    node.column,
                )
            return self.env[node.name]
        if isinstance(node, ListLit):
            return [self.eval(i) for i in node.items]
        if isinstance(node, Neg):
            value = self.eval(node.operand)
            _need_number(value, node.column)
            return -value
        if isinstance(node, BinOp):
            return self.binop(node)
        if isinstance(node, Call):
            method = getattr(self, "g_" + node.name)
            args = [self.eval(a) for a in node.args]
            kwargs = {k: self.eval(v) for k, v in node.kwargs}
            try:
                return method(node, *args, **kwargs)
            except ParamError:
                raise
            except (RuntimeError, ValueError, TypeError, IndexError) as err:
                raise ParamError(
                    _("{name}(): {error}").format(name=node.name, error=_first_line(err)),
                    node.column,
                ) from None
        raise ParamError(_("unknown expression"), getattr(node, "column", 0))  # pragma: no cover

    def binop(self, node: BinOp) -> Any:
        import torch

        left, right = self.eval(node.left), self.eval(node.right)
        left = _to_tensor(left, node.column) if isinstance(left, list) else left
        right = _to_tensor(right, node.column) if isinstance(right, list) else right
        _need_number(left, node.left.column)
        _need_number(right, node.right.column)
        if node.op == "**":
            if isinstance(right, (int, float)) and abs(right) > MAX_INT_POWER:
                raise ParamError(
                    _("exponent too large (at most {max_int_power})").format(
                        max_int_power=MAX_INT_POWER
                    ),
                    node.column,
                )
            if isinstance(right, torch.Tensor) and right.numel() and right.abs().max() > 64:
                raise ParamError(
                    _("exponent too large (at most {max_int_power})").format(
                        max_int_power=MAX_INT_POWER
                    ),
                    node.column,
                )
        try:
            if node.op == "+":
                result = left + right
            elif node.op == "-":
                result = left - right
            elif node.op == "*":
                result = left * right
            elif node.op == "/":
                result = left / right
            else:
                result = left**right
        except ZeroDivisionError:
            raise ParamError(_("division by zero"), node.column) from None
        except (RuntimeError, TypeError, OverflowError) as err:
            raise ParamError(_first_line(err), node.column) from None
        if isinstance(result, complex):
            raise ParamError(_("the result is not a real number"), node.column)
        if isinstance(result, (int, float)) and abs(result) > MAX_LITERAL:
            raise ParamError(_("number too large"), node.column)
        return result

    # -- generators (named g_<vocabulary word>)

    def g_randn(self, node: Call, *shape: Any, **kw: Any) -> torch.Tensor:
        import torch

        size = _shape(shape, kw.get("shape"), node)
        return torch.randn(size, generator=self.gen)

    def g_rand(self, node: Call, *shape: Any, **kw: Any) -> torch.Tensor:
        import torch

        size = _shape(shape, kw.get("shape"), node)
        return torch.rand(size, generator=self.gen)

    def g_randint(self, node: Call, *args: Any, **kw: Any) -> torch.Tensor:
        import torch

        args, shape = _split_trailing_shape(list(args), 2, kw.pop("shape", None))
        low, high = _low_high(args, kw, node, default_low=0)
        low, high = _as_int(low, node, "low"), _as_int(high, node, "high")
        if high <= low:
            raise ParamError(
                _("randint needs low < high, got {low} and {high}").format(low=low, high=high),
                node.column,
            )
        size = _shape((), shape, node) if shape is not None else ()
        return torch.randint(low, high, size, generator=self.gen, dtype=torch.int64)

    def g_uniform(self, node: Call, *args: Any, **kw: Any) -> torch.Tensor | float:
        import torch

        args, shape = _split_trailing_shape(list(args), 2, kw.pop("shape", None))
        low, high = _low_high(args, kw, node, default_low=None)
        low, high = _as_float(low, node, "low"), _as_float(high, node, "high")
        if not high > low:
            raise ParamError(
                _("uniform needs low < high, got {low} and {high}").format(low=low, high=high),
                node.column,
            )
        size = _shape((), shape, node) if shape is not None else ()
        return low + (high - low) * torch.rand(size, generator=self.gen)

    def g_simplex(self, node: Call, *dims: Any) -> torch.Tensor:
        """Rows uniform on the probability simplex (Dirichlet(1)), never exactly zero."""
        import torch

        size = _shape(dims, None, node)
        if size[-1] < 1:
            raise ParamError(_("simplex needs at least one class"), node.column)
        u = torch.rand(size, generator=self.gen, dtype=torch.float64).clamp_(1e-6, 1.0)
        e = -torch.log(u)
        return (e / e.sum(-1, keepdim=True)).to(torch.float32)

    def g_onehot(self, node: Call, index: Any, classes: Any) -> torch.Tensor:
        import torch

        k = _as_int(classes, node, "K")
        if not 1 <= k <= MAX_DIM:
            raise ParamError(
                _("onehot needs 1 <= K <= {max_dim}").format(max_dim=MAX_DIM), node.column
            )
        if isinstance(index, list):
            index = _to_tensor(index, node.column)
        if isinstance(index, int):
            index = torch.tensor(index)
        if not isinstance(index, torch.Tensor) or index.is_floating_point():
            raise ParamError(_("onehot needs integer class indices"), node.column)
        if index.numel() and (int(index.min()) < 0 or int(index.max()) >= k):
            raise ParamError(
                _("onehot: an index is outside range(0, {k})").format(k=k), node.column
            )
        _check_size(tuple(index.shape) + (k,), node)
        return torch.nn.functional.one_hot(index.to(torch.int64), k).to(torch.float32)

    def g_softmax(self, node: Call, x: Any, dim: Any = -1) -> torch.Tensor:
        import torch

        x = _float_tensor(x, node)
        return torch.softmax(x, _as_int(dim, node, "dim"))

    def g_normalize(self, node: Call, x: Any, dim: Any = -1) -> torch.Tensor:
        """Scale non-negative rows to sum to one (a probability vector)."""
        x = _float_tensor(x, node)
        if x.numel() and bool((x < 0).any()):
            raise ParamError(_("normalize needs non-negative values (use softmax)"), node.column)
        total = x.sum(_as_int(dim, node, "dim"), keepdim=True)
        if bool((total == 0).any()):
            raise ParamError(_("normalize: a row sums to zero"), node.column)
        return x / total

    def g_choice(self, node: Call, options: list) -> Any:
        import torch

        for option, item in zip(options, node.args[0].items, strict=True):  # type: ignore[union-attr]
            if isinstance(option, (list, torch.Tensor)):
                raise ParamError(_("choice() picks among numbers"), item.column)
        index = int(torch.randint(0, len(options), (), generator=self.gen))
        return options[index]


def _first_line(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0] if text else type(err).__name__


def _need_number(value: Any, column: int) -> None:
    import torch

    if isinstance(value, bool) or not isinstance(value, (int, float, torch.Tensor)):
        raise ParamError(_("arithmetic needs numbers or tensors"), column)


def _to_tensor(items: list, column: int) -> torch.Tensor:
    import torch

    try:
        tensor = torch.tensor(items)
    except (TypeError, ValueError, RuntimeError) as err:
        raise ParamError(
            _("cannot make a tensor of this list: {error}").format(error=_first_line(err)), column
        ) from None
    if tensor.numel() > MAX_ELEMENTS:
        raise ParamError(_("list too long"), column)
    return tensor.to(torch.float32) if tensor.is_floating_point() else tensor


def _float_tensor(x: Any, node: Call) -> torch.Tensor:
    import torch

    if isinstance(x, list):
        x = _to_tensor(x, node.column)
    if not isinstance(x, torch.Tensor):
        raise ParamError(_("{name}() needs a tensor").format(name=node.name), node.column)
    return x if x.is_floating_point() else x.to(torch.float32)


def _as_int(value: Any, node: Call, what: str) -> int:
    import torch

    if isinstance(value, torch.Tensor) and value.numel() == 1 and not value.is_floating_point():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParamError(
            _("{name}(): {what} must be a whole number").format(name=node.name, what=what),
            node.column,
        )
    return value


def _as_float(value: Any, node: Call, what: str) -> float:
    import torch

    if isinstance(value, torch.Tensor) and value.numel() == 1:
        value = float(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParamError(
            _("{name}(): {what} must be a finite number").format(name=node.name, what=what),
            node.column,
        )
    return float(value)


def _split_trailing_shape(args: list, bound_count: int, shape: Any) -> tuple[list, Any]:
    """`randint(0, 4, (3,))`: a third positional argument is the shape, as in torch."""
    if len(args) > bound_count:
        if shape is not None:
            raise ParamError(_("the shape is given twice"), 0)
        shape = args.pop()
    return args, shape


def _low_high(args: list, kw: dict, node: Call, default_low: Any) -> tuple[Any, Any]:
    """torch's forms: (low, high), (high) for randint, or keywords."""
    low, high = kw.get("low"), kw.get("high")
    if args and (low is not None or high is not None):
        raise ParamError(
            _("{name}(): give low/high by position or by keyword").format(name=node.name),
            node.column,
        )
    if len(args) == 2:
        return args[0], args[1]
    if len(args) == 1:
        if default_low is None:
            raise ParamError(_("{name}() needs low and high").format(name=node.name), node.column)
        return default_low, args[0]  # randint(high), as in torch
    low = default_low if low is None else low
    if low is None or high is None:
        raise ParamError(_("{name}() needs low and high").format(name=node.name), node.column)
    return low, high


def _shape(positional: tuple, keyword: Any, node: Call) -> tuple[int, ...]:
    import torch

    if keyword is not None:
        if positional:
            raise ParamError(
                _("{name}(): the shape is given twice").format(name=node.name), node.column
            )
        positional = (keyword,)
    if len(positional) == 1 and isinstance(positional[0], (list, tuple)):
        positional = tuple(positional[0])
    if len(positional) == 1 and isinstance(positional[0], torch.Tensor) and positional[0].ndim:
        positional = tuple(positional[0].tolist())
    dims = tuple(_as_int(d, node, "a size") for d in positional)
    for d in dims:
        if not 1 <= d <= MAX_DIM:
            raise ParamError(
                _("{name}(): each size must be in 1..{max_dim}, got {d}").format(
                    name=node.name, max_dim=MAX_DIM, d=d
                ),
                node.column,
            )
    _check_size(dims, node)
    return dims


def _check_size(dims: tuple[int, ...], node: Call) -> None:
    if len(dims) > 6:
        raise ParamError(_("{name}(): at most 6 dimensions").format(name=node.name), node.column)
    if math.prod(dims) > MAX_ELEMENTS:
        raise ParamError(
            _("{name}(): {value} elements is too many (at most {max_elements})").format(
                name=node.name, value=math.prod(dims), max_elements=MAX_ELEMENTS
            ),
            node.column,
        )


# ---------------------------------------------------------------- plain values


def to_plain(value: Any) -> Any:
    """JSON-able numbers and nested lists, float32 written as its shortest decimal.

    A float32 0.3 shown as 0.30000001192092896 would confuse a learner; its
    shortest round-trip form "0.3" reads back to the very same float32.
    """
    try:
        import torch
    except ImportError:  # pragma: no cover - torch is a dependency
        torch = None  # type: ignore[assignment]
    if isinstance(value, Mapping):
        return {str(k): to_plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain(v) for v in value]
    if torch is not None and isinstance(value, torch.Tensor):
        value = value.detach().cpu()
        if value.dtype == torch.bool:
            return value.tolist()
        if not value.is_floating_point():
            return value.tolist()
        if value.dtype in (torch.float16, torch.bfloat16, torch.float32):
            return _shortest(value.to(torch.float32).numpy())
        return value.tolist()
    if isinstance(value, bool) or value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, float):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return to_plain(value.item())
    raise TypeError(_("cannot make {type} plain").format(type=type(value).__name__))


def _shortest(array: Any) -> Any:
    import numpy as np

    if array.ndim == 0:
        return float(str(np.float32(array)))
    return [_shortest(row) for row in array]
