"""Bench's arithmetic and its report: percentiles, ratios, goals, JSON, the table."""

from __future__ import annotations

import json
import math

import pytest

from tutor.bench import run as bench_run
from tutor.bench.stats import GOALS, Goal, median, percentile, ratio


def test_percentile_interpolates_between_ranks() -> None:
    values = [10.0, 20.0, 30.0, 40.0, 50.0]
    assert percentile(values, 0.0) == 10.0
    assert percentile(values, 0.5) == 30.0
    assert percentile(values, 1.0) == 50.0
    assert percentile(values, 0.95) == pytest.approx(48.0)
    assert percentile([5.0, 1.0, 3.0], 0.5) == 3.0  # order of the input does not matter
    assert percentile([7.0], 0.95) == 7.0
    assert math.isnan(percentile([], 0.5)) and math.isnan(median([]))


def test_ratio_refuses_what_cannot_be_a_ratio() -> None:
    assert ratio(3.0, 2.0) == 1.5
    assert math.isnan(ratio(1.0, 0.0))
    assert math.isnan(ratio(math.nan, 2.0))
    assert math.isnan(ratio(1.0, -1.0))


def test_goals_point_the_right_way() -> None:
    assert GOALS["formula_grade_p95_ms"].met(19.9) is True
    assert GOALS["formula_grade_p95_ms"].met(20.1) is False
    assert GOALS["peer_formula_wrong_verdicts"].met(0) is True
    assert GOALS["peer_formula_wrong_verdicts"].met(1) is False
    assert GOALS["peer_formula_right"].met(95.0) is True
    assert GOALS["code_grade_speedup"].met(8.0) is True
    assert GOALS["code_grade_speedup"].met(7.9) is False
    assert Goal("x", 1).met(math.nan) is None
    assert GOALS["first_frame_ratio"].text() == "≤ 1.5"
    assert GOALS["code_grade_speedup"].text() == "≥ 8"


REQUIRED = [
    "first_frame_s", "first_frame_ratio", "formula_grade_p50_ms", "formula_grade_p95_ms",
    "code_grade_warm_p50_ms", "code_grade_speedup", "number_grade_p95_ms",
    "validate_builtin_s", "validate_edit_watch_s", "bytes_per_keystroke_p50", "ui_rss_mb", "learners_on_this_machine",
    "learners_p95_ms", "learners_total_mb", "peer_formula_right", "peer_formula_wrong_verdicts",
    "peer_formula_unreadable",
]  # fmt: skip


def test_every_required_figure_is_in_the_table() -> None:
    keys = [key for key, _, _ in bench_run.FIGURES]
    assert set(REQUIRED) <= set(keys)
    assert len(keys) == len(set(keys))


def test_json_has_no_nan_and_rounds() -> None:
    shown = bench_run.as_json({"a": math.nan, "b": 1.23456, "c": 3})
    assert shown == {"a": None, "b": 1.235, "c": 3}
    json.dumps(shown, allow_nan=False)  # raises if a NaN slipped through


def test_the_class_goal_is_the_class_asked_for() -> None:
    figures = {"learners_on_this_machine": 25}
    assert bench_run.goal_text("learners_on_this_machine", figures, 50) == ("≥ 50", False)
    assert bench_run.goal_text("learners_on_this_machine", figures, 20) == ("≥ 20", True)
    assert bench_run.goal_text("ui_rss_mb", {"ui_rss_mb": 90.0}, 50) == ("≤ 150", True)
    assert bench_run.goal_text("learners", {"learners": 3}, 50) == ("", None)


def test_values_are_formatted_for_reading() -> None:
    assert bench_run.format_value(math.nan, "ms") == "—"
    assert bench_run.format_value(1234.4, "ms") == "1,234"
    assert bench_run.format_value(2.5, "s") == "2.50"
    assert bench_run.format_value(3.0, "") == "3"


def test_every_stage_has_a_line_for_the_progress_bar() -> None:
    """`ce-tutor bench` on a terminal names each stage as it runs (a missing one raised)."""
    from tutor.bench.report import STAGE_TEXT

    for quick in (False, True):
        assert [s for s in bench_run.Plan(quick=quick).stages() if s not in STAGE_TEXT] == []
    assert bench_run.Plan(quick=True).read_s < bench_run.Plan().read_s


def test_a_missed_goal_fails_the_run_in_json_too_and_quick_seats_three(monkeypatch) -> None:
    """`bench --json` exits 1 on a missed goal as the table does; --quick plans 3 learners."""
    from click.testing import CliRunner

    from tutor.cli import cli

    planned = []
    figures = {"first_frame_ratio": 1.2, "ui_rss_mb": 400.0}  # the second misses ≤ 150

    def fake_bench(plan):
        planned.append(plan)
        return dict(figures), []

    monkeypatch.setattr(bench_run, "run_bench", fake_bench)
    missed = CliRunner().invoke(cli, ["bench", "--json", "--quick"])
    assert missed.exit_code == 1, missed.output
    assert json.loads(missed.output)["ui_rss_mb"] == 400.0  # the JSON is written whole first
    assert planned[-1].learners == 3 and planned[-1].quick
    figures["ui_rss_mb"] = 90.0
    met = CliRunner().invoke(cli, ["bench", "--json", "--learners", "7"])
    assert met.exit_code == 0, met.output
    assert planned[-1].learners == 7 and not planned[-1].quick
    assert bench_run.goals_met({"validate_builtin_s": 11.2}, planned[-1]) is False
