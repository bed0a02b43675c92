"""The app's CPU per thing a learner does: the arithmetic, and one real learner's run."""

from __future__ import annotations

import math

import pytest

from tutor.bench.app_cpu import START, AppCpu, Phase, measure
from tutor.bench.learners import ANSWER, CLASS_PACE, FOCUS, LEAVE, OPEN, READ, STEP, TYPE


def _run() -> AppCpu:
    phases = [Phase(START, 0.5, 3.0), Phase(OPEN, 0.1, 1.0)]
    for kind, answer in (("number", 0.03), ("formula", 0.05)):
        phases += [
            Phase(FOCUS, 0.02, 1.0),
            Phase(f"{TYPE} {kind}", 0.01, 1.0),
            Phase(f"{ANSWER} {kind}", answer, 1.0),
            Phase(READ, 0.01, 30.0),
            Phase(LEAVE, 0.02, 1.0),
            Phase(STEP, 0.04, 1.0),
        ]
    return AppCpu(phases)


def test_figures_sum_the_phases_by_what_was_done() -> None:
    run = _run()
    assert run.answers == 2
    assert run.start_s == pytest.approx(0.6)
    assert run.step_s == pytest.approx(0.06)  # esc then n, as a mean per step
    assert run.cpu(ANSWER) == pytest.approx(0.08)
    assert run.cpu(f"{ANSWER} formula") == pytest.approx(0.05)
    # everything but start, open and reading, per answer: (0.12 + 0.14) / 2
    assert run.per_answer_s == pytest.approx(0.13)
    assert run.idle_per_min_s == pytest.approx(60 * 0.02 / 60)
    (low, high), _ = CLASS_PACE
    think = (low + high) / 2
    assert run.class_cores(100) == pytest.approx(100 * (0.13 / think + 0.02 / 60))


def test_a_run_without_answers_has_no_per_answer_figure() -> None:
    run = AppCpu([Phase(START, 0.4, 2.0)])
    assert math.isnan(run.per_answer_s) and math.isnan(run.idle_per_min_s)


def test_one_learners_app_is_metered_phase_by_phase() -> None:
    run = measure(read_s=1.0)
    names = [phase.name for phase in run.phases]
    assert names[:6] == [START, OPEN, FOCUS, f"{TYPE} number", f"{ANSWER} number", READ]
    assert names.count(STEP) == 2 and names.count(READ) == 3 and run.answers == 3
    assert all(phase.cpu_s >= 0 and phase.wall_s > 0 for phase in run.phases)
    # starting imports Textual and draws the home screen: never free
    assert run.start_s > 0.05
    assert 0 < run.per_answer_s < run.start_s * 10
