"""Chinese (and Japanese) text set as a reader expects: breaks, kinsoku, joined lines, widths.

Rich and Textual wrap text at spaces only, so a run of ideographs is one
"word": a line ends early whenever the next run does not fit. Chinese may
break between any two ideographs (UAX #14, class ID), except that a line
never starts with closing punctuation (`，。、；：！？）」』` …) nor ends with
opening punctuation (`（「『“` …): kinsoku. These are the UAX #14 rules that
matter for Chinese text (ID, CL/CP/NS/EX before, OP after, QU tailored by
direction as Chinese uses “ ”), kept small because the maintained
implementation (uniseg) costs ~160 ms to import and ~0.2 ms a character.

`words()` has the signature of `rich._wrap.words`, which both Rich and
Textual's `Content` wrap with; `install()` routes it through here. Text
without CJK goes to Rich's own function untouched, so English renders
exactly as before.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import rich._wrap
from rich._wrap import words as _rich_words  # Rich's own, kept before install() replaces it
from rich.cells import cell_len
from rich.text import Text

# Ideographs, kana, Hangul, CJK symbols and punctuation, full-width forms (as code point
# ranges, not a regex: compiling that character class costs the first frame ~3 ms).
_CJK_RANGES = (
    (0x2E80, 0x2FFF), (0x3000, 0x303F), (0x3040, 0x30FF), (0x3100, 0x31FF), (0x3400, 0x4DBF),
    (0x4E00, 0x9FFF), (0xAC00, 0xD7AF), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF),
    (0x20000, 0x3FFFF),
)  # fmt: skip
# No line starts with these (UAX #14 CL, CP, NS, EX, IN, and closing quotes).
NO_BREAK_BEFORE = frozenset(
    "，。、．：；！？）］｝〕〉》」』】〗〙〛’”…‥·・ー々〻ゝゞヽヾ"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ％‰℃,.;:!?)]}%"
)
# No line ends with these (UAX #14 OP, and opening quotes).
NO_BREAK_AFTER = frozenset("（［｛〔〈《「『【〖〘〚‘“([{·・")
_DOUBLED = frozenset("—…")  # "——" and "……" are one mark: never split between the two


def is_cjk(char: str) -> bool:
    code = ord(char)
    return code >= 0x2E80 and any(low <= code <= high for low, high in _CJK_RANGES)


def has_cjk(text: str) -> bool:
    return not text.isascii() and any(is_cjk(char) for char in text)


def breakable(before: str, after: str) -> bool:
    """May a line end between these two characters (neither a space)?"""
    if after in NO_BREAK_BEFORE or before in NO_BREAK_AFTER:
        return False
    if before == after and before in _DOUBLED:
        return False
    return is_cjk(before) or is_cjk(after)


def _after_hyphen(text: str, index: int) -> bool:
    """A break after the hyphen of a Latin compound (`log-softmax`, `cross-entropy`): UAX #14
    LB21/LB25 allow it, but not after a leading hyphen (`-log`) nor before a digit (`-1`)."""
    return (
        index >= 2
        and text[index - 1] == "-"
        and text[index - 2].isascii()
        and text[index - 2].isalpha()
        and text[index].isascii()
        and text[index].isalpha()
    )


@lru_cache(maxsize=512)
def _cjk_words(text: str) -> tuple[tuple[int, int, str], ...]:
    found = []
    start = 0
    for index in range(1, len(text)):
        before, after = text[index - 1], text[index]
        if after.isspace():
            continue  # spaces stay with what they follow
        opening = before.isspace() or breakable(before, after) or _after_hyphen(text, index)
        if opening and text[start:index].strip():  # leading spaces go with the first word
            found.append((start, index, text[start:index]))
            start = index
    if start < len(text):
        found.append((start, len(text), text[start:]))
    return tuple(found)


def words(text: str) -> Iterable[tuple[int, int, str]]:
    """(start, end, word with its trailing spaces) for each unbreakable piece of `text`."""
    if has_cjk(text):
        return _cjk_words(text)
    return _rich_words(text)


def install() -> None:
    """Make Rich's wrapping (and so Textual's) break CJK text as above. Idempotent."""
    rich._wrap.words = words
    Text.rstrip_end = _rstrip_end  # type: ignore[method-assign]


_TRAILING_SPACE = re.compile(r"\s+$")


def _rstrip_end(self: Text, size: int) -> None:
    """Rich's `Text.rstrip_end`, measured in cells as its `size` is.

    Rich's own compares the number of characters with the width: a wrapped
    line of Chinese that fills the width and keeps the space after its last
    word is wider than the width by that space, which Rich then cut with `…`
    (a choice read "给出相同的损 …" and lost its 失). Same result for ASCII.
    """
    excess = self.cell_len - size
    if excess > 0:
        space = _TRAILING_SPACE.search(self.plain)
        if space is not None:
            self.right_crop(min(len(space.group(0)), excess))


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("F", "W", "H") and not (
        "\uac00" <= char <= "\ud7af" or "\u1100" <= char <= "\u11ff"
    )


# a line break, or one space where YAML's folded (`>`) scalars turned a line break into one
_SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=\S)|(?<=\S) (?=\S)")


def join_soft_breaks(text: str) -> str:
    """A line break inside a paragraph between two wide characters disappears.

    Markdown turns a soft line break into a space, which Chinese does not
    put between characters (CSS Text 3, segment break transformation: removed
    when both sides are East Asian wide and not Hangul). A YAML folded
    scalar (`why: >`, `feedback: >`) has already made each break one space,
    so a single space between two wide characters goes too: Chinese text
    never has one there.
    """
    if not has_cjk(text):
        return text

    def join(match: re.Match[str]) -> str:
        before, after = text[match.start() - 1], text[match.end()]
        return "" if _wide(before) and _wide(after) else match.group(0)

    return _SOFT_BREAK.sub(join, text)


def fit(text: str, width: int, ellipsis: str = "…") -> str:
    """`text` cut to `width` terminal cells (CJK counts two), with `ellipsis` when cut."""
    if cell_len(text) <= width:
        return text
    room = width - cell_len(ellipsis)
    if room <= 0:
        return ellipsis[: max(width, 0)]
    cut, used = [], 0
    for char in text:
        size = cell_len(char)
        if used + size > room:
            break
        cut.append(char)
        used += size
    return "".join(cut).rstrip() + ellipsis
