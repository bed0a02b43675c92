"""The reader: what reads, what is refused, and that refusals are values with a column."""

from __future__ import annotations

import time

import pytest

from tutor.symbolic.equivalence import equivalent
from tutor.symbolic.reader import Formula, Unreadable, read_formula
from tutor.symbolic.tree import to_text

HOSTILE = [
    "__import__('os').system('true')",
    "().__class__.__bases__[0].__subclasses__()",
    "p.__class__",
    "lambda: 1",
    "(lambda x: x)(p)",
    "9**9**9",
    "2**1000",
    "(" * 10_000 + "p" + ")" * 10_000,
    "p\x00",
    "p" + " + p" * 10_000,
    "[x for x in p]",
    "f'{p}'",
    "'abc'",
    "p if q else z",
    "sum(p, start=1)",
    "sum(*p)",
    "exec('1')",
    "eval",
    "z[1:2]",
    "1e999",
    "x := 1",
    "p == q",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_hostile_input_is_refused_as_unreadable_with_a_message(table, text):
    start = time.perf_counter()
    result = read_formula(text, table)
    assert isinstance(result, Unreadable)
    assert result.status == "unreadable"
    assert len(result.message) > 10
    assert time.perf_counter() - start < 2.0  # bounded, not fast: the bench measures speed


def test_forty_kilobytes_are_refused_before_parsing(table):
    result = read_formula("p+" * 20_000, table)
    assert isinstance(result, Unreadable)
    assert "too long" in result.message


def test_unknown_name_suggests_the_close_one_and_points_at_the_column(table):
    result = read_formula("sofmax(z)[y]", table)
    assert isinstance(result, Unreadable)
    assert result.message == "unknown name `sofmax` at column 1 — did you mean `softmax`?"
    later = read_formula("logsumexp(z) - zz[y]", table)
    assert isinstance(later, Unreadable) and later.col == 16


def test_undeclared_names_never_become_symbols(table):
    result = read_formula("r * p", table)
    assert isinstance(result, Unreadable)
    assert "`r`" in result.message


def test_shape_errors_are_unreadable(table):
    for text, words in [
        ("p[x]", "index"),
        ("x[0]", "vector"),
        ("sum(x)", "vector"),
        ("log(p, q)", "argument"),
        ("grad(sum(p), p)", "derivations"),
    ]:
        result = read_formula(text, table)
        assert isinstance(result, Unreadable), text
        assert words in result.message, result.message


@pytest.mark.parametrize(
    ("latex", "plain"),
    [
        (r"-\sum_i p_i \log q_i", "-sum(p*log(q))"),
        (r"\sum_{i=1}^{K} p_i \log \frac{p_i}{q_i}", "sum(p*log(p/q))"),
        (r"-\log \frac{e^{z_y}}{\sum_j e^{z_j}}", "logsumexp(z) - z[y]"),
        (r"\log\left(\sum_i \exp(z_i)\right) - z_y", "-log_softmax(z)[y]"),
        (r"-\ln \mathrm{softmax}(z)_y", "-log(softmax(z)[y])"),
        (r"(1-\epsilon) \cdot x + \frac{\epsilon}{K}", "(1-eps)*x + eps/K"),
        (r"\log_2 q_y", "log2(q[y])"),
        (r"-t\log\sigma(x) - (1-t)\log(1-\sigma(x))", "log(1+exp(x)) - t*x"),
        (r"\ell_{pos}^2", "l_pos**2"),
    ],
)
def test_latex_and_plain_read_to_equivalent_formulas(table, latex, plain):
    a, b = read_formula(latex, table), read_formula(plain, table)
    assert isinstance(a, Formula), getattr(a, "message", "")
    assert isinstance(b, Formula)
    assert a.syntax == "latex"
    assert equivalent(a, b).equivalent, to_text(a.tree)


def test_plain_syntax_accepts_caret_and_unicode_operators(table):
    a = read_formula("x^2 · 3 − 1", table)
    assert isinstance(a, Formula)
    assert to_text(a.tree) == "((x ** 2) * 3) - 1"


def test_latex_refuses_double_sums_and_unbound_indices(table):
    double = read_formula(r"\sum_i \sum_j p_i q_j", table)
    assert isinstance(double, Unreadable) and "two indices" in double.message
    unbound = read_formula(r"\log p_k", table)
    assert isinstance(unbound, Unreadable) and "`k`" in unbound.message


def test_equals_sign_is_explained(table):
    result = read_formula("H = -sum(p*log(q))", table)
    assert isinstance(result, Unreadable)
    assert "right-hand side" in result.message
