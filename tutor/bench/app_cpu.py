"""What one learner's app costs in CPU: to start, per step, per answer, per idle minute.

A class's apps are its CPU (benchmarks/README.md), so the figure that
sizes a class server is CPU-seconds of one app per thing a learner does.
One real app runs in a pty, driven by the class bench's learner
(`tutor/bench/learners.py`: the same keys, the same three exercises,
against a `ce-tutor serve` of its own); the app process's user+system
time is read at each phase's start, once its CPU has settled, so what a
key sets off (the redraw, a worker, a deferred layout) is counted with it.
The learner reads for `read_s` after each verdict: that is the idle figure.

With `profile_dir`, the app runs under cProfile (`tutor/bench/profiled.py`)
and each phase's profile is written beside the others (slower: profiling
costs CPU itself; the figures of such a run are not comparable).
"""

from __future__ import annotations

import os
import re
import signal
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from tutor.bench.app import BENCH_PACK, compile_like_an_install
from tutor.bench.learners import (
    ANSWER,
    CLASS_PACE,
    CODE,
    LEAVE,
    OPEN,
    READ,
    STEP,
    Learner,
    SharedService,
)
from tutor.bench.terminal import cpu_seconds

START = "start"  # launch to the home screen drawn, background imports done
READ_S = 20.0  # seconds the learner reads after each verdict (three times)
SETTLED = 0.01  # CPU-seconds per poll below which the app counts as settled
POLL_S = 0.25
SETTLE_LIMIT_S = 15.0


@dataclass
class Phase:
    name: str
    cpu_s: float  # the app process's user+system time
    wall_s: float


@dataclass
class AppCpu:
    """One learner's run, phase by phase, in the order done."""

    phases: list[Phase]

    def _matching(self, name: str) -> list[Phase]:
        return [p for p in self.phases if p.name == name or p.name.startswith(name + " ")]

    def cpu(self, name: str) -> float:
        """CPU of every phase called `name` (or `name kind`), summed."""
        return sum(p.cpu_s for p in self._matching(name))

    def mean(self, name: str) -> float:
        found = self._matching(name)
        return sum(p.cpu_s for p in found) / len(found) if found else float("nan")

    @property
    def answers(self) -> int:
        return len(self._matching(ANSWER))

    @property
    def start_s(self) -> float:
        return self.cpu(START) + self.cpu(OPEN)

    @property
    def step_s(self) -> float:
        """Leaving an answer and going on to the next step (esc, n)."""
        return self.mean(LEAVE) + self.mean(STEP)

    @property
    def idle_per_min_s(self) -> float:
        reading = self._matching(READ)
        wall = sum(p.wall_s for p in reading)
        return 60 * self.cpu(READ) / wall if wall else float("nan")

    @property
    def per_answer_s(self) -> float:
        """Everything a learner does for one answer but read: the step, tab, typing, Enter."""
        busy = sum(p.cpu_s for p in self.phases if p.name not in (START, OPEN, READ))
        return busy / self.answers if self.answers else float("nan")

    def class_cores(self, learners: int, pace: tuple[tuple[float, float], float] = CLASS_PACE):
        """Cores `learners` apps keep busy answering at `pace` (an answer per mean think time)."""
        (low, high), _ = pace
        think = (low + high) / 2
        return learners * (self.per_answer_s / think + self.idle_per_min_s / 60)


def _settle(pid: int) -> float:
    """The app's CPU time once it has stopped using any (two quiet polls), bounded."""
    deadline = time.monotonic() + SETTLE_LIMIT_S
    before, calm = cpu_seconds(pid), 0
    while calm < 2 and time.monotonic() < deadline:
        time.sleep(POLL_S)
        now = cpu_seconds(pid)
        calm = calm + 1 if now - before <= SETTLED else 0
        before = now
    return before


class _Meter:
    """Called as each phase begins: closes the one before at the app's settled CPU time."""

    def __init__(self, profile_dir: Path | None) -> None:
        self.phases: list[Phase] = []
        self.pid = 0
        self.profile_dir = profile_dir
        self._name, self._cpu, self._at = START, 0.0, time.monotonic()

    def __call__(self, name: str) -> None:
        cpu = _settle(self.pid)
        now = time.monotonic()
        self.phases.append(Phase(self._name, cpu - self._cpu, now - self._at))
        if self.profile_dir is not None:
            self._dump_profile(len(self.phases) - 1, self._name)
            cpu = cpu_seconds(self.pid)  # writing the profile is not the next phase's
        self._name, self._cpu, self._at = name, cpu, time.monotonic()

    def _dump_profile(self, index: int, name: str) -> None:
        os.kill(self.pid, signal.SIGUSR1)
        written = self.profile_dir / f"{index:02d}.prof"
        deadline = time.monotonic() + 10
        while not written.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.2)  # written whole
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
        if written.exists():
            written.rename(self.profile_dir / f"{index:02d}-{slug}.prof")


def measure(
    read_s: float = READ_S,
    pack_dir: Path = BENCH_PACK,
    profile_dir: Path | None = None,
    wrap: Callable[[list[str]], list[str]] | None = None,
    tick: Callable[[str], None] = lambda _: None,
) -> AppCpu:
    """One learner's app from launch to three answers, each followed by `read_s` of reading.

    `wrap`: the command that runs the app, given the plain one (another tree's app, say).
    """
    compile_like_an_install()  # no phase pays for compiling the tutor's modules
    with tempfile.TemporaryDirectory(prefix="ce-tutor-app-cpu-") as root:
        answer = Path(root) / "answer.py"
        answer.write_text(CODE)
        folder = Path(root) / "learner"
        folder.mkdir()
        tick("starting the grading service")
        service = SharedService(Path(root), pack_dir, 1)
        learner = None
        try:
            service.wait_ready()
            tick("one learner answering")
            if profile_dir is not None:
                wrap = _profiled(profile_dir)
            meter = _Meter(profile_dir)
            learner = Learner(
                "learner-000", folder, pack_dir, answer, service, meter, wrap or (lambda a: a)
            )
            meter.pid = learner.pty.process.pid
            learner.wait_home()
            if learner.run.problem:
                raise RuntimeError(learner.run.problem)
            learner.answer_all(0.0, lambda: read_s)
            if learner.run.problem:
                raise RuntimeError(learner.run.problem)
            time.sleep(read_s)  # after the last verdict too
            meter("end")
        finally:
            if learner is not None:
                learner.close()
            service.close()
    return AppCpu(meter.phases)


def _profiled(profile_dir: Path) -> Callable[[list[str]], list[str]]:
    """The app's command run under cProfile (`python -m tutor ARGS` → `-m tutor.bench.profiled`)."""
    profile_dir.mkdir(parents=True, exist_ok=True)

    def wrap(argv: list[str]) -> list[str]:
        python, _m, _tutor, *args = argv
        return [python, "-m", "tutor.bench.profiled", str(profile_dir), *args]

    return wrap
