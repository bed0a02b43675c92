"""A step's body is whole in the first frame that shows it (issue 17 #11).

Textual's Markdown parses in a thread once mounted and mounts its blocks
later, so frames went out with a step's example and math drawn and its prose
still missing (0.2-0.35 s on a first visit). Nothing here is timed: every
frame the app draws is read, and none may show the step without its prose.
"""

from __future__ import annotations

from tests.app.helpers import open_step, wait_until
from tutor.app.screens.lesson import LessonScreen

PROSE = "The surprise of an outcome"  # the first words of the step's prose
EXAMPLE = "import torch"  # the step's example, below the prose and a formula
PROMPT = "Which target form does"  # the choice exercise's prompt, above its choices
CHOICE = "class probabilities"


def _watch_frames(app) -> list[str]:
    """The whole screen's text at every frame the app draws of a lesson."""
    frames: list[str] = []
    display = app._display

    def drawn(screen, renderable) -> None:
        if renderable is not None and isinstance(screen, LessonScreen):
            whole = screen._compositor.render_update(full=True)
            frames.append("\n".join("".join(s.text for s in line) for line in whole.strips))
        display(screen, renderable)

    app._display = drawn
    return frames


async def _frames_of_visits(make_app, key: str, back: str, step: int) -> list[str]:
    """Every frame drawn while going from the derivation step to `step` and back, 5 times."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "A derivation and a plot")
        frames = _watch_frames(app)
        for _ in range(5):  # the step is built anew on every visit
            await pilot.press(key)
            await wait_until(pilot, lambda: screen.step == step)
            await pilot.pause(0.2)
            await pilot.press(back)
            await wait_until(pilot, lambda: screen.step == 1)
    return frames


async def test_no_frame_shows_a_step_without_its_prose(make_app) -> None:
    frames = await _frames_of_visits(make_app, "p", "n", 0)
    with_example = [frame for frame in frames if EXAMPLE in frame]
    without_prose = [frame for frame in with_example if PROSE not in frame]
    assert with_example and not without_prose, without_prose[0]


async def test_no_frame_shows_an_exercise_without_its_prompt(make_app) -> None:
    frames = await _frames_of_visits(make_app, "n", "p", 2)
    with_choices = [frame for frame in frames if CHOICE in frame]
    without_prompt = [frame for frame in with_choices if PROMPT not in frame]
    assert with_choices and not without_prompt, without_prompt[0]


async def test_steps_typed_ahead_never_leave_the_screen_unpainted(make_app) -> None:
    """A step left before it was mounted holds the paint no longer than it takes."""
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, app, "Math and an example")
        await pilot.press("n", "n", "n", "p")  # in one burst: steps left before they mounted
        await pilot.pause(0.5)
        await wait_until(pilot, lambda: not app._batch_count, timeout=5)
