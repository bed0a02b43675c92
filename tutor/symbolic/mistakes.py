"""Known mistakes: name the wrong idea behind a wrong formula.

    mistakes = exercise_mistakes(misconceptions, table) + generic_mistakes(reference)
    found = match_mistake(answer, mistakes)      # -> Mistake | None

An exercise's own misconceptions come first. The generic library then
rewrites the *reference* the way learners typically go wrong — sign
flipped, H(p, q) or KL with its arguments swapped, log base 2, the mean
forgotten, logits used as probabilities, softmax applied twice, smoothing
with ε/(K-1) — and a wrong answer equal to one of these rewrites gets that
mistake's tag and feedback. Rewrites work on the formula tree, so they apply
to any reference that has the pattern, not only to the forms listed here.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from tutor.i18n import N_
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.equivalence import equivalent
from tutor.symbolic.reader import Formula, read_formula
from tutor.symbolic.tree import (
    Bin,
    Call,
    Index,
    Neg,
    Node,
    Num,
    Sym,
    SymbolTable,
    Vec,
    check,
    symbols_used,
    walk,
)


@dataclass(frozen=True)
class Mistake:
    """A wrong formula with the tag and feedback that name the idea behind it."""

    tag: str
    feedback: str
    formula: Formula
    kinds: dict[str, SymbolKind] = field(default_factory=dict)  # sampling overrides
    generic: bool = False


def exercise_mistakes(
    misconceptions: Iterable[tuple[str | None, str, str]], table: SymbolTable
) -> list[Mistake]:
    """Mistakes from (answer, tag, feedback) triples; unreadable answers are skipped."""
    out = []
    for answer, tag, feedback in misconceptions:
        if not answer:
            continue
        formula = read_formula(answer, table)
        if isinstance(formula, Formula):
            out.append(Mistake(tag, feedback, formula))
    return out


def match_mistake(
    answer: Formula, mistakes: Iterable[Mistake], *, time_limit: float = 0.5
) -> Mistake | None:
    """The first mistake the answer equals, checked by sampling within `time_limit` overall."""
    import time

    deadline = time.monotonic() + time_limit
    for mistake in mistakes:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        result = equivalent(
            mistake.formula,
            answer,
            symbolic=False,
            time_limit=left,
            points=16,
            kinds=mistake.kinds or None,
        )
        if result.equivalent:
            return mistake
    return None


# -- the generic library --------------------------------------------------------------------------


def _rewrite(node: Node, f: Callable[[Node], Node | None]) -> Node:
    """Bottom-up: rebuild children, then let `f` replace the node (None keeps it).

    Indices inside `[ ]` are left alone: they are positions, not values.
    """
    if isinstance(node, Call):
        node = Call(node.fn, tuple(_rewrite(a, f) for a in node.args), node.col)
    elif isinstance(node, Index):
        node = Index(_rewrite(node.base, f), node.index, node.col)
    elif isinstance(node, Bin):
        node = Bin(node.op, _rewrite(node.left, f), _rewrite(node.right, f), node.col)
    elif isinstance(node, Neg):
        node = Neg(_rewrite(node.operand, f), node.col)
    elif isinstance(node, Vec):
        node = Vec(tuple(_rewrite(i, f) for i in node.items), node.col)
    replaced = f(node)
    return node if replaced is None else replaced


def _substitute(node: Node, name: str, by: Node) -> Node:
    return _rewrite(node, lambda n: by if isinstance(n, Sym) and n.name == name else None)


def _sign_flipped(tree: Node, table: SymbolTable) -> list[Node]:
    return [tree.operand if isinstance(tree, Neg) else Neg(tree)]


def _swapped(tree: Node, table: SymbolTable) -> list[Node]:
    used = sorted(symbols_used(tree))
    dists = [n for n in used if table.kind(n) is SymbolKind.DISTRIBUTION]
    out = []
    for a, b in itertools.combinations(dists, 2):
        if table.size_of(a) != table.size_of(b):
            continue
        swapped = _rewrite(
            tree,
            lambda n, a=a, b=b: (
                Sym(b if n.name == a else a, n.col)
                if isinstance(n, Sym) and n.name in (a, b)
                else None
            ),
        )
        out.append(swapped)
    return out


def _log_base_2(tree: Node, table: SymbolTable) -> list[Node]:
    if not any(isinstance(n, Call) and n.fn == "log" for n in walk(tree)):
        return []
    return [_rewrite(tree, lambda n: Call("log2", n.args, n.col) if _is_call(n, "log") else None)]


def _is_call(node: Node, fn: str) -> bool:
    return isinstance(node, Call) and node.fn == fn


def _is_size(node: Node, table: SymbolTable) -> bool:
    return isinstance(node, Sym) and table.kind(node.name) is SymbolKind.SIZE


def _forgot_mean(tree: Node, table: SymbolTable) -> list[Node]:
    def f(n: Node) -> Node | None:
        if _is_call(n, "mean"):
            return Call("sum", n.args, n.col)  # type: ignore[attr-defined]
        if isinstance(n, Bin) and n.op == "/" and _is_size(n.right, table):
            return n.left
        return None

    rewritten = _rewrite(tree, f)
    return [rewritten] if rewritten != tree else []


def _smoothing_k_minus_1(tree: Node, table: SymbolTable) -> list[Node]:
    if not any(table.kind(n) is SymbolKind.PROBABILITY for n in symbols_used(tree)):
        return []

    def f(n: Node) -> Node | None:
        if isinstance(n, Bin) and n.op == "/" and _is_size(n.right, table):
            return Bin("/", n.left, Bin("-", n.right, Num(1)), n.col)
        if _is_call(n, "mean"):
            arg = n.args[0]  # type: ignore[attr-defined]
            size = check(arg, table)
            if isinstance(size, str):
                return Bin("/", Call("sum", (arg,)), Bin("-", Sym(size), Num(1)))
        return None

    out = []
    rewritten = _rewrite(tree, f)
    if rewritten != tree:
        out.append(rewritten)
    # the other convention: 1 - ε on the true class, ε/(K-1) on each of the others
    hots = [n for n in walk(tree) if _is_call(n, "onehot")]
    if hots:
        hot = hots[0]

        def others(n: Node) -> Node | None:
            if isinstance(n, Bin) and n.op == "/" and _is_size(n.right, table):
                spread = Bin("/", n.left, Bin("-", n.right, Num(1)), n.col)
                return Bin("*", spread, Bin("-", Num(1), hot), n.col)
            return None

        rewritten = _rewrite(tree, others)
        if rewritten != tree:
            out.append(rewritten)
    return out


def _logits_symbols(tree: Node, table: SymbolTable) -> list[str]:
    return [n for n in sorted(symbols_used(tree)) if table.kind(n) is SymbolKind.LOGITS]


def _logits_as_probabilities(tree: Node, table: SymbolTable) -> list[Node]:
    # softmax(log z) = z when z is on the simplex: the reference with z -> log(z), sampled
    # with z as a distribution, is exactly "the formula with z taken as probabilities".
    return [_substitute(tree, z, Call("log", (Sym(z),))) for z in _logits_symbols(tree, table)]


def _double_softmax(tree: Node, table: SymbolTable) -> list[Node]:
    return [_substitute(tree, z, Call("softmax", (Sym(z),))) for z in _logits_symbols(tree, table)]


@dataclass(frozen=True)
class _Generic:
    tag: str
    feedback: str
    rewrite: Callable[[Node, SymbolTable], list[Node]]
    logits_as_distributions: bool = False


GENERIC: tuple[_Generic, ...] = (
    _Generic(
        "sign-flipped",
        N_(
            "The sign is flipped: this is the negative of the expected quantity. "
            "Cross-entropy and KL are ≥ 0; check where the minus sign goes."
        ),
        _sign_flipped,
    ),
    _Generic(
        "reverse-kl",
        N_(
            "The two distributions are swapped. H(p, q) and D(p‖q) are not symmetric: "
            "p (the target) weighs the terms, q (the model) sits inside the log."
        ),
        _swapped,
    ),
    _Generic(
        "log-base-2",
        N_("This uses log base 2 (bits). The loss in PyTorch uses the natural log (nats)."),
        _log_base_2,
    ),
    _Generic(
        "forgot-mean",
        N_(
            "You summed where the expected quantity takes the mean: divide by the number of terms "
            "(PyTorch's default reduction is 'mean')."
        ),
        _forgot_mean,
    ),
    _Generic(
        "smoothing-k-minus-1",
        N_(
            "Label smoothing spreads ε over all K classes, the true one included: the target is "
            "(1 - ε)·onehot(y) + ε/K, not ε/(K - 1) on the other classes."
        ),
        _smoothing_k_minus_1,
    ),
    _Generic(
        "logits-as-probabilities",
        N_(
            "This treats the logits as probabilities. Logits are unnormalised scores: turn them into "
            "probabilities with softmax first (or use logsumexp(z) - z[y])."
        ),
        _logits_as_probabilities,
        logits_as_distributions=True,
    ),
    _Generic(
        "double-softmax",
        N_(
            "Softmax is applied twice: cross-entropy from logits applies (log-)softmax itself, so it "
            "must be given the raw logits."
        ),
        _double_softmax,
    ),
)


def generic_mistakes(reference: Formula) -> list[Mistake]:
    """The library's rewrites of `reference` that apply to it, as Mistakes."""
    table = reference.table
    out = []
    for generic in GENERIC:
        for tree in generic.rewrite(reference.tree, table):
            shape = check(tree, table)
            formula = Formula(f"[{generic.tag}]", tree, shape, table, "plain")
            kinds = {}
            if generic.logits_as_distributions:
                kinds = {z: SymbolKind.DISTRIBUTION for z in _logits_symbols(reference.tree, table)}
            out.append(Mistake(generic.tag, generic.feedback, formula, kinds, generic=True))
    return out
