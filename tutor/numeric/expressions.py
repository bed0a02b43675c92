"""A restricted torch expression evaluator for what pack authors write.

Number exercises' `reference:`, misconceptions' `reference:` and formula
exercises' `check:` are torch expressions such as
`F.cross_entropy(logits, target)` or `-(p * q.log()).sum()`. They run in the
grading process, so they are never given to `eval`: the text is read by
Python's `ast`, every node is checked against a whitelist, and the tree is
compiled once into plain closures that call only the torch callables named
here. Attribute access is limited to `F.<fn>`, `torch.<fn>`, `nn.<Loss>` and
a whitelist of tensor methods; names starting with `_` never resolve, so the
`().__class__.__base__` walks that defeat emptied builtins have nothing to
walk on. Errors are `ExpressionError(message, column)` values.
"""

from __future__ import annotations

import ast
import math
import operator
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import zip_longest
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from tutor.i18n import _
from tutor.numeric.text_error import ColumnError

MAX_TEXT = 600
MAX_NODES = 300
MAX_DEPTH = 40
MAX_ELEMENTS = 1_000_000  # tensors an expression may create from sizes
MAX_STRING = 64
MAX_INT_POWER = 256

Value = Any
Env = Mapping[str, Value]


class ExpressionError(ColumnError):
    """An expression that cannot be read or evaluated; `column` is 1-based."""


# ---------------------------------------------------------------- the whitelist


def _take(x: torch.Tensor, index: torch.Tensor | int, dim: int = -1) -> torch.Tensor:
    """`take(logits, target)`: each row's entry at its class index (not torch.take, which is flat).

    A scalar index selects one entry along `dim` (`take(logits, 0)`: column 0);
    an index with as many dimensions as `x` picks entries (`take(w, target)`:
    `w[target]`); an index with one dimension fewer picks one per row.
    """
    if isinstance(index, int) or (isinstance(index, torch.Tensor) and index.ndim == 0):
        return x.select(dim, int(index))
    if index.ndim == x.ndim:
        return x[index.long()] if x.ndim == 1 else x.gather(dim, index.long())
    return x.gather(dim, index.long().unsqueeze(dim)).squeeze(dim)


def _onehot(index: torch.Tensor | int, classes: int) -> torch.Tensor:
    index = torch.as_tensor(index)
    _guard_one_hot(index, classes)
    return F.one_hot(index.long(), int(classes)).to(torch.get_default_dtype())


