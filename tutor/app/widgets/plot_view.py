"""A lesson's `plot` block drawn in the terminal with textual-plotext.

The curves are the lesson's own expressions (`-log(q)`), read by the same
safe formula reader as learner answers and evaluated with numpy; nothing
is ever passed to `eval`.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual_plotext import PlotextPlot

from tutor.pack.model import Plot

POINTS = 200
# plotext gives every character one cell; a wide (CJK) one is followed by this, which takes
# the second cell in plotext's grid and is removed from the drawing: legends measure right
FILLER = "\u2060"


class PlotView(PlotextPlot):
    """The curves of one `plot` block; a curve that cannot be read is named in the title."""

    def __init__(self, plot: Plot, **kwargs):
        super().__init__(classes="plot", **kwargs)
        self.plot_block = plot

    def on_mount(self) -> None:
        block = self.plot_block
        xs, curves, problems = curves_of(block)
        plt = self.plt
        plt.clear_figure()
        ascii = self.app.ascii
        if ascii:  # plotext's frame and dots are box-drawing glyphs: leave them out
            plt.theme("clear")
            plt.frame(False)
            plt.xaxes(False, False)
            plt.yaxes(False, False)
        for label, ys in curves:
            plt.plot(xs, ys, label=widen(label), marker="*" if ascii else "braille")
        title = block.title or ", ".join(block.y)
        if problems:
            title += "  (" + "; ".join(problems) + ")"
        plt.title(widen(self.app.plain(title)))
        plt.xlabel(widen(block.x))

    def render(self):
        build = self.plt.build
        self.plt.build = lambda: build().replace(FILLER, "")
        try:
            return super().render()
        finally:
            self.plt.build = build


def widen(text: str) -> str:
    """`text` as plotext must lay it out: a wide character takes two of its cells."""
    return "".join(char + FILLER if cell_len(char) == 2 else char for char in text)


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
