"""Every symbolic definition checked against PyTorch on random inputs, in float64.

For each entry of `tutor.symbolic.definitions.DEFINITIONS`, the sympy form
is instantiated at concrete sizes and class indices, lambdified, and fed the
same numbers as its torch reference (`tutor.numeric.references`) and as the
registry's own `torch` string (run by the restricted evaluator when it can
read it). One draw uses large logits and evaluates the sympy form with
mpmath, so torch's stable log-sum-exp is checked against the exact value.

`OPTION_CHECKS` adds what the registry does not spell out: F.cross_entropy
on K-dimensional inputs, F.kl_div's `batchmean`/`mean`/`log_target`,
F.nll_loss and the binary losses with their options, the facts of the
weighted mean, label smoothing as a mixed target, and nan for an
all-ignored mean — each computed from the sympy definitions on one side and
torch on the other.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import mpmath
import numpy as np
import sympy as sp
import torch
import torch.nn.functional as F

from tutor.i18n import _
from tutor.numeric.expressions import ExpressionError, parse_expression
from tutor.numeric.references import reference_for
from tutor.symbolic import definitions as defs
from tutor.symbolic.domain import SymbolKind

SIZES = ({"N": 3, "K": 4, "M": 5}, {"N": 1, "K": 2, "M": 1}, {"N": 4, "K": 3, "M": 2})
RTOL, ATOL = 1e-9, 1e-10
LARGE = 200.0  # the scale of the large-logit draw


@dataclass(frozen=True)
class CrossCheck:
    """The outcome of one definition or option against torch."""

    name: str
    ok: bool
    cases: int
    max_error: float
    message: str = ""  # on disagreement: the case and both values
    torch_string: str = ""  # "agrees", "not read: …", or "" when the definition has none


# ---------------------------------------------------------------- sampling


def sample_arg(kind: SymbolKind, dims: list[int], rng: np.random.Generator, scale: float) -> Any:
    """Numbers from the domain of a kind, in float64."""
    shape = tuple(dims)
    if kind is SymbolKind.DISTRIBUTION:
        return rng.dirichlet(np.ones(shape[-1]), size=shape[:-1] or None)
    if kind is SymbolKind.LOGITS:
        return rng.normal(0, 3 * scale, shape)
    if kind in (SymbolKind.REAL, SymbolKind.VECTOR):
        return rng.normal(0, 2 * scale, shape)
    if kind is SymbolKind.POSITIVE:
        return rng.uniform(0.1, 2.0, shape)
    if kind is SymbolKind.PROBABILITY:
        return rng.uniform(0.02, 0.98, shape)
    raise ValueError(_("no sampler for {kind}").format(kind=kind))


def _draw(
    definition: defs.Definition, sizes: dict[str, int], rng: np.random.Generator, scale: float,
    all_ignored: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:  # fmt: skip
    """(numeric values, class indices) for one case."""
    numbers: dict[str, Any] = {}
    indices: dict[str, Any] = {}
    for arg in definition.args:
        dims = [sizes[s] for s in arg.shape]
        if arg.kind is SymbolKind.INDEX:
            classes = sizes[arg.classes or "K"]
            ignore = definition.options.get("ignore_index")
            if dims:
                values = rng.integers(0, classes, dims[0])
                if all_ignored and ignore is not None:
                    values[:] = ignore
                indices[arg.name] = [int(v) for v in values]
            else:
                indices[arg.name] = int(rng.integers(0, classes))
        else:
            numbers[arg.name] = sample_arg(arg.kind, dims, rng, scale)
    return numbers, indices


def _flatten(numbers: dict[str, Any], definition: defs.Definition) -> list[Any]:
    """Values in the order of `free_symbols`: argument order, row-major."""
    flat: list[Any] = []
    for arg in definition.args:
        if arg.name in numbers:
            flat.extend(np.ravel(numbers[arg.name]).tolist())
    return flat


def _as_array(value: Any) -> np.ndarray:
    if isinstance(value, (list, tuple)):
        return np.array([float(v) for v in _ravel(value)], dtype=float).reshape(_shape(value))
    return np.array(float(value))


def _ravel(value: Any) -> Iterable[Any]:
    if isinstance(value, (list, tuple)):
        for v in value:
            yield from _ravel(v)
    else:
        yield value


def _shape(value: Any) -> tuple[int, ...]:
    if isinstance(value, (list, tuple)):
        return (len(value), *_shape(value[0])) if value else (0,)
    return ()


def symbolic_value(
    definition: defs.Definition, numbers: dict[str, Any], indices: dict[str, Any], exact: bool
) -> np.ndarray:
    """The sympy form at these numbers: lambdified for numpy, or for mpmath when `exact`."""
    sizes = _sizes_of(definition, numbers, indices)
    values = definition.symbolic_args(sizes, indices)
    expr = definition.call(values)
    symbols = defs.free_symbols(values)
    fn = sp.lambdify(symbols, expr, "mpmath" if exact else "numpy")
    flat = _flatten(numbers, definition)
    with np.errstate(all="ignore"):
        result = fn(*([mpmath.mpf(v) for v in flat] if exact else flat))
    return _as_array(result)


def _sizes_of(
    definition: defs.Definition, numbers: dict[str, Any], indices: dict[str, Any]
) -> dict[str, int]:
    sizes: dict[str, int] = {}
    for arg in definition.args:
        value = numbers.get(arg.name, indices.get(arg.name))
        shape = np.shape(value)
        for name, n in zip(arg.shape, shape, strict=False):
            sizes[name] = n
    return sizes


def _torch_args(numbers: dict[str, Any], indices: dict[str, Any]) -> dict[str, Any]:
    args: dict[str, Any] = {k: torch.tensor(v, dtype=torch.float64) for k, v in numbers.items()}
    for k, v in indices.items():
        args[k] = torch.tensor(v, dtype=torch.long) if isinstance(v, list) else v
    return args


def _close(a: np.ndarray, b: np.ndarray) -> tuple[bool, float]:
    if a.shape != b.shape:
        return False, math.inf
    both_nan = np.isnan(a) & np.isnan(b)
    if not np.array_equal(np.isnan(a), np.isnan(b)):
        return False, math.inf
    diff = np.where(both_nan, 0.0, np.abs(a - b))
    bound = ATOL + RTOL * np.abs(np.where(both_nan, 0.0, b))
    return bool((diff <= bound).all()), float(diff.max()) if diff.size else 0.0


def _fmt(value: np.ndarray) -> str:
    return np.array2string(value, precision=10) if value.ndim else repr(float(value))


# ---------------------------------------------------------------- registry definitions


def check_definition(definition: defs.Definition, seed: int = 0, draws: int = 2) -> CrossCheck:
    """The definition against its torch reference (and its own torch string) on random cases."""
    reference = reference_for(definition.name)
    if reference is None:
        return CrossCheck(definition.name, False, 0, math.inf, "no torch reference for it")
    torch_text = ""
    try:
        torch_expr = parse_expression(definition.torch)
    except ExpressionError as err:
        torch_expr, torch_text = None, _("not read: {error}").format(error=err)
    rng = np.random.default_rng(seed)
    has_logits = any(a.kind is SymbolKind.LOGITS for a in definition.args)
    cases: list[tuple[dict[str, int], float, bool, bool]] = [
        (sizes, 1.0, False, False) for sizes in SIZES for _draw in range(draws)
    ]
    if has_logits:
        cases.append((SIZES[0], LARGE, True, False))
    if "ignore_index" in definition.options:
        cases.append((SIZES[0], 1.0, False, True))
    worst = 0.0
    for sizes, scale, exact, all_ignored in cases:
        numbers, indices = _draw(definition, sizes, rng, scale, all_ignored)
        args = _torch_args(numbers, indices)
        options = {k: v for k, v in definition.options.items()}
        want = symbolic_value(definition, numbers, indices, exact)
        got = reference(args, options).detach().numpy()
        ok, err = _close(got, want)
        worst = max(worst, err)
        if not ok:
            return CrossCheck(
                definition.name, False, len(cases), err,
                f"sizes {sizes}, indices {indices}: torch gives {_fmt(got)}, "
                f"sympy gives {_fmt(want)}",
                torch_text,
            )  # fmt: skip
        if torch_expr is not None:
            try:
                value = torch_expr.evaluate({**args, **numbers_as_scalars(args)})
                other = torch.as_tensor(value).detach().double().numpy()
            except ExpressionError as err_:
                torch_expr, torch_text = None, _("not evaluated: {error}").format(error=err_)
                continue
            ok, err = _close(other, want)
            if not ok:
                return CrossCheck(
                    definition.name, False, len(cases), err,
                    f"the registry's torch string {definition.torch!r} gives {_fmt(other)}, "
                    f"sympy gives {_fmt(want)} (sizes {sizes}, indices {indices})",
                    "disagrees",
                )  # fmt: skip
            torch_text = "agrees"
    return CrossCheck(definition.name, True, len(cases), worst, "", torch_text)


def numbers_as_scalars(args: dict[str, Any]) -> dict[str, Any]:
    """0-d tensors also as Python numbers, for strings like `torch.tensor([y])`."""
    return {k: v for k, v in args.items() if isinstance(v, int)}


# ---------------------------------------------------------------- options beyond the registry


def _rows(x: np.ndarray) -> list[list[sp.Expr]]:
    return [[sp.Float(float(v), 30) for v in row] for row in x]


def _vec(x: np.ndarray) -> list[sp.Expr]:
    return [sp.Float(float(v), 30) for v in x]


def _num(value: Any) -> np.ndarray:
    if isinstance(value, list):
        return np.array([float(sp.N(v)) for v in value])
    return np.array(float(sp.N(value)))


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.tensor(x, dtype=torch.float64)


def _kdim_cross_entropy(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """(N, C, d1, d2) logits and (N, d1, d2) targets: the mean over every position."""
    x = rng.normal(0, 2, (2, 3, 2, 2))
    y = rng.integers(0, 3, (2, 2, 2))
    w = rng.uniform(0.2, 2.0, 3)
    rows = x.transpose(0, 2, 3, 1).reshape(-1, 3)
    want = defs.cross_entropy_loss(_rows(rows), [int(v) for v in y.ravel()], weight=_vec(w))
    got = F.cross_entropy(_t(x), torch.tensor(y), weight=_t(w))
    return got.numpy(), _num(want)


def _kdim_probability_target(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x = rng.normal(0, 2, (2, 3, 4))
    p = rng.dirichlet(np.ones(3), size=(2, 4)).transpose(0, 2, 1)  # (N, C, d1)
    rows, targets = x.transpose(0, 2, 1).reshape(-1, 3), p.transpose(0, 2, 1).reshape(-1, 3)
    want = defs.cross_entropy_loss(_rows(rows), _rows(targets), reduction="none")
    got = F.cross_entropy(_t(x), _t(p), reduction="none")  # (N, d1)
    return got.numpy().ravel(), _num(want)


def _kl(reduction: str, log_target: bool) -> Callable[[np.random.Generator], Any]:
    def check(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        p = rng.dirichlet(np.ones(4), size=3)
        q = rng.dirichlet(np.ones(4), size=3)
        per_row = [defs.kl_divergence(_vec(pr), _vec(qr)) for pr, qr in zip(p, q, strict=True)]
        total = sum(per_row, sp.Integer(0))
        want = {
            "sum": total,
            "batchmean": total / 3,  # the true KL, averaged over the batch
            "mean": total / 12,  # divides by N·C: not a KL
        }[reduction]
        target = _t(np.log(p)) if log_target else _t(p)
        with warnings.catch_warnings():  # 'mean' warns that it is not a KL: that is the point
            warnings.simplefilter("ignore", UserWarning)
            got = F.kl_div(_t(np.log(q)), target, reduction=reduction, log_target=log_target)
        return got.numpy(), _num(want)

    return check


def _nll(reduction: str) -> Callable[[np.random.Generator], Any]:
    def check(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        logp = np.log(rng.dirichlet(np.ones(4), size=5))
        y = [int(v) for v in rng.integers(0, 4, 5)]
        y[0] = 2  # at least one ignored
        w = rng.uniform(0.2, 2.0, 4)
        want = defs.nll_loss(_rows(logp), y, _vec(w), ignore_index=2, reduction=reduction)
        got = F.nll_loss(_t(logp), torch.tensor(y), weight=_t(w), ignore_index=2,
                         reduction=reduction)  # fmt: skip
        return got.numpy(), _num(want)

    return check


def _bce_weighted(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    q, t, w = rng.uniform(0.02, 0.98, 6), rng.uniform(0, 1, 6), rng.uniform(0.2, 2, 6)
    want = defs.binary_cross_entropy(_vec(q), _vec(t), weight=_vec(w), reduction="sum")
    got = F.binary_cross_entropy(_t(q), _t(t), weight=_t(w), reduction="sum")
    return got.numpy(), _num(want)


def _bce_logits_pos_weight(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    x, t, w = rng.normal(0, 3, 6), rng.uniform(0, 1, 6), rng.uniform(0.2, 2, 6)
    pw = float(rng.uniform(0.5, 3))
    want = defs.binary_cross_entropy_with_logits(
        _vec(x), _vec(t), weight=_vec(w), pos_weight=sp.Float(pw, 30)
    )
    got = F.binary_cross_entropy_with_logits(_t(x), _t(t), weight=_t(w),
                                             pos_weight=torch.tensor(pw, dtype=torch.float64))  # fmt: skip
    return got.numpy(), _num(want)


def _weighted_mean_divisors(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Index targets divide by Σ w[y_n]; the same targets as float one-hots divide by N."""
    x, w = rng.normal(0, 2, (5, 4)), rng.uniform(0.2, 3.0, 4)
    y = rng.integers(0, 4, 5)
    onehot = np.eye(4)[y]
    per_sample = -np.log(np.exp(x) / np.exp(x).sum(1, keepdims=True))[np.arange(5), y] * w[y]
    index_form = F.cross_entropy(_t(x), torch.tensor(y), weight=_t(w))
    prob_form = F.cross_entropy(_t(x), _t(onehot), weight=_t(w))
    got = np.array([float(index_form), float(prob_form)])
    want = np.array([per_sample.sum() / w[y].sum(), per_sample.sum() / 5])
    return got, want


