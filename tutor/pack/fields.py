"""Reading typed keys out of a YAML mapping, collecting every problem.

Each block builder asks a `Fields` for its keys; a missing, mistyped or
unknown key becomes a `(line, message)` problem instead of an exception, so
one pass reports all of them.
"""

from __future__ import annotations

from typing import Any

from tutor.i18n import N_, _
from tutor.pack.errors import did_you_mean
from tutor.pack.yaml_lines import LineDict, LineList

BOOLEAN_HINT = N_("YAML reads a bare yes/no/true/false/on/off as a boolean: put it in quotes")


def joined(problem: str, fix: str) -> str:
    """A problem and what to do about it, joined as the language joins two clauses (`；`)."""
    return _("{problem}; {fix}").format(problem=problem, fix=fix)


class Fields:
    """Typed access to one mapping; `problems` collects what was wrong."""

    def __init__(self, data: LineDict, base_line: int, what: str):
        self.data = data
        self.base_line = base_line  # the file line of the YAML text's first line
        self.what = what  # e.g. "exercise `kl-formula`", for messages
        self.problems: list[tuple[int, str]] = []

    def line(self, key: str | None = None) -> int:
        """The file line of a key (or of the mapping itself)."""
        local = self.data.line_of(key) if key is not None else self.data.line
        return self.base_line + max(local, 1) - 1

    def problem(self, key: str | None, message: str) -> None:
        self.problems.append((self.line(key), message))

    def check_keys(self, allowed: set[str], required: set[str] = frozenset()) -> None:
        for key in self.data:
            if key not in allowed:
                self.problem(
                    key,
                    _("unknown key `{key}` in {what}").format(key=key, what=self.what)
                    + did_you_mean(key, allowed),
                )
        for key in sorted(required - set(self.data)):
            self.problem(
                None,
                _("{what} is missing the required key `{key}`").format(what=self.what, key=key),
            )

    def text(self, key: str, default: str | None = None) -> str | None:
        value = self.data.get(key, default)
        if value is None or value is default:
            return value
        if isinstance(value, bool):
            self.problem(key, joined(_("`{key}` must be text").format(key=key), _(BOOLEAN_HINT)))
            return default
        if isinstance(value, (dict, list)):
            self.problem(key, _("`{key}` must be text").format(key=key))
            return default
        return str(value).rstrip("\n") if isinstance(value, str) else str(value)

    def number(self, key: str, default: float | None = None, *, positive: bool = False):
        value = self.data.get(key, default)
        if value is default:
            return default
        parsed = as_number(value)
        if parsed is None:
            self.problem(
                key, _("`{key}` must be a number, not `{value}`").format(key=key, value=value)
            )
            return default
        if positive and not parsed > 0:
            self.problem(key, _("`{key}` must be greater than 0").format(key=key))
            return default
        return parsed

    def integer(self, key: str, default: int, *, minimum: int = 0) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.problem(
                key,
                _("`{key}` must be a whole number >= {minimum}").format(key=key, minimum=minimum),
            )
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, _("`{key}` must be true or false").format(key=key))
            return default
        return value

    def text_list(self, key: str) -> list[str]:
        value = self.data.get(key)
        if value is None:
            return []
        if not isinstance(value, list) or not all(
            isinstance(item, (str, int, float)) and not isinstance(item, bool) for item in value
        ):
            hint = ""
            if isinstance(value, list) and any(isinstance(item, dict) for item in value):
                hint = _(" (an item containing `: ` must be quoted, or written as a `>` block)")
            elif isinstance(value, list) and any(isinstance(item, bool) for item in value):
                hint = "; " + _(BOOLEAN_HINT)
            elif isinstance(value, str):
                hint = _(" (write `{key}:` then one `- item` per line)").format(key=key)
            self.problem(key, _("`{key}` must be a list of text items").format(key=key) + hint)
            return []
        return [str(item).rstrip("\n") for item in value]

    def mapping(self, key: str) -> LineDict | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, LineDict):
            self.problem(key, _("`{key}` must be a mapping of `name: value`").format(key=key))
            return None
        return value

    def sequence(self, key: str) -> LineList | None:
        value = self.data.get(key)
        if value is None:
            return None
        if not isinstance(value, LineList):
            self.problem(key, _("`{key}` must be a list").format(key=key))
            return None
        return value

    def sub(self, data: LineDict, what: str) -> Fields:
        """Fields for a nested mapping, sharing this one's problem list."""
        nested = Fields(data, self.base_line, what)
        nested.problems = self.problems
        return nested


def as_number(value: Any) -> float | None:
    """A YAML value as a float; PyYAML reads `1e-3` as text, so accept that too."""
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return None
    return None
