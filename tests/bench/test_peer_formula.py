"""The peer formula cases (issue 14): each names its public source, and the bench grades them."""

from __future__ import annotations

import re

import pytest

from tutor.bench.formula import PEER_CASES, PeerCase, peer_cases, run_peer
from tutor.symbolic.domain import SymbolKind, SymbolSpec

# a repository file and line, an installed package's file and line, or a page / paper section
SOURCE = re.compile(r"^(\S+@\w+ \S+:\d+|torch \S+ \S+:\d+|https://\S+#\S+|arXiv:\S+ .+)$")


def test_every_case_names_where_it_comes_from_and_reads_its_symbols():
    cases = peer_cases()
    assert len(cases) >= 150
    for case in cases:
        assert SOURCE.match(case.source), case.source
        assert case.reference.strip() and case.answer.strip()
        assert all(isinstance(s, SymbolSpec) for s in case.symbols.values())
    kinds = {c.source.split()[0].split("@")[0] for c in cases}
    assert {"maths/moodle-qtype_stack", "huggingface/Math-Verify", "torch"} <= kinds
    assert any(c.source.startswith("https://en.wikipedia.org/") for c in cases)
    assert any("MoCo" in c.source for c in cases)
    assert all(c.note for c in cases if not c.fair), "an unfair case says why"


def test_the_file_is_in_the_checkout():
    assert PEER_CASES.is_file()


def _case(reference: str, answer: str, expected: bool, **symbols: SymbolSpec) -> PeerCase:
    return PeerCase("test", reference, answer, symbols, expected)


@pytest.mark.parametrize(
    "case",
    [
        _case(
            "logsumexp(x) - x[y]",
            r"-\log \frac{e^{x_y}}{\sum_{c=1}^{C-1} e^{x_c}}",
            False,
            x=SymbolSpec("x", SymbolKind.LOGITS, "C"),
            y=SymbolSpec("y", SymbolKind.INDEX, "C"),
        ),
        _case("1/2", "0.5", True),
        _case("1", "2", False),
    ],
)
def test_a_wrong_verdict_and_an_unread_case_are_counted_apart(case):
    figures = run_peer([case])
    assert figures.fair == 1
    assert figures.right == 1 and not figures.wrong and not figures.unreadable


def test_a_wrong_expectation_shows_as_a_wrong_verdict():
    figures = run_peer([_case("1/2", "0.5", False)])
    assert len(figures.wrong) == 1 and figures.right == 0
