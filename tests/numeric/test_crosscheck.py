"""Every symbolic definition and every F.cross_entropy option against torch, in float64."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import sympy as sp
import torch
import torch.nn.functional as F

from tutor.numeric.crosscheck import OPTION_CHECKS, check_definition, check_option
from tutor.numeric.references import reference_for
from tutor.symbolic.definitions import DEFINITIONS, cross_entropy_loss


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_definition_agrees_with_torch(name: str) -> None:
    result = check_definition(DEFINITIONS[name], seed=1, draws=1)
    assert result.ok, result.message
    assert result.cases >= 3
    # the registry's own torch string is run by the restricted evaluator and agrees too
    assert result.torch_string == "agrees"


@pytest.mark.parametrize("name", sorted(OPTION_CHECKS))
def test_option_agrees_with_torch(name: str) -> None:
    result = check_option(name, seed=2, draws=2)
    assert result.ok, result.message


def test_every_definition_has_a_torch_reference() -> None:
    assert [n for n in DEFINITIONS if reference_for(n) is None] == []


def test_every_cross_entropy_option_is_in_the_registry() -> None:
    names = set(DEFINITIONS)
    for target in ("index", "prob"):
        for reduction in ("none", "mean", "sum"):
            for extra in ("", "-weight", "-smoothing", "-weight-smoothing"):
                assert f"cross-entropy-loss-{target}{extra}-{reduction}" in names


def test_a_wrong_definition_is_caught_with_both_values() -> None:
    def unweighted(logits, target, weight, **options):  # the weights forgotten
        return cross_entropy_loss(logits, target, None, **options)

    wrong = dataclasses.replace(DEFINITIONS["cross-entropy-loss-index-weight-mean"], fn=unweighted)
    result = check_definition(wrong, seed=1, draws=1)
    assert not result.ok
    assert "torch gives" in result.message and "sympy gives" in result.message


def test_a_wrong_torch_string_is_caught() -> None:
    wrong = dataclasses.replace(
        DEFINITIONS["kl-divergence"], torch="F.kl_div(p.log(), q, reduction='sum')"
    )
    result = check_definition(wrong, seed=1, draws=1)
    assert not result.ok and result.torch_string == "disagrees"


def test_a_naive_sympy_form_is_evaluated_exactly_for_large_logits() -> None:
    # the large-logit case: exp(600) overflows float64, mpmath does not
    result = check_definition(DEFINITIONS["cross-entropy-loss-index-mean"], seed=3, draws=1)
    assert result.ok and result.cases == 5


# The facts, straight from torch (float64), independent of the registry.


def test_weighted_mean_divides_by_weights_of_targets_for_indices_by_n_for_probabilities() -> None:
    g = torch.Generator().manual_seed(0)
    x = torch.randn(5, 4, generator=g, dtype=torch.float64)
    y = torch.tensor([0, 2, 2, 3, 1])
    w = torch.tensor([0.5, 2.0, 1.0, 3.0], dtype=torch.float64)
    per = F.cross_entropy(x, y, weight=w, reduction="none")
    assert torch.allclose(F.cross_entropy(x, y, weight=w), per.sum() / w[y].sum())
    onehot = F.one_hot(y, 4).double()
    assert torch.allclose(F.cross_entropy(x, onehot, weight=w), per.sum() / 5)
    assert not torch.allclose(F.cross_entropy(x, onehot, weight=w), F.cross_entropy(x, y, weight=w))


def test_label_smoothing_is_cross_entropy_against_a_mixed_target() -> None:
    x = torch.randn(4, 5, dtype=torch.float64)
    y = torch.tensor([0, 4, 2, 2])
    mixed = 0.9 * F.one_hot(y, 5).double() + 0.1 / 5
    assert torch.allclose(F.cross_entropy(x, y, label_smoothing=0.1), F.cross_entropy(x, mixed))


def test_all_ignored_mean_is_nan() -> None:
    x = torch.randn(3, 4)
    assert torch.isnan(F.cross_entropy(x, torch.tensor([1, 1, 1]), ignore_index=1))
    assert float(F.cross_entropy(x, torch.tensor([1, 1, 1]), ignore_index=1, reduction="sum")) == 0
    rows = [[sp.Float(float(v)) for v in row] for row in x]
    assert sp.sympify(cross_entropy_loss(rows, [1, 1, 1], ignore_index=1)).has(sp.nan)


def test_option_checks_can_fail() -> None:
    # an option check whose two sides differ must report it
    from tutor.numeric import crosscheck

    def broken(rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        return np.array(1.0), np.array(1.001)

    crosscheck.OPTION_CHECKS["broken"] = broken
    try:
        result = check_option("broken")
    finally:
        del crosscheck.OPTION_CHECKS["broken"]
    assert not result.ok and "1.001" in result.message
