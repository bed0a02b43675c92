"""What the SSH tests drive: an sshd of their own, and tmux panes of 80x24 to connect from."""

from __future__ import annotations

import os
import shlex
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
MISSING = [
    reason
    for reason, missing in [
        ("sshd is not installed (apt-get install openssh-server)", not os.path.exists(SSHD)),
        ("the ssh client is not installed", shutil.which("ssh") is None),
        ("tmux is not installed", shutil.which("tmux") is None),
    ]
    if missing
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: Callable[[], object], what: str, timeout: float = 30.0, screen=None):
    """The first truthy value of `check()`, polled for `timeout` seconds; else fail saying what."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    shown = f"\n--- screen ---\n{screen()}" if screen else ""
    raise AssertionError(f"timed out waiting for {what}{shown}")


def keygen(path: Path) -> Path:
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(path)], check=True)
    return path


class Sshd:
    """`sshd -D` on 127.0.0.1 with a throwaway host key and the given configuration lines."""

    def __init__(self, root: Path, config: str) -> None:
        self.root = root
        self.port = free_port()
        host_key = keygen(root / "host_ed25519")
        (root / "sshd_config").write_text(
            f"Port {self.port}\nListenAddress 127.0.0.1\nHostKey {host_key}\n"
            f"PidFile {root / 'sshd.pid'}\nLogLevel ERROR\n{config}"
        )
        if os.geteuid() == 0:
            Path("/run/sshd").mkdir(mode=0o755, exist_ok=True)  # sshd's privilege separation dir
        self.log = root / "sshd.log"
        self.process = subprocess.Popen(
            [SSHD, "-D", "-e", "-f", str(root / "sshd_config")],
            stderr=open(self.log, "wb"),  # noqa: SIM115 - closed with the process
        )
        wait_for(self._listening, "sshd to listen", 15)

    def _listening(self) -> bool:
        if self.process.poll() is not None:
            raise AssertionError(f"sshd exited: {self.log.read_text()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", self.port)) == 0

    def command(self, user: str, key: Path, *options: str) -> list[str]:
        """The learner's `ssh`, with nothing of this machine's own ssh configuration."""
        return [
            "ssh", *options, "-F", "/dev/null", "-p", str(self.port), "-i", str(key),
            "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "LogLevel=ERROR",
            "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
            f"{user}@127.0.0.1",
        ]  # fmt: skip

    def close(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Panes:
    """tmux sessions of 80x24, each a learner's terminal."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def open(self, command: list[str]) -> str:
        name = f"ce-ssh-{os.getpid()}-{len(self.names)}"
        subprocess.run(
            ["tmux", "new-session", "-d", "-s", name, "-x", "80", "-y", "24", shlex.join(command)],
            check=True,
            env={**os.environ, "TERM": "xterm-256color"},
        )
        subprocess.run(["tmux", "set-option", "-t", name, "remain-on-exit", "on"], check=False)
        self.names.append(name)
        return name

    def screen(self, name: str) -> str:
        shown = subprocess.run(
            ["tmux", "capture-pane", "-p", "-t", name], capture_output=True, text=True
        )
        return shown.stdout

    def keys(self, name: str, *keys: str, literal: bool = False) -> None:
        for key in keys:
            flags = ["-l"] if literal else []
            # "--": a key or text starting with "-" is not one of send-keys' options
            subprocess.run(["tmux", "send-keys", "-t", name, *flags, "--", key], check=True)
            time.sleep(0.15)

    def pid(self, name: str) -> int:
        shown = subprocess.run(
            ["tmux", "display-message", "-p", "-t", name, "#{pane_pid}"],
            capture_output=True,
            text=True,
        )
        return int(shown.stdout.strip())

    def drop(self, name: str) -> None:
        """Cut the connection as a closed laptop lid does: kill -9 the ssh client."""
        os.kill(self.pid(name), signal.SIGKILL)
        subprocess.run(["tmux", "kill-session", "-t", name], check=False)

    def close(self) -> None:
        for name in self.names:
            subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