def _reducer(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Bare `sum(x)`/`mean(x)`: over everything, or over `dim` when given."""

    def reduce(x: Value, dim: int | None = None, **kw: Any) -> torch.Tensor:
        x = torch.as_tensor(x)
        return fn(x, **kw) if dim is None else fn(x, dim, **kw)

    reduce.__name__ = fn.__name__
    return reduce


def _last_dim(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    """Bare `softmax(x)`, `logsumexp(x)`: along the last axis unless a `dim` is given."""

    def along(x: Value, dim: int = -1, **kw: Any) -> torch.Tensor:
        return fn(torch.as_tensor(x), dim, **kw)

    along.__name__ = fn.__name__
    return along


def _elementwise(fn: Callable[..., torch.Tensor]) -> Callable[..., torch.Tensor]:
    def apply(x: Value) -> torch.Tensor:
        if not isinstance(x, torch.Tensor):
            x = torch.tensor(x, dtype=torch.get_default_dtype())
        return fn(x)

    apply.__name__ = fn.__name__
    return apply


BARE: dict[str, Callable[..., Any]] = {
    "log": _elementwise(torch.log),
    "exp": _elementwise(torch.exp),
    "sigmoid": _elementwise(torch.sigmoid),
    "sqrt": _elementwise(torch.sqrt),
    "abs": _elementwise(torch.abs),
    "log2": _elementwise(torch.log2),
    "softmax": _last_dim(torch.softmax),
    "log_softmax": _last_dim(torch.log_softmax),
    "logsumexp": _last_dim(torch.logsumexp),
    "sum": _reducer(torch.sum),
    "mean": _reducer(torch.mean),
    "take": _take,
    "onehot": _onehot,
    "len": len,
    "range": lambda *a: _bounded_range(*a),
    "float": float,
    "int": int,
}


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


TORCH_FUNCTIONS = _words(
    """log exp log1p expm1 log2 log10 sqrt abs sigmoid tanh softmax log_softmax logsumexp
    sum mean prod max min amax amin argmax argmin clamp clip where cat stack gather take
    take_along_dim matmul mm bmm dot einsum exp2 square pow maximum minimum xlogy
    isnan isinf isfinite nan_to_num cumsum transpose permute squeeze unsqueeze flatten
    reshape tensor as_tensor zeros ones full zeros_like ones_like full_like arange eye linspace
    allclose isclose equal norm std var sort topk relu sign floor ceil round neg
    logical_not"""
)
FUNCTIONAL = _words(
    """cross_entropy nll_loss kl_div binary_cross_entropy binary_cross_entropy_with_logits
    softmax log_softmax logsigmoid sigmoid one_hot normalize mse_loss l1_loss softplus relu
    cosine_similarity gelu tanh"""
)
LOSS_MODULES = _words(
    """CrossEntropyLoss NLLLoss KLDivLoss BCELoss BCEWithLogitsLoss MSELoss L1Loss Softmax
    LogSoftmax Sigmoid"""
)
DTYPES = {
    name: getattr(torch, name)
    for name in _words(
        "float float32 float64 double half float16 bfloat16 long int64 int int32 bool uint8"
    )
}
METHODS = _words(
    """log exp log1p expm1 log2 sqrt abs sigmoid tanh softmax log_softmax logsumexp sum mean prod
    max min amax amin argmax argmin clamp clamp_min clamp_max clip gather take_along_dim squeeze
    unsqueeze view reshape flatten t transpose permute float double long int bool item tolist
    size dim numel exp2 square pow neg masked_fill eq ne gt lt ge le all any to type_as detach
    clone index_select matmul mm dot norm std var cumsum xlogy sub add mul div isnan
    isinf nan_to_num relu sign floor ceil round sort topk"""
)
PROPERTIES = frozenset({"shape", "T", "ndim", "dtype", "mT"})
# torch.distributions.Categorical(probs=p).entropy(): how torch users compute an entropy
DISTRIBUTIONS = _words("Categorical Bernoulli")
DISTRIBUTION_METHODS = _words("entropy log_prob")
DISTRIBUTION_PROPERTIES = _words("probs logits")
_DISTRIBUTION_TYPES = tuple(getattr(torch.distributions, name) for name in sorted(DISTRIBUTIONS))

_MODULES = {"F": ("F", FUNCTIONAL, F), "torch": ("torch", TORCH_FUNCTIONS, torch)}
_LOSS_TYPES = tuple(getattr(nn, name) for name in sorted(LOSS_MODULES))

_BINOPS: dict[type, tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.FloorDiv: ("//", operator.floordiv),
    ast.Mod: ("%", operator.mod),
    ast.Pow: ("**", operator.pow),
    ast.MatMult: ("@", operator.matmul),
}
_COMPARE: dict[type, Callable[[Any, Any], Any]] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


# ---------------------------------------------------------------- size guards

_GUARDED = {"zeros", "ones", "full", "arange", "eye", "linspace", "matmul", "mm", "bmm", "einsum"}


def _numel_of_size(args: tuple, kwargs: dict) -> int:
    size = kwargs.get("size", args)
    if len(size) == 1 and isinstance(size[0], (tuple, list, torch.Size)):
        size = size[0]
    dims = [int(d) for d in size if isinstance(d, (int, torch.Tensor))]
    return math.prod(dims) if dims else 1


def _guard_creation(name: str, args: tuple, kwargs: dict, column: int) -> None:
    """Refuse tensors that would exhaust the grading process's memory."""
    if name in ("zeros", "ones"):
        n = _numel_of_size(args, kwargs)
    elif name == "full":
        n = _numel_of_size(args[:1], {})
    elif name == "arange":
        nums = [float(a) for a in args[:3]]
        if len(nums) == 1:
            nums = [0.0, nums[0]]
        step = nums[2] if len(nums) > 2 else float(kwargs.get("step", 1))
        n = int(abs((nums[1] - nums[0]) / step)) if step else MAX_ELEMENTS + 1
    elif name == "eye":
        n = int(args[0]) * int(args[1] if len(args) > 1 else args[0])
    elif name == "linspace":
        n = int(args[2] if len(args) > 2 else kwargs.get("steps", 0))
    elif name in ("matmul", "mm", "bmm") and len(args) == 2:
        n = _product_size("@", args[0], args[1])
    elif name == "einsum" and args and isinstance(args[0], str) and "->" in args[0]:
        n = _einsum_size(args[0], args[1:])
    else:
        return
    if n > MAX_ELEMENTS:
        raise ExpressionError(
            _("{name}(): {n} elements is too many (at most {max_elements})").format(
                name=name, n=n, max_elements=MAX_ELEMENTS
            ),
            column,
        )


def _product_size(op: str, a: Any, b: Any) -> int:
    """Elements of `a op b` for tensors, before computing it (an outer product can be huge)."""
    if not (isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor)):
        return 0
    if op == "@":
        if a.ndim < 2 or b.ndim < 2:
            return max(a.numel(), b.numel())
        batch = _broadcast(a.shape[:-2], b.shape[:-2])
        return math.prod(batch or ()) * a.shape[-2] * b.shape[-1]
    if a.shape == b.shape:
        return a.numel()
    shape = _broadcast(a.shape, b.shape)
    return 0 if shape is None else math.prod(shape)  # None: the operation reports the mismatch


