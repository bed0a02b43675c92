"""Formula grading benchmark: verdicts and warm timings over answer pairs, beside math-verify.

    /work/venv/bin/python benchmarks/formula_bench.py [--repeat 5]

The pairs and the measurement live in `tutor.bench.formula` (shared with
`ce-tutor bench`). Prints agreement with the expected verdicts, p50/p95 warm
grading time (goal: p95 <= 50 ms), and math-verify's agreement and times on
the scalar pairs it can read, when it is installed.
"""

from __future__ import annotations

import argparse

from tutor.bench.formula import PAIRS, measure, scalar_pairs
from tutor.bench.stats import median, percentile


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rights = sum(1 for *_, right in PAIRS if right)
    print(f"{len(PAIRS)} pairs ({rights} right, {len(PAIRS) - rights} wrong; "
          f"{len(scalar_pairs())} scalar)")  # fmt: skip
    f = measure(args.repeat)
    print(f"ce-tutor     agreement {f.agree}/{f.pairs}   p50 {f.p50_ms:.1f} ms   "
          f"p95 {f.p95_ms:.1f} ms   max {max(f.times_ms):.1f} ms   (goal p95 <= 50 ms)")  # fmt: skip
    for miss in f.misses:
        print(f"  disagrees: {miss}")
    if f.mv_agree is None:
        print("math-verify  not installed (pip install math-verify)")
        return
    print(f"math-verify  agreement {f.mv_agree}/{f.mv_tried} on the scalar pairs "
          f"(ce-tutor {f.mv_ours_agree}/{f.mv_tried} on the same)   "
          f"p50 {median(f.mv_times_ms):.1f} ms   p95 {percentile(f.mv_times_ms, 0.95):.1f} ms")  # fmt: skip
    for miss in f.mv_misses:
        print(f"  math-verify disagrees: {miss}")


if __name__ == "__main__":
    main()
