"""Form requirements: when an exercise asks for a *form*, not only a value.

`lse-trick-formula` asks for the overflow-free logsumexp; `log(sum(exp(z)))`
has the right value but is exactly what the exercise teaches you not to
write. As STACK's answer tests do ("must not contain", "must be in form"),
an exercise may say

    require: [no-overflow]       # the answer stays finite at large inputs
    forbid: [logsumexp, log(sum(exp(z)))]   # calls the formula tree may not hold

`no-overflow` evaluates the answer in float64 (as a program would) at
inputs of magnitude about 1000, where the reference, in mpmath, is finite.
A `forbid` entry is a function name or a nested call pattern in the plain
syntax: `…` (or `_`) stands for anything, a symbol's name for that symbol
(`log(sum(exp(z)))` forbids the naive form, not `log(sum(exp(z - m)))`). The pack loader checks both
lists with this module, so numpy is imported only where a formula is
evaluated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tutor.i18n import _
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.reader import Formula
from tutor.symbolic.tree import (
    ALIASES,
    FUNCTIONS,
    Call,
    Node,
    Sym,
    symbols_used,
    used_sizes,
    walk,
)

REQUIREMENTS = {
    "no-overflow": "the answer stays finite in floating point at inputs of magnitude about 1000",
}
LARGE = 1000.0  # the magnitude no-overflow is checked at
POINTS = 8


@dataclass(frozen=True)
class FormProblem:
    """Why a right value is not the form the exercise asks for."""

    tag: str
    feedback: str


@dataclass(frozen=True)
class Pattern:
    """A function applied to argument patterns; fn None is `…` (anything), `symbol` a name."""

    fn: str | None
    args: tuple[Pattern, ...] | None = None  # None: any arguments
    symbol: str | None = None  # matches this declared symbol only


def requirement_problem(name: object) -> str | None:
    """An author's message for a `require:` entry that is not known."""
    if name in REQUIREMENTS:
        return None
    known = ", ".join(sorted(REQUIREMENTS))
    return _("unknown form requirement `{name}` (known: {known})").format(name=name, known=known)


_PATTERN_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<any>…|\.\.\.)|(?P<op>[(),]))"
)


def parse_pattern(text: str) -> Pattern:
    """`log(sum(exp(…)))` into a Pattern; raises ValueError with what is wrong."""
    tokens = []
    pos = 0
    text = text.strip()
    while pos < len(text):
        match = _PATTERN_TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise ValueError(
                _("`{value}` is not a function name or a call pattern").format(value=text[pos:])
            )
        tokens.append((match.lastgroup, match.group(match.lastgroup or 0)))
        pos = match.end()
    pattern, rest = _pattern(tokens)
    if rest:
        raise ValueError(_("unexpected `{value}` in `{text}`").format(value=rest[0][1], text=text))
    return pattern


def _pattern(tokens: list[tuple[str | None, str]]) -> tuple[Pattern, list]:
    if not tokens:
        raise ValueError(_("a pattern is empty"))
    kind, text = tokens[0]
    if kind == "any" or text == "_":
        return Pattern(None), tokens[1:]
    if kind != "name":
        raise ValueError(_("expected a function name, found `{text}`").format(text=text))
    name = ALIASES.get(text, text)
    rest = tokens[1:]
    calls = bool(rest) and rest[0][1] == "("
    if name not in FUNCTIONS:
        if calls:
            raise ValueError(
                _("`{text}` is not a function of the formula syntax").format(text=text)
            )
        return Pattern(None, symbol=text), rest  # a symbol: log(sum(exp(z))), not exp(z - m)
    if not calls:
        return Pattern(name), rest
    args: list[Pattern] = []
    rest = rest[1:]
    while True:
        arg, rest = _pattern(rest)
        args.append(arg)
        if not rest:
            raise ValueError(_("a `(` is not closed"))
        if rest[0][1] == ")":
            return Pattern(name, tuple(args)), rest[1:]
        if rest[0][1] != ",":
            raise ValueError(_("expected `,` or `)`, found `{value}`").format(value=rest[0][1]))
        rest = rest[1:]