def _broadcast(a: Sequence[int], b: Sequence[int]) -> tuple[int, ...] | None:
    """The shape two shapes broadcast to, or None when they do not.

    `torch.broadcast_shapes` says the same, at about 90 µs a call through
    torch's Python reference code: a third of `validate`'s simulated classes.
    """
    shape = []
    for x, y in zip_longest(reversed(a), reversed(b), fillvalue=1):
        if x != y and 1 not in (x, y):
            return None
        shape.append(y if x == 1 else x)
    return tuple(reversed(shape))


def _einsum_size(equation: str, operands: tuple) -> int:
    inputs, _, output = equation.replace(" ", "").partition("->")
    sizes: dict[str, int] = {}
    for letters, tensor in zip(inputs.split(","), operands, strict=False):
        if isinstance(tensor, torch.Tensor) and len(letters) == tensor.ndim:
            sizes.update(zip(letters, tensor.shape, strict=True))
    return math.prod(sizes.get(letter, 1) for letter in output)


def _guard_one_hot(index: Any, classes: Any = -1, *rest: Any, **kw: Any) -> None:
    classes = kw.get("num_classes", classes)
    too_many = isinstance(index, torch.Tensor) and isinstance(classes, int)
    if too_many and index.numel() * max(classes, 1) > MAX_ELEMENTS:
        raise ExpressionError(
            _("one_hot(): more than {max_elements} elements").format(max_elements=MAX_ELEMENTS), 0
        )


def _bounded_range(*args: int) -> range:
    r = range(*(int(a) for a in args))
    if len(r) > MAX_ELEMENTS:
        raise ExpressionError(_("range() too long"), 0)
    return r


