"""A one-line answer (a number, a prediction): an Input that submits on Enter."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from tutor.app.widgets.answered import Answered
from tutor.i18n import N_


class LineAnswer(Input):
    """Enter submits; an empty line is not sent."""

    BINDINGS = [Binding("enter", "submit", N_("Answer"))]

    def __init__(self, placeholder: str, value: str = "", **kwargs):
        super().__init__(value=value, placeholder=placeholder, select_on_focus=False, **kwargs)
        # A blinking cursor redraws twice a second: ≈ 440 B/s over SSH and ≈ 1 % of a
        # core per learner, which a class of 50 sitting at their answers feels.
        self.cursor_blink = False

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if event.value.strip():
            self.post_message(Answered(event.value))
