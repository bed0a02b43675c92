"""Formula grading benchmark: verdicts and warm timings over answer pairs, beside math-verify.

    /work/venv/bin/python benchmarks/formula_bench.py [--repeat 5]

The pairs and the measurement live in `tutor.bench.formula` (shared with
`ce-tutor bench`). Prints agreement with the expected verdicts, p50/p95 warm
grading time (goal: p95 <= 20 ms), and math-verify's agreement and times on
the scalar pairs it can read, when it is installed; then the peer cases of
`benchmarks/peer/formula_cases.yaml` (goal: no wrong verdict, >= 95 % right).
"""

from __future__ import annotations

import argparse

from tutor.bench.formula import PAIRS, measure, run_peer, scalar_pairs
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
          f"p95 {f.p95_ms:.1f} ms   max {max(f.times_ms):.1f} ms   (goal p95 <= 20 ms)")  # fmt: skip
    for miss in f.misses:
        print(f"  disagrees: {miss}")
    peer()
    if f.mv_agree is None:
        print("math-verify  not installed (pip install math-verify)")
        return
    print(f"math-verify  agreement {f.mv_agree}/{f.mv_tried} on the scalar pairs "
          f"(ce-tutor {f.mv_ours_agree}/{f.mv_tried} on the same)   "
          f"p50 {median(f.mv_times_ms):.1f} ms   p95 {percentile(f.mv_times_ms, 0.95):.1f} ms")  # fmt: skip
    for miss in f.mv_misses:
        print(f"  math-verify disagrees: {miss}")


def peer() -> None:
    p = run_peer()
    print(f"peer cases   {p.right}/{p.fair} fair cases right ({p.right_percent:.1f} %), "
          f"{len(p.wrong)} wrong verdicts, {len(p.unreadable)} not read or decided, "
          f"{p.unfair} left out as unfair; p50 {median(p.times_ms):.1f} ms "
          f"p95 {percentile(p.times_ms, 0.95):.1f} ms")  # fmt: skip
    for line in p.wrong + p.unreadable:
        print(f"  {line}")
    if p.mv_right is not None:
        print(f"math-verify  {p.mv_right}/{p.mv_tried} scalar peer cases right "
              f"(ce-tutor {p.ours_right_on_mv_cases}/{p.mv_tried}), "
              f"{len(p.mv_wrong)} wrong, {p.mv_unreadable} not read")  # fmt: skip


if __name__ == "__main__":
    main()
