"""Calls a learner may not use: found in the source, and refused at run time.

The source check gives a clear message early; the run-time guards catch what
a source check cannot see (`getattr(F, 'cross_' + 'entropy')`, aliases made
at run time). Each forbidden name also forbids the private entry points that
compute the same thing (`torch._C._nn.cross_entropy_loss`, ...), so the
public name cannot be sidestepped by calling its implementation.

Names alone are not enough: `torch.special.log_softmax`, a `Tensor` method,
`torch._C.TensorBase`, `torch.ops.aten.*` or a closure taken before the
guards reach the same computation under another name. So, while learner
code runs, `Guards.watching()` also pushes a `TorchFunctionMode` (every
torch call, whatever Python name it was reached by) and a `TorchDispatchMode`
(every aten op the runtime really dispatches), and refuses a forbidden
function's twins there (`TWINS`): forbidding `torch.log_softmax` forbids
`F.log_softmax`, `Tensor.log_softmax`, `torch.special.log_softmax` and
`aten._log_softmax`. Only learner code runs watched: the reference and a
`compare` expression may use the function.
"""

from __future__ import annotations

import ast
import contextlib
import functools
from collections.abc import Iterator
from dataclasses import dataclass

from tutor.i18n import _

# The names the tutor's code namespaces give to torch modules.
ALIASES = {"F": "torch.nn.functional", "nn": "torch.nn", "torch": "torch"}

# Private routes to the same computation as a public name.
BACKDOORS: dict[str, tuple[str, ...]] = {
    "torch.nn.functional.cross_entropy": (
        "torch._C._nn.cross_entropy_loss",
        "torch.ops.aten.cross_entropy_loss",
    ),
    "torch.nn.functional.nll_loss": (
        "torch._C._nn.nll_loss",
        "torch._C._nn.nll_loss_nd",
        "torch._C._nn.nll_loss2d",
        "torch.ops.aten.nll_loss",
        "torch.ops.aten.nll_loss_nd",
        "torch.ops.aten.nll_loss2d",
    ),
    "torch.nn.functional.kl_div": ("torch.kl_div", "torch.ops.aten.kl_div"),
    "torch.nn.functional.binary_cross_entropy_with_logits": (
        "torch.binary_cross_entropy_with_logits",
        "torch.ops.aten.binary_cross_entropy_with_logits",
    ),
    "torch.nn.functional.log_softmax": ("torch._C._nn.log_softmax", "torch.log_softmax"),
    "torch.nn.functional.softmax": ("torch._C._nn.softmax", "torch.softmax"),
}


