"""YAML that remembers where each key was written.

PyYAML's safe loader forgets line numbers and silently keeps the last of two
duplicate keys; authors need both to fix a lesson. `load_yaml` returns plain
values, except that mappings are `LineDict`s and lists `LineList`s carrying
the 1-based line of themselves and of each key or item.
"""

from __future__ import annotations

from typing import Any

import yaml

from tutor.i18n import N_, _


class LineDict(dict):
    """A dict with `line` (its own) and `key_lines` (each key's)."""

    line: int = 0
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LineList(list):
    """A list with `line` (its own) and `item_lines` (each item's)."""

    line: int = 0
    item_lines: list[int]

    def line_of(self, index: int) -> int:
        return self.item_lines[index] if index < len(self.item_lines) else self.line


class YamlProblem(Exception):
    """A YAML error or duplicate key, with its 1-based line within the text."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


class _LineLoader(yaml.SafeLoader):
    """The safe loader, with lines kept; its error messages point where the problem is."""


class _FastLineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """libyaml's safe loader when present: several times faster, but its errors point
    at the end of a broken construct, so a failed parse is redone by `_LineLoader`."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        key_line = key_node.start_mark.line + 1
        if not isinstance(key, str):
            key = str(key)
        if key in result:
            raise YamlProblem(key_line, _("duplicate key `{key}`").format(key=key))
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_line
    return result


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


for _loader in (_LineLoader, _FastLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def load_yaml(text: str) -> Any:
    """Parse YAML text; raise `YamlProblem` with a 1-based line on any error."""
    try:
        return yaml.load(text, Loader=_FastLineLoader)  # noqa: S506 - a safe loader
    except yaml.YAMLError:
        pass  # parse again below for a message that points at the problem
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except YamlProblem:
        raise
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark else 1
        problem = error.problem or str(error)
        context = f" {error.context}" if error.context else ""
        hint = ""
        if "mapping values are not allowed" in problem:  # PyYAML's words, which stay English
            hint = _(" (text containing `: ` must be quoted, or written as a `>` or `|` block)")
        hint = hint or _starting_character_hint(problem)
        raise YamlProblem(
            line, _("bad YAML: {problem}").format(problem=f"{problem}{context}") + hint
        ) from None
    except yaml.YAMLError as error:
        raise YamlProblem(1, _("bad YAML: {problem}").format(problem=error)) from None


# what YAML makes of a value's first character, in words a teacher can act on
_FIRST_CHARACTER = {
    "`": N_("a value cannot start with ` (a code span) in YAML"),
    "*": N_("a value starting with * is read as a YAML alias (a reference to an anchor)"),
    "&": N_("a value starting with & is read as a YAML anchor"),
    "!": N_("a value starting with ! is read as a YAML tag"),
    "%": N_("a value cannot start with % in YAML (it starts a directive)"),
    "@": N_("a value cannot start with @ in YAML (it is reserved)"),
}


def _starting_character_hint(problem: str) -> str:
    """The fix for a value YAML refused because of its first character, or a tab."""
    if "'\\t'" in problem:
        return _(" ({hint})").format(hint=_("a tab cannot indent YAML: indent with spaces"))
    for char, meaning in _FIRST_CHARACTER.items():
        if f"'{char}'" in problem or (char == "!" and "for the tag" in problem):
            fix = _('{meaning}: put the whole text in quotes, "{char}…", or use a `>` block')
            return _(" ({hint})").format(hint=fix.format(meaning=_(meaning), char=char))
    return ""


_PROSE_KEYS = {"prompt", "feedback", "text", "solution", "title", "reason", "summary", "why"}


def silent_cuts(text: str) -> list[tuple[int, str]]:
    """Lines where YAML silently drops part of a plain (unquoted) value.

    ` #` starts a comment (the rest of the line is gone); a leading `&word`
    is an anchor (the word is gone).
    Block scalars (`|`, `>`) keep their `#`; quoted, flow (`{…}`, `[…]`) and
    empty values are left alone. Returns (1-based line, message).
    """
    found = []
    block_indent: int | None = None  # inside a | or > block: lines indented deeper are text
    for number, line in enumerate(text.splitlines(), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                continue
            block_indent = None
        stripped = line.strip()
        body = stripped[2:] if stripped.startswith("- ") else stripped
        key, colon, value = body.partition(": ")
        value = value if colon else (body if stripped.startswith("- ") else "")
        value = value.strip()
        if value[:1] in ("|", ">"):
            block_indent = indent
            continue
        if value.startswith("&"):
            found.append(
                (
                    number,
                    _(
                        "`{anchor}` at the start of a value is read as a YAML anchor and "
                        "silently dropped: put the whole text in quotes"
                    ).format(anchor=value.split()[0]),
                )
            )
            continue
        if not value or value[0] in "\"'{[#" or " #" not in value:
            continue
        kept, _hash, cut = value.partition(" #")
        prose = key in _PROSE_KEYS or (stripped.startswith("- ") and not colon)
        if not prose and cut[:1] in ("", " "):
            continue  # `key: value  # a note`: a comment, as the guide's examples write them
        found.append(
            (
                number,
                _(
                    "` #` starts a YAML comment, so `{kept}` is all that is kept and `#{cut}` "
                    "is silently dropped: put the whole text in quotes"
                ).format(kept=kept.strip(), cut=cut),
            )
        )
    return found
