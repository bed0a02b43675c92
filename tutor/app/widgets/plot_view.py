"""A lesson's `plot` block drawn in the terminal with textual-plotext.

The curves are the lesson's own expressions (`-log(q)`), read by the same
safe formula reader as learner answers and evaluated with numpy; nothing
is ever passed to `eval`.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual_plotext import PlotextPlot

from tutor.grading.curves import curves_of
from tutor.pack.model import Plot

# plotext gives every character one cell; a wide (CJK) one is followed by this, which takes
# the second cell in plotext's grid and is removed from the drawing: legends measure right
FILLER = "\u2060"
ASCII_MARKERS = ("*", "o", "+", "x", "#", "@")


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
        for index, (label, ys) in enumerate(curves):
            # in ASCII the theme has no colours: each curve gets a marker of its own,
            # and the legend shows it ("* -log(q)", "o log(1/q)")
            marker = ASCII_MARKERS[index % len(ASCII_MARKERS)] if ascii else "braille"
            plt.plot(xs, ys, label=widen(label), marker=marker)
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