def _check_operands(op: str, left: Any, right: Any, column: int) -> None:
    """Arithmetic on numbers and tensors only: `'a' * 10**9` or list repetition never runs."""
    for value in (left, right):
        if not isinstance(value, (int, float, torch.Tensor)) and not _is_array(value):
            raise ExpressionError(
                _("'{op}' needs numbers or tensors, not {value}").format(op=op, value=_kind(value)),
                column,
            )
    if _product_size(op, left, right) > MAX_ELEMENTS:
        raise ExpressionError(
            _("'{op}' would make more than {max_elements} elements").format(
                op=op, max_elements=MAX_ELEMENTS
            ),
            column,
        )
    if op != "**" or not isinstance(right, (int, float)):
        return
    too_big = abs(right) > MAX_INT_POWER and (
        isinstance(left, int) or (isinstance(left, float) and abs(left) > 1)
    )
    # exact integers grow without bound: cap the bits of the result
    if too_big or (isinstance(left, int) and left.bit_length() * abs(right) > 4096):
        raise ExpressionError(_("exponent too large for {left}").format(left=repr(left)), column)


def _is_array(value: Any) -> bool:
    """numpy arrays and mpmath numbers: the values of the symbolic side (tutor.numeric.formula)."""
    module = type(value).__module__ or ""
    return (module == "numpy" and hasattr(value, "shape")) or module.startswith("mpmath")


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return _("text")
    if isinstance(value, (list, tuple)):
        return _("a list")
    return type(value).__name__


# ---------------------------------------------------------------- compiling


@dataclass(frozen=True)
class Context:
    """What an evaluation sees: the parameters and the bare functions."""

    names: Env
    functions: Mapping[str, Callable[..., Any]]


Compiled = Callable[[Context], Any]


@dataclass(frozen=True)
class TorchExpression:
    """A checked, compiled expression: evaluate it as often as you like."""

    text: str
    names: frozenset[str]  # every bare name it reads (parameters or bare functions)
    called: frozenset[str]  # the bare names it calls
    uses_modules: bool  # it names F., torch. or nn.
    _run: Compiled

    def evaluate(
        self, env: Env, functions: Mapping[str, Callable[..., Any]] | None = None
    ) -> Value:
        """The value over `env`; raises ExpressionError (with a column) on failure."""
        ctx = Context(env, BARE if functions is None else functions)
        try:
            return self._run(ctx)
        except ExpressionError:
            raise
        except (RuntimeError, ValueError, TypeError, IndexError, ZeroDivisionError) as err:
            raise ExpressionError(_first_line(err), 1) from None

    def free_names(self, functions: Mapping[str, Any] | None = None) -> set[str]:
        """The names that must come from the parameters."""
        return {n for n in self.names if n not in (BARE if functions is None else functions)}


def parse_expression(text: str) -> TorchExpression:
    """Check and compile; raises ExpressionError(message, column). Cached by text."""
    return _parse_cached(text)


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> TorchExpression:
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError(_("empty expression"), 1)
    if len(text) > MAX_TEXT:
        raise ExpressionError(
            _("expression longer than {max_text} characters").format(max_text=MAX_TEXT), MAX_TEXT
        )
    stripped = text.strip()
    offset = len(text) - len(text.lstrip())
    if "\n" in stripped:
        stripped = " ".join(stripped.split())  # YAML folded text: one line, columns approximate
    try:
        with warnings.catch_warnings():  # "invalid decimal literal" and co. must not reach stderr
            warnings.simplefilter("ignore", SyntaxWarning)
            tree = ast.parse(stripped, mode="eval")
    except SyntaxError as err:
        raise ExpressionError(
            _("cannot read this: {error}").format(error=err.msg), (err.offset or 1) + offset
        ) from None
    count = sum(1 for _node in ast.walk(tree))
    if count > MAX_NODES:
        raise ExpressionError(
            _("expression too long ({count} parts, at most {max_nodes})").format(
                count=count, max_nodes=MAX_NODES
            ),
            1,
        )
    compiler = _Compiler(offset)
    run = compiler.compile(tree.body, 0)
    return TorchExpression(
        text, frozenset(compiler.names), frozenset(compiler.called), compiler.uses_modules, run
    )


def evaluate(text: str, env: Env) -> Value:
    """Parse (cached) and evaluate `text` over `env` with torch's bare functions."""
    return parse_expression(text).evaluate(env)


