"""Whether a widget is leaving the screen, and its parts while it is not.

Work that arrives late (a verdict from a worker thread, a timer, a key
handled right after a step change) must not act on a step that is gone.
Textual removes a widget's children before the widget itself, and a widget
removed before it composed never gets its children; `is_attached` stays
True meanwhile, so a query for a part fails (`NoMatches`) on a widget that
still looks present. That was the `NoMatches: HintList` a fast Esc caused.
"""

from __future__ import annotations

from typing import TypeVar

from textual.widget import Widget

W = TypeVar("W", bound=Widget)


def leaving(widget: Widget) -> bool:
    """Removed, or being removed (Textual's own flags: its version is pinned)."""
    return not widget.is_attached or widget._pruning or widget._closing or widget._closed


def part(widget: Widget, selector: str | type[W], kind: type[W]) -> W | None:
    """`widget.query_one(selector, kind)`, or None when the widget is leaving or has none."""
    if leaving(widget):
        return None
    found = widget.query(selector)
    for node in found:
        if isinstance(node, kind):
            return node
    return None
