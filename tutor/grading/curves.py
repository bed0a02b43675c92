"""A `plot` block's curves as numbers: shared by the app's drawing and `validate`.

The curves are the lesson's own expressions (`-log(q)`), read by the same
safe formula reader as learner answers and evaluated with numpy; nothing is
ever passed to `eval`. A curve that cannot be read comes back as a message,
which the app shows in the title and `validate` reports at the plot's line.
"""

from __future__ import annotations

from tutor.i18n import _
from tutor.pack.model import Plot

POINTS = 200

Problems = list[tuple[int, str]]


def curves_of(block: Plot) -> tuple[list[float], list[tuple[str, list[float]]], list[str]]:
    """x values, (label, y values) per readable curve, and a message per unreadable one."""
    import numpy as np

    from tutor.symbolic.domain import SymbolKind, SymbolSpec
    from tutor.symbolic.evaluation import Numeric, evaluate
    from tutor.symbolic.reader import Unreadable, read_formula
    from tutor.symbolic.tree import SymbolTable

    low, high = block.range
    xs = np.linspace(low, high, POINTS)
    table = SymbolTable.of({block.x: SymbolSpec(block.x, SymbolKind.REAL)})
    curves, problems = [], []
    for index, text in enumerate(block.y):
        label = block.labels[index] if index < len(block.labels) else text
        formula = read_formula(text, table)
        if isinstance(formula, Unreadable):
            problems.append(f"{text}: {formula.message}")
            continue
        with np.errstate(all="ignore"):
            ys, _ = evaluate(formula.tree, table, {block.x: xs}, {}, Numeric())
        ys = np.broadcast_to(np.asarray(ys, dtype=float), xs.shape)
        keep = np.isfinite(ys)
        curves.append(
            (label, [float(y) if ok else float("nan") for y, ok in zip(ys, keep, strict=True)])
        )
    return [float(x) for x in xs], curves, problems


def check_plot(block: Plot) -> Problems:
    """Every curve must read, name only the plot's variable, and have points to draw."""
    try:
        _xs, curves, problems = curves_of(block)
    except Exception as error:  # noqa: BLE001 - the engine's failure is the author's news
        return [
            (block.location.line, _("the curves cannot be computed: {error}").format(error=error))
        ]
    found = [
        (
            block.location.line,
            _("the curve {problem}; the app would leave it out").format(problem=message),
        )
        for message in problems
    ]
    for label, ys in curves:
        if not any(y == y for y in ys):  # nan != nan
            found.append(
                (
                    block.location.line,
                    _(
                        "the curve `{label}` has no finite value in `range` {range}: nothing "
                        "would be drawn"
                    ).format(label=label, range=list(block.range)),
                )
            )
    return found
