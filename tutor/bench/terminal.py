"""Programs in pseudo-terminals, and what their processes cost in memory and CPU.

A learner over SSH sees the app through a pty; so does the benchmark.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


class Pty:
    """A program running in an 80x24 pseudo-terminal, its output read as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str], rows: int = 24, cols: int = 80):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.perf_counter()
        self.process = subprocess.Popen(
            argv, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
        )
        os.close(slave)
        self.output = bytearray()

    def read(self, timeout: float) -> int:
        """Read what arrives within `timeout` seconds; returns the bytes read."""
        count = 0
        deadline = time.perf_counter() + timeout
        while (remaining := deadline - time.perf_counter()) > 0:
            ready, _, _ = select.select([self.master], [], [], remaining)
            if not ready:
                break
            try:
                chunk = os.read(self.master, 65536)
            except OSError:
                break
            self.output += chunk
            count += len(chunk)
        return count

    def wait_for(self, text: bytes, timeout: float = 60.0, since: int = 0) -> float:
        """Seconds from start until `text` was written (after byte `since` of the output)."""
        deadline = time.perf_counter() + timeout
        while text not in self.output[since:]:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{text!r} never appeared")
            if self.process.poll() is not None and not self.read(0.05):
                raise TimeoutError(f"the program ended before {text!r} appeared")
            self.read(0.01)
        return time.perf_counter() - self.started

    def quiet(self, silence: float = 0.3, limit: float = 10.0) -> int:
        """Read until nothing has come for `silence` seconds; returns the bytes read."""
        total = 0
        deadline = time.perf_counter() + limit
        while time.perf_counter() < deadline:
            got = self.read(silence)
            total += got
            if not got:
                break
        return total

    def send(self, data: bytes) -> None:
        os.write(self.master, data)

    def rss_mb(self) -> float:
        return rss_mb(self.process.pid)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        os.close(self.master)


def rss_mb(pid: int) -> float:
    """Resident memory of one process, MB; NaN if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def pss_mb(pid: int) -> float:
    """Proportional memory: shared pages (torch's libraries) split between their users."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _parents() -> dict[int, int]:
    found = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            found[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    return found


def children(pid: int) -> list[int]:
    return [child for child, parent in _parents().items() if parent == pid]


def descendants(pid: int) -> list[int]:
    """Every process below `pid` (the app's grading service, its fork server, their children)."""
    parents = _parents()
    found, frontier = [], [pid]
    while frontier:
        here = frontier.pop()
        kids = [child for child, parent in parents.items() if parent == here]
        found += kids
        frontier += kids
    return found


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of one process so far."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS


def mem_available_mb() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemAvailable:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def environment(home: str, **extra: str) -> dict[str, str]:
    """A learner over SSH: 256 colours, UTF-8, no COLORTERM, a data folder of their own."""
    env = {k: v for k, v in os.environ.items() if k not in ("COLORTERM", "CE_TUTOR_DB")}
    # LANGUAGE too: the bench waits for English words on the screen, whatever this machine speaks
    env.update(TERM="xterm-256color", LANG="C.UTF-8", LANGUAGE="en", CE_TUTOR_HOME=home, **extra)
    return env


def ce_tutor(pack: Path, learner: str = "bench") -> list[str]:
    return [sys.executable, "-m", "tutor", str(pack), "--learner", learner, "--no-mouse"]
