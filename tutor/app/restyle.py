"""Restyling one widget, not everything under it, when only its own look changes.

Textual restyles a widget and every widget below it when the widget gains
or loses focus or one of its classes changes, and restyles a whole
exercise when the focus enters or leaves it (`:focus-within`). A learner's
Tab into an answer and Esc out of it did that to the step body (the whole
step) and to the exercise, twice per answer: measured with one learner in
a pty, about half the app's CPU per focus move (`benchmarks/README.md`).

The states below are the widget's own: the stylesheet styles the widget by
them, never what is under it (no `.-current .prompt`), so restyling the
widget alone gives the same look; `tests/app/test_restyle.py` holds the
stylesheet to that. An exercise's `:focus-within` is the class
`-in-focus` here, kept by the exercise itself.
"""

from __future__ import annotations

from textual.widget import Widget

# the classes set through `set_own_class`, and the pseudo-class of `RestyledAloneOnFocus`
OWN_CLASSES = ("-current", "-solved", "-in-focus")
OWN_PSEUDO_CLASSES = ("focus",)


def restyle_alone(widget: Widget) -> None:
    """The widget's own rules applied again (its scrollbars too), not its descendants'."""
    widget.app.stylesheet.update_nodes([widget], animate=True)


def set_own_class(widget: Widget, add: bool, name: str) -> None:
    """`widget.set_class(add, name)`, restyling the widget alone (`name` in OWN_CLASSES)."""
    if widget.has_class(name) != add:
        widget.set_class(add, name, update=False)
        if widget.is_attached:
            restyle_alone(widget)


class RestyledAloneOnFocus:
    """Mixed into a focusable container whose focus styles itself only (a border, a tint).

    Put first among the bases: its watcher replaces Widget's, which restyles the subtree.
    """

    def watch_has_focus(self: Widget, _has_focus: bool) -> None:  # type: ignore[misc]
        restyle_alone(self)
