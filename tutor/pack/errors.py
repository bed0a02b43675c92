"""Problems found in a pack, each one a line an author can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import get_close_matches
from pathlib import Path

from tutor.i18n import _


class PackNotFound(Exception):
    """The folder is not a pack (no `pack.toml`)."""


@dataclass(frozen=True, order=True)
class PackError:
    """One problem, printed as `path:line: message`."""

    path: Path
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def did_you_mean(word: str, options: Iterable[str]) -> str:
    """A ` (did you mean `x`?)` suffix when a close option exists, else ``."""
    close = get_close_matches(word, sorted(options), n=1, cutoff=0.6)
    return _(" (did you mean `{word}`?)").format(word=close[0]) if close else ""
