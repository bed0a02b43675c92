"""Equivalence: right rewrites stay right, wrong ones are caught, overflow is not a difference."""

from __future__ import annotations

import time

from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.symbolic.bounded import NOT_DONE, run_bounded
from tutor.symbolic.equivalence import Outcome, equivalent
from tutor.symbolic.reader import Formula, read_formula
from tutor.symbolic.tree import SymbolTable

from .conftest import ALL

TABLE = SymbolTable.of(ALL)


def read(text: str) -> Formula:
    formula = read_formula(text, TABLE, allow_grad=True)
    assert isinstance(formula, Formula), getattr(formula, "message", "")
    return formula


# Each reference with rewrites that are equal to it by commutativity or log rules.
REWRITES = {
    "-sum(p*log(q))": [
        "-sum(log(q)*p)",
        "sum(p*log(1/q))",
        "sum(-p*log(q))",
        "-(sum(p*log(q)))",
        "sum(p*(-log(q)))",
    ],
    "sum(p*log(p/q))": [
        "sum(p*log(p)) - sum(p*log(q))",
        "sum(p*(log(p) - log(q)))",
        "-sum(p*log(q/p))",
        "sum(log(p/q)*p)",
        "sum(p*log(p)) + sum(-p*log(q))",
    ],
    "logsumexp(z) - z[y]": [
        "-log(softmax(z)[y])",
        "-log_softmax(z)[y]",
        "log(sum(exp(z))) - z[y]",
        "-z[y] + logsumexp(z)",
        "log(sum(exp(z - z[y])))",
    ],
}


@settings(max_examples=25, deadline=None)
@given(st.sampled_from([(ref, r) for ref, rs in REWRITES.items() for r in rs]))
def test_a_right_answer_rewritten_stays_right(pair):
    reference, rewrite = pair
    result = equivalent(read(reference), read(rewrite))
    assert result.outcome is Outcome.EQUIVALENT, result.why


@settings(max_examples=25, deadline=None)
@given(
    st.sampled_from(list(REWRITES)),
    st.sampled_from(["{} + 0.01", "2*({})", "{} + x", "({})**2", "-({})"]),
)
def test_a_perturbed_answer_is_not_equivalent(reference, template):
    wrong = template.format(reference)
    result = equivalent(read(reference), read(wrong))
    assert result.outcome is Outcome.NOT_EQUIVALENT
    assert "expected value" in result.why and result.counterexample


def test_naive_logsumexp_with_huge_logits_is_not_a_difference():
    # float64 overflows at z ~ 1000; mpmath settles those points
    result = equivalent(read("logsumexp(z) - z[y]"), read("log(sum(exp(z))) - z[y]"))
    assert result.equivalent
    assert result.points >= 150


def test_gradient_identity_is_checked_in_high_precision():
    result = equivalent(
        read("grad(logsumexp(z) - z[y], z)"), read("softmax(z) - onehot(y, K)"), precise=True
    )
    assert result.equivalent
    assert "high precision" in result.how


def test_scalar_and_vector_are_not_equivalent():
    result = equivalent(read("softmax(z)[y]"), read("softmax(z)"))
    assert result.outcome is Outcome.NOT_EQUIVALENT
    assert "vector" in result.why


def test_cheap_symbolic_proof_is_reported():
    result = equivalent(read("sum(p*log(p/q))"), read("sum(p*log(p)) - sum(p*log(q))"))
    assert result.proved
    assert result.how.startswith("proved symbolically")


def test_undefined_everywhere_is_undecided_not_equal():
    # log of a negative number: undefined at every point on both sides
    result = equivalent(read("log(-exp(x))"), read("log(-exp(x)) + 1"))
    assert result.outcome is Outcome.UNDECIDED


def test_every_check_ends_within_its_bound():
    start = time.monotonic()
    equivalent(
        read("grad(logsumexp(z) - z[y], z)"),
        read("softmax(z) - onehot(y, K)"),
        precise=True,
        time_limit=0.3,
    )
    assert time.monotonic() - start < 3  # 0.3 s of work plus a loaded 2-core runner


def test_bounded_work_is_killed_at_the_deadline():
    start = time.monotonic()
    assert run_bounded(time.sleep, 5, seconds=0.2) is NOT_DONE
    assert time.monotonic() - start < 4  # not the 5 s sleep
    assert run_bounded(sum, [1, 2, 3], seconds=2) == 6


def test_a_slow_proof_attempt_leaves_sampling_time_to_decide(monkeypatch) -> None:
    """Under load the in-process proof attempt took the whole second: 'ran out after 0 points'."""
    import time

    from tutor.symbolic import equivalence as engine

    def slow_proof(a, b, table, size_names, precise, deadline):
        time.sleep(max(0.0, deadline - time.monotonic()))  # as a loaded machine makes it
        return False

    monkeypatch.setattr(engine, "_prove", slow_proof)
    result = equivalent(read("sum(p*log(p/q))"), read("(sum(p*log(p/q)))**2"), time_limit=0.5)
    assert result.outcome is Outcome.NOT_EQUIVALENT, result
    assert result.counterexample  # a point where they differ, found in the time left