class ForbiddenCall(Exception):
    """Raised in the child when learner code reaches a forbidden call."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


# Attributes and modules that reach a guard's original function from inside.
ESCAPES = frozenset(
    {
        "__closure__",
        "__wrapped__",
        "__globals__",
        "__code__",
        "cell_contents",
        "__dict__",
        "__subclasses__",
        "__builtins__",
        "__self__",
        "__func__",
        "f_back",
        "f_globals",
        "f_locals",
        "tb_frame",
        "gi_frame",
        "__getattribute__",
        "__reduce__",
        "__reduce_ex__",
    }
)
ESCAPE_MODULES = frozenset({"gc", "inspect", "ctypes", "importlib", "sys", "builtins", "_ctypes"})
# Names that switch off or pop the modes `Guards.watching` pushes (found in attributes and strings).
MODE_ESCAPES = (
    "TorchFunction",
    "torch_function",
    "Dispatch",
    "dispatch",
    "_mode",
    "_pop_",
    "_push_",
)

# Every way to autograd: its entry points, a tensor's graph (`grad_fn`, `.grad`), and the engine.
AUTOGRAD_TWINS = (
    "grad",
    "backward",
    "run_backward",
    "vjp",
    "jacobian",
    "hessian",
    "grad_fn",
    "requires_grad_",
    "retain_grad",
    "register_hook",
    "_execution_engine",
)

# A forbidden leaf name -> the names the same computation goes by where torch dispatches it
# (a torch function's `__name__`, `special_` prefix dropped, or an aten op's packet name).
TWINS: dict[str, tuple[str, ...]] = {
    "log_softmax": ("log_softmax", "_log_softmax"),
    "softmax": ("softmax", "_softmax"),
    "logsumexp": ("logsumexp",),
    "cross_entropy": ("cross_entropy", "cross_entropy_loss"),
    "nll_loss": ("nll_loss", "nll_loss_forward", "nll_loss2d", "nll_loss2d_forward", "nll_loss_nd"),
    "kl_div": ("kl_div",),
    "binary_cross_entropy": ("binary_cross_entropy",),
    "binary_cross_entropy_with_logits": ("binary_cross_entropy_with_logits",),
    "sigmoid": ("sigmoid", "expit"),
    "logsigmoid": ("logsigmoid", "log_sigmoid", "log_sigmoid_forward"),
    "softplus": ("softplus",),
    "grad": AUTOGRAD_TWINS,
    "backward": AUTOGRAD_TWINS,
}
# nn.Module forms: forbidding the class forbids the function it calls, and the other way round
MODULE_FORMS = {
    "CrossEntropyLoss": "cross_entropy",
    "NLLLoss": "nll_loss",
    "KLDivLoss": "kl_div",
    "BCELoss": "binary_cross_entropy",
    "BCEWithLogitsLoss": "binary_cross_entropy_with_logits",
    "LogSoftmax": "log_softmax",
    "Softmax": "softmax",
}
AUTOGRAD_PATHS = frozenset(
    {"torch.autograd.grad", "torch.autograd.backward", "torch.Tensor.backward"}
)


def canonical(name: str) -> str:
    """`F.cross_entropy` -> `torch.nn.functional.cross_entropy`."""
    head, _dot, rest = name.strip().partition(".")
    base = ALIASES.get(head, head)
    return f"{base}.{rest}" if rest else base


@dataclass(frozen=True)
class Ban:
    """One forbidden name as the author wrote it, and every path it covers."""

    shown: str  # as written in the exercise, used in messages
    paths: tuple[str, ...]  # canonical public path first, then backdoors

    @property
    def leaves(self) -> set[str]:
        return {p.rsplit(".", 1)[-1] for p in self.paths}

    @property
    def twins(self) -> set[str]:
        """The function and aten op names that compute what this ban forbids."""
        leaf = self.paths[0].rsplit(".", 1)[-1]
        leaf = MODULE_FORMS.get(leaf, leaf)
        return set(TWINS.get(leaf, (leaf, f"_{leaf}")))

    @property
    def autograd(self) -> bool:
        """Forbids autograd itself (a gradient to be derived by hand)."""
        return self.paths[0] in AUTOGRAD_PATHS


def bans(forbid: list[str]) -> list[Ban]:
    out = []
    for name in forbid:
        path = canonical(name)
        out.append(Ban(name, (path, *BACKDOORS.get(path, ()))))
    return out


def check_source(source: str, forbid: list[str], entry: str | None = None) -> str | None:
    """The first forbidden name the source uses, or None.

    Resolves imports and the default aliases (`F`, `nn`, `torch`) so that
    `import torch.nn.functional as G; G.cross_entropy` and
    `from torch.nn.functional import cross_entropy as ce` are both found, and
    flags string constants naming a forbidden leaf (`getattr(F, "nll_loss")`)
    unless the string is just the learner's own function name.
    """
    if not forbid:
        return None
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return None  # the run reports the syntax error itself
    rules = bans(forbid)
    autograd = next((ban for ban in rules if ban.autograd), None)
    by_path = {path: ban for ban in rules for path in ban.paths}
    leaves = {leaf: ban for ban in rules for leaf in ban.leaves}
    names = dict(ALIASES)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in by_path:
                    return by_path[alias.name].shown
                if alias.asname:
                    names[alias.asname] = alias.name
                else:
                    top = alias.name.split(".")[0]
                    names[top] = top
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if full in by_path:
                    return by_path[full].shown
                if alias.name == "*" and any(p.startswith(node.module + ".") for p in by_path):
                    return next(b.shown for p, b in by_path.items() if p.startswith(node.module))
                names[alias.asname or alias.name] = full
    for node in ast.walk(tree):
        escape = _escape(node)
        if escape:
            return _("{name} (it can reach around the forbidden calls)").format(name=escape)
        if isinstance(node, ast.Attribute):
            path = _dotted(node, names)
            if path in by_path:
                return by_path[path].shown
            if autograd is not None and node.attr in AUTOGRAD_TWINS:
                return autograd.shown
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value.strip()
            if text != entry and text in leaves:
                return leaves[text].shown
            if canonical(text) in by_path:
                return by_path[canonical(text)].shown
    return None


def _escape(node: ast.AST) -> str | None:
    if isinstance(node, ast.Attribute) and node.attr in ESCAPES:
        return node.attr
    named = node.attr if isinstance(node, ast.Attribute) else None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        named = node.value
    if named and any(part in named for part in MODE_ESCAPES):
        return named
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ESCAPES:
        return node.value
    if isinstance(node, ast.Import):
        for alias in node.names:
            if alias.name.split(".")[0] in ESCAPE_MODULES:
                return f"import {alias.name}"
    if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in ESCAPE_MODULES:
        return f"from {node.module} import"
    if isinstance(node, ast.Name) and node.id in ("__import__", "eval", "exec", "compile"):
        return node.id
    return None


def _dotted(node: ast.AST, names: dict[str, str]) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name) or node.id not in names:
        return None
    return ".".join([names[node.id], *reversed(parts)])


class Guards:
    """Replaces forbidden torch objects by guards inside a sandbox child.

    Every module attribute that *is* a forbidden object (found by identity
    across all loaded `torch` modules) is swapped, so re-exports and aliases
    are covered too. `armed` can be lowered while the sandbox itself evaluates
    a `compare` expression that names a forbidden function.
    """

    def __init__(self, forbid: list[str]) -> None:
        self.armed = True
        self.hits: list[str] = []
        self._swapped: list[tuple[object, str, object]] = []
        self._forbid = tuple(forbid)
        rules = bans(list(forbid))
        self.twins = {twin: ban.shown for ban in rules for twin in ban.twins}
        self.autograd = next((ban.shown for ban in rules if ban.autograd), None)

    def refuse(self, name: str) -> None:
        """Raise ForbiddenCall if `name` (a torch function or aten op) is forbidden and armed."""
        if not self.armed:
            return
        shown = self.twins.get(name.removeprefix("special_"))
        if shown is None and self.autograd and name.endswith(("_backward", "_backward_data")):
            shown = self.autograd  # a backward kernel run by hand (grad_fn called directly)
        if shown is not None:
            self.hits.append(shown)
            raise ForbiddenCall(shown)

    @contextlib.contextmanager
    def watching(self) -> Iterator[None]:
        """Learner code runs inside this: every torch call and aten op is checked."""
        if not self.twins:
            yield
            return
        with _modes(self):
            yield

    def install(self) -> None:
        for owner, attr, original, shown in locate(self._forbid):
            self._swap(owner, attr, original, shown)

    def _swap(self, owner: object, attr: str, original: object, shown: str) -> None:
        guard = self._guard_for(original, shown)
        try:
            setattr(owner, attr, guard)
        except (AttributeError, TypeError):
            return
        self._swapped.append((owner, attr, original))

    def _guard_for(self, original: object, shown: str) -> object:
        guards = self

        if isinstance(original, type):
            try:

                class Guarded(original):  # type: ignore[misc, valid-type]
                    def __init__(self, *args, **kwargs):
                        if guards.armed:
                            guards.hits.append(shown)
                            raise ForbiddenCall(shown)
                        super().__init__(*args, **kwargs)

            except TypeError:  # a class that cannot be subclassed: guard its calls instead
                pass
            else:
                Guarded.__name__ = original.__name__
                Guarded.__qualname__ = original.__qualname__
                return Guarded

        def guard(*args, **kwargs):
            if guards.armed:
                guards.hits.append(shown)
                raise ForbiddenCall(shown)
            return original(*args, **kwargs)

        guard.__name__ = getattr(original, "__name__", "guard")
        return guard


_located: dict[tuple[str, ...], list[tuple[object, str, object, str]]] = {}


def locate(forbid: tuple[str, ...] | list[str]) -> list[tuple[object, str, object, str]]:
    """Every (module, attribute) holding a forbidden object: (owner, attr, original, shown).

    Scanning all of torch's modules takes tens of milliseconds, so the fork
    server calls this before forking and its children inherit the answer.
    """
    import sys

    import torch

    key = tuple(forbid)
    if key in _located:
        return _located[key]
    found: list[tuple[object, str, object, str]] = []
    targets: dict[int, tuple[object, str]] = {}  # id(original) -> (original, shown)
    for ban in bans(list(forbid)):
        for path in ban.paths:
            owner, attr = _resolve_owner(torch, path)
            original = getattr(owner, attr, None) if owner is not None else None
            if original is None:
                continue
            targets.setdefault(id(original), (original, ban.shown))
            found.append((owner, attr, original, ban.shown))
    if targets:
        for mod_name, module in list(sys.modules.items()):
            if module is None or not (mod_name == "torch" or mod_name.startswith("torch.")):
                continue
            try:
                namespace = vars(module)
            except TypeError:
                continue
            for attr, value in list(namespace.items()):
                hit = targets.get(id(value))
                if hit is not None and hit[0] is value:
                    found.append((module, attr, value, hit[1]))
    _located[key] = found
    return found


def _resolve_owner(torch: object, path: str) -> tuple[object | None, str]:
    parts = path.split(".")
    if parts[0] != "torch":
        return None, ""
    owner: object = torch
    for part in parts[1:-1]:
        try:
            owner = getattr(owner, part)
        except Exception:
            return None, ""
    return owner, parts[-1]


def warm_modes() -> contextlib.ExitStack:
    """The two modes, forbidding nothing: for warming the fork server before it forks."""
    return _modes(Guards([]))


def _modes(guards: Guards) -> contextlib.ExitStack:
    """A TorchFunctionMode and a TorchDispatchMode that ask `guards` about every call."""
    functions, ops = _mode_classes()
    stack = contextlib.ExitStack()
    stack.enter_context(functions(guards))
    stack.enter_context(ops(guards))
    return stack


@functools.cache
def _mode_classes() -> tuple[type, type]:
    """Made once (the fork server warms them): creating a mode class costs milliseconds."""
    from torch.overrides import TorchFunctionMode
    from torch.utils._python_dispatch import TorchDispatchMode

    class Functions(TorchFunctionMode):
        def __init__(self, guards: Guards) -> None:
            super().__init__()
            self.guards = guards

        def __torch_function__(self, func, types, args=(), kwargs=None):
            name = getattr(func, "__name__", "")
            if name in ("__get__", "__set__"):  # a tensor attribute: `x.grad_fn`, `x.grad`
                name = getattr(getattr(func, "__self__", None), "__name__", name)
            self.guards.refuse(name)
            return func(*args, **(kwargs or {}))

    class Ops(TorchDispatchMode):
        @classmethod
        def _should_skip_dynamo(cls) -> bool:
            return False  # else torch wraps this in dynamo's disable, importing dynamo: seconds

        def __init__(self, guards: Guards) -> None:
            super().__init__()
            self.guards = guards

        def __torch_dispatch__(self, func, types, args=(), kwargs=None):
            self.guards.refuse(func.overloadpacket.__name__)
            return func(*args, **(kwargs or {}))

    return Functions, Ops
