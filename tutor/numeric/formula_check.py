"""A formula exercise's `answer` against its torch `check:`, for `ce-tutor validate`.

The answer is read by the symbolic engine's reader and evaluated by its
numeric interpreter (float64, stable log-sum-exp) at points that respect
each symbol's kind; the check is a torch expression run by the restricted
evaluator at the very same points, one point at a time, with vectors as 1-D
float64 tensors, class indices and sizes as ints. A disagreement is reported
with the point and both values.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import torch

from tutor.numeric.expressions import ExpressionError, parse_expression
from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.evaluation import Numeric, evaluate
from tutor.symbolic.reader import Unreadable, read_formula
from tutor.symbolic.sampling import sample, trial_sizes
from tutor.symbolic.tree import SymbolTable

TRIALS = 3  # size combinations
POINTS = 8  # points per trial; the last one has large logits
RTOL, ATOL = 1e-6, 1e-9


class FormulaWithCheck(Protocol):
    """What this needs of a FormulaExercise (kept structural: numeric knows no packs)."""

    answer: str
    symbols: Mapping[str, SymbolSpec]
    check: str | None


def check_formula_against_torch(exercise: FormulaWithCheck, seed: int = 0) -> list[str]:
    """Problems found comparing `answer` and `check` (empty when they agree or there is no check)."""
    if not exercise.check:
        return []
    table = SymbolTable.of(dict(exercise.symbols))
    formula = read_formula(exercise.answer, table)
    if isinstance(formula, Unreadable):
        return [f"answer: {formula.message}"]
    try:
        expr = parse_expression(exercise.check)
    except ExpressionError as err:
        return [f"check: {err}"]
    unknown = sorted(expr.free_names() - set(table.names()))
    if unknown:
        return [f"check: unknown name {unknown[0]!r} (symbols: {', '.join(table.names())})"]

    rng = np.random.default_rng(seed)
    names = {n for n in table.names() if table.kind(n) is not SymbolKind.SIZE}
    for trial in range(TRIALS):
        sizes = trial_sizes(table.size_names, trial)
        points = sample(table, names, sizes, POINTS, rng, large=1)
        want, _ = evaluate(formula.tree, table, points, sizes, Numeric())
        exact = None  # mpmath values, computed only if float64 is not enough
        for b in range(POINTS):
            env = _torch_point(table, points, sizes, b)
            try:
                value = expr.evaluate(env)
            except ExpressionError as err:
                return [f"check: {err} at {_describe(points, sizes, b)}"]
            got = np.asarray(torch.as_tensor(value).detach().double().numpy())
            expected = np.asarray(want[b], dtype=float)
            if not _agree(got, expected) and not np.isfinite(expected).all():
                # float64 over- or underflowed in the answer's own form (e.g. log(softmax(z))
                # at logits of 1000): the mathematics is finite, so ask mpmath
                if exact is None:
                    exact, _ = evaluate(formula.tree, table, points, sizes, Numeric(mp=True))
                expected = np.asarray(np.asarray(exact[b]).astype(float), dtype=float)
            if not _agree(got, expected):
                return [
                    f"answer and check disagree at {_describe(points, sizes, b)}: "
                    f"the answer gives {_fmt(expected)}, the torch check gives {_fmt(got)}"
                ]
    return []


def _torch_point(
    table: SymbolTable, points: Mapping[str, np.ndarray], sizes: Mapping[str, int], b: int
) -> dict[str, Any]:
    env: dict[str, Any] = dict(sizes)
    for name, values in points.items():
        if table.kind(name) is SymbolKind.INDEX:
            env[name] = int(values[b])
        else:
            env[name] = torch.tensor(values[b], dtype=torch.float64)
    return env


def _agree(got: np.ndarray, want: np.ndarray) -> bool:
    if got.shape != want.shape and got.size != want.size:
        return False
    got, want = got.reshape(want.shape), want
    same_nan = np.isnan(got) == np.isnan(want)
    finite = ~np.isnan(want)
    with np.errstate(invalid="ignore"):
        close = np.isclose(got[finite], want[finite], rtol=RTOL, atol=ATOL)
    return bool(same_nan.all() and close.all())


def _fmt(value: np.ndarray) -> str:
    return np.array2string(value, precision=8) if value.ndim else f"{float(value):.10g}"


def _describe(points: Mapping[str, np.ndarray], sizes: Mapping[str, int], b: int) -> str:
    parts = [f"{k}={v}" for k, v in sizes.items()]
    for name, values in sorted(points.items()):
        parts.append(f"{name}={np.array2string(np.asarray(values[b]), precision=4)}")
    return ", ".join(parts)
