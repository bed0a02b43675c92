"""The installed `ce-tutor`, in tmux at 80x24, answered with send-keys, read with capture-pane."""

from __future__ import annotations

import os
import shutil
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


@pytest.fixture
def terminal(tmp_path):
    term = Terminal(f"ce-tutor-test-{os.getpid()}")
    command = (
        f"env -u COLORTERM TERM=xterm-256color LANG=C.UTF-8 CE_TUTOR_HOME={tmp_path} "
        f"{_ce_tutor()} {PACK_DIR} --learner ada --no-mouse"
    )
    term.tmux("new-session", "-d", "-s", "tutor", "-x", "80", "-y", "24", command)
    try:
        yield term
    finally:
        term.tmux("kill-server")


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
