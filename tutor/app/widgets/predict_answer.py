"""Answering a predict exercise: the snippet, highlighted, and a line for what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical

from tutor.app.widgets.code_example_view import CodeText
from tutor.app.widgets.line_answer import LineAnswer
from tutor.i18n import _


class PredictAnswer(Vertical):
    """Shows the code whose output (or exception) the learner predicts."""

    def __init__(self, code: str, value: str = "", **kwargs):
        super().__init__(classes="predict-answer", **kwargs)
        self.code = code
        self.value = value  # a draft or the last answer, restored

    def compose(self) -> ComposeResult:
        yield CodeText(self.code, classes="code")
        yield LineAnswer(
            _("what it prints, or the exception it raises (e.g. RuntimeError: ...)"), self.value
        )