def forbid_problem(text: object) -> str | None:
    """An author's message for a `forbid:` entry that does not parse."""
    if not isinstance(text, str):
        return _("a `forbid` entry is a function name or a call pattern such as log(sum(exp(…)))")
    try:
        parse_pattern(text)
    except ValueError as error:
        return _("forbid `{text}`: {error}").format(text=text, error=error)
    return None


def _matches(node: Node, pattern: Pattern) -> bool:
    if pattern.symbol is not None:
        return isinstance(node, Sym) and node.name == pattern.symbol
    if pattern.fn is None:
        return True
    if not isinstance(node, Call) or node.fn != pattern.fn:
        return False
    if pattern.args is None:
        return True
    if len(pattern.args) != len(node.args):
        return False
    return all(_matches(n, p) for n, p in zip(node.args, pattern.args, strict=True))


def forbidden_in(tree: Node, forbid: list[str]) -> str | None:
    """The first `forbid` entry the tree holds, or None."""
    for text in forbid:
        pattern = parse_pattern(text)
        if any(_matches(node, pattern) for node in walk(tree)):
            return text
    return None


def overflows(answer: Formula, reference: Formula, seed: int = 0) -> dict | None:
    """Where the answer, in float64, is not finite while the reference is: or None."""
    import mpmath
    import numpy as np

    from tutor.symbolic.evaluation import Numeric, evaluate
    from tutor.symbolic.sampling import sample, trial_sizes

    table = reference.table
    names = symbols_used(answer.tree) | symbols_used(reference.tree)
    sizes_used = sorted(used_sizes(answer.tree, table) | used_sizes(reference.tree, table))
    if not names - set(table.size_names):
        return None
    rng = np.random.default_rng(seed)
    sizes = trial_sizes(sizes_used, 1)
    values = sample(table, names, sizes, POINTS, rng, large=POINTS)
    for name, value in values.items():
        spec = table.specs[name]
        unbounded = spec.low is None and spec.high is None
        if spec.kind in (SymbolKind.VECTOR, SymbolKind.REAL) and unbounded:
            values[name] = np.sign(value) * LARGE + value
    got, _sizes = evaluate(answer.tree, table, values, sizes, Numeric(), batch=POINTS)
    got = np.asarray(got, dtype=float).reshape(POINTS, -1)
    for row in np.flatnonzero(~np.isfinite(got).all(axis=1)):
        with mpmath.workdps(30):
            backend = Numeric(mp=True)
            point = {
                n: v[row : row + 1]
                if table.kind(n) is SymbolKind.INDEX
                else backend.cast(v[row : row + 1])
                for n, v in values.items()
            }
            want, _sizes = evaluate(reference.tree, table, point, sizes, backend, batch=1)
        if all(bool(mpmath.isfinite(w)) for w in np.asarray(want).reshape(-1)):
            shown = {
                n: np.round(np.asarray(v[row], dtype=float), 1).tolist() for n, v in values.items()
            }
            return {"at": shown, **sizes}
    return None


def form_problem(
    answer: Formula, reference: Formula, require: list[str], forbid: list[str]
) -> FormProblem | None:
    """Why an answer of the right value is not in the form the exercise asks for, or None."""
    used = forbidden_in(answer.tree, forbid) if forbid else None
    if used is not None:
        return FormProblem(
            "forbidden-form",
            _(
                "Right value, but this exercise asks you to write it without `{name}`: "
                "write the formula out."
            ).format(name=used),
        )
    if "no-overflow" in require:
        where = overflows(answer, reference)
        if where is not None:
            at = ", ".join(f"{k} = {v}" for k, v in where["at"].items())
            return FormProblem(
                "overflows",
                _(
                    "Right value, but not the overflow-free form this exercise asks for: in "
                    "floating point your formula overflows at large inputs ({point}), where exp "
                    "of a large number is inf. Subtract the maximum inside the exponentials and "
                    "add it back outside."
                ).format(point=at),
            )
    return None
