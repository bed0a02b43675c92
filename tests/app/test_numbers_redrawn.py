"""After the service returns, a step redraws the learner's own numbers before it takes an answer.

An answer typed against `{q}` placeholders would be graded against numbers
the learner never saw (issue 12, finding 8): it is refused and not counted.
"""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Static

from tests.app.helpers import (
    attempts_of,
    exercise,
    open_step,
    text_of,
    type_and_submit,
    verdict_after,
    wait_until,
)
from tutor.app.grading_link import GradingLink, ServiceWaiting
from tutor.app.tutor_app import TutorApp
from tutor.app.widgets import exercise_view
from tutor.grading.protocol import GradingFailed
from tutor.grading.verdict import GraderNotAvailable, Status, Verdict


class ComingBack:
    """A grading service that is away until `up` is set; counts what it was asked."""

    def __init__(self) -> None:
        self.up = False
        self.graded: list[str] = []

    def start(self) -> None:
        pass

    def close(self) -> None:
        pass

    def _check(self) -> None:
        if not self.up:
            raise GraderNotAvailable("the grading service is restarting")

    def show(self, pack, lesson, exercise, learner):
        self._check()
        return {"prompt": "An event has probability q = 0.25. What is its surprise in nats?"}

    def grade(self, pack, lesson, exercise, answer, learner):
        self._check()
        self.graded.append(answer)
        return Verdict(Status.CORRECT, 1.0, "Correct.")


async def test_placeholders_take_no_answer_until_the_numbers_are_drawn(
    make_app, monkeypatch
) -> None:
    monkeypatch.setattr(exercise_view, "REDRAW_EVERY", 0.2)
    service = ComingBack()
    app: TutorApp = make_app(client=service)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Number")
        view = await exercise(pilot, screen, "your-surprise")
        notes = [text_of(s) for s in view.query(".prompt Static.placeholders").results(Static)]
        assert notes and "could not be drawn" in notes[0]

        refused = await type_and_submit(pilot, view, "1.3863")
        assert "not drawn yet" in refused and "no attempt was counted" in refused
        assert service.graded == [] and attempts_of("your-surprise") == []

        service.up = True  # the service is back: the step draws the numbers by itself

        def prompt() -> str:
            return " ".join(m.source for m in view.query("Markdown"))

        await wait_until(pilot, lambda: "{q}" not in prompt(), timeout=10)
        assert view.numbers_missing is None and "q = 0.25" in prompt()
        assert not view.query(".placeholders")

        # the answer typed before is still there (a draft): Enter submits it
        assert view.query_one(Input).value == "1.3863"
        view.focus_answer()
        await pilot.pause()
        await pilot.press("enter")
        await wait_until(pilot, lambda: service.graded == ["1.3863"])
        assert (await verdict_after(pilot, view)).startswith("✓")
    assert service.graded == ["1.3863"]
    assert [status for status, _, _ in attempts_of("your-surprise")] == ["correct"]


def test_in_a_class_a_service_away_is_a_wait_never_a_private_service(test_pack) -> None:
    class Away:
        def start(self) -> None:
            raise AssertionError("a class never starts a service of its own")

        def show(self, *args):
            raise GradingFailed("the class's grading service at /x is not answering", "service")

        grade = answer = show

    lesson = test_pack.lessons[0]
    exercise = lesson.exercise("your-surprise")
    link = GradingLink(test_pack, "ada", client=Away(), socket_path=Path("/x"))
    assert link.in_class
    for ask in (
        lambda: link.present(lesson, exercise),
        lambda: link.grade(lesson, exercise, "1.0"),
    ):
        try:
            ask()
        except ServiceWaiting as error:
            assert "not answering" in str(error) and "nothing is graded" in str(error)
        else:
            raise AssertionError("an answer was taken while the class's service was away")
