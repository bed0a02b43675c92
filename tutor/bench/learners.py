"""A class on this machine: N learners, each in the real app in its own pseudo-terminal.

Each simulated learner opens `ce-tutor` on the benchmark's pack in an 80x24
pty (its own data folder, so its own store), waits until the class is
seated, then answers a number, a formula and a code exercise with the keys a
learner would press (code through `$EDITOR`, as over SSH). A grading's
latency is from the Enter (or ctrl+r) to the verdict's headline arriving on
the terminal: the app's whole path, the grading service included.

The class is hosted as the README tells an instructor to: one shared
grading service (`ce-tutor serve`, with its fork servers) for everyone,
each app connected to it by `CE_TUTOR_GRADING_SOCKET`. (An app on its own
starts a private service instead: two torch processes per learner, which
is what held this machine to fewer than 22 learners before.) Memory is
summed as PSS over every process of the class and of the service (shared
library pages split between their users, so the sum is what the class
really takes).
"""

from __future__ import annotations

import json
import math
import os
import pwd
import random
import secrets
import shlex
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tutor.bench.app import BENCH_PACK, HOME_TEXT, resume_at
from tutor.bench.stats import percentile
from tutor.bench.terminal import (
    Pty,
    ce_tutor,
    cpu_seconds,
    descendants,
    environment,
    mem_available_mb,
    pss_mb,
)
from tutor.grading.service import READY

VERDICTS = (
    b"Correct.",
    b"Not quite.",
    b"Could not read",
    b"hit a limit",
    b"raised an error",
    b"forbids",
    b"not available here",
    b"Grading failed",
)
FORMULA = "-sum(p*log(q))"
CODE = (
    "def cross_entropy(logits, target):\n"
    "    shifted = logits - logits.max(1, keepdim=True).values\n"
    "    log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()\n"
    "    return -log_probs[torch.arange(len(target)), target].mean()\n"
)
# A learner's pace: seconds of reading and typing between answers, and how fast the class
# arrives. Brisk for people (an answer every ~20 s each: 50 learners give ~2.5 answers a
# second); STRESS is no person's pace, every answer of the class within ~10 s.
CLASS_PACE = ((10.0, 30.0), 2.0)
STRESS_PACE = ((0.5, 2.0), 10.0)
# A learner is seated when the class answers at CLASS_PACE with a p95 from Enter to verdict
# within this (issue 13: 100 learners on a 2-core server within 0.5 s).
SEAT_P95_MS = 500.0
READY_TIMEOUT = 900.0  # seconds for the service to import torch and every app to be seated
ANSWER_TIMEOUT = 120.0
# what a learner does, in the order they do it (the phases a meter of the app's CPU splits)
OPEN, LEAVE, STEP, FOCUS, TYPE, ANSWER, READ = (
    "open the lesson",
    "leave the answer (esc)",
    "next step",
    "into the answer (tab)",
    "type",
    "answer",
    "read",
)
BATCH = 5  # learners seated at a time; memory is checked between batches
RESERVE_MB = 4096.0  # left free for everything else on the machine


@dataclass
class Grading:
    kind: str  # number, formula, code
    ms: float
    headline: str  # the verdict's headline as the terminal showed it


@dataclass
class LearnerRun:
    name: str
    gradings: list[Grading] = field(default_factory=list)
    problem: str | None = None
    home_s: float = math.nan  # launch to home screen


@dataclass
class ClassFigures:
    learners: int
    seated_s: float  # launch until every app's grading service sat idle
    runs: list[LearnerRun]
    total_pss_mb: float  # the apps and the shared grading service
    app_pss_mb: float  # the apps alone (Textual)
    mem_drop_mb: float  # MemAvailable before launch minus during the class
    mem_before_mb: float = math.nan  # MemAvailable before the first learner was seated
    memory_limited: bool = False  # seating stopped before `learners`: memory would run out
    service_pss_mb: float = 0.0  # the shared grading service and its fork servers
    service_cpu_s: float = 0.0  # CPU the service used while the class answered
    apps_cpu_s: float = 0.0  # CPU the apps used while the class answered
    service_grade_p95_ms: float = math.nan  # inside the service, per grade request

    @property
    def seated(self) -> int:
        return len(self.runs)

    @property
    def latencies_ms(self) -> list[float]:
        return [g.ms for run in self.runs for g in run.gradings]

    @property
    def p95_ms(self) -> float:
        return percentile(self.latencies_ms, 0.95)

    @property
    def p50_ms(self) -> float:
        return percentile(self.latencies_ms, 0.5)

    @property
    def problems(self) -> list[str]:
        found = [f"{run.name}: {run.problem}" for run in self.runs if run.problem]
        found += [
            f"{run.name} {g.kind}: {g.headline}"
            for run in self.runs
            for g in run.gradings
            if g.headline != "Correct."
        ]
        return found

    @property
    def held(self) -> bool:
        """Every learner asked for was seated and got every verdict right, within SEAT_P95_MS."""
        return self.seated == self.learners and self.answered_in_time

    @property
    def answered_in_time(self) -> bool:
        """Those seated got every verdict right, within a p95 of SEAT_P95_MS."""
        return bool(self.runs) and not self.problems and self.p95_ms <= SEAT_P95_MS


