"""Border titles cut to fit, with the terminal's own ellipsis.

Textual cuts a border title too long for its box with "…", which a terminal
that is not UTF-8 cannot show; cut here first, it never has to.
"""

from __future__ import annotations

from textual.widget import Widget

from tutor.app.cjk import fit

CORNERS = 6  # a border title leaves the corners, a rule and a space each side


def fitted(widget: Widget, text: str) -> str:
    plain = widget.app.plain(text)
    room = widget.size.width - CORNERS
    if room <= 0:
        return plain  # not laid out yet: cut again on resize
    return fit(plain, room, widget.app.glyphs.ellipsis)
