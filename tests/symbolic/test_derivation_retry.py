"""A derivation step that ran out of time on a loaded machine is tried once more, longer."""

from __future__ import annotations

from tutor.symbolic import derivations, equivalence
from tutor.symbolic.equivalence import Equivalence, Outcome

STEPS = [("sum(p)", "a"), ("1", "b")]


def test_a_step_that_ran_out_of_time_is_tried_again_with_more(monkeypatch) -> None:
    budgets: list[float] = []

    def slow_then_fine(a, b, *, time_limit, **kw):
        budgets.append(time_limit)
        if len(budgets) == 1:
            return Equivalence(Outcome.UNDECIDED, why="ran out of time after 13 points",
                               timed_out=True)  # fmt: skip
        return Equivalence(Outcome.EQUIVALENT, "checked numerically at 24 points", points=24)

    monkeypatch.setattr(equivalence, "equivalent", slow_then_fine)
    results = derivations.prove_steps(STEPS, derivations_symbols(), time_limit=2.0)
    assert [r.status for r in results] == [derivations.StepStatus.START,
                                           derivations.StepStatus.CHECKED]  # fmt: skip
    assert budgets == [2.0, 2.0 * derivations.RETRY_FACTOR]


def test_an_undefined_step_is_not_retried(monkeypatch) -> None:
    calls = []

    def undefined(a, b, *, time_limit, **kw):
        calls.append(time_limit)
        return Equivalence(Outcome.UNDECIDED, why="both formulas are undefined")

    monkeypatch.setattr(equivalence, "equivalent", undefined)
    results = derivations.prove_steps(STEPS, derivations_symbols(), time_limit=2.0)
    assert results[1].status is derivations.StepStatus.UNDECIDED and calls == [2.0]


def derivations_symbols():
    from tutor.symbolic.domain import SymbolKind, SymbolSpec

    return {"p": SymbolSpec("p", SymbolKind.DISTRIBUTION, "K")}
