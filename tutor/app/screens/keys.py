"""`?`: every key of the app, from the key help data."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.app.keys import KEY_HELP
from tutor.i18n import N_, _


class KeysScreen(ModalScreen):
    """A scrollable list of keys; any of escape, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", N_("Close"), key_display="esc"),
        Binding("j,down", "scroll(1)", N_("Scroll"), show=False),
        Binding("k,up", "scroll(-1)", N_("Scroll"), show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="keys-box") as box:
            keys, closes = _("Keys"), _("esc closes")  # outside the f-string: extracted
            box.border_title = f"{keys} {self.app.glyphs.bullet} {closes}"
            yield Static(key_text(), id="keys-text", markup=False)

    def action_scroll(self, lines: int) -> None:
        self.query_one("#keys-box", VerticalScroll).scroll_relative(y=lines, animate=False)


def key_text() -> str:
    lines = []
    for section, keys in KEY_HELP.items():
        lines.append(_(section))
        lines.extend(f"  {k.keys:<18} {_(k.does)}" for k in keys)
        lines.append("")
    return "\n".join(lines).rstrip()
