"""Number grading speed, warm, with its baseline in the same run (see `tutor.bench.number`).

/work/venv/bin/python benchmarks/number_bench.py [--runs 300]
"""

from __future__ import annotations

import argparse

from tutor.bench.number import fresh_process_ms, measure
from tutor.bench.stats import median, percentile


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=300)
    runs = parser.parse_args().runs
    print(f"number grading, warm, {runs} learners each (1 torch thread)")
    for label, times in measure(runs).items():
        print(f"{label:<52} p50 {median(times):8.3f} ms   p95 {percentile(times, 0.95):8.3f} ms")
    print(f"{'baseline: first grade in a fresh process (imports)':<52} "
          f"median {fresh_process_ms():8.1f} ms over 3")  # fmt: skip


if __name__ == "__main__":
    main()
