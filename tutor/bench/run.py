"""One `ce-tutor bench` run: every figure, its goal, and the table or JSON that reports them."""

from __future__ import annotations

import math
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass

from tutor.bench.stats import GOALS, median, percentile

# (key, label, unit) in the order the table shows them
FIGURES: list[tuple[str, str, str]] = [
    ("first_frame_s", "first frame of the home screen", "s"),
    ("first_frame_ratio", "  ÷ a bare Textual app's first frame", "×"),
    ("first_frame_new_learner_s", "  a new learner's first start (no cache)", "s"),
    ("first_frame_new_learner_ratio", "    ÷ a bare Textual app's first frame", "×"),
    ("formula_grade_p50_ms", "formula grading p50", "ms"),
    ("formula_grade_p95_ms", "formula grading p95", "ms"),
    ("formula_agreement", "  right verdicts on the answer pairs", "%"),
    ("mathverify_p50_ms", "  math-verify p50 (scalar pairs)", "ms"),
    ("mathverify_agreement", "  math-verify right verdicts (scalar pairs)", "%"),
    ("formula_agreement_scalar", "  ce-tutor right verdicts (same pairs)", "%"),
    ("peer_formula_right", "peer formula cases read and judged right", "%"),
    ("peer_formula_wrong_verdicts", "  of them with a wrong verdict", ""),
    ("peer_formula_unreadable", "  of them not read or not decided", ""),
    ("mathverify_peer_right", "  math-verify right (the scalar ones)", "%"),
    ("peer_formula_right_scalar", "  ce-tutor right (the same ones)", "%"),
    ("code_grade_warm_p50_ms", "code grading, warm worker, p50", "ms"),
    ("code_grade_fresh_p50_ms", "  fresh python + import torch, p50", "ms"),
    ("code_grade_speedup", "  speed-up (fresh ÷ warm)", "×"),
    ("code_peer_false_rejects", "  correct peer implementations rejected", ""),
    ("code_mutants_killed", "  wrong variants of the solutions caught", "%"),
    ("class_fairness_ratio", "  a classmate's run beside a flood ÷ alone", "×"),
    ("number_grade_p95_ms", "number grading p95", "ms"),
    ("validate_builtin_s", "ce-tutor validate, built-in pack", "s"),
    ("validate_edit_watch_s", "  one exercise saved, under validate --watch", "s"),
    ("validate_edit_cold_s", "  one exercise saved, a fresh validate", "s"),
    ("bytes_per_keystroke_p50", "bytes per keystroke, typing a formula", "B"),
    ("ui_rss_mb", "app memory (RSS) before any code", "MB"),
    ("app_cpu_answer_s", "app CPU per answer (step, tab, typing, Enter)", "s"),
    ("app_cpu_step_s", "  of which going to the next step", "s"),
    ("app_cpu_start_s", "  to start and open a lesson", "s"),
    ("app_cpu_idle_per_min_s", "  reading, per minute", "s"),
    ("app_cpu_class_cores", "  cores 100 learners' apps keep busy (class pace)", ""),
    ("service_rss_mb", "  its grading service (RSS, torch)", "MB"),
    ("learners", "learners seated (asked: --learners)", ""),
    ("learners_seated_s", "  until all were seated (service up)", "s"),
    ("learners_p50_ms", "  grading latency p50 under that load", "ms"),
    ("learners_p95_ms", "  grading latency p95 under that load", "ms"),
    ("learners_service_grade_p95_ms", "  of which in the grading service, p95", "ms"),
    ("learners_stress_p95_ms", "  p95 at a stress pace (no person's)", "ms"),
    ("learners_failed", "  answers without a right verdict", ""),
    ("learners_total_mb", "  memory of the class (PSS)", "MB"),
    ("learners_service_mb", "  of which the shared grading service", "MB"),
    ("learners_per_learner_mb", "  per learner: their app", "MB"),
    ("learners_memory_bound", "  learners the free memory holds at that size", ""),
    ("learners_on_this_machine", "seats: largest class held with p95 ≤ 0.5 s", ""),
]


@dataclass
class Plan:
    """How much to measure; `quick` trades precision for about a minute."""

    learners: int = 100
    quick: bool = False

    @property
    def frames(self) -> int:
        return 2 if self.quick else 9  # pairs: the median of 5 moved by ±0.1 between runs

    @property
    def formula_repeat(self) -> int:
        return 1 if self.quick else 5

    @property
    def number_runs(self) -> int:
        return 30 if self.quick else 200

    @property
    def code_runs(self) -> tuple[int, int]:
        return (5, 2) if self.quick else (20, 3)

    @property
    def read_s(self) -> float:
        """Seconds the one learner of the app's CPU figures reads after each verdict."""
        return 5.0 if self.quick else 20.0

    def stages(self) -> list[str]:
        return [
            "app", "typing", "app_cpu", "formula", "number", "code", "fairness", "validate",
            "class",
        ]  # fmt: skip


