"""An error in author-written text that points at a column."""

from __future__ import annotations

from tutor.i18n import _


class ColumnError(Exception):
    """A message about a piece of text; `column` is 1-based (0 when unknown)."""

    def __init__(self, message: str, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.column = column

    def __str__(self) -> str:
        if not self.column:
            return self.message
        return _("column {column}: {message}").format(column=self.column, message=self.message)
