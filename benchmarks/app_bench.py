"""How the app feels over a slow link: first frame, bytes per keystroke, memory.

    python benchmarks/app_bench.py [--runs 5]

Everything runs in a pseudo-terminal at 80x24 with TERM=xterm-256color and
COLORTERM unset, as a learner over SSH sees it:

1. Time to the first frame of the home screen, side by side with a bare
   Textual app that shows one line (goal: ratio <= 1.5).
2. Bytes written to the terminal per keystroke while typing a formula,
   live "read as" preview included (goal: median <= 2 KB).
3. Resident memory of the app process before any code exercise: on the
   home screen, and with a lesson open (goal <= 150 MB). The grading
   service is a separate process; its memory is printed apart.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import os
import select
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACK = ROOT / "tests" / "app" / "pack"
BARE_APP = """
from textual.app import App
from textual.widgets import Static

class Bare(App):
    def compose(self):
        yield Static("hello from a bare app")

Bare().run()
"""
FORMULA = "-sum(p*log(q))"


class Pty:
    """A program running in an 80x24 pseudo-terminal, its output read as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str]):
        self.master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
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

    def wait_for(self, text: bytes, timeout: float = 60.0) -> float:
        """Seconds from start until `text` was written."""
        deadline = time.perf_counter() + timeout
        while text not in self.output:
            if time.perf_counter() > deadline:
                raise TimeoutError(f"{text!r} never appeared")
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
            os.killpg(self.process.pid, signal.SIGKILL)
        os.close(self.master)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def environment(home: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "COLORTERM"}
    env.update(TERM="xterm-256color", LANG="C.UTF-8", CE_TUTOR_HOME=home)
    return env


def ce_tutor() -> list[str]:
    return [sys.executable, "-m", "tutor", str(PACK), "--learner", "bench", "--no-mouse"]


def first_frames(runs: int) -> tuple[list[float], list[float]]:
    tutor, bare = [], []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as home:
            env = environment(home)
            app = Pty(ce_tutor(), env)
            try:
                tutor.append(app.wait_for(b"exercises solved"))
            finally:
                app.close()
            plain = Pty([sys.executable, "-c", BARE_APP], env)
            try:
                bare.append(plain.wait_for(b"hello from a bare app"))
            finally:
                plain.close()
    return tutor, bare


def typing_and_memory() -> tuple[list[int], float, float, float]:
    """Bytes per keystroke of a formula; RSS at home, in a lesson; the service's RSS."""
    with tempfile.TemporaryDirectory() as home:
        os.environ["CE_TUTOR_HOME"] = home
        sys.path.insert(0, str(ROOT))
        from tutor.pack.loader import load_pack
        from tutor.progress.store import open_store

        pack, _ = load_pack(PACK)
        lesson = pack.lessons[0]
        formula_step = next(i for i, s in enumerate(lesson.steps) if s.title == "Formula")
        open_store().save_position("bench", pack.id, lesson.id, formula_step)

        app = Pty(ce_tutor(), environment(home))
        try:
            app.wait_for(b"exercises solved")
            app.quiet(silence=3.0, limit=30)  # background imports done
            home_rss = app.rss_mb()
            app.send(b"c")  # continue: the formula step
            app.wait_for(b"Read as")
            app.quiet(silence=1.0)
            app.send(b"\t")  # into the answer field
            app.quiet(silence=1.0)
            lesson_rss = app.rss_mb()
            sizes = []
            for char in FORMULA:
                app.send(char.encode())
                sizes.append(app.quiet(silence=0.4))
            service = [rss_mb(pid) for pid in children(app.process.pid)]
            service_rss = max(service) if service else float("nan")
        finally:
            app.close()
    return sizes, home_rss, lesson_rss, service_rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    tutor, bare = first_frames(args.runs)
    t, b = statistics.median(tutor), statistics.median(bare)
    print(f"first frame, home screen:  {t * 1000:7.0f} ms (median of {args.runs})")
    print(f"first frame, bare Textual: {b * 1000:7.0f} ms")
    print(f"ratio:                     {t / b:7.2f}   (goal <= 1.5)")

    sizes, home_rss, lesson_rss, service_rss = typing_and_memory()
    print(f"bytes per keystroke typing {FORMULA!r}:")
    print(f"  median {statistics.median(sizes):.0f} B, max {max(sizes)} B   (goal: median <= 2048)")
    print(f"  each: {sizes}")
    print(f"RSS of the app, home screen:      {home_rss:6.1f} MB   (goal <= 150)")
    print(f"RSS of the app, formula lesson:   {lesson_rss:6.1f} MB")
    print(f"RSS of the grading service (torch, its own process): {service_rss:6.1f} MB")


if __name__ == "__main__":
    main()
