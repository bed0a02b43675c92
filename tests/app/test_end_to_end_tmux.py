"""The installed `ce-tutor`, in tmux at 80x24, answered with send-keys, read with capture-pane."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.app.conftest import PACK_DIR

TMUX = shutil.which("tmux")
pytestmark = pytest.mark.skipif(TMUX is None, reason="tmux is not installed")


def _ce_tutor() -> str:
    beside = Path(sys.executable).with_name("ce-tutor")
    found = str(beside) if beside.exists() else shutil.which("ce-tutor")
    assert found, "ce-tutor is not installed"
    return found


class Terminal:
    """One tmux server of our own (its own socket), one 80x24 window."""

    def __init__(self, socket: str):
        self.socket = socket

    def tmux(self, *args: str) -> str:
        result = subprocess.run(
            [TMUX, "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return result.stdout

    def keys(self, *keys: str) -> None:
        for key in keys:
            self.tmux("send-keys", "-t", "tutor", key)
            time.sleep(0.2)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "tutor")

    def wait_for(self, text: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"{text!r} never appeared; the screen was:\n{self.screen()}")


def _start(name: str, home: Path, pack: Path = PACK_DIR, learner: str = "ada") -> Terminal:
    term = Terminal(f"ce-tutor-test-{os.getpid()}-{name}")
    command = (
        f"env -u COLORTERM TERM=xterm-256color LANG=C.UTF-8 CE_TUTOR_HOME={home} "
        f"{_ce_tutor()} {pack} --learner {learner} --no-mouse"
    )
    term.tmux("new-session", "-d", "-s", "tutor", "-x", "80", "-y", "24", command)
    return term


@pytest.fixture
def terminals(tmp_path):
    """`start(name, pack=…, learner=…, home=…)`: a terminal each; all closed at the end."""
    started: list[Terminal] = []

    def start(name: str, home: Path | None = None, **kwargs) -> Terminal:
        term = _start(name, home or tmp_path, **kwargs)
        started.append(term)
        return term

    yield start
    for term in started:
        term.tmux("kill-server")


@pytest.fixture
def terminal(terminals):
    return terminals("main")


def test_answer_a_choice_in_a_real_terminal(terminal) -> None:
    home = terminal.wait_for("Every block")
    assert "▶" in home and "0/6 exercises" in home
    terminal.keys("Enter")
    terminal.wait_for("Step 1/7")
    terminal.keys("n", "n")
    terminal.wait_for("1. class indices")  # a learner reads the choices, then answers
    terminal.keys("Tab")
    terminal.wait_for("▶ Exercise 1")
    terminal.keys("2")
    terminal.wait_for("▶ 2. class probabilities")
    terminal.keys("Enter")  # a tempting wrong choice
    wrong = terminal.wait_for("Not quite")
    assert "✗ Not quite." in wrong and "Mistake: indices-vs-probabilities" in wrong
    terminal.keys("1")
    terminal.wait_for("▶ 1. class indices")
    terminal.keys("Enter")
    right = terminal.wait_for("Correct.")
    assert "✓ Correct." in right and "✓ solved" in right
    lines = right.splitlines()
    assert len(lines) <= 24 and all(len(line) <= 80 for line in lines)


def _choices(screen: str) -> list[str]:
    """The numbered choices on the screen, in the order shown."""
    found = []
    for line in screen.splitlines():
        match = re.match(r"^[\s│║▶]*(\d)\. (.+?)[\s│║]*$", line)
        if match:
            found.append(match.group(2))
    return found


def _app_process(pane_pid: int) -> int:
    """The app itself: the pane's process or the first of its descendants running ce-tutor."""
    todo = [pane_pid]
    while todo:
        pid = todo.pop(0)
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        if b"ce-tutor" in cmdline and b"env " not in cmdline[:4]:
            return pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        todo.extend(int(child) for child in children.read_text().split())
    raise AssertionError("no ce-tutor process under the pane")


def test_two_learners_see_their_own_order_of_choices(terminals, tmp_path) -> None:
    from tests.app.test_shuffled_choices import SHUFFLED
    from tests.pack.helpers import write_pack
    from tutor.grading.choice import learner_order
    from tutor.pack.loader import load_pack

    pack_dir = write_pack(tmp_path / "pack", {"01-shuffled.md": SHUFFLED})
    pack = load_pack(pack_dir)[0]
    lesson = pack.lessons[0]
    form = lesson.exercise("form")
    names = [f"learner{n}" for n in range(6)]
    first = names[0]
    other = next(
        n
        for n in names[1:]
        if learner_order(pack, lesson, form, n) != learner_order(pack, lesson, form, first)
    )
    shown = {}
    for learner in (first, other):
        term = terminals(learner, home=tmp_path / learner, pack=pack_dir, learner=learner)
        term.wait_for("Shuffled choices")
        term.keys("Enter")
        shown[learner] = _choices(term.wait_for("5. "))
    assert sorted(shown[first]) == sorted(shown[other])
    assert shown[first] != shown[other]


def test_a_hint_lands_on_the_exercise_in_focus(terminals, tmp_path) -> None:
    from tests.app.test_keys_act_where_you_are import LESSON
    from tests.pack.helpers import write_pack

    pack_dir = write_pack(tmp_path / "pack", {"01-where.md": LESSON})
    term = terminals("hint", pack=pack_dir)
    term.wait_for("Where you are")
    term.keys("Enter")
    term.wait_for("What is 1 + 1?")
    for marker in ("▶ example", "▶ Exercise 1", "▶ Exercise 2"):  # Tab by Tab
        term.keys("Tab")
        term.wait_for(marker)
    term.keys("Escape")
    term.wait_for("Hint #2")  # the footer names the exercise h acts on
    term.keys("h")
    screen = term.wait_for("Count again.")
    assert "Hint 1/1: Count." not in screen


def test_a_draft_survives_kill_9(terminals, tmp_path) -> None:
    term = terminals("draft")
    term.wait_for("Every block")
    term.keys("Enter")
    term.wait_for("Step 1/7")
    term.keys("n", "n", "n")
    term.wait_for("What is the surprise")
    term.keys("Tab")
    term.wait_for("▶ Exercise 2")
    term.keys("0", ".", "6", "9")
    term.wait_for("0.69")
    time.sleep(1.0)  # typing has paused: the draft is on disk
    pane = int(term.tmux("display-message", "-p", "-t", "tutor", "#{pane_pid}").strip())
    os.kill(_app_process(pane), signal.SIGKILL)
    term.tmux("kill-server")
    again = terminals("draft-again")
    again.wait_for("Continue")
    again.keys("c")
    again.wait_for("What is the surprise")
    again.wait_for("0.69")
