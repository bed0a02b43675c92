"""`?`: every key of the app, from the key help data."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.app.keys import KEY_HELP


class KeysScreen(ModalScreen):
    """A scrollable list of keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close", key_display="esc"),
        Binding("j,down", "scroll(1)", "Scroll", show=False),
        Binding("k,up", "scroll(-1)", "Scroll", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="keys-box") as box:
            box.border_title = f"Keys {self.app.glyphs.bullet} esc closes"
            yield Static(key_text(), id="keys-text", markup=False)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#keys-box", VerticalScroll).scroll_relative(y=lines, animate=False)


def key_text() -> str:
    lines = []
    for section, keys in KEY_HELP.items():
        lines.append(section)
        lines.extend(f"  {k.keys:<18} {k.does}" for k in keys)
        lines.append("")
    return "\n".join(lines).rstrip()
