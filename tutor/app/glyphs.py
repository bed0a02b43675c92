"""The few glyphs that mark state, in Unicode and in ASCII.

State is never shown by colour alone: a pointer marks focus, a tick or a
cross marks right and wrong, so 16-colour and monochrome terminals read the
same as truecolour ones.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Glyphs:
    pointer: str
    correct: str
    incorrect: str
    unreadable: str
    pending: str
    bullet: str
    bar_full: str
    bar_empty: str
    proved: str
    unproved: str
    selected: str
    unselected: str
    dot_done: str
    dot_todo: str
    ellipsis: str

    def bar(self, done: int, total: int, width: int = 10) -> str:
        """A progress bar of `width` cells, e.g. `███░░░░░░░`."""
        filled = round(width * done / total) if total else 0
        return self.bar_full * filled + self.bar_empty * (width - filled)


UNICODE = Glyphs(
    pointer="▶",
    correct="✓",
    incorrect="✗",
    unreadable="?",
    pending="…",
    bullet="·",
    bar_full="█",
    bar_empty="░",
    proved="✓ proved",
    unproved="· not checked",
    selected="[x]",
    unselected="[ ]",
    dot_done="●",
    dot_todo="○",
    ellipsis="…",
)

ASCII = Glyphs(
    pointer=">",
    correct="ok",  # not "+": that reads as "expand"
    incorrect="x",
    unreadable="?",
    pending="...",
    bullet="-",
    bar_full="#",
    bar_empty="-",
    proved="[proved]",
    unproved="[not checked]",
    selected="[x]",
    unselected="[ ]",
    dot_done="*",
    dot_todo=".",
    ellipsis="...",
)
