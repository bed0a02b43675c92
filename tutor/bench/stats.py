"""Percentiles, ratios and the goals the figures are held to."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """The `q` quantile (0..1) by linear interpolation; NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    position = q * (len(ordered) - 1)
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else math.nan


def ratio(numerator: float, denominator: float) -> float:
    """numerator / denominator; NaN where either is missing or the denominator is not positive."""
    if not (math.isfinite(numerator) and math.isfinite(denominator)) or denominator <= 0:
        return math.nan
    return numerator / denominator


def ms(seconds: Sequence[float]) -> list[float]:
    return [s * 1000 for s in seconds]


@dataclass(frozen=True)
class Goal:
    """A figure's bound: `at_most` or `at_least` `bound`."""

    key: str
    bound: float
    at_most: bool = True

    def met(self, value: float) -> bool | None:
        """True or False; None when the figure could not be measured."""
        if value is None or not math.isfinite(value):
            return None
        return value <= self.bound if self.at_most else value >= self.bound

    def text(self) -> str:
        sign = "≤" if self.at_most else "≥"
        return f"{sign} {self.bound:g}"


GOALS: dict[str, Goal] = {
    goal.key: goal
    for goal in (
        Goal("first_frame_ratio", 1.5),
        Goal("formula_grade_p95_ms", 20),
        Goal("peer_formula_right", 95, at_most=False),
        Goal("peer_formula_wrong_verdicts", 0),
        Goal("code_grade_warm_p50_ms", 150),
        Goal("code_grade_speedup", 8, at_most=False),
        Goal("code_peer_false_rejects", 0),
        Goal("code_mutants_killed", 100, at_most=False),
        Goal("class_fairness_ratio", 1.5),
        Goal("validate_builtin_s", 10),
        Goal("validate_edit_watch_s", 2),
        Goal("bytes_per_keystroke_p50", 2048),
        Goal("ui_rss_mb", 150),
        # an app nobody types into costs nothing (two clock ticks of slack a minute)
        Goal("app_cpu_idle_per_min_s", 0.02),
        Goal("learners_p95_ms", 500),
        Goal("learners_on_this_machine", 100, at_most=False),
    )
}
