"""Answering a code exercise: a Python editor with the starter, `$EDITOR`, submit."""

from __future__ import annotations

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static, TextArea

from tutor.app.editor import edit_externally
from tutor.app.widgets.answered import Answered
from tutor.i18n import N_, _


class CodeEditor(TextArea):
    """Python in a TextArea: Enter keeps the line's indentation, one level more after a `:`."""

    async def _on_key(self, event: events.Key) -> None:
        # runs before TextArea's own handler (Textual walks the MRO); preventing the
        # default keeps that one from inserting a second, bare newline
        if event.key != "enter" or self.read_only:
            return
        event.stop()
        event.prevent_default()
        row, column = self.cursor_location
        before = self.document.get_line(row)[:column]
        indent = before[: len(before) - len(before.lstrip(" "))]
        if before.rstrip().endswith(":"):
            indent += " " * self.indent_width
        start, end = self.selection
        self._replace_via_keyboard("\n" + indent, start, end)


class CodeAnswer(Vertical):
    """A TextArea with Python highlighting; ctrl+r submits, ctrl+o opens `$EDITOR`."""

    BINDINGS = [
        Binding("ctrl+r", "submit", N_("Submit code"), priority=True),
        Binding("ctrl+o", "open_editor", N_("$EDITOR"), priority=True),
    ]

    def __init__(self, starter: str, **kwargs):
        super().__init__(classes="code-answer", **kwargs)
        self.starter = starter

    def compose(self) -> ComposeResult:
        editor = CodeEditor.code_editor(
            # a long line wraps (its continuation has no line number) instead of scrolling
            # the editor sideways, which hid the start of every line
            self.starter,
            language="python",
            soft_wrap=True,
            show_line_numbers=True,
        )
        editor.cursor_blink = False  # a blinking cursor keeps sending bytes over SSH
        yield editor
        yield Static(
            _("ctrl+r submit, ctrl+o edit in $EDITOR, esc leave the editor"),
            classes="code-keys",
            markup=False,
        )

    @property
    def code(self) -> str:
        return self.query_one(TextArea).text

    def action_submit(self) -> None:
        if self.code.strip():
            self.post_message(Answered(self.code))

    def action_open_editor(self) -> None:
        edited = edit_externally(self.app, self.code, suffix=".py", choice=self.app.editor)
        if edited is not None:
            self.query_one(TextArea).load_text(edited)
