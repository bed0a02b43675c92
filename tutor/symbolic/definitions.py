"""The quantities the lessons teach, as sympy expressions over explicit finite sizes.

Each function takes plain lists of sympy expressions (a vector of K entries,
or N rows of K) and Python ints for class indices, and returns a sympy
expression (or a list, for `reduction="none"` and vector results). Working
over explicit sizes keeps every result something sympy can simplify,
differentiate and `lambdify`; each docstring names the torch call it mirrors.

`DEFINITIONS` lists them with their arguments so the numeric engine can
instantiate each one, lambdify it and compare with torch:

    d = DEFINITIONS["cross-entropy-loss-index-weight-mean"]
    values = d.symbolic_args({"N": 3, "K": 4}, {"y": [0, 2, 1]})
    expr = d.call(values)              # a sympy expression
    # torch side: eval d.torch with tensors of the same numbers
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from tutor.symbolic.domain import SymbolKind

Vector = Sequence[sp.Expr]
Rows = Sequence[Vector]
REDUCTIONS = ("none", "mean", "sum")


def entropy(p: Vector) -> sp.Expr:
    """H(p) = -Σ p_i log p_i.  torch: `torch.distributions.Categorical(probs=p).entropy()`."""
    return -sum((pi * sp.log(pi) for pi in p), sp.Integer(0))


def cross_entropy(p: Vector, q: Vector) -> sp.Expr:
    """H(p, q) = -Σ p_i log q_i.  torch: `-(p * q.log()).sum()`."""
    return -sum((pi * sp.log(qi) for pi, qi in zip(p, q, strict=True)), sp.Integer(0))


def kl_divergence(p: Vector, q: Vector) -> sp.Expr:
    """D(p‖q) = Σ p_i log(p_i / q_i).  torch: `F.kl_div(q.log(), p, reduction="sum")`.

    Note torch's argument order: the *log of q* first, then p.
    """
    return sum((pi * sp.log(pi / qi) for pi, qi in zip(p, q, strict=True)), sp.Integer(0))


def logsumexp(z: Vector) -> sp.Expr:
    """log Σ exp(z_i).  torch: `torch.logsumexp(z, dim=0)`."""
    return sp.log(sum((sp.exp(zi) for zi in z), sp.Integer(0)))


def softmax(z: Vector) -> list[sp.Expr]:
    """exp(z_i) / Σ_j exp(z_j).  torch: `torch.softmax(z, dim=0)`."""
    total = sum((sp.exp(zi) for zi in z), sp.Integer(0))
    return [sp.exp(zi) / total for zi in z]


def log_softmax(z: Vector) -> list[sp.Expr]:
    """z_i - logsumexp(z).  torch: `torch.log_softmax(z, dim=0)`."""
    lse = logsumexp(z)
    return [zi - lse for zi in z]


def sigmoid(x: sp.Expr) -> sp.Expr:
    """1 / (1 + exp(-x)).  torch: `torch.sigmoid(x)`."""
    return 1 / (1 + sp.exp(-x))


def onehot(y: int, size: int) -> list[sp.Expr]:
    """The one-hot vector of class y.  torch: `F.one_hot(torch.tensor(y), size)`."""
    return [sp.Integer(int(i == y)) for i in range(size)]


def cross_entropy_logits(z: Vector, y: int) -> sp.Expr:
    """Cross-entropy of logits z against class y: logsumexp(z) - z_y.

    torch: `F.cross_entropy(z[None], torch.tensor([y]))`.
    """
    return logsumexp(z) - z[y]


def cross_entropy_logits_prob(z: Vector, p: Vector) -> sp.Expr:
    """Cross-entropy of logits z against a probability target p: -Σ p_i log_softmax(z)_i.

    torch: `F.cross_entropy(z[None], p[None])` (probability targets, torch ≥ 1.10).
    """
    return -sum((pi * li for pi, li in zip(p, log_softmax(z), strict=True)), sp.Integer(0))


def _reduce(losses: list[sp.Expr], reduction: str, denominator: sp.Expr) -> Any:
    if reduction == "none":
        return losses
    total = sum(losses, sp.Integer(0))
    if reduction == "sum":
        return total
    if reduction == "mean":
        return total / denominator
    raise ValueError(f"{reduction} is not a valid value for reduction")


def nll_loss(
    log_probs: Rows,
    target: Sequence[int],
    weight: Vector | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
) -> Any:
    """-w[y_n] · x[n, y_n], ignored targets contributing 0.

    torch: `F.nll_loss(x, y, weight=w, ignore_index=…, reduction=…)`. The mean
    divides by Σ w[y_n] over the targets that are not ignored (their count
    without weights), so if every target is ignored the mean is 0/0 = nan.
    """
    losses, picked = [], []
    for row, y in zip(log_probs, target, strict=True):
        if y == ignore_index:
            losses.append(sp.Integer(0))
            continue
        w = weight[y] if weight is not None else sp.Integer(1)
        losses.append(-w * row[y])
        picked.append(w)
    return _reduce(losses, reduction, sum(picked, sp.Integer(0)))


def cross_entropy_loss(
    logits: Rows,
    target: Sequence[int] | Rows,
    weight: Vector | None = None,
    ignore_index: int = -100,
    reduction: str = "mean",
    label_smoothing: float | sp.Expr = 0,
) -> Any:
    """`F.cross_entropy(logits, target, weight, ignore_index=…, reduction=…, label_smoothing=…)`.

    Class-index targets (a list of ints): the NLL of log_softmax; with
    smoothing ε, (1 - ε)·NLL + ε/K·Σ_c -w_c log_softmax_c, where for `mean`
    *both* terms are divided by Σ w[y_n] over non-ignored targets (their
    count without weights). Probability targets (rows of K): the target is
    first mixed as (1 - ε)·p + ε/K, the loss is -Σ_c w_c p_c log_softmax_c,
    and `mean` divides by N even with weights; `ignore_index` ≥ 0 is refused.
    """
    eps = sp.sympify(label_smoothing)
    log_probs = [log_softmax(row) for row in logits]
    size = len(logits[0])
    if target and not isinstance(target[0], int):
        if ignore_index >= 0:
            raise ValueError("ignore_index is not supported for floating point target")
        losses = []
        for row, p in zip(log_probs, target, strict=True):
            mixed = [(1 - eps) * pi + eps / size for pi in p]
            w = weight if weight is not None else [sp.Integer(1)] * size
            losses.append(
                -sum(
                    (wc * pc * lc for wc, pc, lc in zip(w, mixed, row, strict=True)), sp.Integer(0)
                )
            )
        return _reduce(losses, reduction, sp.Integer(len(losses)))
    indices = [int(y) for y in target]  # type: ignore[arg-type]
    nll = nll_loss(log_probs, indices, weight, ignore_index, reduction)
    if eps == 0:
        return nll
    w = weight if weight is not None else [sp.Integer(1)] * size
    smooth = [
        sp.Integer(0)
        if y == ignore_index
        else -sum((wc * lc for wc, lc in zip(w, row, strict=True)), sp.Integer(0))
        for row, y in zip(log_probs, indices, strict=True)
    ]
    picked = sum((w[y] for y in indices if y != ignore_index), sp.Integer(0))
    smooth_reduced = _reduce(smooth, reduction, picked)
    if reduction == "none":
        return [(1 - eps) * a + eps / size * b for a, b in zip(nll, smooth_reduced, strict=True)]
    return (1 - eps) * nll + eps / size * smooth_reduced


def binary_cross_entropy(
    q: Vector, t: Vector, weight: Vector | None = None, reduction: str = "mean"
) -> Any:
    """-w_n (t_n log q_n + (1 - t_n) log(1 - q_n)).

    torch: `F.binary_cross_entropy(q, t, weight=w, reduction=…)`; torch also
    clamps each log at -100, which only matters where q is 0 or 1 exactly.
    """
    w = weight if weight is not None else [sp.Integer(1)] * len(q)
    losses = [
        -wn * (tn * sp.log(qn) + (1 - tn) * sp.log(1 - qn))
        for qn, tn, wn in zip(q, t, w, strict=True)
    ]
    return _reduce(losses, reduction, sp.Integer(len(losses)))


def binary_cross_entropy_with_logits(
    x: Vector,
    t: Vector,
    weight: Vector | None = None,
    pos_weight: sp.Expr | None = None,
    reduction: str = "mean",
) -> Any:
    """(1 - t)·x + (1 + (pw - 1)·t)·log(1 + exp(-x)), times w_n.

    torch: `F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction=…)`;
    without pos_weight it is binary cross-entropy of sigmoid(x).
    """
    w = weight if weight is not None else [sp.Integer(1)] * len(x)
    pw = sp.Integer(1) if pos_weight is None else pos_weight
    losses = [
        wn * ((1 - tn) * xn + (1 + (pw - 1) * tn) * sp.log(1 + sp.exp(-xn)))
        for xn, tn, wn in zip(x, t, w, strict=True)
    ]
    return _reduce(losses, reduction, sp.Integer(len(losses)))


def info_nce(l_pos: Vector, l_neg: Rows, temperature: sp.Expr) -> sp.Expr:
    """MoCo's InfoNCE: cross-entropy of cat([l_pos, l_neg], 1) / T against label 0, batch mean.

    torch (facebookresearch/moco): `logits = torch.cat([l_pos, l_neg], dim=1) / T`,
    `labels = torch.zeros(N, dtype=torch.long)`, `F.cross_entropy(logits, labels)`;
    per sample it equals logsumexp(logits) - l_pos / T.
    """
    logits = [
        [lp / temperature, *(ln / temperature for ln in negs)]
        for lp, negs in zip(l_pos, l_neg, strict=True)
    ]
    return cross_entropy_loss(logits, [0] * len(logits))


# -- the registry ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Arg:
    """One argument: its kind (where to sample it) and shape over named sizes."""

    name: str
    kind: SymbolKind
    shape: tuple[str, ...] = ()  # () a scalar, ("K",) a vector, ("N", "K") rows
    classes: str | None = None  # for class indices: the size naming their range


@dataclass(frozen=True)
class Definition:
    """A registered definition: the function, its arguments and the torch call it mirrors.

    `torch` is a torch expression over the argument names (with `F` for
    `torch.nn.functional`); `options` are the keyword options passed to `fn`.
    """

    name: str
    title: str
    fn: Callable[..., Any]
    args: tuple[Arg, ...]
    torch: str
    options: dict[str, Any] = field(default_factory=dict)

    def symbolic_args(
        self, sizes: dict[str, int], indices: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """Fresh sympy symbols for each argument (`p_0`, `z_1_2`, …); class indices from `indices`.

        Symbols carry the assumptions of their kind (positive for probabilities,
        real for logits) so sympy can simplify logs of them.
        """
        values: dict[str, Any] = {}
        for arg in self.args:
            if arg.kind is SymbolKind.INDEX:
                values[arg.name] = (indices or {})[arg.name]
                continue
            assumptions = _ASSUMPTIONS[arg.kind]
            dims = [sizes[s] for s in arg.shape]
            values[arg.name] = _symbols(arg.name, dims, assumptions)
        return values

    def call(self, values: dict[str, Any]) -> Any:
        return self.fn(**values, **self.options)


_ASSUMPTIONS: dict[SymbolKind, dict[str, bool]] = {
    SymbolKind.DISTRIBUTION: {"positive": True},
    SymbolKind.PROBABILITY: {"positive": True},
    SymbolKind.POSITIVE: {"positive": True},
    SymbolKind.LOGITS: {"real": True},
    SymbolKind.VECTOR: {"real": True},
    SymbolKind.REAL: {"real": True},
    SymbolKind.ONEHOT: {"nonnegative": True},
    SymbolKind.SIZE: {"positive": True, "integer": True},
}


def _symbols(name: str, dims: list[int], assumptions: dict[str, bool]) -> Any:
    if not dims:
        return sp.Symbol(name, **assumptions)
    if len(dims) == 1:
        return [sp.Symbol(f"{name}_{i}", **assumptions) for i in range(dims[0])]
    return [_symbols(f"{name}_{i}", dims[1:], assumptions) for i in range(dims[0])]


def free_symbols(values: dict[str, Any]) -> list[sp.Symbol]:
    """Every symbol in `symbolic_args` output, in a stable order (for lambdify)."""
    out: list[sp.Symbol] = []

    def visit(value: Any) -> None:
        if isinstance(value, sp.Symbol):
            out.append(value)
        elif isinstance(value, list):
            for item in value:
                visit(item)

    for value in values.values():
        visit(value)
    return out


_D, _L, _I = SymbolKind.DISTRIBUTION, SymbolKind.LOGITS, SymbolKind.INDEX
_P, _R, _POS = SymbolKind.PROBABILITY, SymbolKind.REAL, SymbolKind.POSITIVE


def _registry() -> dict[str, Definition]:
    p, q = Arg("p", _D, ("K",)), Arg("q", _D, ("K",))
    z = Arg("z", _L, ("K",))
    rows, y_batch = Arg("logits", _L, ("N", "K")), Arg("target", _I, ("N",), "K")
    prob_target = Arg("target", _D, ("N", "K"))
    weight = Arg("weight", _POS, ("K",))
    entries = [
        Definition("entropy", "Entropy H(p)", entropy, (p,),
                   "torch.distributions.Categorical(probs=p).entropy()"),
        Definition("cross-entropy", "Cross-entropy H(p, q)", cross_entropy, (p, q),
                   "-(p * q.log()).sum()"),
        Definition("kl-divergence", "KL divergence D(p‖q)", kl_divergence, (p, q),
                   "F.kl_div(q.log(), p, reduction='sum')"),
        Definition("logsumexp", "log-sum-exp", logsumexp, (z,), "torch.logsumexp(z, 0)"),
        Definition("softmax", "softmax", softmax, (z,), "torch.softmax(z, 0)"),
        Definition("log-softmax", "log-softmax", log_softmax, (z,), "torch.log_softmax(z, 0)"),
        Definition("sigmoid", "sigmoid", sigmoid, (Arg("x", _R),), "torch.sigmoid(x)"),
        Definition("cross-entropy-logits", "Cross-entropy from logits, class index",
                   cross_entropy_logits, (z, Arg("y", _I, classes="K")),
                   "F.cross_entropy(z[None], torch.tensor([y]))"),
        Definition("cross-entropy-logits-prob", "Cross-entropy from logits, probability target",
                   cross_entropy_logits_prob, (z, p), "F.cross_entropy(z[None], p[None])"),
        Definition("nll-loss", "Negative log-likelihood", nll_loss,
                   (Arg("log_probs", _R, ("N", "K")), y_batch), "F.nll_loss(log_probs, target)"),
        Definition("binary-cross-entropy", "Binary cross-entropy", binary_cross_entropy,
                   (Arg("q", _P, ("N",)), Arg("t", _P, ("N",))),
                   "F.binary_cross_entropy(q, t)"),
        Definition("binary-cross-entropy-with-logits", "Binary cross-entropy with logits",
                   binary_cross_entropy_with_logits, (Arg("x", _R, ("N",)), Arg("t", _P, ("N",))),
                   "F.binary_cross_entropy_with_logits(x, t)"),
        Definition("info-nce", "MoCo's InfoNCE", info_nce,
                   (Arg("l_pos", _R, ("N",)), Arg("l_neg", _R, ("N", "M")),
                    Arg("temperature", _POS)),
                   "F.cross_entropy(torch.cat([l_pos[:, None], l_neg], 1) / temperature, "
                   "torch.zeros(len(l_pos), dtype=torch.long))"),
    ]  # fmt: skip
    for reduction in REDUCTIONS:
        for weighted in (False, True):
            for smoothing in (0, sp.Rational(1, 10)):
                args = (rows, y_batch, weight) if weighted else (rows, y_batch)
                options: dict[str, Any] = {"reduction": reduction, "ignore_index": 1}
                torch_opts = f"ignore_index=1, reduction='{reduction}'"
                name = "cross-entropy-loss-index"
                if weighted:
                    name += "-weight"
                    torch_opts = "weight=weight, " + torch_opts
                if smoothing:
                    options["label_smoothing"] = smoothing
                    torch_opts += ", label_smoothing=0.1"
                    name += "-smoothing"
                entries.append(Definition(
                    f"{name}-{reduction}", "nn.CrossEntropyLoss, class-index targets",
                    cross_entropy_loss, args, f"F.cross_entropy(logits, target, {torch_opts})",
                    options,
                ))  # fmt: skip
                args = (rows, prob_target, weight) if weighted else (rows, prob_target)
                prob_options = {k: v for k, v in options.items() if k != "ignore_index"}
                prob_torch = torch_opts.replace("ignore_index=1, ", "")
                entries.append(Definition(
                    name.replace("-index", "-prob") + f"-{reduction}",
                    "nn.CrossEntropyLoss, probability targets", cross_entropy_loss, args,
                    f"F.cross_entropy(logits, target, {prob_torch})", prob_options,
                ))  # fmt: skip
    return {d.name: d for d in entries}


DEFINITIONS: dict[str, Definition] = _registry()
