"""Shared symbol tables for the symbolic engine's tests."""

from __future__ import annotations

import pytest

from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.tree import SymbolTable


def specs(**kinds: tuple[SymbolKind, int | str | None]) -> dict[str, SymbolSpec]:
    return {name: SymbolSpec(name, kind, size) for name, (kind, size) in kinds.items()}


ALL = specs(
    p=(SymbolKind.DISTRIBUTION, "K"),
    q=(SymbolKind.DISTRIBUTION, "K"),
    z=(SymbolKind.LOGITS, "K"),
    y=(SymbolKind.INDEX, "K"),
    eps=(SymbolKind.PROBABILITY, None),
    t=(SymbolKind.PROBABILITY, None),
    x=(SymbolKind.REAL, None),
    l_pos=(SymbolKind.REAL, None),
)


@pytest.fixture
def table() -> SymbolTable:
    return SymbolTable.of(ALL)
