"""How the app feels over a slow link: first frame, bytes per keystroke, memory.

    python benchmarks/app_bench.py [--runs 5]

The measurements live in `tutor.bench.app` (shared with `ce-tutor bench`).
Goals: first-frame ratio to a bare Textual app <= 1.5; median bytes per
keystroke while typing a formula <= 2 KB; the app's RSS <= 150 MB.
"""

from __future__ import annotations

import argparse

from tutor.bench.app import FORMULA, first_frames, typing_and_memory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    frames = first_frames(args.runs)
    print(
        f"first frame, home screen:  {frames.first_frame_s * 1000:7.0f} ms (median of {args.runs})"
    )
    print(f"first frame, bare Textual: {frames.first_frame_s / frames.ratio * 1000:7.0f} ms")
    print(f"ratio:                     {frames.ratio:7.2f}   (goal <= 1.5)")

    t = typing_and_memory()
    print(f"bytes per keystroke typing {FORMULA!r}:")
    print(f"  median {t.bytes_per_keystroke_p50:.0f} B, max {max(t.bytes_per_key)} B   "
          "(goal: median <= 2048)")  # fmt: skip
    print(f"  each: {t.bytes_per_key}")
    print(f"RSS of the app, home screen:      {t.home_rss_mb:6.1f} MB   (goal <= 150)")
    print(f"RSS of the app, formula lesson:   {t.lesson_rss_mb:6.1f} MB")
    print(f"RSS of the grading service (torch, its own process): {t.service_rss_mb:6.1f} MB")


if __name__ == "__main__":
    main()
