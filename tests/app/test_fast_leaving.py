"""Leaving a lesson the moment it opens never crashes the app (a fast Esc over SSH)."""

from __future__ import annotations

from tutor.app.screens.home import HomeScreen
from tutor.app.screens.lesson import LessonScreen


async def test_enter_then_escape_at_once_many_times_leaves_the_app_running(make_app) -> None:
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(12):
            await pilot.press("enter", "escape")  # open the first lesson, leave before it shows
        await pilot.press("enter")
        for _ in range(40):
            await pilot.pause(0.05)
            if isinstance(app.screen, LessonScreen):
                break
        assert app.is_running and app.return_code is None
        assert isinstance(app.screen, LessonScreen | HomeScreen)
        for _ in range(6):
            await pilot.press("n", "escape", "enter")  # a step, away, back
        await pilot.pause(0.5)
        assert app.is_running and app.return_code is None
