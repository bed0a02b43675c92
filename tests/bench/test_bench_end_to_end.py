"""The benchmark's own machinery, for real: a learner in a pty, and the whole `bench --json`."""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest

from tutor.bench.learners import run_class
from tutor.bench.run import FIGURES


def test_one_learner_answers_three_exercises_through_the_app() -> None:
    """The keys the simulated learner presses still reach a verdict in today's app."""
    figures = run_class(1, think_s=(0.1, 0.1), arrivals_per_s=0)
    assert figures.problems == []
    [learner] = figures.runs
    assert [g.kind for g in learner.gradings] == ["number", "formula", "code"]
    assert all(g.headline == "Correct." for g in learner.gradings)
    assert all(0 < g.ms < 60_000 for g in learner.gradings)
    # the app and the class's shared service (torch, fork servers) were both counted
    assert figures.total_pss_mb == pytest.approx(figures.app_pss_mb + figures.service_pss_mb)
    assert figures.service_pss_mb > 100 and figures.app_pss_mb > 10


@pytest.mark.bench_e2e
def test_bench_json_quick_gives_every_figure_as_a_number(tmp_path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "bench", "--json", "--quick"],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(done.stdout)
    for key, _, _ in FIGURES:
        if key.startswith("mathverify") or key == "formula_agreement_scalar":
            continue  # only where math-verify is installed
        if key == "learners_stress_p95_ms":
            continue  # not in --quick
        assert isinstance(figures[key], int | float) and math.isfinite(figures[key]), key
    assert figures["learners"] >= 1 and figures["formula_agreement"] == 100
