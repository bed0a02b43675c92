"""Built-in derivations prove; a false author step is reported with its index."""

from __future__ import annotations

import pytest

from tutor.symbolic.derivations import (
    BUILTIN_DERIVATIONS,
    StepStatus,
    prove,
    prove_steps,
    render_derivation,
)
from tutor.symbolic.domain import SymbolKind, SymbolSpec

REQUIRED = {
    "kl-as-ce-minus-entropy",
    "ce-onehot-is-neg-log-qy",
    "ce-from-logits",
    "softmax-ce-gradient",
    "min-kl-is-min-ce",
    "bce-is-two-class-ce",
    "label-smoothing-decomposition",
}
PQ = {
    "p": SymbolSpec("p", SymbolKind.DISTRIBUTION, "K"),
    "q": SymbolSpec("q", SymbolKind.DISTRIBUTION, "K"),
}


def test_the_required_derivations_are_built_in():
    assert set(BUILTIN_DERIVATIONS) >= REQUIRED
    assert all(d.title for d in BUILTIN_DERIVATIONS.values())


@pytest.mark.parametrize("name", sorted(BUILTIN_DERIVATIONS))
def test_each_builtin_derivation_proves(name):
    derivation = BUILTIN_DERIVATIONS[name]
    results = prove(derivation)
    assert len(results) == len(derivation.steps)
    assert results[0].status is StepStatus.START
    for result in results[1:]:
        assert result.status in (StepStatus.PROVED, StepStatus.CHECKED), result.message
        assert result.message


def test_a_false_author_step_is_reported_with_its_index():
    steps = [
        ("sum(p*log(p/q))", "definition"),
        ("sum(p*log(p)) - sum(p*log(q))", "split the log"),
        ("sum(q*log(q)) - sum(q*log(p))", "wrong: swapped"),
        ("sum(q*log(q/p))", "fine from the previous"),
    ]
    results = prove_steps(steps, PQ)
    assert [r.index for r in results] == [0, 1, 2, 3]
    assert [r.status.ok for r in results] == [True, True, False, True]
    assert "step 3 does not follow from step 2" in results[2].message


def test_an_unreadable_author_step_is_reported_and_the_next_restarts():
    results = prove_steps([("sum(p)", "a"), ("sum(p*", "b"), ("1", "c")], PQ)
    assert results[1].status is StepStatus.UNREADABLE
    assert results[2].status is StepStatus.START


def test_rendering_shows_reasons_marks_and_equals_signs():
    derivation = BUILTIN_DERIVATIONS["ce-from-logits"]
    results = prove(derivation)
    text = render_derivation(derivation, results)
    assert derivation.title in text
    assert text.count("\n= ") == len(derivation.steps) - 1
    assert "(the definition of softmax)" in text
    assert "✓" in text or "≈" in text
    ascii = render_derivation(derivation, results, ascii=True)
    assert ascii.isascii()
    assert "[proved]" in ascii or "[checked]" in ascii