def validate_builtin_s(first_check_s: float) -> float:
    """`ce-tutor validate --no-cache` on the built-in pack, in its own process (imports included).

    Every block checked: with the check cache a run only re-checks what
    changed, and how much it finds cached depends on earlier runs. The
    better of this run and `first_check_s` (a copy's first check, every block
    too): on a shared machine interference only ever adds time.
    """
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "tutor", "validate", "--no-cache"], capture_output=True, text=True
    )
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"validate failed: {done.stdout[-500:]}{done.stderr[-500:]}")
    return min(elapsed, first_check_s)


def _percent(part: int | None, whole: int) -> float:
    return math.nan if part is None or not whole else 100.0 * part / whole


def _code_peers(figures: dict[str, float], plan: Plan) -> list[str]:
    """Peer implementations and mutants of the built-in solutions (benchmarks/peer)."""
    from tutor.bench.code_peers import SEEDS, run_code_peers

    peers = run_code_peers(seeds=SEEDS[:1] if plan.quick else SEEDS)
    figures["code_peer_false_rejects"] = len(peers.false_rejects)
    figures["code_mutants_killed"] = peers.killed_percent
    notes = [f"code peer rejected: {reject}" for reject in peers.false_rejects]
    notes += [f"code mutant accepted: {s.splitlines()[0]}" for s in peers.survivors]
    notes.append(
        f"code peers: {peers.peers} correct implementations, {peers.mutants} wrong variants "
        f"({peers.unstable_peers_caught} of them unstable public code)"
    )
    return notes


def _peer_formula(figures: dict[str, float]) -> list[str]:
    """The peer formula cases (benchmarks/peer/formula_cases.yaml), beside math-verify."""
    from tutor.bench import formula

    if not formula.PEER_CASES.is_file():
        return [f"peer formula cases not found ({formula.PEER_CASES}): run from a checkout"]
    p = formula.run_peer()
    figures["peer_formula_right"] = p.right_percent
    figures["peer_formula_wrong_verdicts"] = len(p.wrong)
    figures["peer_formula_unreadable"] = len(p.unreadable)
    figures["mathverify_peer_right"] = _percent(p.mv_right, p.mv_tried)
    figures["peer_formula_right_scalar"] = _percent(p.ours_right_on_mv_cases, p.mv_tried)
    notes = [
        f"peer formula: {p.right} of {p.fair} fair cases right ({p.unfair} left out as unfair)"
    ]
    notes += [f"peer formula wrong verdict: {w}" for w in p.wrong]
    notes += [f"peer formula not read or decided: {u}" for u in p.unreadable]
    return notes


