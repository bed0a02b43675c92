"""The terminal's end is the app's end (issue 12, finding 6).

The real `ce-tutor` in a pseudo-terminal, as sshd gives it one: when the
client goes away (the pty's master closes: reads fail with EIO) or sshd
sends SIGHUP, the process is gone within 2 s; before the fix Textual's
input thread read nothing forever. Without a terminal (`ssh -T`, a pipe)
the TUI does not start at all.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.app.conftest import PACK_DIR
from tutor.app.driver import HANGUP_RETURN_CODE
from tutor.bench.terminal import Pty

CE_TUTOR = str(Path(sys.executable).with_name("ce-tutor"))
GONE_WITHIN = 2.0


def _env(home: Path) -> dict[str, str]:
    env = {**os.environ, "TERM": "xterm-256color", "LANG": "C.UTF-8", "CE_TUTOR_HOME": str(home)}
    env.pop("CE_TUTOR_GRADING_SOCKET", None)  # a private service, loading torch as we hang up
    return env


def _gone_within(process: subprocess.Popen, seconds: float) -> bool:
    try:
        process.wait(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
        return False
    return True


@pytest.fixture
def tutor_in_a_pty(tmp_path):
    terminal = Pty([CE_TUTOR, str(PACK_DIR), "--learner", "ada", "--no-mouse"], _env(tmp_path))
    try:
        terminal.wait_for(b"Every block", timeout=60)
        time.sleep(0.8)  # past the start of the grading service: the worst moment to leave
        yield terminal
    finally:
        if terminal.process.poll() is None:
            terminal.process.kill()
            terminal.process.wait()


def test_closing_the_terminal_ends_the_app(tutor_in_a_pty) -> None:
    os.close(tutor_in_a_pty.master)  # sshd's end of the pty: the app's reads now fail (EIO)
    assert _gone_within(tutor_in_a_pty.process, GONE_WITHIN)
    assert tutor_in_a_pty.process.returncode == HANGUP_RETURN_CODE


def test_sighup_ends_the_app_cleanly(tutor_in_a_pty) -> None:
    tutor_in_a_pty.process.send_signal(signal.SIGHUP)
    assert _gone_within(tutor_in_a_pty.process, GONE_WITHIN)
    # ended by the app (its exit code), not killed by the signal (-SIGHUP)
    assert tutor_in_a_pty.process.returncode == HANGUP_RETURN_CODE


def test_eof_on_stdin_ends_the_app(tmp_path) -> None:
    """stdin at its end (not a tty): the app leaves instead of reading nothing forever."""
    code = (
        "from tests.app.conftest import OfflineClient, PACK_DIR\n"
        "from tutor.app.grading_link import GradingLink\n"
        "from tutor.app.tutor_app import TutorApp\n"
        "from tutor.pack.loader import load_pack\n"
        "import sys\n"
        "pack, _ = load_pack(PACK_DIR)\n"
        "app = TutorApp(pack, 'ada', grading=GradingLink(pack, 'ada', client=OfflineClient()))\n"
        "app.run(mouse=False)\n"
        "sys.exit(app.return_code)\n"
    )
    master, slave = os.openpty()
    root = Path(__file__).resolve().parents[2]
    process = subprocess.Popen(
        [sys.executable, "-c", code],
        stdin=subprocess.PIPE,
        stdout=slave,
        stderr=slave,
        env=_env(tmp_path),
        cwd=root,
    )
    os.close(slave)
    try:
        deadline = time.monotonic() + 60
        seen = b""
        while b"Every block" not in seen and time.monotonic() < deadline:
            seen += os.read(master, 65536)
        assert b"Every block" in seen
        process.stdin.close()  # EOF: nothing will ever be typed
        assert _gone_within(process, GONE_WITHIN)
        assert process.returncode == HANGUP_RETURN_CODE
    finally:
        os.close(master)
        if process.poll() is None:
            process.kill()


def test_without_a_terminal_the_tui_refuses_to_start_in_one_line(tmp_path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [CE_TUTOR, str(PACK_DIR), "--learner", "ada"],
        stdin=subprocess.PIPE,  # as with `ssh -T`
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        timeout=30,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "ssh -t" in lines[0], done.stderr
    assert done.stdout == ""
    assert time.monotonic() - started < 10  # no grading service, no torch: it just says so
