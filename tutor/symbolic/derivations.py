"""Derivations proved step by step, and shown as terminal math.

    BUILTIN_DERIVATIONS["kl-as-ce-minus-entropy"] -> Derivation(name, title, symbols, steps)
    prove(derivation) -> list[StepResult]                 # one per step, index included
    prove_steps([(expr, reason), ...], symbols) -> list[StepResult]
    render_derivation(derivation, results=None, ascii=False) -> str

Steps are written in the learner's plain syntax (plus `grad(f, z)`), over
declared symbols, so the built-in derivations and an author's own go through
the same reader and the same proof. Each step is proved equal to the one
before: symbolically when sympy manages within the bound (the step then
says "proved symbolically (K = 2)" — sizes are explicit, so a proof is at a
size), and in any case by high-precision (mpmath) sampling at K = 2…6
("checked numerically at N points"). A false step is reported with its
index, so the caller can point at `file:LINE`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from tutor.i18n import N_, _
from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.reader import Formula, Unreadable, read_formula
from tutor.symbolic.tree import SymbolTable

STEP_TIME_LIMIT = 2.0  # validate-time work, not a learner waiting
RETRY_FACTOR = 4  # a step that ran out of time is tried once more with this much more


@dataclass(frozen=True)
class Step:
    expr: str  # plain syntax over the derivation's symbols
    reason: str


@dataclass(frozen=True)
class Derivation:
    name: str
    title: str
    symbols: dict[str, SymbolSpec]
    steps: tuple[Step, ...]


class StepStatus(str, Enum):
    START = "start"  # the first step: nothing to prove, it only has to read
    PROVED = "proved symbolically"
    CHECKED = "checked numerically"
    FALSE = "false"
    UNREADABLE = "unreadable"
    UNDECIDED = "could not decide"

    @property
    def ok(self) -> bool:
        return self in (StepStatus.START, StepStatus.PROVED, StepStatus.CHECKED)


@dataclass(frozen=True)
class StepResult:
    """What proving step `index` (0-based) against step `index - 1` found."""

    index: int
    status: StepStatus
    message: str
    formula: Formula | None = None


def prove_steps(
    steps: list[tuple[str, str]] | tuple[Step, ...],
    symbols: dict[str, SymbolSpec],
    *,
    time_limit: float = STEP_TIME_LIMIT,
    symbolic: bool = True,
) -> list[StepResult]:
    """Prove each step equal to the previous one; every step gets a result.

    `symbolic=False` settles each step by sampling alone (in mpmath): the same
    verdict, since a proof is tried only after sampling found the step equal,
    but CHECKED where sympy might have said PROVED (`validate`, which needs
    the verdict, not the word, skips a proof attempt of up to a second a step).
    """
    from tutor.symbolic.equivalence import Outcome, equivalent

    table = SymbolTable.of(symbols)
    results: list[StepResult] = []
    previous: Formula | None = None
    for index, step in enumerate(steps):
        expr = step.expr if isinstance(step, Step) else step[0]
        formula = read_formula(expr, table, allow_grad=True)
        if isinstance(formula, Unreadable):
            results.append(StepResult(index, StepStatus.UNREADABLE, formula.message))
            previous = None
            continue
        if index == 0 or previous is None:
            results.append(StepResult(index, StepStatus.START, "", formula))
            previous = formula
            continue
        for budget in (time_limit, time_limit * RETRY_FACTOR):
            same = equivalent(
                previous,
                formula,
                time_limit=budget,
                precise=True,
                seed=index,
                points=24,
                symbolic=symbolic,
            )
            if not same.timed_out:  # a loaded machine is not a wrong step: once more, longer
                break
        if same.outcome is Outcome.EQUIVALENT:
            status = StepStatus.PROVED if same.proved else StepStatus.CHECKED
            results.append(StepResult(index, status, same.how, formula))
        elif same.outcome is Outcome.NOT_EQUIVALENT:
            message = _("step {n} does not follow from step {previous}: {why}").format(
                n=index + 1, previous=index, why=same.why
            )
            results.append(StepResult(index, StepStatus.FALSE, message, formula))
        else:
            results.append(StepResult(index, StepStatus.UNDECIDED, same.why, formula))
        previous = formula
    return results


def prove(
    derivation: Derivation, *, time_limit: float = STEP_TIME_LIMIT, symbolic: bool = True
) -> list[StepResult]:
    return prove_steps(
        derivation.steps, derivation.symbols, time_limit=time_limit, symbolic=symbolic
    )


# -- rendering ------------------------------------------------------------------------------------

_MARKS = {
    StepStatus.PROVED: ("✓", "[proved]"),
    StepStatus.CHECKED: ("≈", "[checked]"),
    StepStatus.FALSE: ("✗", "[FALSE]"),
    StepStatus.UNREADABLE: ("✗", "[unreadable]"),
    StepStatus.UNDECIDED: ("?", "[undecided]"),
}


def render_derivation(
    derivation: Derivation, results: list[StepResult] | None = None, *, ascii: bool = False
) -> str:
    """The steps as terminal math, `=` on each step's baseline, reasons and proof marks below."""
    from sympy.printing.pretty.pretty import PrettyPrinter
    from sympy.printing.pretty.pretty_symbology import pretty_use_unicode

    from tutor.symbolic.interpret import to_display
    from tutor.symbolic.render import to_ascii

    table = SymbolTable.of(derivation.symbols)
    printer = PrettyPrinter({"use_unicode": not ascii, "wrap_line": False})
    said = spoken(derivation)
    lines = [said(derivation.title), ""]
    for index, step in enumerate(derivation.steps):
        formula = read_formula(step.expr, table, allow_grad=True)
        if isinstance(formula, Unreadable):
            block, baseline = [step.expr], 0
        else:
            previous = pretty_use_unicode(not ascii)  # the printer reads this global flag
            try:
                form = printer._print(to_display(formula.tree, table, ascii=ascii))
                block, baseline = form.render(wrap_line=False).split("\n"), form.baseline
            finally:
                pretty_use_unicode(previous)
        lead = "  " if index == 0 else "= "
        for row, text in enumerate(block):
            lines.append((lead if row == baseline else "  ") + text.rstrip())
        result = results[index] if results and index < len(results) else None
        reason = said(step.reason)
        lines.append(f"    ({reason})" if index else f"    {reason}")
        if result is not None and result.status in _MARKS:
            symbol, word = _MARKS[result.status]
            lines.append(f"    {word if ascii else symbol} {result.message}")
        lines.append("")
    text = "\n".join(lines).rstrip() + "\n"
    return to_ascii(text) if ascii else text