def _number_answer(learner: str, pack_dir: Path) -> str:
    """The learner's own right answer (their q is drawn from their name)."""
    import math as _math

    from tutor.numeric.params import draw_params, seed_for
    from tutor.pack.loader import load_pack

    pack, _ = load_pack(pack_dir)
    lesson = pack.lesson("class")
    exercise = lesson.exercise("your-surprise")
    q = float(draw_params(exercise.params, seed_for(pack.id, lesson.id, exercise.id, learner))["q"])
    return f"{-_math.log(q):.6f}"


class Learner:
    """One learner's session, driven from a thread of the benchmark.

    `phase(name)` is called as each thing the learner does begins (and the
    one before it has drawn what it draws), so a meter of the app's CPU
    can split it by what was done (`tutor/bench/app_cpu.py`).
    """

    def __init__(
        self,
        name: str,
        folder: Path,
        pack_dir: Path,
        answer_file: Path,
        service: SharedService,
        phase: Callable[[str], None] = lambda _: None,
        wrap: Callable[[list[str]], list[str]] = lambda argv: argv,
    ):
        """`wrap`: the command that runs the app, given the plain one (a profiler's, say)."""
        self.run = LearnerRun(name)
        self.phase = phase
        self._mark = 0
        self.folder, self.pack_dir = folder, pack_dir
        self.number = _number_answer(name, pack_dir)
        # the class's store is the service's: the bookmark goes there, as the service keeps it
        resume_at(str(service.home), name, pack_dir, "Number")
        # a class machine: ctrl+o opens the class config's editor (here `cp`), not $EDITOR
        config = folder / "class.toml"
        editor = f"cp {shlex.quote(str(answer_file))}"
        config.write_text(
            f"grading_socket = {json.dumps(str(service.socket))}\neditor = {json.dumps(editor)}\n"
        )
        # one shared account (set-up B): the service tells learners apart by their key's token
        env = environment(
            str(folder),
            CE_TUTOR_CLASS_CONFIG=str(config),
            CE_TUTOR_GRADING_SOCKET=str(service.socket),
            CE_TUTOR_LEARNER_TOKEN=service.token(name),
        )
        env.pop("VISUAL", None)
        env.pop("EDITOR", None)
        self.pty = Pty(wrap(ce_tutor(pack_dir, name)), env)

    def wait_home(self) -> None:
        try:
            self.run.home_s = self.pty.wait_for(HOME_TEXT, timeout=READY_TIMEOUT)
        except TimeoutError as error:
            self.run.problem = f"no home screen: {error}"

    def answer_all(self, start_after: float, think: Callable[[], float]) -> None:
        if self.run.problem:
            return
        try:
            time.sleep(start_after)
            self._go((OPEN, b"c"))  # continue where the bookmark is: the number step
            self._submit("number", b"surprise in nats", self.number.encode(), b"\r")
            time.sleep(think())
            self._go((LEAVE, b"\x1b"), (STEP, b"n"))  # leave the field, then the next step
            # a learner reads the "read as" preview (drawn 2-D, the sum from i = 0) before Enter
            self._submit(
                "formula", b"Write the cross-entropy", FORMULA.encode(), b"\r", shown="i = 0"
            )
            time.sleep(think())
            self._go((LEAVE, b"\x1b"), (STEP, b"n"))
            # ctrl+o: $EDITOR (cp) writes the answer; submit once the editor shows it
            self._submit("code", b"ctrl+r submit", b"\x0f", b"\x12", shown="log_probs")
        except TimeoutError as error:
            self.run.problem = str(error)

    def _go(self, *keys: tuple[str, bytes]) -> None:
        """Press keys one at a time (an escape and a letter together would read as alt+letter).

        Each key comes with the name of what it does (its phase).
        """
        self.pty.quiet(silence=0.2, limit=5)  # what came during the think time is old
        self._mark = len(self.pty.output)
        for name, key in keys:
            self.phase(name)
            before = len(self.pty.output)
            self.pty.send(key)
            # the app answers each key with a redraw; on a starved machine an escape and the
            # next letter read together would be alt+letter, so wait for the redraw first
            deadline = time.perf_counter() + ANSWER_TIMEOUT
            while len(self.pty.output) == before and time.perf_counter() < deadline:
                self.pty.read(0.05)
            self.pty.quiet(silence=0.2, limit=5)

    def _submit(
        self,
        kind: str,
        step_text: bytes,
        typed: bytes,
        submit: bytes,
        settle: float = 0.3,
        shown: str | None = None,
    ) -> None:
        mark = self._mark
        self.pty.wait_for(step_text, timeout=ANSWER_TIMEOUT, since=mark)
        self.pty.quiet(silence=0.3, limit=5)
        self.phase(FOCUS)
        self.pty.send(b"\t")  # into the answer field
        self.pty.quiet(silence=0.2, limit=5)
        typed_at = len(self.pty.output)
        self.phase(f"{TYPE} {kind}")
        self.pty.send(typed)
        if shown:
            self.pty.wait_for(shown.encode(), timeout=ANSWER_TIMEOUT, since=typed_at)
        self.pty.quiet(silence=settle, limit=10)  # the preview (or $EDITOR) has settled
        mark = len(self.pty.output)
        self.phase(f"{ANSWER} {kind}")
        self.pty.send(submit)
        start = time.perf_counter()
        deadline = start + ANSWER_TIMEOUT
        while True:
            seen = bytes(self.pty.output[mark:])
            found = next((v for v in VERDICTS if v in seen), None)
            if found:
                break
            if time.perf_counter() > deadline:
                raise TimeoutError(f"no verdict for the {kind} answer")
            self.pty.read(0.005)
        elapsed = (time.perf_counter() - start) * 1000
        self.run.gradings.append(Grading(kind, elapsed, found.decode()))
        self.pty.quiet(silence=0.3, limit=5)  # the verdict is drawn whole
        self.phase(READ)

    def pids(self) -> list[int]:
        return [self.pty.process.pid, *descendants(self.pty.process.pid)]

    def close(self) -> None:
        self.pty.close()


