"""The app's pure helpers: prose splitting, terminal detection, ASCII text, progress bars."""

from __future__ import annotations

from tutor.app.glyphs import ASCII, UNICODE
from tutor.app.prose import DisplayMath, MarkdownPiece, convert_inline, plain_math, split_prose
from tutor.app.terminal import asciify, unicode_terminal


def upper(latex: str) -> str:
    return latex.upper()


def test_display_math_is_cut_out_and_inline_math_converted_and_escaped() -> None:
    text = "Let $p_i$ be *given*.\n\n$$H = -\\sum p$$\n\nAfter `$kept$`."
    pieces = split_prose(text, upper)
    assert pieces == [
        MarkdownPiece("Let P\\_I be *given*."),
        DisplayMath("H = -\\sum p"),
        MarkdownPiece("After `$kept$`."),
    ]


def test_math_inside_fenced_code_is_left_alone() -> None:
    text = "```python\nx = '$a$'\n```\nand $b$"
    (piece,) = split_prose(text, upper)
    assert "'$a$'" in piece.text and piece.text.endswith("and B")


def test_inline_conversion_escapes_markdown_specials() -> None:
    assert convert_inline("$x$", lambda _: "a*b_[c]") == "a\\*b\\_\\[c\\]"
    assert plain_math("hint: $x$ and $$y$$", upper) == "hint: X and Y"


def test_terminal_is_unicode_only_when_the_locale_says_utf8() -> None:
    assert unicode_terminal({"LANG": "en_US.UTF-8"})
    assert unicode_terminal({"LC_ALL": "C.utf8", "LANG": "C"})
    assert not unicode_terminal({"LANG": "C"})
    assert not unicode_terminal({"LC_ALL": "POSIX", "LANG": "en_US.UTF-8"})
    assert not unicode_terminal({})
    assert not unicode_terminal({"LANG": "en_US.UTF-8", "CE_TUTOR_ASCII": "1"})


def test_asciify_spells_symbols_and_drops_nothing_silently() -> None:
    # `·` is a dot product (not `*`, PyTorch's elementwise product); `✓` is "ok", not "+"
    assert asciify("D(p‖q) — 0 ≤ H · ✓") == "D(p||q) -- 0 <= H . ok"
    assert asciify("q · k") == "q . k"
    assert asciify("café ∮") == "cafe ?"
    assert asciify("plain") == "plain"


def test_progress_bars() -> None:
    assert UNICODE.bar(1, 4, width=8) == "██░░░░░░"
    assert ASCII.bar(4, 4, width=4) == "####"
    assert ASCII.bar(0, 0, width=3) == "---"


def test_key_display_is_ascii_on_a_terminal_that_is_not_utf8(make_app) -> None:
    from textual.binding import Binding

    enter = Binding("enter", "submit", "Answer")
    assert make_app(ascii=True).get_key_display(enter) == "enter"
    assert make_app(ascii=False).get_key_display(enter) == "⏎"