def run_bench(
    plan: Plan,
    stage: Callable[[str], None] = lambda _: None,
    tick: Callable[[str], None] = lambda _: None,
) -> tuple[dict[str, float], list[str]]:
    """Every figure by key, and notes (disagreements, failures) to print under the table."""
    from tutor.bench import app, code, formula, learners, number

    figures: dict[str, float] = {}
    notes: list[str] = []

    stage("app")
    frames = app.first_frames(plan.frames)
    figures["first_frame_s"] = frames.first_frame_s
    figures["first_frame_ratio"] = frames.ratio
    figures["first_frame_new_learner_s"] = median(frames.new_learner_s)
    figures["first_frame_new_learner_ratio"] = frames.new_learner_ratio

    stage("typing")
    typing = app.typing_and_memory()
    figures["bytes_per_keystroke_p50"] = typing.bytes_per_keystroke_p50
    figures["ui_rss_mb"] = typing.ui_rss_mb
    figures["service_rss_mb"] = typing.service_rss_mb

    stage("app_cpu")
    from tutor.bench import app_cpu

    cpu = app_cpu.measure(plan.read_s)
    figures["app_cpu_answer_s"] = cpu.per_answer_s
    figures["app_cpu_step_s"] = cpu.step_s
    figures["app_cpu_start_s"] = cpu.start_s
    figures["app_cpu_idle_per_min_s"] = cpu.idle_per_min_s
    figures["app_cpu_class_cores"] = cpu.class_cores(100)

    stage("formula")
    f = formula.measure(plan.formula_repeat)
    figures["formula_grade_p50_ms"] = f.p50_ms
    figures["formula_grade_p95_ms"] = f.p95_ms
    figures["formula_agreement"] = _percent(f.agree, f.pairs)
    figures["mathverify_p50_ms"] = median(f.mv_times_ms)
    figures["mathverify_p95_ms"] = percentile(f.mv_times_ms, 0.95)
    figures["mathverify_agreement"] = _percent(f.mv_agree, f.mv_tried)
    figures["formula_agreement_scalar"] = _percent(f.mv_ours_agree, f.mv_tried)
    notes += [f"formula disagrees: {miss}" for miss in f.misses]
    if f.mv_agree is None:
        notes.append("math-verify is not installed: pip install math-verify")
    notes += _peer_formula(figures)

    stage("number")
    times = next(iter(number.measure(plan.number_runs, parts=False).values()))
    figures["number_grade_p95_ms"] = percentile(times, 0.95)

    stage("code")
    runs, fresh_runs = plan.code_runs
    c = code.measure(runs, fresh_runs)
    figures["code_grade_warm_p50_ms"] = c.warm_p50_ms
    figures["code_grade_fresh_p50_ms"] = median(c.fresh_ms)
    figures["code_grade_speedup"] = c.speedup
    notes += _code_peers(figures, plan)

    stage("fairness")
    from tutor.bench import fairness

    flood = fairness.measure_fresh()
    figures["class_fairness_ratio"] = flood.ratio
    notes.append(
        f"fairness: a classmate's run {flood.unloaded_s * 1000:.0f} ms alone, "
        f"{flood.loaded_s * 1000:.0f} ms beside {fairness.FLOOD} endless loops of one learner "
        f"(which held {flood.servers_held} of 3 fork servers)"
    )

    stage("validate")
    from tutor.bench import validate_edit

    edits = validate_edit.measure()
    figures["validate_builtin_s"] = validate_builtin_s(edits.whole_pack_s)
    figures["validate_edit_watch_s"] = max(edits.watch_s)
    figures["validate_edit_cold_s"] = edits.cold_s
    notes.append(
        "validate: every block "
        f"{edits.whole_pack_s:.1f} s (a copy's first check) and {figures['validate_builtin_s']:.1f} s "
        "at best with --no-cache; one exercise saved under --watch: "
        + ", ".join(f"{s:.2f} s" for s in edits.watch_s)
        + " (a number, then a code exercise)"
    )

    stage("class")
    held = 0
    size = plan.learners
    first = None
    while size >= 1:
        result = learners.run_class(size, tick=tick)  # at a class's pace (learners.CLASS_PACE)
        first = first or result
        notes += [f"with {result.seated} learners: {p}" for p in result.problems[:5]]
        if result.memory_limited:
            notes.append(
                f"memory: only {result.seated} of {size} learners could be seated "
                f"({result.app_pss_mb / max(1, result.seated):.0f} MB each besides the "
                f"service's {result.service_pss_mb:.0f} MB; 4 GB kept free)"
            )
        if result.answered_in_time:
            held = result.seated
            break
        notes.append(
            f"{result.seated} learners: p95 {result.p95_ms:.0f} ms, "
            f"{len(result.problems)} answer(s) without a right verdict in time"
        )
        if plan.quick or size == 1 or size < plan.learners:
            break  # one smaller class at most: the default run stays bounded
        size = max(1, result.seated // 2)
    assert first is not None
    figures["learners_stress_p95_ms"] = math.nan
    if held and not plan.quick:
        (think, arrivals) = learners.STRESS_PACE
        stress = learners.run_class(held, tick=tick, think_s=think, arrivals_per_s=arrivals)
        figures["learners_stress_p95_ms"] = stress.p95_ms
        notes.append(
            f"stress pace ({held} learners, think {think[0]:g}–{think[1]:g} s, "
            f"{arrivals:g} arrivals/s): p50 {stress.p50_ms:.0f} ms, p95 {stress.p95_ms:.0f} ms, "
            f"apps' CPU {stress.apps_cpu_s:.0f} s; {len(stress.problems)} answer(s) without "
            "a right verdict"
        )
    figures["learners"] = first.seated
    figures["learners_service_grade_p95_ms"] = first.service_grade_p95_ms
    figures["learners_seated_s"] = first.seated_s
    figures["learners_p50_ms"] = first.p50_ms
    figures["learners_p95_ms"] = first.p95_ms
    figures["learners_failed"] = len(first.problems)
    figures["learners_total_mb"] = first.total_pss_mb
    figures["learners_service_mb"] = first.service_pss_mb
    per_learner = first.app_pss_mb / max(1, first.seated)
    figures["learners_per_learner_mb"] = per_learner
    figures["learners_memory_bound"] = first.mem_before_mb // per_learner if per_learner else 0
    figures["learners_on_this_machine"] = held
    return figures, notes


def as_json(figures: dict[str, float]) -> dict[str, float | None]:
    """JSON has no NaN: a figure that could not be measured is null."""
    return {
        key: (None if isinstance(v, float) and not math.isfinite(v) else round(v, 3))
        for key, v in figures.items()
    }


def goals_met(figures: dict[str, float], plan: Plan) -> bool:
    """Whether every figure with a goal met it (a goal whose figure is missing is not met)."""
    for key, _label, _unit in FIGURES:
        if key in figures:
            goal, met = goal_text(key, figures, plan.learners)
            if met is False or (goal and met is None):
                return False
    return True


def goal_text(key: str, figures: dict[str, float], learners: int) -> tuple[str, bool | None]:
    goal = GOALS.get(key)
    if goal is None:
        return "", None
    if key == "learners_on_this_machine":
        # the goal is the class asked for (50 by default)
        met = figures.get(key, 0) >= learners
        return f"≥ {learners}", met
    return goal.text(), goal.met(figures.get(key, math.nan))


def format_value(value: float, unit: str) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if unit in ("ms", "MB", "B", "%") or float(value).is_integer():
        return f"{value:,.0f}" if abs(value) >= 10 or float(value).is_integer() else f"{value:.1f}"
    return f"{value:.2f}"
