"""The kinds of symbol an exercise declares, and their domains.

Kept free of sympy so the lesson loader can use it without paying sympy's
import: the pack model stores `SymbolSpec`s, the engine reads them when it
samples points or builds sympy symbols.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class SymbolKind(str, Enum):
    """What a declared symbol stands for; decides where equivalence samples it."""

    DISTRIBUTION = "distribution"  # a probability vector of `size` entries (on the simplex)
    LOGITS = "logits"  # a real vector of `size` entries, large magnitudes included
    VECTOR = "vector"  # a real vector of `size` entries
    ONEHOT = "onehot"  # a one-hot vector of `size` entries
    INDEX = "index"  # a class index in range(size)
    REAL = "real"  # a real scalar, in [low, high] when given
    POSITIVE = "positive"  # a real scalar > 0 (a temperature, a weight)
    PROBABILITY = "probability"  # a scalar in (0, 1)
    SIZE = "size"  # a positive integer (a number of classes K, a batch size N)

    @property
    def is_vector(self) -> bool:
        return self in VECTOR_KINDS


VECTOR_KINDS = frozenset(
    {SymbolKind.DISTRIBUTION, SymbolKind.LOGITS, SymbolKind.VECTOR, SymbolKind.ONEHOT}
)
SIZED_KINDS = VECTOR_KINDS | {SymbolKind.INDEX}


@dataclass(frozen=True)
class SymbolSpec:
    """One symbol an exercise declares, e.g. `p: {kind: distribution, size: K}`.

    `size` is a number of entries or the name of a `size` symbol (implicitly
    declared when it is not), for vector kinds and for `index` (the number of
    classes). `low`/`high` bound `real` symbols.
    """

    name: str
    kind: SymbolKind
    size: int | str | None = None
    low: float | None = None
    high: float | None = None
    description: str = ""
