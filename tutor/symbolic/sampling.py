"""Sample points that respect each symbol's kind, for numeric equivalence.

Distributions are drawn on the simplex (Dirichlet, kept away from exact
zeros), logits from wide normals with a few very large magnitudes (±1000,
where naive `log(sum(exp(z)))` overflows but the mathematics does not),
class indices in range, probabilities in (0, 1), reals in their declared
range. A batch is a dict name -> array: (B,) for scalars and indices,
(B, K) for vectors.
"""

from __future__ import annotations

import numpy as np

from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.tree import SymbolTable

SIZES = (2, 3, 4, 5, 6)  # the sizes every vector formula is tried at


def trial_sizes(size_names: list[str], trial: int) -> dict[str, int]:
    """Sizes for one trial: each size symbol cycles through SIZES, offset so they differ."""
    return {name: SIZES[(trial + 2 * n) % len(SIZES)] for n, name in enumerate(size_names)}


def sample(
    table: SymbolTable,
    names: set[str],
    sizes: dict[str, int],
    count: int,
    rng: np.random.Generator,
    *,
    large: int = 0,
    kinds: dict[str, SymbolKind] | None = None,
) -> dict[str, np.ndarray]:
    """`count` points for each symbol in `names`; the last `large` points use huge logits."""
    out: dict[str, np.ndarray] = {}
    for name in sorted(names):
        spec = table.specs[name]
        kind = (kinds or {}).get(name, spec.kind)
        if kind is SymbolKind.SIZE:
            continue
        size = 0
        if spec.size is not None:
            size = spec.size if isinstance(spec.size, int) else sizes[spec.size]
        out[name] = _draw(kind, size, count, rng, large, spec.low, spec.high)
    return out


def _draw(
    kind: SymbolKind,
    size: int,
    count: int,
    rng: np.random.Generator,
    large: int,
    low: float | None,
    high: float | None,
) -> np.ndarray:
    if kind is SymbolKind.DISTRIBUTION:
        p = rng.dirichlet(np.ones(size), size=count)
        p = 0.98 * p + 0.02 / size  # away from exact zeros, where log is -inf
        return p / p.sum(axis=1, keepdims=True)
    if kind is SymbolKind.LOGITS:
        scale = rng.choice([1.0, 3.0, 10.0], size=(count, 1))
        z = rng.normal(size=(count, size)) * scale
        if large:
            z[-large:] = rng.normal(size=(large, size)) * 1000.0
        return z
    if kind is SymbolKind.VECTOR:
        return rng.normal(size=(count, size)) * 2.0
    if kind is SymbolKind.ONEHOT:
        return np.eye(size)[rng.integers(0, size, count)]
    if kind is SymbolKind.INDEX:
        return rng.integers(0, size, count)
    if kind is SymbolKind.POSITIVE:
        return np.exp(rng.normal(size=count))
    if kind is SymbolKind.PROBABILITY:
        return rng.uniform(0.02, 0.98, size=count)
    lo = -5.0 if low is None else low
    hi = 5.0 if high is None else high
    return rng.uniform(lo, hi, size=count)