class SharedService:
    """`ce-tutor serve` for the class, as an instructor starts it; stopped with SIGTERM."""

    def __init__(self, folder: Path, pack_dir: Path, learners: int, sandboxes: int = 3) -> None:
        self.socket, self.home = folder / "grading.sock", folder
        # every simulated learner runs as this account: set-up B, a token per learner's key
        self.tokens = {f"learner-{i:03d}": secrets.token_hex(16) for i in range(learners)}
        tokens = folder / "learner-tokens"
        tokens.write_text("".join(f"{t} {name}\n" for name, t in self.tokens.items()))
        tokens.chmod(0o600)
        argv = [sys.executable, "-m", "tutor", "serve", "--socket", str(self.socket)]
        argv += ["--pack", str(pack_dir), "--sandboxes", str(sandboxes), "--mode", "600"]
        argv += ["--shared-account", pwd.getpwuid(os.getuid()).pw_name]
        argv += ["--learner-tokens", str(tokens)]
        env = {**os.environ, "CE_TUTOR_HOME": str(folder)}
        self.process = subprocess.Popen(
            argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, env=env
        )
        self.log: list[str] = []

    def wait_ready(self) -> float:
        """Seconds until it said it is ready (torch and sympy imported, fork servers up)."""
        began = time.monotonic()
        while time.monotonic() - began < READY_TIMEOUT:
            line = self.process.stderr.readline()
            if not line:
                raise RuntimeError("the grading service ended: " + " ".join(self.log))
            self.log.append(line.strip())
            if line.startswith(READY):
                return time.monotonic() - began
        raise TimeoutError("the grading service was not ready in time")

    def pids(self) -> list[int]:
        return [self.process.pid, *descendants(self.process.pid)]

    def token(self, learner: str) -> str:
        return self.tokens[learner]

    def grade_p95_ms(self) -> float:
        """p95 of the service's own time per grade (the rest of a latency is the app's)."""
        from tutor.grading.client import GradingClient

        client = GradingClient(socket_path=self.socket)
        try:
            timings = client.ping().get("timings", {})
        finally:
            client.close()
        # a class's service grades and records in one op, "answer" ("grade" records nothing)
        graded = timings.get("answer") or timings.get("grade") or {}
        return float(graded.get("p95_ms", math.nan))

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process.stderr.close()