def check_expression(text: str, names: set[str] | list[str] | None = None) -> str | None:
    """An error message (with column) for a bad expression, or None; with `names`, every
    name it reads must be a parameter or a bare function."""
    try:
        expr = parse_expression(text)
    except ExpressionError as err:
        return str(err)
    for name in sorted(expr.called):
        if name not in BARE or (names is not None and name in names):
            known = ", ".join(sorted(n for n in BARE if n not in ("len", "range", "int", "float")))
            return _("{name} is not a function here (bare functions: {known})").format(
                name=repr(name), known=known
            )
    if names is not None:
        unknown = sorted(expr.free_names() - set(names))
        if unknown:
            return _("unknown name {name} (parameters: {names})").format(
                name=repr(unknown[0]), names=", ".join(sorted(names)) or _("none")
            )
    return None


def _first_line(err: BaseException) -> str:
    lines = str(err).strip().splitlines()
    return lines[0] if lines else type(err).__name__


class _Compiler:
    def __init__(self, offset: int) -> None:
        self.offset = offset
        self.names: set[str] = set()
        self.called: set[str] = set()  # bare names used as functions
        self.uses_modules = False

    def col(self, node: ast.AST) -> int:
        return getattr(node, "col_offset", 0) + 1 + self.offset

    def compile(self, node: ast.AST, depth: int) -> Compiled:
        if depth > MAX_DEPTH:
            raise ExpressionError(_("expression nested too deeply"), self.col(node))
        method = getattr(self, "c_" + type(node).__name__, None)
        if method is None:
            raise ExpressionError(
                _("{what} is not allowed here").format(what=_describe(node)), self.col(node)
            )
        return method(node, depth + 1)

    # -- leaves

    def c_Constant(self, node: ast.Constant, depth: int) -> Compiled:
        value = node.value
        if isinstance(value, str) and len(value) > MAX_STRING:
            raise ExpressionError(_("text too long"), self.col(node))
        if isinstance(value, (bytes, complex)):
            raise ExpressionError(
                _("the literal {value} is not allowed").format(value=repr(value)), self.col(node)
            )
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**15:
            raise ExpressionError(_("number too large"), self.col(node))
        return lambda ctx: value

    def c_Name(self, node: ast.Name, depth: int) -> Compiled:
        name = node.id
        col = self.col(node)
        if name.startswith("_"):
            raise ExpressionError(_("the name {name} is not allowed").format(name=repr(name)), col)
        if name in _MODULES or name == "nn":
            raise ExpressionError(
                _("{name} is a module: use {name}.<function>(…)").format(name=name), col
            )
        self.names.add(name)

        def lookup(ctx: Context) -> Value:
            if name in ctx.names:
                return ctx.names[name]
            if name in ctx.functions:
                return ctx.functions[name]
            raise ExpressionError(_("unknown name {name}").format(name=repr(name)), col)

        return lookup

    # -- structure

    def c_Tuple(self, node: ast.Tuple, depth: int) -> Compiled:
        items = [self.compile(e, depth) for e in node.elts]
        return lambda ctx: tuple(i(ctx) for i in items)

    def c_List(self, node: ast.List, depth: int) -> Compiled:
        items = [self.compile(e, depth) for e in node.elts]
        return lambda ctx: [i(ctx) for i in items]

    def c_Slice(self, node: ast.Slice, depth: int) -> Compiled:
        parts = [
            None if p is None else self.compile(p, depth)
            for p in (node.lower, node.upper, node.step)
        ]
        return lambda ctx: slice(*(None if p is None else p(ctx) for p in parts))

    def c_Subscript(self, node: ast.Subscript, depth: int) -> Compiled:
        base = self.compile(node.value, depth)
        index = self.compile(node.slice, depth)
        col = self.col(node)

        def subscript(ctx: Context) -> Value:
            target = base(ctx)
            if not isinstance(target, (torch.Tensor, torch.Size, tuple, list)) and not _is_array(
                target
            ):
                raise ExpressionError(_("cannot index {value}").format(value=_kind(target)), col)
            try:
                return target[index(ctx)]
            except (IndexError, RuntimeError, TypeError, ValueError) as err:
                raise ExpressionError(
                    _("indexing: {error}").format(error=_first_line(err)), col
                ) from None

        return subscript

    def c_UnaryOp(self, node: ast.UnaryOp, depth: int) -> Compiled:
        operand = self.compile(node.operand, depth)
        col = self.col(node)
        if isinstance(node.op, ast.USub):

            def negate(ctx: Context) -> Value:
                value = operand(ctx)
                _check_operands("-", value, 0, col)
                return -value

            return negate
        if isinstance(node.op, ast.UAdd):
            return operand
        raise ExpressionError(
            _("{type} is not allowed here").format(type=type(node.op).__name__), col
        )

    def c_BinOp(self, node: ast.BinOp, depth: int) -> Compiled:
        entry = _BINOPS.get(type(node.op))
        col = self.col(node)
        if entry is None:
            raise ExpressionError(
                _("the operator {type} is not allowed").format(type=type(node.op).__name__), col
            )
        symbol, fn = entry
        left = self.compile(node.left, depth)
        right = self.compile(node.right, depth)

        def binop(ctx: Context) -> Value:
            a, b = left(ctx), right(ctx)
            _check_operands(symbol, a, b, col)
            try:
                return fn(a, b)
            except (RuntimeError, TypeError, ValueError, ZeroDivisionError, OverflowError) as err:
                raise ExpressionError(
                    _("'{symbol}': {error}").format(symbol=symbol, error=_first_line(err)), col
                ) from None

        return binop

    def c_Compare(self, node: ast.Compare, depth: int) -> Compiled:
        col = self.col(node)
        if len(node.ops) != 1 or type(node.ops[0]) not in _COMPARE:
            raise ExpressionError(_("only one comparison (<, <=, >, >=, ==, !=) at a time"), col)
        fn = _COMPARE[type(node.ops[0])]
        left = self.compile(node.left, depth)
        right = self.compile(node.comparators[0], depth)

        def compare(ctx: Context) -> Value:
            a, b = left(ctx), right(ctx)
            _check_operands("comparison", a, b, col)
            return fn(a, b)

        return compare

    # -- attributes and calls

    def c_Attribute(self, node: ast.Attribute, depth: int) -> Compiled:
        col = self.col(node)
        attr = node.attr
        if attr.startswith("_"):
            raise ExpressionError(
                _("the attribute {attr} is not allowed").format(attr=repr(attr)), col
            )
        if isinstance(node.value, ast.Name) and node.value.id in ("F", "torch", "nn"):
            value = self._module_member(node.value.id, attr, col)
            self.uses_modules = True
            return lambda ctx: value
        if _is_distributions_module(node.value):
            if attr not in DISTRIBUTIONS:
                raise ExpressionError(
                    _("torch.distributions.{attr} is not available here (allowed: {value})").format(
                        attr=attr, value=", ".join(sorted(DISTRIBUTIONS))
                    ),
                    col,
                )
            distribution = getattr(torch.distributions, attr)
            self.uses_modules = True
            return lambda ctx: distribution
        if attr in DISTRIBUTION_PROPERTIES:
            base = self.compile(node.value, depth)

            def distribution_prop(ctx: Context) -> Value:
                target = base(ctx)
                if not isinstance(target, _DISTRIBUTION_TYPES):
                    raise ExpressionError(
                        _(".{attr} needs a distribution, not {value}").format(
                            attr=attr, value=_kind(target)
                        ),
                        col,
                    )
                return getattr(target, attr)

            return distribution_prop
        if attr not in PROPERTIES:
            if attr in METHODS:
                raise ExpressionError(
                    _(".{attr} is a method: call it, .{attr}(…)").format(attr=attr), col
                )
            raise ExpressionError(_("the attribute .{attr} is not allowed").format(attr=attr), col)
        base = self.compile(node.value, depth)

        def prop(ctx: Context) -> Value:
            target = base(ctx)
            if not isinstance(target, torch.Tensor) and not _is_array(target):
                raise ExpressionError(
                    _(".{attr} needs a tensor, not {value}").format(attr=attr, value=_kind(target)),
                    col,
                )
            return getattr(target, attr)

        return prop

    def _module_member(self, module: str, attr: str, col: int) -> Any:
        if module == "nn":
            if attr not in LOSS_MODULES:
                raise ExpressionError(
                    _("nn.{attr} is not available; allowed: {value}").format(
                        attr=attr, value=", ".join(sorted(LOSS_MODULES))
                    ),
                    col,
                )
            return getattr(nn, attr)
        label, allowed, mod = _MODULES[module]
        if module == "torch" and attr in DTYPES:
            return DTYPES[attr]
        if attr not in allowed:
            raise ExpressionError(
                _("{label}.{attr} is not available here").format(label=label, attr=attr), col
            )
        fn = getattr(mod, attr)
        if module == "F" and attr == "one_hot":

            def one_hot(*args: Any, **kwargs: Any) -> Any:
                _guard_one_hot(*args, **kwargs)
                return fn(*args, **kwargs)

            return one_hot
        if module == "torch" and attr in _GUARDED:

            def guarded(*args: Any, **kwargs: Any) -> Any:
                _guard_creation(attr, args, kwargs, col)
                return fn(*args, **kwargs)

            return guarded
        return fn

    def c_Call(self, node: ast.Call, depth: int) -> Compiled:
        col = self.col(node)
        args: list[tuple[bool, Compiled]] = []
        for a in node.args:
            if isinstance(a, ast.Starred):
                args.append((True, self.compile(a.value, depth)))
            else:
                args.append((False, self.compile(a, depth)))
        kwargs: list[tuple[str, Compiled]] = []
        for kw in node.keywords:
            if kw.arg is None or kw.arg.startswith("_"):
                raise ExpressionError(_("`**` and private keywords are not allowed"), col)
            kwargs.append((kw.arg, self.compile(kw.value, depth)))
        func = node.func
        label = ast.unparse(func) if len(ast.unparse(func)) < 40 else "call"

        if isinstance(func, ast.Attribute) and not (
            isinstance(func.value, ast.Name) and func.value.id in ("F", "torch", "nn")
        ):
            # a tensor method: x.log(), (p * q).sum(1)
            method = func.attr
            if _is_distributions_module(func.value):  # torch.distributions.Categorical(...)
                return self._call_plain(node, func, args, kwargs, label, col, depth)
            allowed = method in METHODS or method in DISTRIBUTION_METHODS
            if method.startswith("_") or not allowed:
                raise ExpressionError(
                    _("the method .{method}() is not allowed").format(method=method), self.col(func)
                )
            receiver = self.compile(func.value, depth)

            def call_method(ctx: Context) -> Value:
                target = receiver(ctx)
                if isinstance(target, _DISTRIBUTION_TYPES):
                    if method not in DISTRIBUTION_METHODS:
                        raise ExpressionError(
                            _("the method .{method}() is not allowed").format(method=method), col
                        )
                elif not isinstance(target, torch.Tensor):
                    raise ExpressionError(
                        _(".{method}() needs a tensor, not {value}").format(
                            method=method, value=_kind(target)
                        ),
                        col,
                    )
                elif method not in METHODS:
                    raise ExpressionError(
                        _(".{method}() is not a tensor method").format(method=method), col
                    )
                a, k = _gather(args, kwargs, ctx, col)
                if method in ("matmul", "mm") and a:
                    _guard_creation(method, (target, a[0]), {}, col)
                try:
                    return getattr(target, method)(*a, **k)
                except ExpressionError:
                    raise
                except (RuntimeError, TypeError, ValueError, IndexError) as err:
                    raise ExpressionError(
                        _("{label}(): {error}").format(label=label, error=_first_line(err)), col
                    ) from None

            return call_method

        return self._call_plain(node, func, args, kwargs, label, col, depth)

    def _call_plain(
        self,
        node: ast.Call,
        func: ast.expr,
        args: list[tuple[bool, Compiled]],
        kwargs: list[tuple[str, Compiled]],
        label: str,
        col: int,
        depth: int,
    ) -> Compiled:
        callee = self.compile(func, depth)
        if isinstance(func, ast.Attribute):
            trust = "module"  # F.x / torch.x / nn.X: resolved from the whitelist at compile time
        elif isinstance(func, ast.Name):
            self.called.add(func.id)
            trust = func.id  # a bare function, unless a parameter shadows it
        else:
            trust = ""  # e.g. nn.CrossEntropyLoss(weight=w)(...): only loss modules

        def call(ctx: Context) -> Value:
            fn = callee(ctx)
            if not _may_call(fn, trust, ctx):
                raise ExpressionError(_("{label} cannot be called").format(label=label), col)
            a, k = _gather(args, kwargs, ctx, col)
            try:
                return fn(*a, **k)
            except ExpressionError as err:
                raise ExpressionError(err.message, err.column or col) from None
            except (
                RuntimeError,
                TypeError,
                ValueError,
                IndexError,
                ZeroDivisionError,
                OverflowError,
            ) as err:
                raise ExpressionError(
                    _("{label}(): {error}").format(label=label, error=_first_line(err)), col
                ) from None

        return call


