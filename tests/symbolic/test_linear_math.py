"""Display math that sympy cannot lay out still reads well on one line: braces matched."""

from __future__ import annotations

import pytest

from tutor.symbolic.render import linear


@pytest.mark.parametrize(
    ("latex", "unicode", "ascii"),
    [
        (
            r"q_k = \frac{e^{z_k}}{\sum_{j=0}^{C-1} e^{z_j}}",
            "qₖ = (e^(zₖ))/(Σⱼ₌₀^(C-1) e^(zⱼ))",
            "q_k = (e^(z_k))/(sum_(j=0)^(C-1) e^(z_j))",
        ),
        (r"-\frac{1}{N}\sum_n \log q_{y_n}", "-1/N Σₙ log q_yₙ", "-1/N sum_n log q_(y_n)"),
        (r"\sum_i p_i \log \frac{p_i}{q_i}", "Σᵢ pᵢ log(pᵢ/qᵢ)", "sum_i p_i log(p_i/q_i)"),
        (r"s_{\mathrm{best}}", "s_best", "s_best"),
        (r"\texttt{F.kl\_div(q.log(), p)}", "F.kl_div(q.log(), p)", "F.kl_div(q.log(), p)"),
        (r"H(p) = -\sum_i p_i \log_2 p_i", "H(p) = -Σᵢ pᵢ log₂ pᵢ", "H(p) = -sum_i p_i log_2 p_i"),
        (r"D_{KL}(p \| q) \geq 0", "D_KL(p ‖ q) ≥ 0", "D_KL(p || q) >= 0"),
        (
            r"1 \text{ nat} = \frac{1}{\ln 2} \text{ bits}",
            "1 nat = 1/(ln 2) bits",
            "1 nat = 1/(ln 2) bits",
        ),
        (r"\mathbb{E}_{x \sim p}[-\log q(x)]", "𝔼_(x ~ p)[-log q(x)]", "E_(x ~ p)[-log q(x)]"),
    ],
)
def test_linear_forms(latex: str, unicode: str, ascii: str) -> None:
    assert linear(latex) == unicode
    assert linear(latex, ascii=True) == ascii
    assert "\\" not in linear(latex) and linear(latex, ascii=True).isascii()
