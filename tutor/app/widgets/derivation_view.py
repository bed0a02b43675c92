"""A derivation revealed step by step, each step with its reason and its proof mark.

Each step is proved equal to the one before by the symbolic engine, in a
thread worker (a step may take up to a second), so the marks appear when
the proof is done; until then a step says it is being checked.
"""

from __future__ import annotations

import contextlib
import threading

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from tutor.app.widgets.math_block import MathBlock
from tutor.pack.model import Derivation as DerivationBlock


class DerivationView(Vertical, can_focus=True):
    """`d` reveals the next step; the whole derivation is proved in the background."""

    BINDINGS = [Binding("d", "reveal", "Next derivation step")]

    def __init__(self, block: DerivationBlock, **kwargs):
        super().__init__(classes="derivation", **kwargs)
        self.block = block
        self.revealed = 1
        self.renderings: list[str] = []  # renderings[k]: the first k + 1 steps
        self.problem: str | None = None
        self.proved = False

    @property
    def step_count(self) -> int:
        derivation = self._derivation()
        return len(derivation.steps) if derivation is not None else len(self.block.steps)

    def compose(self) -> ComposeResult:
        yield MathBlock(f"{self.app.glyphs.pending} reading the derivation", classes="steps")
        yield Static("", classes="derivation-keys", markup=False)

    def on_mount(self) -> None:
        self.border_title = self._title()
        self._start_proof()

    def _title(self) -> str:
        derivation = self._derivation()
        name = (derivation.title if derivation else "") or self.block.title or "Derivation"
        return self.app.plain(f"{name} {self.app.glyphs.bullet} d: next step")

    def _derivation(self):
        from tutor.symbolic.derivations import BUILTIN_DERIVATIONS, Derivation, Step

        if self.block.use:
            return BUILTIN_DERIVATIONS.get(self.block.use)
        return Derivation(
            name="",
            title=self.block.title,
            symbols=self.block.symbols,
            steps=tuple(Step(s.expr, s.reason) for s in self.block.steps),
        )

    def _start_proof(self) -> None:
        # A daemon thread, not a Textual worker: a proof cannot be interrupted, and
        # quitting the app (or leaving the step) must never wait for one to finish.
        app = self.app
        threading.Thread(target=self._prepare, args=(app,), daemon=True).start()

    def _prepare(self, app: App) -> None:
        from tutor.symbolic.derivations import prove

        def report(callback, *args) -> None:
            with contextlib.suppress(RuntimeError):  # the app has already gone
                app.call_from_thread(callback, *args)

        derivation = self._derivation()
        if derivation is None:
            report(self._failed, f"no built-in derivation {self.block.use!r}")
            return
        count = len(derivation.steps)
        unproved = [self._render_steps(derivation, k, None, app.ascii) for k in range(count)]
        report(self._ready, unproved, False)
        try:
            results = prove(derivation)
        except Exception as error:  # noqa: BLE001 - shown as "not checked", never raised
            report(self._failed, f"could not be checked: {error}")
            return
        proved = [self._render_steps(derivation, k, results, app.ascii) for k in range(count)]
        report(self._ready, proved, True)

    @staticmethod
    def _render_steps(derivation, k: int, results, ascii: bool) -> str:
        from dataclasses import replace

        from tutor.symbolic.derivations import render_derivation

        part = replace(derivation, steps=derivation.steps[: k + 1])
        marks = results[: k + 1] if results is not None else None
        text = render_derivation(part, marks, ascii=ascii)
        # the title is the border's; drop it and the blank line after it
        return "\n".join(text.split("\n")[2:]).rstrip()

    def _ready(self, renderings: list[str], proved: bool) -> None:
        if not self.is_attached:
            return  # the learner moved on while the proof ran
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
        status = "" if self.proved else f"  {self.app.glyphs.pending} checking each step"
        if self.problem:
            status = f"  {self.problem}"
        more = "press d for the next step" if self.revealed < total else "all steps shown"
        keys.update(self.app.plain(f"Step {min(self.revealed, total)}/{total}, {more}{status}"))

    def action_reveal(self) -> None:
        if self.revealed < len(self.renderings):
            self.revealed += 1
            self._show()
