"""A flood costs the flooder: a classmate's run beside one learner's endless loops.

One learner keeps four endless-loop submissions going (each stopped by the
time limit); another learner's quick run is timed before and during the
flood. With one batch in flight per learner and round-robin between
learners (`tutor.grading.sandbox.fairness`), the flood holds one fork
server and the classmate's time barely moves. The bench reports the ratio;
`tests/sandbox/test_fairness.py` holds a generous bound on it.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from tutor.grading.sandbox import Limits, Sandbox
from tutor.grading.sandbox.fairness import runner

ENDLESS = "while True:\n    pass\n"
LOOP_LIMITS = Limits(cpu_seconds=3, wall_seconds=4.0)
QUICK = "print(torch.ones(3).sum().item())"
FLOOD = 4  # the flooder's submissions in flight at once


@dataclass
class Fairness:
    unloaded_s: float  # the classmate's median run, no flood
    loaded_s: float  # the same during the flood
    servers_held: int  # fork servers the flood held while the classmate ran
    loops_stopped: int  # the flood's runs that ended at the time limit

    @property
    def ratio(self) -> float:
        return self.loaded_s / self.unloaded_s


def run_as(box: Sandbox, who: str, source: str, limits: Limits | None = None):
    runner.set(who)  # each pool thread runs in a context of its own
    began = time.monotonic()
    result = box.run_snippet(source, limits=limits)
    return result, time.monotonic() - began


def _quick_times(box: Sandbox, count: int) -> list[float]:
    times = []
    with ThreadPoolExecutor(1) as pool:
        for _ in range(count):
            result, took = pool.submit(run_as, box, "classmate", QUICK).result()
            if not (result.ok and result.stdout.strip() == "3.0"):
                raise RuntimeError(f"the classmate's run failed: {result.message}")
            times.append(took)
    return times


def measure(box: Sandbox, runs: int = 5) -> Fairness:
    """The classmate's median time alone and beside the flood (`box` has 3 fork servers)."""
    _quick_times(box, 2)  # warm
    unloaded = statistics.median(_quick_times(box, runs))
    with ThreadPoolExecutor(FLOOD) as flood:
        loops = [flood.submit(run_as, box, "flooder", ENDLESS, LOOP_LIMITS) for _ in range(FLOOD)]
        deadline = time.monotonic() + 10
        while box.busy < 1 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        held = box.busy
        loaded = statistics.median(_quick_times(box, runs))
        held = max(held, box.busy)
        stopped = sum(loop.result()[0].status.value == "limit" for loop in loops)
    return Fairness(unloaded, loaded, held, stopped)


def measure_fresh(runs: int = 5) -> Fairness:
    """`measure` on a sandbox of its own, as a class's service runs it (3 fork servers)."""
    box = Sandbox(servers=3)
    box.start()
    try:
        return measure(box, runs)
    finally:
        box.close()
