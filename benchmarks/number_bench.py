"""Number grading speed, warm, with its baselines in the same run.

    /work/venv/bin/python benchmarks/number_bench.py [--runs 300]

Prints p50/p95 of `grade_number` for the lesson-format example (torch
reference + symbolic formula + two misconceptions), the same without the
formula, its parts (drawing parameters, the torch reference, the formula),
`check_number_exercise` (what `validate` pays per exercise), and as a
baseline the first grade in a fresh process, imports included.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import torch

from tutor.grading.number import check_number_exercise, grade_number
from tutor.numeric.expressions import evaluate
from tutor.numeric.formula import evaluate_formula
from tutor.numeric.params import draw_params, seed_for
from tutor.pack.model import Location, Misconception, NumberExercise, Tolerance

torch.set_num_threads(1)


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


def measure(fn: Callable[[int], object], runs: int) -> list[float]:
    fn(0)  # warm: caches, lambdify
    times = []
    for i in range(runs):
        start = time.perf_counter()
        fn(i)
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(label: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"{label:<52} p50 {statistics.median(times):8.3f} ms   p95 {p95:8.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    seeds = [seed_for("bench", "lesson", "seed-index-loss", f"learner-{i}") for i in range(runs)]
    full, plain, big = example(), example(formula=False), example(big=True)
    params = [draw_params(full.params, s) for s in seeds]

    print(f"number grading, warm, {runs} learners each (torch {torch.__version__}, 1 thread)")
    report("grade_number, wrong answer (reference+formula+2 mistakes)",
           measure(lambda i: grade_number(full, "0.123", seeds[i]), runs))  # fmt: skip
    report("grade_number, correct answer (reference+formula)",
           measure(lambda i: grade_number(full, "1.0", seeds[i]), runs))  # fmt: skip
    report(
        "grade_number, no formula", measure(lambda i: grade_number(plain, "0.1", seeds[i]), runs)
    )
    report("grade_number, 1000*randn(8, 6) logits, formula",
           measure(lambda i: grade_number(big, "0.1", seeds[i]), runs))  # fmt: skip
    report("grade_number, unreadable answer", measure(lambda i: grade_number(full, "abc", 1), runs))
    report("  draw_params", measure(lambda i: draw_params(full.params, seeds[i]), runs))
    report("  torch reference (restricted evaluator)",
           measure(lambda i: evaluate(full.reference, params[i]), runs))  # fmt: skip
    report("  formula by sympy definitions (mpmath)",
           measure(lambda i: evaluate_formula(full.formula or "", params[i]), runs))  # fmt: skip
    report("check_number_exercise (validate, 6 learners)",
           measure(lambda i: check_number_exercise(full, "bench", f"l{i}"), max(10, runs // 10)))  # fmt: skip

    code = (
        "import time; t = time.perf_counter();"
        "import sys; sys.path.insert(0, 'benchmarks');"
        "from number_bench import example; from tutor.grading.number import grade_number;"
        "grade_number(example(), '0.1', 1); print((time.perf_counter() - t) * 1000)"
    )
    cold = []
    for _ in range(3):
        out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True, cwd=Path(__file__).resolve().parent.parent)  # fmt: skip
        cold.append(float(out.stdout.strip().splitlines()[-1]))
    print(f"{'baseline: first grade in a fresh process (imports)':<52} "
          f"median {statistics.median(cold):8.1f} ms over 3")  # fmt: skip


if __name__ == "__main__":
    main()
