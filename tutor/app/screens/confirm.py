"""A yes/no question that a stray key can never answer yes."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from tutor.i18n import _


class ConfirmScreen(ModalScreen[bool]):
    """`y` says yes; any other key says no (a burst of typing never confirms by accident)."""

    def __init__(self, question: str):
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(id="confirm-box"):
            yield Static(self.question, id="confirm-question", markup=False)
            yield Static(_("y: yes    any other key: no"), id="confirm-keys", markup=False)

    def on_key(self, event: events.Key) -> None:
        event.stop()
        event.prevent_default()
        self.dismiss(event.key == "y")
