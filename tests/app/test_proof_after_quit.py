"""A derivation's proof that finishes after the app has quit reports to nobody, quietly."""

from __future__ import annotations

from types import SimpleNamespace

from tutor.app.widgets.derivation_view import DerivationView


class GoneApp:
    """An app that has quit: asking its closed loop to run something is what must not happen."""

    is_running = False
    ascii = False

    def __init__(self) -> None:
        self.asked: list[object] = []
        drawn = {"title": "t", "renderings": ["a = a"], "proved": True}
        self.grading = SimpleNamespace(derivation=lambda *args: drawn)

    def call_from_thread(self, callback, *args) -> None:
        self.asked.append(callback)  # Textual would build a coroutine here that nobody awaits


def test_a_proof_finished_after_quit_asks_nothing_of_the_app() -> None:
    view = DerivationView.__new__(DerivationView)  # no app, as in the proving thread
    view.lesson, view.block = object(), object()
    app = GoneApp()
    view._prepare(app)
    assert app.asked == []
    app.is_running = True  # the same proof while the app runs: drawn, then proved
    view._prepare(app)
    assert len(app.asked) == 2
