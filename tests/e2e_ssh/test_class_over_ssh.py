"""A learner over a real SSH session: answer, drop the connection, come back.

OpenSSH's sshd runs on 127.0.0.1 with a throwaway host key and an
`authorized_keys` line `command="ce-tutor --learner alice",restrict,pty`, the
recipe of the README's "Teaching a class over SSH". The client is `ssh -tt`
inside a tmux pane of 80x24, as a learner's terminal. Progress is checked in
the store itself (what the instructor's `ce-tutor export` reads), so the test
does not depend on the exact wording of the screens.
"""

from __future__ import annotations

import getpass
import json
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import Exercise
from tutor.progress.store import ProgressStore

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
LEARNER = "alice"
LESSON, EXERCISE = "two-target-forms", "moco-zero-labels"

pytestmark = [
    pytest.mark.skipif(
        not os.path.exists(SSHD), reason="sshd is not installed (apt-get install openssh-server)"
    ),
    pytest.mark.skipif(shutil.which("ssh") is None, reason="the ssh client is not installed"),
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait(check: Callable[[], object], what: str, timeout: float = 30.0, screen=None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    shown = f"\n--- screen ---\n{screen()}" if screen else ""
    raise AssertionError(f"timed out waiting for {what}{shown}")


class SSHClass:
    """An sshd for one test, a key for `alice`, and tmux panes to connect from."""

    def __init__(self, root: Path):
        self.root = root
        self.home = root / "tutor-home"  # CE_TUTOR_HOME of the learner's sessions
        self.key = root / "alice_key"
        self.port = _free_port()
        self.user = getpass.getuser()
        self.sessions: list[str] = []
        host_key = root / "host_ed25519"
        for path in (host_key, self.key):
            subprocess.run(
                ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True
            )
        ce_tutor = Path(sys.executable).with_name("ce-tutor")
        command = f"env CE_TUTOR_HOME={shlex.quote(str(self.home))} {ce_tutor} --learner {LEARNER}"
        public = (root / "alice_key.pub").read_text().strip()
        (root / "authorized_keys").write_text(f'command="{command}",restrict,pty {public}\n')
        (root / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
            f"PidFile {root / 'sshd.pid'}\nAuthorizedKeysFile {root / 'authorized_keys'}\n"
            "StrictModes no\nUsePAM no\nPasswordAuthentication no\n"
            "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
            "PermitRootLogin prohibit-password\nLogLevel ERROR\n"
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
        self.sshd = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(root / "sshd_config")],
            stderr=open(root / "sshd.log", "wb"),  # noqa: SIM115 - closed with the process
        )
        _wait(self._listening, "sshd to listen", 15)

    def _listening(self) -> bool:
        if self.sshd.poll() is not None:
            raise AssertionError(f"sshd exited: {(self.root / 'sshd.log').read_text()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def connect(self) -> str:
        """A tmux pane of 80x24 running `ssh -tt` as alice; returns the session name."""
        name = f"ce-ssh-{os.getpid()}-{len(self.sessions)}"
        ssh = [
            "ssh", "-tt", "-F", "/dev/null", "-p", str(self.port), "-i", str(self.key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            f"{self.user}@127.0.0.1",
        ]  # fmt: skip
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", shlex.join(ssh)],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )
        subprocess.run(["tmux", "set-option", "-t", name, "remain-on-exit", "on"], check=False)
        self.sessions.append(name)
        return name

    def screen(self, name: str) -> str:
        shown = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True
        )
        return shown.stdout

    def keys(self, name: str, *keys: str) -> None:
        for key in keys:
            subprocess.run(["tmux", "send-keys", "-t", name, key], check=True)
            time.sleep(0.15)

    def drop(self, name: str) -> None:
        """Cut the connection as a closed laptop lid does: kill -9 the ssh client."""
        pid = subprocess.run(
            ["tmux", "display-message", "-p", "-t", name, "#{pane_pid}"],
            capture_output=True,
            text=True,
        ).stdout.strip()
        os.kill(int(pid), signal.SIGKILL)
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)

    def close(self) -> None:
        for name in self.sessions:
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
        self.sshd.terminate()
        try:
            self.sshd.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.sshd.kill()


@pytest.fixture
def ssh_class(tmp_path: Path) -> Iterator[SSHClass]:
    # sshd insists its files are reachable; the venv and pytest's tmp dir are the runner's own
    served = SSHClass(tmp_path)
    try:
        yield served
    finally:
        served.close()


def _moco_step() -> int:
    pack, _ = load_pack(builtin_pack_dir())
    lesson = pack.lesson(LESSON)
    for index, step in enumerate(lesson.steps):
        if any(isinstance(b, Exercise) and b.id == EXERCISE for b in step.blocks):
            return index
    raise AssertionError(f"{EXERCISE} is in no step of {LESSON}")


def _right_position() -> str:
    """Where LEARNER sees MoCo's right choice: every learner has their own order."""
    from tutor.grading.choice import learner_order

    pack = load_pack(builtin_pack_dir())[0]
    lesson = pack.lesson(LESSON)
    exercise = lesson.exercise(EXERCISE)
    order = learner_order(pack, lesson, exercise, LEARNER)
    return str(next(n for n, i in enumerate(order, 1) if exercise.choices[i].correct))


def test_answer_drop_the_connection_and_continue_on_the_same_step(ssh_class: SSHClass) -> None:
    moco = _moco_step()
    pack_id = load_pack(builtin_pack_dir())[0].id
    store_file = ssh_class.home / "progress.sqlite3"

    def store_view():
        if not store_file.exists():
            return None
        with ProgressStore(store_file) as store:
            return store.last_position(LEARNER, pack_id), store.attempts(learner=LEARNER)

    # The learner was here yesterday: one step before MoCo's.
    with ProgressStore(store_file) as store:
        store.save_position(LEARNER, pack_id, LESSON, moco - 1)

    first = ssh_class.connect()
    screen = lambda: ssh_class.screen(first)  # noqa: E731
    _wait(lambda: "Continue" in screen() or "continue" in screen(), "the home screen", 45, screen)
    ssh_class.keys(first, "c")  # continue where you left off
    _wait(lambda: f"{moco}/" in screen(), f"step {moco} of the lesson", 20, screen)
    ssh_class.keys(first, "n")  # to MoCo's step
    _wait(lambda: store_view()[0].step == moco and "MoCo" in screen(), "MoCo's step", 20, screen)
    # focus the first exercise, pick the right choice where this learner sees it (shuffled)
    ssh_class.keys(first, "Tab", _right_position(), "Enter")
    attempts = _wait(
        lambda: [a for a in store_view()[1] if a.exercise_id == EXERCISE],
        "the attempt in the store",
        20,
        screen,
    )
    assert attempts[-1].status == "correct" and attempts[-1].learner == LEARNER

    ssh_class.drop(first)

    second = ssh_class.connect()
    screen = lambda: ssh_class.screen(second)  # noqa: E731
    _wait(lambda: "Continue" in screen() or "continue" in screen(), "the home screen", 45, screen)
    ssh_class.keys(second, "c")
    _wait(lambda: f"{moco + 1}/" in screen() and "MoCo" in screen(), "the same step", 20, screen)
    ssh_class.keys(second, "q")

    exported = subprocess.run(
        [str(Path(sys.executable).with_name("ce-tutor")), "export", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "CE_TUTOR_HOME": str(ssh_class.home)},
        timeout=60,
    )
    assert exported.returncode == 0, exported.stderr
    rows = json.loads(exported.stdout)
    (row,) = [r for r in rows if r["exercise_id"] == EXERCISE]
    assert (row["learner"], row["solved"], row["attempts"]) == (LEARNER, True, 1)
    assert {r["learner"] for r in rows} == {LEARNER}
