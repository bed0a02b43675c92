"""A prompt's matrices as matrices: one row per line, columns aligned.

`fill_prompt` writes a learner's 3x4 `logits` inline, and the prompt's
Markdown then reflows it like prose: a row split in the middle, the next
row glued to it. Here each line of the prompt that shows a matrix becomes a
small code block, the matrix's rows under one another:

    logits = [[ 0.3367,  0.1288,  0.2345,  0.2303],
              [-1.1229, -0.1863,  2.2082, -0.6380],
              [ 0.4617,  0.2674,  0.5349,  0.8094]]
"""

from __future__ import annotations

from typing import Any

from tutor.app.cjk import NO_BREAK_BEFORE
from tutor.grading.presentation import fill_prompt, format_value

_CLOSING = "".join(sorted(NO_BREAK_BEFORE))
_TOKEN = "\x00matrix:{name}\x00"


def is_matrix(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(row, list) and row for row in value)
        and all(not isinstance(x, list) for row in value for x in row)
    )


def prompt_with_matrices(prompt: str, params: dict[str, Any]) -> str | None:
    """The prompt filled in, each line showing a matrix set as a code block; None if none does."""
    matrices = {name: value for name, value in params.items() if is_matrix(value)}
    if not matrices:
        return None
    tokens = {name: _TOKEN.format(name=name) for name in matrices}
    filled = fill_prompt(prompt, {**params, **tokens})
    if not any(token in filled for token in tokens.values()):
        return None  # the matrices are only named inside math: leave the prompt as it is
    out: list[str] = []
    for line in filled.split("\n"):
        names = [name for name, token in tokens.items() if token in line]
        if not names:
            out.append(line)
            continue
        # the words after the last matrix go on as prose (a code block would cut them off)
        last = max(line.rindex(tokens[name]) + len(tokens[name]) for name in names)
        # and the punctuation no line may start with (`,` `)` and Chinese `，。）`) stays with it
        trail = line[last:]
        end = last + len(trail) - len(trail.lstrip(_CLOSING))
        block, rest = line[:end], line[end:].strip()
        for name in names:
            prefix = block.split(tokens[name], 1)[0].rsplit("\n", 1)[-1]
            block = block.replace(tokens[name], aligned(matrices[name], len(prefix)))
        out.extend(["", "```text", block, "```", ""])
        if rest:
            out.append(rest)
    return "\n".join(out)


def aligned(matrix: list[list[Any]], indent: int = 0) -> str:
    """`[[a, b], [c, d]]` with one row per line, each column right-aligned."""
    cells = [[format_value(x) for x in row] for row in matrix]
    widths = [
        max(len(row[i]) for row in cells if i < len(row)) for i in range(max(map(len, cells)))
    ]
    rows = [
        "[" + ", ".join(cell.rjust(widths[i]) for i, cell in enumerate(row)) + "]" for row in cells
    ]
    pad = " " * (indent + 1)
    return "[" + (",\n" + pad).join(rows) + "]"
