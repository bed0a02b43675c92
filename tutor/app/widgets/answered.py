"""The message every answer widget sends when the learner submits."""

from __future__ import annotations

from textual.message import Message


class Answered(Message):
    """The learner submitted `answer` (a choice number, a number, a formula, code, a prediction)."""

    def __init__(self, answer: str):
        super().__init__()
        self.answer = answer