def _label_smoothing_is_a_mixed_target(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """CE with label_smoothing=ε equals CE against (1 − ε)·onehot + ε/C."""
    x, y, eps = rng.normal(0, 2, (4, 5)), rng.integers(0, 5, 4), 0.15
    mixed = (1 - eps) * np.eye(5)[y] + eps / 5
    got = F.cross_entropy(_t(x), torch.tensor(y), label_smoothing=eps).numpy()
    want = defs.cross_entropy_loss(_rows(x), _rows(mixed))
    return got, _num(want)


def _all_ignored(reduction: str) -> Callable[[np.random.Generator], Any]:
    """Every target ignored: `mean` is 0/0 = nan, `sum` is 0."""

    def check(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        x = rng.normal(0, 2, (3, 4))
        got = F.cross_entropy(_t(x), torch.tensor([1, 1, 1]), ignore_index=1, reduction=reduction)
        want = defs.cross_entropy_loss(_rows(x), [1, 1, 1], ignore_index=1, reduction=reduction)
        value = float("nan") if want is sp.nan or sp.sympify(want).has(sp.nan) else float(want)
        return got.numpy(), np.array(value)

    return check


def _moco_shapes(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """MoCo's own tensors: q, k (N, C) and a queue (C, K); logits = cat([l_pos, l_neg], 1) / T."""
    q, k, queue, temperature = rng.normal(size=(4, 8)), rng.normal(size=(4, 8)), \
        rng.normal(size=(8, 6)), 0.07  # fmt: skip
    l_pos = torch.einsum("nc,nc->n", _t(q), _t(k)).unsqueeze(-1)
    l_neg = torch.einsum("nc,ck->nk", _t(q), _t(queue))
    logits = torch.cat([l_pos, l_neg], dim=1) / temperature
    got = F.cross_entropy(logits, torch.zeros(logits.shape[0], dtype=torch.long)).numpy()
    want = defs.info_nce(_vec(l_pos[:, 0].numpy()), _rows(l_neg.numpy()), sp.Float(0.07, 30))
    return got, _num(want)


OPTION_CHECKS: dict[str, Callable[[np.random.Generator], tuple[np.ndarray, np.ndarray]]] = {
    "cross-entropy K-dimensional (N, C, d1, d2), weighted mean": _kdim_cross_entropy,
    "cross-entropy K-dimensional probability target, none": _kdim_probability_target,
    "kl_div sum": _kl("sum", False),
    "kl_div batchmean": _kl("batchmean", False),
    "kl_div mean (N·C)": _kl("mean", False),
    "kl_div batchmean log_target": _kl("batchmean", True),
    "nll_loss weight ignore_index none": _nll("none"),
    "nll_loss weight ignore_index mean": _nll("mean"),
    "nll_loss weight ignore_index sum": _nll("sum"),
    "binary_cross_entropy weight sum": _bce_weighted,
    "binary_cross_entropy_with_logits weight pos_weight": _bce_logits_pos_weight,
    "weighted mean: Σ w[y] for indices, N for probabilities": _weighted_mean_divisors,
    "label smoothing = CE against (1 − ε)·onehot + ε/C": _label_smoothing_is_a_mixed_target,
    "all targets ignored, mean is nan": _all_ignored("mean"),
    "all targets ignored, sum is 0": _all_ignored("sum"),
    "MoCo InfoNCE from q, k and the queue": _moco_shapes,
}


def check_option(name: str, seed: int = 0, draws: int = 3) -> CrossCheck:
    rng = np.random.default_rng(seed)
    worst = 0.0
    for _draw in range(draws):
        got, want = OPTION_CHECKS[name](rng)
        got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
        ok, err = _close(got, want)
        worst = max(worst, err)
        if not ok:
            return CrossCheck(
                name, False, draws, err, f"torch gives {_fmt(got)}, sympy gives {_fmt(want)}"
            )
    return CrossCheck(name, True, draws, worst)


def crosscheck_all(seed: int = 0, draws: int = 2) -> list[CrossCheck]:
    """Every registry definition and every option check."""
    results = [check_definition(d, seed, draws) for d in defs.DEFINITIONS.values()]
    results += [check_option(name, seed) for name in OPTION_CHECKS]
    return results
