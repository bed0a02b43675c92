"""ctrl+o: whatever the editor does, the app comes back and says what happened (issue 12, 7 and 9).

Textual's `suspend()` resumes only when its block ends without an
exception; the stand-in below behaves the same, so an error escaping the
editor call would show as a suspend never resumed.
"""

from __future__ import annotations

import contextlib
import shlex
import sys

import pytest
from textual.widgets import TextArea

from tests.app.helpers import exercise, open_step, wait_until
from tutor.app.editor import NO_EDITOR, EditorChoice
from tutor.app.tutor_app import TutorApp


@pytest.fixture
def handovers(monkeypatch) -> list[str]:
    events: list[str] = []

    @contextlib.contextmanager
    def suspend(self):
        events.append("suspend")
        yield  # like Textual: an exception here skips the resume below
        events.append("resume")

    monkeypatch.setattr(TutorApp, "suspend", suspend)
    return events


def _notes(app: TutorApp) -> list[str]:
    said: list[str] = []
    app.notify = lambda message, **kwargs: said.append(str(message))  # type: ignore[method-assign]
    return said


async def _press_ctrl_o(app: TutorApp) -> TextArea:
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        editor = view.query_one(TextArea)
        before = editor.text
        editor.focus()
        await pilot.press("ctrl+o")
        await pilot.pause(0.3)
        assert editor.text == before  # the code is unchanged whatever went wrong
        return editor


PYTHON = shlex.quote(sys.executable)


@pytest.mark.parametrize(
    ("editor", "expected"),
    [
        ("/nonexistent/editor --flag", "Cannot start the editor `/nonexistent/editor`"),
        (f"{PYTHON} -c 'raise SystemExit(3)'", "exited with status 3"),
        (f"{PYTHON} -c 'import os, signal; os.kill(os.getpid(), signal.SIGKILL)'", "SIGKILL"),
    ],
)
async def test_the_app_resumes_whatever_the_editor_does(
    make_app, handovers, monkeypatch, editor, expected
) -> None:
    monkeypatch.setenv("EDITOR", editor)
    monkeypatch.delenv("VISUAL", raising=False)
    app = make_app()
    said = _notes(app)
    await _press_ctrl_o(app)
    assert handovers == ["suspend", "resume"]
    assert any(expected in note for note in said), said


async def test_a_class_without_an_editor_never_hands_the_terminal_over(
    make_app, handovers, monkeypatch
) -> None:
    monkeypatch.setenv("EDITOR", "vi")  # the learner's choice counts for nothing in a class
    app = make_app(editor=EditorChoice.of_class(None))
    said = _notes(app)
    await _press_ctrl_o(app)
    assert handovers == [] and said == [NO_EDITOR]


async def test_a_class_opens_the_admins_editor_not_the_learners(
    make_app, handovers, monkeypatch, tmp_path
) -> None:
    marker = tmp_path / "opened"
    script = f"open({str(marker)!r}, 'w').write('class editor')"
    monkeypatch.setenv("EDITOR", "/nonexistent/learners-editor")
    command = (sys.executable, "-c", script)
    app = make_app(editor=EditorChoice(command, learners_own=False))
    said = _notes(app)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, app, "Code")
        view = await exercise(pilot, screen, "write-sum")
        view.query_one(TextArea).focus()
        await pilot.press("ctrl+o")
        await wait_until(pilot, marker.exists)
    assert handovers == ["suspend", "resume"]
    assert marker.read_text() == "class editor" and not any("learners" in n for n in said)
