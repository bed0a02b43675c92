"""Warm code grading against a fresh `python -c 'import torch; …'` per submission.

Run: `python benchmarks/code_bench.py [--runs 30] [--fresh-runs 5] [--pause 0.2]`, or
`--peers` for the peer implementations and the solutions' mutants (tutor/bench/code_peers.py).
What is measured is described in `tutor.bench.code` (shared with `ce-tutor bench`).
"""

from __future__ import annotations

import argparse
import os

from tutor.bench.code import measure
from tutor.bench.stats import median, percentile, ratio


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--fresh-runs", type=int, default=5)
    parser.add_argument("--pause", type=float, default=0.2,
                        help="seconds between submissions (the fork server forks its spares then)")  # fmt: skip
    parser.add_argument("--peers", action="store_true",
                        help="grade benchmarks/peer/code_cases.yaml and the solutions' mutants instead")  # fmt: skip
    options = parser.parse_args()
    if options.peers:
        peers()
        return
    f = measure(options.runs, options.fresh_runs, options.pause)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"load average (1, 5, 15 min): {load} on {os.cpu_count()} cores")
    print(f"fork server start (torch import, once): {f.startup_s * 1000:8.0f} ms")
    for label, times in [
        ("warm grade, reference cached ", f.warm_ms),
        ("warm grade, reference run too", f.cold_ms),
        ("back to back, no pause       ", f.burst_ms),
        ("through GradingClient        ", f.service_ms),
        ("fresh python + import torch  ", f.fresh_ms),
    ]:
        print(f"{label} p50 {median(times):7.1f} ms   p95 {percentile(times, 0.95):7.1f} ms   "
              f"(n={len(times)})")  # fmt: skip
    print(f"speed-up vs fresh: {f.speedup:5.1f}x (reference cached), "
          f"{ratio(median(f.fresh_ms), median(f.cold_ms)):5.1f}x (reference run too)   "
          "goal >= 8x, p50 <= 150 ms")  # fmt: skip


def peers() -> None:
    """Public implementations (must be accepted) and mutants of the solutions (must not be)."""
    from tutor.bench.code_peers import run_code_peers

    f = run_code_peers()
    print(f"correct peer implementations: {f.peers}, rejected: {len(f.false_rejects)}")
    for reject in f.false_rejects:
        print(f"  rejected: {reject}")
    print(f"wrong variants: {f.mutants}, caught: {f.killed_percent:.1f} %"
          f" (unstable public code among them: {f.unstable_peers_caught})")  # fmt: skip
    for survivor in f.survivors:
        print(f"  accepted: {survivor}")


if __name__ == "__main__":
    main()
