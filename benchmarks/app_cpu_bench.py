"""One learner's app, CPU-seconds per thing they do (see `tutor.bench.app_cpu`).

    python benchmarks/app_cpu_bench.py [--read 20] [--runs 1] [--versus DIR] [--profile DIR]

`--versus DIR` runs the app from another source tree (say `git archive` of
an older commit) and this tree's app in turn, `--runs` times each, the
bench and its grading service from this tree: before and after, back to
back, on the same machine, and the ratio of their medians (the machine's
other load moves single runs by a third). `--profile DIR` runs the app
under cProfile, a profile per phase, and prints each one's costliest calls
(profiling slows the app: those runs' CPU figures are not comparable).
"""

from __future__ import annotations

import argparse
import pstats
import sys
from pathlib import Path

from tutor.bench.app_cpu import AppCpu, measure
from tutor.bench.learners import ANSWER, CLASS_PACE, FOCUS, TYPE
from tutor.bench.stats import median, ratio

CLASS = 100  # learners on one server (issue 13)


def _from_tree(tree: Path):
    """The app's command, importing `tutor` from `tree` first."""
    boot = (
        f"import sys; sys.path.insert(0, {str(tree.resolve())!r}); import runpy; "
        "sys.argv[0] = 'ce-tutor'; runpy.run_module('tutor', run_name='__main__')"
    )

    def wrap(argv: list[str]) -> list[str]:
        python, _m, _tutor, *args = argv
        return [python, "-c", boot, *args]

    return wrap


def figures(run: AppCpu) -> dict[str, float]:
    """The figures a class's size depends on, by name."""
    found = {
        "start and open the lesson": run.start_s,
        "a step (esc, n)": run.step_s,
        "into the answer (tab)": run.mean(FOCUS),
    }
    for kind in ("number", "formula", "code"):
        found[f"{kind}: typing"] = run.cpu(f"{TYPE} {kind}")
        found[f"{kind}: Enter to verdict drawn"] = run.cpu(f"{ANSWER} {kind}")
    found["idle, a minute reading"] = run.idle_per_min_s
    found["per answer (step, tab, typing, Enter)"] = run.per_answer_s
    found[f"cores for {CLASS} learners at the class pace"] = run.class_cores(CLASS)
    return found


def compare(before: list[AppCpu], after: list[AppCpu]) -> None:
    """Medians of each figure, before and after, and their ratio."""
    print(f"{'CPU-seconds (median of runs)':<44} {'before':>8} {'after':>8} {'ratio':>6}")
    for name in figures(before[0]):
        old = median([figures(run)[name] for run in before])
        new = median([figures(run)[name] for run in after])
        print(f"{name:<44} {old:8.3f} {new:8.3f} {ratio(new, old):6.2f}")


def report(run: AppCpu) -> None:
    for phase in run.phases:
        print(f"  {phase.name:<28} {phase.cpu_s:6.2f} CPU-s  over {phase.wall_s:5.1f} s")
    (low, high), _ = CLASS_PACE
    print(f"start and open the lesson:       {run.start_s:6.2f} CPU-s")
    print(f"a step (esc, n):                 {run.step_s:6.3f} CPU-s")
    print(f"into the answer (tab):           {run.mean(FOCUS):6.3f} CPU-s")
    for kind in ("number", "formula", "code"):
        typing, answer = run.cpu(f"{TYPE} {kind}"), run.cpu(f"{ANSWER} {kind}")
        print(f"{kind:<8} typing {typing:6.3f}, Enter to verdict drawn {answer:6.3f} CPU-s")
    print(f"idle, reading:                   {run.idle_per_min_s:6.3f} CPU-s a minute")
    print(f"per answer (step, tab, typing, answer): {run.per_answer_s:6.3f} CPU-s")
    print(
        f"{CLASS} learners at the class pace (an answer every {low:g}-{high:g} s): "
        f"{run.class_cores(CLASS):.2f} cores busy"
    )


def print_profiles(folder: Path, top: int) -> None:
    for path in sorted(folder.glob("*-*.prof")):
        stats = pstats.Stats(str(path))
        print(f"\n=== {path.stem}: {stats.total_tt:.3f} s in the main thread (profiled)")
        stats.sort_stats("cumulative").print_stats(top)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--read", type=float, default=20.0, help="seconds read after a verdict")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--versus", type=Path, help="a source tree whose app to compare with")
    parser.add_argument("--profile", type=Path, help="write a cProfile per phase here")
    parser.add_argument("--top", type=int, default=25, help="calls shown per profile")
    args = parser.parse_args()
    before: list[AppCpu] = []
    after: list[AppCpu] = []
    for index in range(args.runs):
        if args.versus:
            print(f"run {index + 1} of {args.runs}, the app from {args.versus}")
            before.append(measure(args.read, wrap=_from_tree(args.versus)))
            report(before[-1])
        print(f"run {index + 1} of {args.runs}, this tree's app")
        after.append(measure(args.read, profile_dir=args.profile))
        report(after[-1])
        sys.stdout.flush()
    if before:
        compare(before, after)
    if args.profile:
        print_profiles(args.profile, args.top)


if __name__ == "__main__":
    main()
