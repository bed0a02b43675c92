"""The app under cProfile, a profile per phase: `python -m tutor.bench.profiled DIR ARGS...`.

Runs `ce-tutor ARGS...`; each SIGUSR1 writes what the main thread (Textual's
event loop: composing, layout, rendering) ran since the one before to
DIR/NN.prof (in the main thread's CPU time) and starts a new profile, so the CPU meter of
`tutor/bench/app_cpu.py` gets one profile for each thing the learner did.
"""

from __future__ import annotations

import cProfile
import runpy
import signal
import sys
import time
from pathlib import Path


def main() -> None:
    folder, args = Path(sys.argv[1]), sys.argv[2:]
    # the main thread's CPU time, not the clock: waiting for a key is not a cost
    profiles = [cProfile.Profile(time.thread_time)]

    def dump(_signum: int, _frame: object) -> None:
        profiler = profiles[-1]
        profiler.disable()
        profiler.dump_stats(folder / f"{len(profiles) - 1:02d}.prof")
        profiles.append(cProfile.Profile(time.thread_time))
        profiles[-1].enable()

    signal.signal(signal.SIGUSR1, dump)
    sys.argv = ["ce-tutor", *args]
    profiles[0].enable()
    runpy.run_module("tutor", run_name="__main__")


if __name__ == "__main__":
    main()