def _tree_cpu(pids: list[int]) -> float:
    return sum(cpu_seconds(pid) for pid in pids)


def _wait_seated(
    learners: list[Learner], service: SharedService, tick: Callable[[str], None]
) -> None:
    """Until the class's CPU use has settled (every app drawn, the service idle)."""
    deadline = time.monotonic() + READY_TIMEOUT

    def pids() -> list[int]:
        return [pid for learner in learners for pid in learner.pids()] + service.pids()

    previous = _tree_cpu(pids())
    calm = 0
    while time.monotonic() < deadline:
        time.sleep(1.0)
        now_pids = pids()
        now = _tree_cpu(now_pids)
        busy = now - previous  # cores used over the last second
        previous = now
        tick(f"{len(now_pids)} processes, {busy:.1f} cores busy")
        calm = calm + 1 if busy < 0.3 else 0
        if calm >= 2:
            return


def run_class(
    n: int,
    pack_dir: Path = BENCH_PACK,
    seed: int = 1,
    tick: Callable[[str], None] = lambda _: None,
    reserve_mb: float = RESERVE_MB,
    think_s: tuple[float, float] = CLASS_PACE[0],
    arrivals_per_s: float = CLASS_PACE[1],
) -> ClassFigures:
    """Seat up to `n` learners, let each answer three exercises, measure; all closed after.

    Learners are seated in batches; before each batch the memory the class
    has taken so far is projected, and seating stops (`memory_limited`)
    rather than push the machine into swap or the OOM killer.
    """
    rng = random.Random(seed)
    memory_limited = False
    with tempfile.TemporaryDirectory(prefix="ce-tutor-class-") as root:
        answer = Path(root) / "answer.py"
        answer.write_text(CODE)
        learners: list[Learner] = []
        start = time.perf_counter()
        tick("starting the class's grading service")
        service = SharedService(Path(root), pack_dir, n)
        try:
            service.wait_ready()
            before = mem_available_mb()  # the service is up: what is left is for learners
            while len(learners) < n:
                batch = min(BATCH, n - len(learners))
                if learners:
                    # a learner grows after seating (lesson widgets, plotext): project
                    # with a margin rather than find out from the OOM killer
                    per_learner = 1.3 * max(0.0, before - mem_available_mb()) / len(learners)
                    if mem_available_mb() - batch * per_learner < reserve_mb:
                        memory_limited = True
                        break
                new = []
                for _ in range(batch):
                    name = f"learner-{len(learners):03d}"
                    folder = Path(root) / name
                    folder.mkdir()
                    learner = Learner(name, folder, pack_dir, answer, service)
                    learners.append(learner)
                    new.append(learner)
                tick(f"seating {len(learners)}/{n}")
                homes = [threading.Thread(target=lr.wait_home) for lr in new]
                for thread in homes:
                    thread.start()
                for thread in homes:
                    thread.join()
                _wait_seated(
                    learners, service, lambda text: tick(f"seating {len(learners)}/{n}: {text}")
                )
            seated = time.perf_counter() - start
            low_memory = mem_available_mb()
            tick(f"{len(learners)} learners answering")
            # learners start answering at about `arrivals_per_s`, and think between answers
            spread = len(learners) / arrivals_per_s if arrivals_per_s else 0.0
            threads = [
                threading.Thread(
                    target=lr.answer_all,
                    args=(rng.uniform(0, spread), lambda: rng.uniform(*think_s)),
                )
                for lr in learners
            ]
            app_pids = [pid for lr in learners for pid in lr.pids()]
            service_cpu, apps_cpu = _tree_cpu(service.pids()), _tree_cpu(app_pids)
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            service_cpu = _tree_cpu(service.pids()) - service_cpu
            apps_cpu = _tree_cpu(app_pids) - apps_cpu
            apps = sum(pss_mb(pid) for lr in learners for pid in lr.pids())
            service_pss = sum(pss_mb(pid) for pid in service.pids())
            service_grade_p95 = service.grade_p95_ms()
            low_memory = min(low_memory, mem_available_mb())
        finally:
            for learner in learners:
                learner.close()
            service.close()
    return ClassFigures(
        n,
        seated,
        [lr.run for lr in learners],
        apps + service_pss,
        apps,
        before - low_memory,
        before,
        memory_limited,
        service_pss,
        service_cpu,
        apps_cpu,
        service_grade_p95,
    )
