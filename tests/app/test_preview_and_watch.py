"""An author's preview: `ce-tutor PACK --lesson ID` opens on a lesson, `--watch` shows each save."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.app.conftest import PACK_DIR
from tests.app.helpers import wait_until
from tutor.app.screens.home import HomeScreen
from tutor.app.screens.lesson import LessonScreen
from tutor.cli import cli
from tutor.pack.loader import load_pack

LESSON = "01-every-block.md"


@pytest.fixture
def own_pack(tmp_path: Path) -> Path:
    """A copy of the app's test pack that a test may edit as an author would."""
    root = tmp_path / "pack"
    shutil.copytree(PACK_DIR, root)
    return root


def said(app) -> list[str]:
    return [notice.message for notice in app._notifications]


async def test_the_app_opens_on_the_lesson_asked_for(make_app) -> None:
    app = make_app(lesson="every-block")
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        assert app.screen.lesson.id == "every-block" and app.screen.step == 0
        await pilot.press("escape", "q")  # the lesson list is underneath, as after Enter


async def test_a_saved_lesson_is_shown_again_on_the_same_step(make_app, own_pack) -> None:
    pack = load_pack(own_pack)[0]
    app = make_app(pack=pack, lesson="every-block", watch=True)
    lesson_file = own_pack / LESSON
    original = lesson_file.read_text(encoding="utf-8")
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        screen = app.screen
        screen.step = 3
        await pilot.pause()
        assert screen.lesson.steps[3].title == "Number"

        lesson_file.write_text(original.replace("## Number", "## Numbers, edited"), "utf-8")
        await wait_until(pilot, lambda: screen.lesson.steps[3].title == "Numbers, edited", 10)
        assert app.screen is screen and screen.step == 3 and app.pack is not pack
        assert app.pack.lesson("every-block") is screen.lesson
        await wait_until(pilot, lambda: f"Read again: {LESSON}" in said(app))
        assert "Numbers, edited" in str(screen.query_one("#step-indicator").render())

        # a save that breaks the pack: its first problem, and the last good version stays
        lesson_file.write_text(original.replace("type: number", "type: numbr", 1), "utf-8")
        await wait_until(pilot, lambda: any("still showing" in m for m in said(app)), 10)
        notice = next(m for m in said(app) if "still showing" in m)
        assert f"{LESSON}:" in notice and "numbr" in notice
        assert screen.lesson.steps[3].title == "Numbers, edited" and screen.step == 3

        # a lesson cut short: the learner is on its last step now
        lesson_file.write_text(original.split("## Number")[0], "utf-8")
        await wait_until(pilot, lambda: len(screen.lesson.steps) == 3, 10)
        assert app.screen is screen and screen.step == 2
        assert screen.lesson.steps[2].title == "Choice"


async def test_a_lesson_gone_from_the_pack_leads_home(make_app, own_pack) -> None:
    pack = load_pack(own_pack)[0]
    app = make_app(pack=pack, lesson="every-block", watch=True)
    lesson_file = own_pack / LESSON
    async with app.run_test() as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, LessonScreen))
        text = lesson_file.read_text(encoding="utf-8")
        lesson_file.write_text(text.replace("id: every-block", "id: renamed"), "utf-8")
        await wait_until(pilot, lambda: isinstance(app.screen, HomeScreen), 10)
        assert app.pack.lesson("renamed") is not None
        assert any("'every-block' is no longer in the pack" in m for m in said(app))


class FakeApp:
    opened: dict = {}
    return_code = 0

    def __init__(self, pack, learner, **kwargs):
        FakeApp.opened = {"pack": pack.id, **kwargs}

    def run(self, mouse: bool) -> None:
        pass


@pytest.fixture
def no_terminal(monkeypatch, tmp_path):
    monkeypatch.setattr("tutor.app.tutor_app.TutorApp", FakeApp)
    monkeypatch.setattr("tutor.cli._need_a_terminal", lambda: None)  # CliRunner has no tty
    monkeypatch.delenv("CE_TUTOR_GRADING_SOCKET", raising=False)
    monkeypatch.setattr("tutor.class_config.CLASS_SOCKET", tmp_path / "no-class.sock")


def test_a_lesson_file_as_pack_dir_opens_on_that_lesson(no_terminal, own_pack) -> None:
    result = CliRunner().invoke(cli, [str(own_pack / LESSON), "--watch"])
    assert result.exit_code == 0, result.output
    assert FakeApp.opened["lesson"] == "every-block" and FakeApp.opened["watch"] is True
    result = CliRunner().invoke(cli, [str(own_pack), "--lesson", "every-block"])
    assert result.exit_code == 0, result.output
    assert FakeApp.opened["lesson"] == "every-block" and FakeApp.opened["watch"] is False


def test_an_unknown_lesson_is_refused_with_did_you_mean(no_terminal, own_pack) -> None:
    result = CliRunner().invoke(cli, [str(own_pack), "--lesson", "every-blok"])
    assert result.exit_code == 2
    assert "no lesson `every-blok`" in result.output and "every-block" in result.output


def test_watch_is_refused_in_a_class(no_terminal, own_pack, tmp_path) -> None:
    socket = str(tmp_path / "class.sock")
    result = CliRunner().invoke(cli, ["--grading-socket", socket, str(own_pack), "--watch"])
    assert result.exit_code == 2
    assert "--watch is for an author's own pack" in result.output
