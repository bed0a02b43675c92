"""Your own work stays: last answers and verdicts, drafts, the theme, what you uncovered (issue 17, #6)."""

from __future__ import annotations

from textual.widgets import Input, TextArea

from tests.app.helpers import command, exercise, open_step, text_of, verdict_after, wait_until
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.derivation_view import DerivationView
from tutor.app.widgets.own_work import DRAFT_DELAY
from tutor.app.widgets.verdict_view import VerdictView
from tutor.grading.verdict import Status, Verdict
from tutor.progress.store import ProgressStore


async def test_a_restart_shows_the_last_choice_and_its_verdict(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.press("2", "enter")
        await verdict_after(pilot, view)
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, again, "Choice")
        view = await exercise(pilot, screen, "pick")
        assert view.query_one(ChoiceAnswer).highlighted == 1  # the pick, shown again
        shown = text_of(view.query_one(VerdictView))
        assert shown.startswith("✗ Not quite.") and "Probability targets" in shown
        assert "Mistake: indices-vs-probabilities" in shown
        assert "Your last answer, from your record." in shown


async def test_leaving_the_step_and_coming_back_keeps_a_text_answer_and_verdict(
    make_app,
) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        # graded earlier (the service grades numbers; the store is what is restored)
        wrong = Verdict(Status.INCORRECT, mistake="log2-not-ln")
        app.session.record_attempt(view.lesson, view.exercise, "1.0", wrong)
        await command(pilot, "n", "p")
        view = await exercise(pilot, screen, "half-surprise")
        assert view.query_one(Input).value == "1.0"
        shown = text_of(view.query_one(VerdictView))
        assert shown.startswith("✗ Not quite.") and "Mistake: log2-not-ln" in shown


async def test_an_unsubmitted_answer_survives_a_quit(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        view.focus_answer()
        await pilot.pause()
        await pilot.press(*"0.69")
        await pilot.pause(DRAFT_DELAY + 0.2)
        # in the learner's store already, as a kill -9 right now would leave it
        with ProgressStore(app.store.path) as store:
            kept = store.drafts(app.learner, app.pack.id)
        assert kept == {("every-block", "half-surprise"): "0.69"}
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, again, "Number")
        view = await exercise(pilot, screen, "half-surprise")
        assert view.query_one(Input).value == "0.69"


async def test_a_code_draft_survives(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        editor = view.query_one(TextArea)
        editor.load_text("def total(x):\n    return x.sum()  # mine\n")
        await pilot.pause(DRAFT_DELAY + 0.2)
    again = make_app()
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, again, "Code")
        view = await exercise(pilot, screen, "write-sum")
        assert "# mine" in view.query_one(TextArea).text


async def test_the_chosen_theme_is_kept(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)):
        app.use_theme("light")
    again = make_app()
    async with again.run_test(size=(80, 24)):
        assert again.theme == "tutor-light"


async def test_derivation_steps_revealed_stay_revealed_for_the_session(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "A derivation and a plot")
        await wait_until(pilot, lambda: bool(screen.query(DerivationView)))
        derivation = screen.query_one(DerivationView)
        await wait_until(pilot, lambda: len(derivation.renderings) > 2, timeout=60)
        derivation.focus()
        await pilot.press("d")
        assert derivation.revealed == 2
        await command(pilot, "n", "p")
        await wait_until(pilot, lambda: bool(screen.query(DerivationView)))
        assert screen.query_one(DerivationView).revealed == 2
