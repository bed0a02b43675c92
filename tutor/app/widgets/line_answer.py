"""A one-line answer (a number, a prediction): an Input that submits on Enter."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from tutor.app.widgets.answered import Answered


class LineAnswer(Input):
    """Enter submits; an empty line is not sent."""

    BINDINGS = [Binding("enter", "submit", "Answer")]

    def __init__(self, placeholder: str, **kwargs):
        super().__init__(placeholder=placeholder, select_on_focus=False, **kwargs)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(Answered(event.value))
