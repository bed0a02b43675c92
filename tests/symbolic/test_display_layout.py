"""Display math laid out in 2-D from the author's LaTeX (issue 17 #10): fractions stacked,
sums with limits, subscripts without glyphs lowered, \\text as written, ASCII kept."""

from __future__ import annotations

from tutor.symbolic.layout import layout_display
from tutor.symbolic.render import latex_to_terminal

SOFTMAX = r"q_k = \frac{e^{z_k}}{\sum_{j=0}^{C-1} e^{z_j}}"


def test_a_fraction_is_stacked_over_a_rule_with_the_sum_limits_around_sigma() -> None:
    assert layout_display(SOFTMAX, width=76) == "\n".join(
        [
            "         zₖ",
            "        e",
            "qₖ = ──────────",
            "      C-1   zⱼ",
            "       Σ   e",
            "      j=0",
        ]
    )


def test_log_of_a_fraction_is_drawn_with_the_fraction_whole() -> None:
    drawn = layout_display(r"\sum_i p_i \log \frac{p_i}{q_i}", width=76).splitlines()
    assert drawn == ["           pᵢ", "Σᵢ pᵢ log ────", "           qᵢ"]


def test_a_subscript_without_glyphs_is_lowered_one_line() -> None:
    drawn = layout_display(r"s_{\mathrm{best}} = \frac{w p}{w p + 1 - p}", width=76)
    assert drawn.splitlines() == [
        "             w p",
        "s     = ─────────────",
        " best    w p + 1 - p",
    ]
    assert "_(" not in layout_display(r"\mathcal{L} = \frac{\sum_n w_{y_n}\, \ell_n}{N}", width=76)


def test_text_and_texttt_are_shown_as_written() -> None:
    drawn = layout_display(r"D_{KL}(p \| q) = \texttt{F.kl\_div(q.log(), p)}", width=76)
    assert "F.kl_div(q.log(), p)" in drawn and "\\" not in drawn
    assert (
        layout_display(r"1\ \text{nat} = \frac{1}{\ln 2}\ \text{bits}", width=76)
        .splitlines()[1]
        .startswith("1 nat = ──────")
    )


def test_brackets_grow_with_a_fraction_inside() -> None:
    drawn = layout_display(r"\log\left(1 + \frac{C-1}{e}\right)", width=76).splitlines()
    assert drawn == ["    ⎛     C-1 ⎞", "log ⎜1 + ─────⎟", "    ⎝      e  ⎠"]


def test_too_wide_gives_none_so_the_one_line_form_is_used() -> None:
    assert layout_display(SOFTMAX, width=10) is None
    assert latex_to_terminal(SOFTMAX).count("\n") == 5  # the service's drawing: 2-D too


def test_ascii_has_dashes_for_rules_and_subscripts_after_underscores() -> None:
    drawn = layout_display(SOFTMAX, width=76, ascii=True)
    assert drawn.isascii() and "-----" in drawn and "sum" in drawn and "z_k" in drawn
    assert drawn.splitlines()[2].startswith("q_k =  ---")
    lowered = layout_display(r"\mathrm{softmax}(x_n)_{y_n}", width=76, ascii=True)
    assert lowered == "softmax(x_n)_(y_n)"