def _is_distributions_module(node: ast.AST) -> bool:
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "distributions"
        and isinstance(node.value, ast.Name)
        and node.value.id == "torch"
    )


def _gather(
    args: list[tuple[bool, Compiled]], kwargs: list[tuple[str, Compiled]], ctx: Context, col: int
) -> tuple[list, dict]:
    values: list = []
    for starred, fn in args:
        if starred:
            seq = fn(ctx)
            if not isinstance(seq, (list, tuple, torch.Size)):
                raise ExpressionError(_("`*` needs a list or tuple"), col)
            values.extend(seq)
        else:
            values.append(fn(ctx))
    return values, {k: fn(ctx) for k, fn in kwargs}


def _may_call(fn: Any, trust: str, ctx: Context) -> bool:
    """Only what the whitelist produced is called, never something reached through a value."""
    if isinstance(fn, _LOSS_TYPES):
        return True
    if trust == "module":  # includes the whitelisted torch.distributions classes
        return True
    if trust:
        return trust not in ctx.names and fn is ctx.functions.get(trust)
    return False


def _describe(node: ast.AST) -> str:
    return {
        ast.Lambda: "lambda",
        ast.BoolOp: "and/or",
        ast.IfExp: "if/else",
        ast.Dict: "a dict",
        ast.Set: "a set",
        ast.JoinedStr: "an f-string",
        ast.ListComp: "a comprehension",
        ast.GeneratorExp: "a generator expression",
        ast.DictComp: "a comprehension",
        ast.SetComp: "a comprehension",
        ast.NamedExpr: "':='",
        ast.Await: "await",
        ast.Starred: "'*'",
    }.get(type(node), f"'{type(node).__name__}'")


def to_number(value: Value) -> float:
    """A single number from an expression's value, or ExpressionError when it is not one."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ExpressionError(
                _("the expression gives a tensor of shape {value}, not one number").format(
                    value=tuple(value.shape)
                ),
                1,
            )
        return float(value.detach().reshape(()).double())
    if _is_array(value):
        if not hasattr(value, "shape"):  # an mpmath number
            return float(value)
        if value.size == 1:
            return float(value.reshape(()).item())
        raise ExpressionError(
            _("the formula gives an array of shape {shape}, not a number").format(
                shape=value.shape
            ),
            1,
        )
    raise ExpressionError(
        _("the expression gives {value}, not a number").format(value=_kind(value)), 1
    )
