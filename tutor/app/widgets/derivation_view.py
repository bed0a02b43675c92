"""A derivation revealed step by step, each step with its reason and its proof mark.

Each step is proved equal to the one before by the symbolic engine, in
the grading service (a step may take up to a second; a shared service
proves each derivation once for the class), so the marks appear when the
proof is done; until then the block says it is being checked.
"""

from __future__ import annotations

import threading

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from tutor.app.from_thread import tell_app
from tutor.app.restyle import RestyledAloneOnFocus
from tutor.app.widgets.math_block import MathBlock
from tutor.app.widgets.titles import fitted
from tutor.i18n import N_, _
from tutor.pack.model import Derivation as DerivationBlock
from tutor.pack.model import Lesson


class DerivationView(RestyledAloneOnFocus, Vertical, can_focus=True):
    """`d` reveals the next step; the whole derivation is proved in the background."""

    BINDINGS = [
        Binding("d", "reveal", N_("Next derivation step")),
        # a step wider than the screen scrolls sideways (its scrollbar shows how far)
        Binding("shift+right", "sideways(8)", N_("Scroll right"), show=False),
        Binding("shift+left", "sideways(-8)", N_("Scroll left"), show=False),
    ]

    def __init__(self, lesson: Lesson, block: DerivationBlock, **kwargs):
        super().__init__(classes="derivation", **kwargs)
        self.lesson = lesson
        self.block = block
        self.title = block.title or (block.use or _("Derivation"))
        self.revealed = 1  # steps shown; kept for the session (LearnerSession.seen)
        self.renderings: list[str] = []  # renderings[k]: the first k + 1 steps
        self.problem: str | None = None
        self.proved = False

    @property
    def step_count(self) -> int:
        return len(self.renderings) or len(self.block.steps)

    def compose(self) -> ComposeResult:
        yield MathBlock(
            f"{self.app.glyphs.pending} " + _("reading the derivation"), classes="steps"
        )
        yield Static("", classes="derivation-keys", markup=False)

    @property
    def _seen_key(self) -> tuple[str, str, int]:
        return ("derivation", self.lesson.id, self.block.location.line)

    def on_mount(self) -> None:
        self.revealed = int(self.app.session.seen.get(self._seen_key, 1))  # type: ignore[call-overload]
        self._set_title(self.title)
        self._start_proof()

    def _set_title(self, title: str) -> None:
        self.title = title
        self.border_title = fitted(self, f"{title} {self.app.glyphs.bullet} " + _("d: next step"))

    def _start_proof(self) -> None:
        # A daemon thread, not a Textual worker: a proof cannot be interrupted, and
        # quitting the app (or leaving the step) must never wait for one to finish.
        app = self.app
        threading.Thread(target=self._prepare, args=(app,), daemon=True).start()

    def _prepare(self, app: App) -> None:
        """Drawn first (fast), then drawn again with each step's proof mark."""

        for prove in (False, True):
            try:
                drawn = app.grading.derivation(self.lesson, self.block, app.ascii, prove)
            except Exception as error:  # noqa: BLE001 - shown as "not checked", never raised
                tell_app(app, self._failed, _("could not be checked: {error}").format(error=error))
                return
            if drawn.get("problem") or not drawn["renderings"]:
                tell_app(app, self._failed, drawn.get("problem") or _("nothing to show"))
                return
            tell_app(app, self._ready, drawn["title"], drawn["renderings"], drawn["proved"])

    def _ready(self, title: str, renderings: list[str], proved: bool) -> None:
        if not self.is_attached:
            return  # the learner moved on while the proof ran
        if title != self.title:
            self._set_title(title)
        self.renderings = renderings
        self.proved = proved
        self._show()

    def _failed(self, problem: str) -> None:
        if not self.is_attached:
            return
        self.problem = problem
        self._show()

    def _show(self) -> None:
        blocks, keys_lines = self.query(".steps"), self.query(".derivation-keys")
        if not blocks or not keys_lines:
            return  # being removed: the learner left the step while the proof ran
        block, keys = blocks.first(MathBlock), keys_lines.first(Static)
        total = len(self.renderings)
        if self.renderings:
            block.update(self.app.plain(self.renderings[min(self.revealed, total) - 1]))
        status = "" if self.proved else f"  {self.app.glyphs.pending} " + _("checking each step")
        if self.problem:
            status = f"  {self.problem}"
        more = _("press d for the next step") if self.revealed < total else _("all steps shown")
        step = _("Step {n}/{count}").format(n=min(self.revealed, total), count=total)
        shown = block.text.split("\n")
        wide = max((len(line) for line in shown), default=0) > block.content_region.width > 0
        sideways = "  " + _("shift+arrows: see the rest") if wide else ""
        keys.update(self.app.plain(f"{step}, {more}{status}{sideways}"))

    def on_resize(self) -> None:
        self._set_title(self.title)
        self._show()

    def action_sideways(self, columns: int) -> None:
        block = self.query_one(".steps", MathBlock)
        block.scroll_relative(x=columns, animate=False, immediate=True)

    def action_reveal(self) -> None:
        if self.revealed < len(self.renderings):
            self.revealed += 1
            self.app.session.seen[self._seen_key] = self.revealed
            self._show()
            # the new step is at the bottom of the box: bring it into view
            keys = self.query_one(".derivation-keys", Static)
            self.call_after_refresh(keys.scroll_visible, animate=False)
