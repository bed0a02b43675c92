"""The peer code cases (issue 14): public implementations and mutants of the built-in solutions."""

from __future__ import annotations

from tutor.bench.code_peers import CodeCase, load_cases, operator_mutants, run_code_peers
from tutor.bench.run import FIGURES
from tutor.bench.stats import GOALS
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import CodeExercise


def _code_exercises() -> dict[str, CodeExercise]:
    pack, _ = load_pack(builtin_pack_dir())
    return {
        e.id: e for lesson in pack.lessons for e in lesson.exercises if isinstance(e, CodeExercise)
    }


def test_every_case_answers_a_built_in_exercise_and_says_where_it_comes_from():
    exercises = _code_exercises()
    cases = load_cases()
    assert len([c for c in cases if c.kind == "peer" and c.expect == "correct"]) >= 15
    for case in cases:
        assert case.exercise in exercises, case.exercise
        assert case.kind in ("peer", "mutant") and case.expect in ("correct", "incorrect")
        assert f"def {exercises[case.exercise].entry}(" in case.code
        if case.kind == "peer":
            assert case.source, case.code
        if case.expect == "incorrect":
            assert case.why, case.code  # a wrong case says what is wrong with it
    sources = " ".join(c.source for c in cases)
    assert "facebookresearch/moco@" in sources and "d2l-ai/d2l-en@" in sources
    assert "common_nn.py" in sources and "info-nce-pytorch@" in sources


def test_the_operators_make_single_fault_mutants_of_every_reference():
    for exercise in _code_exercises().values():
        mutants = operator_mutants(exercise.id, exercise.reference, differentiable=True)
        assert {m.why for m in mutants} >= {"dtype", "detach", "sign"}, exercise.id
        assert all(m.code != exercise.reference for m in mutants)
        compile(mutants[0].code, "<mutant>", "exec")


def test_a_gradient_by_hand_is_not_mutated_by_detaching_it():
    ce_grad = _code_exercises()["write-ce-grad"]
    faults = {m.why for m in operator_mutants(ce_grad.id, ce_grad.reference, False)}
    assert "detach" not in faults


def test_the_bench_reports_both_figures_with_their_goals():
    keys = [key for key, _, _ in FIGURES]
    assert {"code_peer_false_rejects", "code_mutants_killed"} <= set(keys)
    assert GOALS["code_peer_false_rejects"].text() == "≤ 0"
    assert GOALS["code_mutants_killed"].text() == "≥ 100"


def test_a_few_cases_through_the_grader():
    """MoCo's own loss is accepted; an in-place and a detached variant are not."""
    cases = [c for c in load_cases() if c.exercise == "write-moco-loss"]
    assert any(c.kind == "peer" for c in cases)
    figures = run_code_peers(cases=cases[:4], seeds=(3,))
    assert figures.false_rejects == []
    assert figures.survivors == []
    assert figures.mutants >= 2


def test_a_case_is_a_plain_record():
    case = CodeCase("write-js", "mutant", "incorrect", "def js_divergence(p, q): ...", why="x")
    assert case.source == ""
