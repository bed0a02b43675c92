"""A verdict in place: right or wrong by glyph and colour, the feedback, the mistake named."""

from __future__ import annotations

from typing import Any

from textual.widgets import Static

from tutor.app.prose import plain_text
from tutor.grading.verdict import Status, Verdict
from tutor.i18n import N_, _

_HEADLINES = {
    Status.CORRECT: N_("Correct."),
    Status.INCORRECT: N_("Not quite."),
    Status.UNREADABLE: N_("Could not read that (no attempt used)."),
    Status.LIMIT: N_("Your code hit a limit."),
    Status.CRASHED: N_("Your code raised an error."),
    Status.FORBIDDEN: N_("Your code uses something this exercise forbids."),
}


FEEDBACK_LINES = 8  # lines of feedback shown at first; the rest one key (v) away


class VerdictView(Static):
    """Empty until an answer is graded; learner text is never parsed as markup."""

    def __init__(self, **kwargs):
        super().__init__("", markup=False, **kwargs)
        self.display = False
        self._text = ""
        self.hidden_lines: list[str] = []  # of a long feedback, until `v` (show_all)

    def show_pending(self, text: str) -> None:
        self._set("pending", f"{self.app.glyphs.pending} {text}")

    def show_note(self, text: str) -> None:
        self._set("note", text)

    def show_verdict(self, verdict: Verdict, echo: bool = True) -> None:
        """`echo=False` leaves out how the answer was read (a choice shows its own pick)."""
        glyphs = self.app.glyphs
        mark = {
            Status.CORRECT: glyphs.correct,
            Status.UNREADABLE: glyphs.unreadable,
        }.get(verdict.status, glyphs.incorrect)
        lines = [f"{mark} {_(_HEADLINES[verdict.status])}"]
        if echo and verdict.read_as and verdict.status is not Status.UNREADABLE:
            if "\n" in verdict.read_as:  # 2-D math keeps its own lines
                lines.append(_("Read as:"))
                lines.extend("  " + line for line in verdict.read_as.split("\n"))
            else:
                lines.append(_("Read as: {answer}").format(answer=verdict.read_as))
        self.hidden_lines = []
        if verdict.feedback:  # `code`, $math$ and *emphasis* as a learner reads them
            feedback = plain_text(verdict.feedback, self.app.math.inline).split("\n")
            if len(feedback) > FEEDBACK_LINES:  # a failing case's tensors: the start, v for all
                cut = self._cut(feedback, verdict.details.get("summary"))
                self.hidden_lines = feedback[cut:]
                feedback = feedback[:cut]
                feedback.append(
                    _("({n} more lines: v shows them)").format(n=len(self.hidden_lines))
                )
            lines.extend(feedback)
        if verdict.mistake:
            lines.append(_("Mistake: {tag}").format(tag=verdict.mistake))
        lines.extend(_details(verdict.details))
        kind = {Status.CORRECT: "correct", Status.UNREADABLE: "unreadable"}.get(
            verdict.status, "incorrect"
        )
        self._set(kind, "\n".join(lines))

    def _cut(self, feedback: list[str], summary: str | None) -> int:
        """Where a long feedback is cut: after the grader's one-line summary of a failing
        case (its tensors follow it), else after FEEDBACK_LINES lines."""
        if summary:
            line = plain_text(summary, self.app.math.inline)
            if line in feedback:
                return feedback.index(line) + 1
        return FEEDBACK_LINES

    def show_all(self) -> bool:
        """The lines a long feedback left out; False when none were."""
        if not self.hidden_lines:
            return False
        marker = _("({n} more lines: v shows them)").format(n=len(self.hidden_lines))
        self._text = self._text.replace(marker, "\n".join(self.hidden_lines), 1)
        self.hidden_lines = []
        self.update(self.app.plain(self._text))
        return True

    def add_note(self, text: str) -> None:
        """One more line under what is shown (its look kept)."""
        self._text = f"{self._text}\n{text}" if self._text else text
        self.update(self.app.plain(self._text))
        self.display = True

    def _set(self, kind: str, text: str) -> None:
        for name in ("pending", "note", "correct", "incorrect", "unreadable"):
            self.set_class(name == kind, f"-{name}")
        self._text = text
        self.update(self.app.plain(text))
        self.display = True


def _details(details: dict[str, Any]) -> list[str]:
    """How far a code answer got; the failing case itself is already in the feedback."""
    if "cases" in details and "passed" in details:
        return [
            _("Cases passed: {passed} of {cases}").format(
                passed=details["passed"], cases=details["cases"]
            )
        ]
    return []
