"""A lesson's `python` example, highlighted, with the output it claims and a key to run it."""

from __future__ import annotations

from rich.syntax import Syntax
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from tutor.app.from_thread import tell_app
from tutor.app.restyle import RestyledAloneOnFocus
from tutor.app.widgets.leaving import part
from tutor.grading.verdict import GraderNotAvailable
from tutor.i18n import N_, _
from tutor.pack.model import CodeExample


def highlighted(code: str, dark: bool, width: int | None = None) -> Syntax:
    """Python highlighted in the terminal's own ANSI colours: readable in 16 colours too.

    A line longer than `width` wraps, and the lines are numbered then: a
    wrapped part has no number, so it reads as the line above continued
    (never cut off at the edge, as `target.reshape(-1)` was at 80 columns).
    """
    code = code.rstrip("\n")
    wraps = width is not None and max((len(line) for line in code.split("\n")), default=0) > width
    return Syntax(
        code,
        "python",
        theme="ansi_dark" if dark else "ansi_light",
        background_color="default",
        word_wrap=wraps,
        line_numbers=wraps,
    )


class CodeText(Static):
    """Highlighted code that wraps, numbered, only when a line does not fit (see `highlighted`)."""

    def __init__(self, code: str, **kwargs):
        super().__init__("", **kwargs)
        self.code = code

    def on_mount(self) -> None:
        self._draw()

    def on_resize(self) -> None:
        self._draw()

    def _draw(self) -> None:
        width = self.content_region.width or self.app.size.width
        self.update(highlighted(self.code, self.app.current_theme.dark, width))


class CodeExampleView(RestyledAloneOnFocus, Vertical, can_focus=True):
    """Shows the code and the lesson's claimed output; `r` runs it for real."""

    BINDINGS = [Binding("r", "run", N_("Run"))]

    def __init__(self, example: CodeExample, **kwargs):
        super().__init__(classes="code-example", **kwargs)
        self.example = example

    def compose(self) -> ComposeResult:
        yield CodeText(self.example.code, classes="code")
        if self.example.output is not None:
            yield Static(
                _("Output, as the lesson states it:"), classes="output-label", markup=False
            )
            yield Static(self.example.output.rstrip("\n"), classes="output", markup=False)
        result = Static("", classes="run-result", markup=False)
        result.display = False
        yield result

    def on_focus(self) -> None:
        glyphs = self.app.glyphs
        example, runs = _("example"), _("r runs it")  # outside the f-string: extracted
        self.border_title = f"{glyphs.pointer} {example} {glyphs.bullet} {runs}"

    def on_blur(self) -> None:
        self.border_title = _("example")

    @property
    def _seen_key(self) -> tuple[str, str, int]:
        location = self.example.location
        return ("run", str(location.path), location.line)

    def on_mount(self) -> None:
        self.border_title = _("example")
        ran = self.app.session.seen.get(self._seen_key)
        result = part(self, ".run-result", Static)
        if isinstance(ran, str) and result is not None:  # run before in this session: it stays
            result.update(ran)
            result.display = True

    def action_run(self) -> None:
        result = self.query_one(".run-result", Static)
        result.update(f"{self.app.glyphs.pending} " + _("running"))
        result.display = True
        self.call_after_refresh(result.scroll_visible, animate=False)
        self._run()

    @work(thread=True, exclusive=True, group="run-example")
    def _run(self) -> None:
        app = self.app  # taken now: once the step is left, the view no longer knows its app
        try:
            run = app.grading.run_example(self.example)
        except GraderNotAvailable as error:
            text = _("Cannot run examples here yet: {error}.").format(error=error)
        except Exception as error:  # noqa: BLE001 - the service's failure is shown, never raised
            text = _("The example could not be run: {error}").format(error=error)
        else:
            text = self._describe(run.output, run.problem)
        tell_app(app, self._ran, app.plain(text))

    def _ran(self, text: str) -> None:
        self.app.session.seen[self._seen_key] = text
        result = part(self, ".run-result", Static)
        if result is not None:  # else the learner left the step: it shows when they come back
            result.update(text)
            # the output lands below the code: bring it into view rather than under the fold
            self.call_after_refresh(result.scroll_visible, animate=False)

    def _describe(self, output: str, problem: str | None) -> str:
        glyphs = self.app.glyphs
        shown = output.rstrip("\n") or _("(nothing printed)")
        lines = [_("Output, run just now:"), "\n".join("  " + line for line in shown.split("\n"))]
        if problem:
            lines.append(_("The run did not end normally: {problem}").format(problem=problem))
        claimed = self.example.output
        if claimed is not None:
            same = output.strip() == claimed.strip()
            lines.append(
                f"{glyphs.correct} " + _("same as the lesson states")
                if same
                else f"{glyphs.incorrect} " + _("differs from what the lesson states")
            )
        return "\n".join(lines)
