"""Split a lesson's Markdown into front matter, steps and fenced blocks.

This is the one place that knows the Markdown layout of a lesson: `---`
front matter, `## ` headings that start steps, and fenced blocks (``` or
~~~) whose info string names a special block. Everything keeps its 1-based
line so later checks can point at it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tutor.i18n import _
from tutor.pack.errors import did_you_mean

SPECIAL_BLOCKS = ("exercise", "derivation", "plot", "python", "output")
YAML_BLOCKS = ("exercise", "derivation", "plot")

_FENCE = re.compile(r"^(?P<indent> {0,3})(?P<fence>`{3,}|~{3,})(?P<info>.*)$")


@dataclass
class FencedBlock:
    """A fenced block whose info string names a special block."""

    kind: str  # the first word of the info string
    body: str
    line: int  # the line of the opening fence
    info: str = ""

    @property
    def body_line(self) -> int:
        """The line of the body's first line."""
        return self.line + 1


@dataclass
class RawStep:
    title: str
    line: int
    parts: list[FencedBlock | tuple[int, str]] = field(default_factory=list)


@dataclass
class LessonText:
    front_matter: str | None
    front_matter_line: int  # the line of the front matter's first line
    intro: str  # Markdown before the first step
    steps: list[RawStep]
    problems: list[tuple[int, str]]  # (line, message)


def split_lesson(text: str) -> LessonText:
    """Split lesson text; structural problems are returned, never raised."""
    lines = text.splitlines()
    problems: list[tuple[int, str]] = []
    front_matter, start = _front_matter(lines, problems)
    intro: list[str] = []
    steps: list[RawStep] = []
    prose: list[str] = []
    prose_line = start + 1

    def flush_prose() -> None:
        nonlocal prose
        joined = "\n".join(prose)
        chunk = joined.strip("\n")
        if chunk.strip():
            if steps:  # the line of the chunk's first line, past the blank lines stripped
                blank = len(joined) - len(joined.lstrip("\n"))
                steps[-1].parts.append((prose_line + blank, chunk))
            else:
                intro.append(chunk)
        prose = []

    index = start
    while index < len(lines):
        line = lines[index]
        fence = _FENCE.match(line)
        if fence:
            end = _closing_fence(lines, index, fence.group("fence"))
            info = fence.group("info").strip()
            kind = info.split()[0].lower() if info else ""
            if end is None:
                problems.append((index + 1, _("fenced block opened here is never closed")))
                end = len(lines)
            if kind not in SPECIAL_BLOCKS and did_you_mean(kind, SPECIAL_BLOCKS):
                problems.append(
                    (
                        index + 1,
                        _(
                            "unknown block `{kind}`{hint}: it is shown as plain text, and "
                            "nothing in it is checked or graded"
                        ).format(kind=kind, hint=did_you_mean(kind, SPECIAL_BLOCKS)),
                    )
                )
            if kind in YAML_BLOCKS and end < len(lines):
                problems.extend(_closed_early(lines, index, end, fence.group("fence"), kind))
            if kind in SPECIAL_BLOCKS:
                flush_prose()
                body = "\n".join(lines[index + 1 : end])
                block = FencedBlock(kind=kind, body=body, line=index + 1, info=info)
                if steps:
                    steps[-1].parts.append(block)
                else:
                    problems.append(
                        (
                            index + 1,
                            _("`{kind}` block before the first `## ` step").format(kind=kind),
                        )
                    )
                prose_line = end + 2
            else:
                if not prose:
                    prose_line = index + 1
                prose.extend(lines[index : end + 1])
            index = end + 1
            continue
        if line.startswith("## "):
            flush_prose()
            title = line[3:].strip()
            if not title:
                problems.append((index + 1, _("a step heading needs a title")))
            steps.append(RawStep(title=title, line=index + 1))
            prose_line = index + 2
        else:
            if not prose:
                prose_line = index + 1
            prose.append(line)
        index += 1
    flush_prose()
    if not steps:
        problems.append((start + 1, _("a lesson needs at least one `## ` step")))
    return LessonText(
        front_matter=front_matter,
        front_matter_line=2,
        intro="\n\n".join(intro),
        steps=steps,
        problems=problems,
    )


def _front_matter(lines: list[str], problems: list[tuple[int, str]]) -> tuple[str | None, int]:
    """Return the front matter text and the index of the first line after it."""
    if not lines or lines[0].strip() != "---":
        problems.append((1, _("a lesson starts with `---` YAML front matter (id, title)")))
        return None, 0
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            return "\n".join(lines[1:index]), index + 1
    problems.append((1, _("front matter opened with `---` is never closed")))
    return None, len(lines)


def _closing_fence(lines: list[str], start: int, fence: str) -> int | None:
    char, length = fence[0], len(fence)
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped and set(stripped) == {char} and len(stripped) >= length:
            return index
    return None


def _closed_early(
    lines: list[str], start: int, end: int, fence: str, kind: str
) -> list[tuple[int, str]]:
    """A fence opened inside a YAML block: its plain closing line ended the block instead."""
    char, length = fence[0], len(fence)
    for index in range(start + 1, end):
        inner = lines[index].strip()
        if inner.startswith(char * length) and inner.strip(char).strip():
            longer = char * (length + 1)
            return [
                (
                    end + 1,
                    _(
                        "this `{fence}` closes the `{kind}` block opened at line {start}, not "
                        "the `{inner}` block inside it (line {line}): open and close the {kind} "
                        "with {count} (`{longer}{kind}` … `{longer}`) so the inner fence stays "
                        "inside"
                    ).format(
                        fence=char * length,
                        kind=kind,
                        start=start + 1,
                        inner=inner,
                        line=index + 1,
                        count=length + 1,
                        longer=longer,
                    ),
                )
            ]
    return []
