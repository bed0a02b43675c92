"""An app nobody types into sleeps: a class spends most of its time reading.

Textual's input thread woke ten times a second to see whether the app was
ending (≈ 1 ms of CPU a second per learner); the driver's now waits for a
key or for the app to stop reading (`tutor/app/driver.py`). The real app
runs in a pty; the kernel counts each thread's wake-ups.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tutor.bench.app import HOME_TEXT
from tutor.bench.terminal import Pty

APP = (
    "from tests.app.conftest import OfflineClient, PACK_DIR\n"
    "from tutor.app.grading_link import GradingLink\n"
    "from tutor.app.tutor_app import TutorApp\n"
    "from tutor.pack.loader import load_pack\n"
    "pack, _ = load_pack(PACK_DIR)\n"
    "app = TutorApp(pack, 'ada', grading=GradingLink(pack, 'ada', client=OfflineClient()))\n"
    "app.run(mouse=False)\n"
)
ROOT = Path(__file__).resolve().parents[2]


def _wakeups(pid: int) -> int:
    """Times the process's threads were woken so far (the third field of schedstat)."""
    total = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            total += int((task / "schedstat").read_text().split()[2])
        except (OSError, IndexError):
            continue
    return total


@pytest.fixture
def app_in_a_pty(tmp_path):
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", "LANGUAGE": "en"}
    env["CE_TUTOR_HOME"] = str(tmp_path)
    env["PYTHONPATH"] = str(ROOT)
    terminal = Pty([sys.executable, "-c", APP], env)
    try:
        terminal.wait_for(HOME_TEXT, timeout=60)
        yield terminal
    finally:
        terminal.close()


@pytest.mark.skipif(not Path("/proc/self/schedstat").exists(), reason="needs Linux schedstat")
def test_an_app_left_alone_is_not_woken(app_in_a_pty) -> None:
    app_in_a_pty.quiet(silence=1.0, limit=20)  # drawn, settled
    pid = app_in_a_pty.process.pid
    before = _wakeups(pid)
    time.sleep(3.0)
    woken = _wakeups(pid) - before
    # Textual's input loop alone: 30 in these 3 s
    assert woken <= 3, woken
    assert app_in_a_pty.process.poll() is None


def test_a_lone_escape_still_acts_at_once(app_in_a_pty) -> None:
    """An Esc with nothing after it is read as Esc when the parser's wait ends (no key wakes it)."""
    app_in_a_pty.quiet(silence=0.5, limit=20)
    app_in_a_pty.send(b"c")  # continue: the first lesson
    app_in_a_pty.wait_for(b"Step 1/", timeout=30, since=len(app_in_a_pty.output))
    app_in_a_pty.quiet(silence=0.5, limit=20)
    mark = len(app_in_a_pty.output)
    app_in_a_pty.send(b"\x1b")
    started = time.monotonic()
    app_in_a_pty.wait_for(HOME_TEXT, timeout=10, since=mark)  # back on the home screen
    assert time.monotonic() - started < 2.0
