"""Warm code grading against a fresh `python -c 'import torch; …'` per submission.

Measured on the same machine and exercise (the cross-entropy of
lesson-format.md: 3 random cases and 2 edge cases, forbidden calls checked):

- warm: `grade_code` with the fork server already started, submissions
  `pause` seconds apart (the server forks its spare children in between;
  "back to back" shows the cost without that pause); the reference's
  outputs are cached per seed after the first grade (a learner resubmitting),
  and "cold reference" clears that cache first (a learner's first submission);
- service: the same through `GradingClient` (JSON over a pipe to the service);
- fresh: the usual autograder way, one new interpreter per submission that
  imports torch, runs the reference and the learner's function and compares.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import textwrap
import time
from dataclasses import dataclass
from pathlib import Path

from tutor.bench.stats import median, ratio
from tutor.pack.model import CodeExercise, Location, Tolerance

SOURCE = (
    "def cross_entropy(logits, target):\n"
    "    shifted = logits - logits.max(1, keepdim=True).values\n"
    "    log_probs = shifted - shifted.exp().sum(1, keepdim=True).log()\n"
    "    return -log_probs[torch.arange(len(target)), target].mean()\n"
)
REFERENCE = "def cross_entropy(logits, target):\n    return F.cross_entropy(logits, target)\n"
ARGS = {"logits": "randn(5, 4)", "target": "randint(0, 4, shape=(5,))"}
EDGES = [
    {"logits": "1000 * randn(3, 6)", "target": "randint(0, 6, shape=(3,))"},
    {"logits": "randn(1, 2)", "target": "randint(0, 2, shape=(1,))"},
]
FORBID = ["F.cross_entropy", "nn.CrossEntropyLoss", "F.nll_loss"]

FRESH = textwrap.dedent(
    """
    import torch, torch.nn.functional as F
    ns = {"torch": torch, "F": F}
    exec(compile(REFERENCE, "<ref>", "exec"), ref := dict(ns))
    exec(compile(SOURCE, "<learner>", "exec"), mine := dict(ns))
    g = torch.Generator().manual_seed(1)
    ok = True
    for shape, scale in [((5, 4), 1), ((5, 4), 1), ((5, 4), 1), ((3, 6), 1000), ((1, 2), 1)]:
        logits = scale * torch.randn(*shape, generator=g)
        target = torch.randint(0, shape[1], (shape[0],), generator=g)
        want = ref["cross_entropy"](logits, target)
        got = mine["cross_entropy"](logits, target)
        ok &= got.shape == want.shape and torch.allclose(got, want, rtol=1e-5, atol=1e-6)
    print(ok)
    """
)


def exercise() -> CodeExercise:
    return CodeExercise(
        id="write-cross-entropy",
        prompt="",
        location=Location(Path("bench.md"), 1),
        entry="cross_entropy",
        reference=REFERENCE,
        args=ARGS,
        cases=3,
        edge_cases=EDGES,
        tolerance=Tolerance(rel=1e-5, abs=1e-6),
        forbid=FORBID,
    )


def timed(fn, runs: int, pause: float = 0.0) -> list[float]:
    """Wall time per call; `pause` (not timed) stands for the learner's think time."""
    times = []
    for _ in range(runs):
        time.sleep(pause)
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def lesson_pack(root: Path) -> None:
    (root / "pack.toml").write_text('id = "bench"\ntitle = "Bench"\nversion = "0.1.0"\n')
    body = textwrap.indent(REFERENCE, "  ")
    edges = "\n".join("  - {" + ", ".join(f"{k}: {v}" for k, v in e.items()) + "}" for e in EDGES)
    (root / "01-ce.md").write_text(
        "---\nid: ce\ntitle: CE\n---\n\n## Write it\n\n```exercise\nid: write-ce\ntype: code\n"
        "prompt: Write it.\nentry: cross_entropy\nargs:\n"
        + "".join(f"  {k}: {v}\n" for k, v in ARGS.items())
        + f"cases: 3\nedge_cases:\n{edges}\nreference: |\n{body}"
        + f"forbid: [{', '.join(FORBID)}]\n```\n"
    )


@dataclass
class CodeFigures:
    startup_s: float  # the fork server's start (torch's import), once
    warm_ms: list[float]  # reference cached: a learner resubmitting
    cold_ms: list[float]  # reference run too: a learner's first submission
    burst_ms: list[float]  # back to back, no think time
    service_ms: list[float]  # through GradingClient
    fresh_ms: list[float]  # fresh python + import torch per submission

    @property
    def warm_p50_ms(self) -> float:
        return median(self.warm_ms)

    @property
    def speedup(self) -> float:
        """Fresh interpreter ÷ warm worker, both medians of this run."""
        return ratio(median(self.fresh_ms), self.warm_p50_ms)


def _ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]


def measure(runs: int = 30, fresh_runs: int = 5, pause: float = 0.2) -> CodeFigures:
    from tutor.grading import code as code_grader
    from tutor.grading.client import GradingClient
    from tutor.grading.code import grade_code
    from tutor.grading.sandbox import Sandbox

    ex = exercise()
    start = time.perf_counter()
    sandbox = Sandbox()
    sandbox.start()
    startup = time.perf_counter() - start

    def first_submission():
        code_grader._reference_outcomes.clear()
        assert grade_code(ex, SOURCE, 1, sandbox=sandbox).correct

    def resubmission():
        assert grade_code(ex, SOURCE, 1, sandbox=sandbox).correct

    try:
        resubmission()  # warm-up
        cold = timed(first_submission, runs, pause)
        warm = timed(resubmission, runs, pause)
        burst = timed(resubmission, runs)
    finally:
        sandbox.close()

    with tempfile.TemporaryDirectory() as folder:
        lesson_pack(Path(folder))
        client = GradingClient()
        client.start()
        try:
            client.wait_ready()
            client.grade(folder, "ce", "write-ce", SOURCE, "ada")
            service = timed(
                lambda: client.grade(folder, "ce", "write-ce", SOURCE, "ada"), runs, pause
            )
        finally:
            client.close()

    program = f"REFERENCE = {REFERENCE!r}\nSOURCE = {SOURCE!r}\n{FRESH}"

    def fresh():
        out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True)
        assert out.stdout.strip() == "True", out.stderr

    fresh_times = timed(fresh, fresh_runs)
    return CodeFigures(startup, _ms(warm), _ms(cold), _ms(burst), _ms(service), _ms(fresh_times))
