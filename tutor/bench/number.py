"""Number grading speed, warm: the lesson-format example and its parts, per learner seed.

The baseline is the first grade in a fresh process, imports included: what
grading would cost without a warm service.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tutor.bench.stats import median
from tutor.pack.model import Location, Misconception, NumberExercise, Tolerance


def example(formula: bool = True, big: bool = False) -> NumberExercise:
    here = Location(Path("bench.md"), 1)
    size = "1000 * randn(8, 6)" if big else "randn(3, 4)"
    classes = 6 if big else 4
    rows = 8 if big else 3
    return NumberExercise(
        id="seed-index-loss",
        prompt="",
        location=here,
        params={"logits": size, "target": f"randint(0, {classes}, shape=({rows},))"},
        reference="F.cross_entropy(logits, target)",
        formula="mean(logsumexp(logits, 1) - take(logits, target))" if formula else None,
        tolerance=Tolerance(rel=1e-3),
        misconceptions=[
            Misconception("double-softmax", "x", here,
                          reference="F.cross_entropy(softmax(logits, 1), target)"),
            Misconception("sum-not-mean", "x", here,
                          reference="F.cross_entropy(logits, target, reduction='sum')"),
        ],
    )  # fmt: skip


def timed_ms(fn: Callable[[int], object], runs: int) -> list[float]:
    """Milliseconds per call of `fn(i)`, after one warm-up call (caches, lambdify)."""
    fn(0)
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def measure(runs: int = 300, parts: bool = True) -> dict[str, list[float]]:
    """Times in ms by label; the first label is the headline (a wrong answer, every check run)."""
    import torch

    from tutor.grading.number import check_number_exercise, grade_number
    from tutor.numeric.expressions import evaluate
    from tutor.numeric.formula import evaluate_formula
    from tutor.numeric.params import draw_params, seed_for

    torch.set_num_threads(1)
    seeds = [seed_for("bench", "lesson", "seed-index-loss", f"learner-{i}") for i in range(runs)]
    full, plain, big = example(), example(formula=False), example(big=True)
    found = {
        "grade_number, wrong answer (reference+formula+2 mistakes)":
            timed_ms(lambda i: grade_number(full, "0.123", seeds[i]), runs),
    }  # fmt: skip
    if not parts:
        return found
    params = [draw_params(full.params, s) for s in seeds]
    found.update({
        "grade_number, correct answer (reference+formula)":
            timed_ms(lambda i: grade_number(full, "1.0", seeds[i]), runs),
        "grade_number, no formula": timed_ms(lambda i: grade_number(plain, "0.1", seeds[i]), runs),
        "grade_number, 1000*randn(8, 6) logits, formula":
            timed_ms(lambda i: grade_number(big, "0.1", seeds[i]), runs),
        "grade_number, unreadable answer": timed_ms(lambda i: grade_number(full, "abc", 1), runs),
        "  draw_params": timed_ms(lambda i: draw_params(full.params, seeds[i]), runs),
        "  torch reference (restricted evaluator)":
            timed_ms(lambda i: evaluate(full.reference, params[i]), runs),
        "  formula by sympy definitions (mpmath)":
            timed_ms(lambda i: evaluate_formula(full.formula or "", params[i]), runs),
        "check_number_exercise (validate, 6 learners)":
            timed_ms(lambda i: check_number_exercise(full, "bench", f"l{i}"), max(10, runs // 10)),
    })  # fmt: skip
    return found


FRESH = (
    "import time; t = time.perf_counter();"
    "from tutor.bench.number import example; from tutor.grading.number import grade_number;"
    "grade_number(example(), '0.1', 1); print((time.perf_counter() - t) * 1000)"
)


def fresh_process_ms(runs: int = 3) -> float:
    """Median ms of the first grade in a new interpreter, torch's import included."""
    times = []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", FRESH], capture_output=True, text=True, check=True
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return median(times)
