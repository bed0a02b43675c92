"""Definitions follow PyTorch's semantics; rendering never shows raw LaTeX."""

from __future__ import annotations

import re
import subprocess
import sys

import sympy as sp

from tutor.symbolic import definitions as d
from tutor.symbolic.render import latex_to_terminal


def test_weighted_mean_divides_by_the_picked_weights():
    z = [[sp.Symbol(f"z{n}{k}", real=True) for k in range(3)] for n in range(2)]
    w = [sp.Integer(1), sp.Integer(2), sp.Integer(5)]
    loss = d.cross_entropy_loss(z, [1, 2], weight=w)
    per_sample = d.cross_entropy_loss(z, [1, 2], weight=w, reduction="none")
    assert sp.simplify(loss - (per_sample[0] + per_sample[1]) / 7) == 0


def test_probability_targets_with_weights_divide_by_n():
    z = [[sp.Symbol(f"z{n}{k}", real=True) for k in range(2)] for n in range(3)]
    p = [[sp.Rational(1, 4), sp.Rational(3, 4)]] * 3
    w = [sp.Integer(2), sp.Integer(3)]
    total = d.cross_entropy_loss(z, p, weight=w, reduction="sum")
    assert sp.simplify(d.cross_entropy_loss(z, p, weight=w) - total / 3) == 0


def test_label_smoothing_mixes_with_eps_over_k():
    z = [sp.Symbol(f"z{k}", real=True) for k in range(4)]
    eps = sp.Rational(1, 10)
    smoothed = d.cross_entropy_loss([z], [2], label_smoothing=eps)
    target = [(1 - eps) * h + eps / 4 for h in d.onehot(2, 4)]
    assert sp.simplify(smoothed - d.cross_entropy_logits_prob(z, target)) == 0


def test_ignored_targets_count_for_nothing_and_all_ignored_mean_is_nan():
    z = [[sp.Symbol(f"z{n}{k}", real=True) for k in range(2)] for n in range(2)]
    assert d.cross_entropy_loss(z, [0, 1], ignore_index=1) == d.cross_entropy_logits(z[0], 0)
    assert d.nll_loss([[sp.Integer(0)] * 2], [1], ignore_index=1) is sp.nan


def test_info_nce_is_label_zero_cross_entropy():
    pos = [sp.Symbol("a", real=True)]
    neg = [[sp.Symbol("b", real=True), sp.Symbol("c", real=True)]]
    t = sp.Symbol("T", positive=True)
    expected = d.logsumexp([pos[0] / t, neg[0][0] / t, neg[0][1] / t]) - pos[0] / t
    assert sp.simplify(d.info_nce(pos, neg, t) - expected) == 0


def test_the_registry_builds_every_definition():
    for definition in d.DEFINITIONS.values():
        indices = {"y": 1, "target": [0, 1, 2]}
        values = definition.symbolic_args({"K": 3, "N": 3, "M": 2}, indices)
        result = definition.call(values)
        assert result is not None
        assert definition.torch and definition.title
        assert d.free_symbols(values)


def test_latex_display_has_no_backslashes():
    for latex in [
        r"-\sum_i p_i \log q_i",
        r"D(p\|q) = \sum_i p_i \log\frac{p_i}{q_i}",
        r"\mathcal{L} = \frac{1}{N}\sum_{n=1}^{N} \ell_n + \lambda \|\theta\|^2",
        r"\operatorname{softmax}(z)_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
    ]:
        for ascii in (False, True):
            text = latex_to_terminal(latex, ascii)
            assert not re.search(r"\\[A-Za-z{}]", text) and text.strip()  # no raw LaTeX
            assert not ascii or text.isascii()
    assert "Σ" in latex_to_terminal(r"D(p\|q) = \sum_i p_i", False)
    assert "╲" in latex_to_terminal(r"-\sum_i p_i \log q_i", False)  # 2-D when it reads


def test_importing_the_package_does_not_import_sympy():
    code = "import sys, tutor.symbolic; print('sympy' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