def spoken(derivation: Derivation) -> Callable[[str], str]:
    """How its title and reasons are shown: a built-in's (N_) in the learner's language,
    a lesson's own as its author wrote them."""
    builtin = BUILTIN_DERIVATIONS.get(derivation.name)
    if builtin is not None and builtin.title == derivation.title:
        return _
    return str


# -- the built-in derivations ---------------------------------------------------------------------

_D, _L, _I = SymbolKind.DISTRIBUTION, SymbolKind.LOGITS, SymbolKind.INDEX


def _specs(**kinds: tuple[SymbolKind, int | str | None]) -> dict[str, SymbolSpec]:
    return {name: SymbolSpec(name, kind, size) for name, (kind, size) in kinds.items()}


def _derivation(name: str, title: str, symbols: dict[str, SymbolSpec], *steps: tuple[str, str]):
    return Derivation(name, title, symbols, tuple(Step(e, r) for e, r in steps))


BUILTIN_DERIVATIONS: dict[str, Derivation] = {
    d.name: d
    for d in (
        _derivation(
            "kl-as-ce-minus-entropy",
            N_("KL divergence is cross-entropy minus entropy: D(p‖q) = H(p, q) − H(p)"),
            _specs(p=(_D, "K"), q=(_D, "K")),
            ("sum(p*log(p/q))", N_("the definition of D(p‖q)")),
            ("sum(p*(log(p) - log(q)))", N_("log(a/b) = log a − log b")),
            ("-sum(p*log(q)) - (-sum(p*log(p)))", N_("split the sum: H(p, q) − H(p)")),
        ),
        _derivation(
            "ce-onehot-is-neg-log-qy",
            N_("Cross-entropy with a one-hot target is −log q_y"),
            _specs(q=(_D, "K"), y=(_I, "K")),
            ("-sum(onehot(y, K)*log(q))", N_("H(p, q) with p = onehot(y)")),
            ("-log(q[y])", N_("every term but the y-th is multiplied by 0")),
        ),
        _derivation(
            "ce-from-logits",
            N_("Cross-entropy from logits is logsumexp(z) − z_y"),
            _specs(z=(_L, "K"), y=(_I, "K")),
            ("-log(softmax(z)[y])", N_("cross-entropy of q = softmax(z) against class y")),
            ("-log(exp(z[y])/sum(exp(z)))", N_("the definition of softmax")),
            ("-(z[y] - log(sum(exp(z))))", N_("log(a/b) = log a − log b, and log(exp(x)) = x")),
            ("logsumexp(z) - z[y]", N_("log Σ exp is logsumexp: what torch computes, stably")),
        ),
        _derivation(
            "softmax-ce-gradient",
            N_("The gradient of softmax cross-entropy is softmax(z) − onehot(y)"),
            _specs(z=(_L, "K"), y=(_I, "K")),
            ("grad(logsumexp(z) - z[y], z)", N_("the loss's gradient in the logits")),
            ("grad(logsumexp(z), z) - onehot(y, K)", N_("∂z_y/∂z_i is 1 for i = y, else 0")),
            (
                "exp(z)/sum(exp(z)) - onehot(y, K)",
                N_("∂/∂z_i log Σ_j exp z_j = exp z_i / Σ_j exp z_j"),
            ),
            ("softmax(z) - onehot(y, K)", N_("the definition of softmax")),
        ),
        _derivation(
            "min-kl-is-min-ce",
            N_("With p fixed, minimising D(p‖q) over q is minimising H(p, q)"),
            _specs(p=(_D, "K"), q=(_D, "K")),
            ("grad(sum(p*log(p/q)), q)", N_("the gradient of D(p‖q) in q")),
            ("grad(-sum(p*log(q)) + sum(p*log(p)), q)", N_("D(p‖q) = H(p, q) − H(p)")),
            (
                "grad(-sum(p*log(q)), q)",
                N_("H(p) does not depend on q: same gradient, same minimiser"),
            ),
            ("-p/q", N_("∂/∂q_i of −Σ_j p_j log q_j")),
        ),
        _derivation(
            "bce-is-two-class-ce",
            N_("Binary cross-entropy is two-class cross-entropy on the logit difference"),
            _specs(
                a=(SymbolKind.REAL, None),
                b=(SymbolKind.REAL, None),
                t=(SymbolKind.PROBABILITY, None),
            ),  # fmt: skip
            (
                "-(t*log(sigmoid(a - b)) + (1 - t)*log(1 - sigmoid(a - b)))",
                N_("binary cross-entropy of σ(a − b) against the label t"),
            ),
            (
                "-(t*log(exp(a)/(exp(a) + exp(b))) + (1 - t)*log(exp(b)/(exp(a) + exp(b))))",
                N_("σ(a − b) = eᵃ/(eᵃ + eᵇ) and 1 − σ(a − b) = eᵇ/(eᵃ + eᵇ)"),
            ),
            (
                "-sum([t, 1 - t]*log_softmax([a, b]))",
                N_("cross-entropy of logits (a, b) against the target (t, 1 − t)"),
            ),
        ),
        _derivation(
            "label-smoothing-decomposition",
            N_("Label smoothing: (1 − ε)·CE(z, y) + ε·(mean over classes of −log softmax(z))"),
            _specs(z=(_L, "K"), y=(_I, "K"), eps=(SymbolKind.PROBABILITY, None)),
            (
                "-sum(((1 - eps)*onehot(y, K) + eps/K)*log_softmax(z))",
                N_("cross-entropy against the smoothed target (1 − ε)·onehot(y) + ε/K"),
            ),
            (
                "-(1 - eps)*sum(onehot(y, K)*log_softmax(z)) - eps/K*sum(log_softmax(z))",
                N_("split the sum"),
            ),
            (
                "(1 - eps)*(logsumexp(z) - z[y]) + eps*mean(-log_softmax(z))",
                N_("the first sum picks class y; the second is K times a mean"),
            ),
        ),
        _derivation(
            "info-nce-is-ce-label-0",
            N_("MoCo's InfoNCE is cross-entropy with the positive at index 0"),
            _specs(l=(_L, "K"), T=(SymbolKind.POSITIVE, None)),
            ("-log_softmax(l/T)[0]", N_("cat([l_pos, l_neg]) / T as logits, label 0")),
            ("logsumexp(l/T) - l[0]/T", N_("cross-entropy from logits")),
            (
                "-log(exp(l[0]/T)/sum(exp(l/T)))",
                N_("the positive pair's share of the softmax, as a log-loss"),
            ),
        ),
    )
}
