"""Grading a code exercise: the learner's function against the reference, case by case.

Both run in the sandbox on the same cases (the exercise's random `args`,
drawn from the learner's seed, then each edge case); only their values come
back, and this module compares them. So printing "passed", exiting early or
patching `torch.allclose` inside the learner's process changes nothing.
Feedback shows the first failing case (inputs, expected, got), never the
reference code.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from tutor.grading.compare import mismatch
from tutor.grading.memo import Memo
from tutor.grading.sandbox import (
    FunctionCall,
    Raised,
    RunResult,
    RunStatus,
    Sandbox,
    default_sandbox,
)
from tutor.grading.verdict import Status, Verdict
from tutor.pack.model import CodeExercise

LEARNER_FILE = "<your code>"
_CACHE_SIZE = 256


@dataclass
class Case:
    """One set of arguments for the function, and where it came from."""

    label: str  # "random case 2", "edge case 1"
    args: dict[str, Any]


class PackCodeError(Exception):
    """The exercise's own reference (or a misconception's code) failed: a pack problem."""


def draw_cases(exercise: CodeExercise, seed: int) -> list[Case]:
    """The exercise's random cases for this seed, then its edge cases (also seeded)."""
    from tutor.numeric.params import draw_params

    cases = [
        Case(f"random case {i + 1}", draw_params(exercise.args, _sub_seed(seed, f"case-{i}")))
        for i in range(max(exercise.cases, 0))
    ]
    for i, edge in enumerate(exercise.edge_cases):
        specs = {**{k: v for k, v in exercise.args.items() if k not in edge}, **edge}
        specs = {name: specs[name] for name in [*exercise.args, *edge] if name in specs}
        cases.append(Case(f"edge case {i + 1}", draw_params(specs, _sub_seed(seed, f"edge-{i}"))))
    return cases


def _sub_seed(seed: int, salt: str) -> int:
    digest = hashlib.sha256(f"{seed}:{salt}".encode()).digest()
    return int.from_bytes(digest[:8], "little") >> 1


def grade_code(
    exercise: CodeExercise, source: str, seed: int, *, sandbox: Sandbox | None = None
) -> Verdict:
    """Run the learner's `exercise.entry` and the reference on the same cases; compare here."""
    box = sandbox or default_sandbox()
    if not source.strip():
        return Verdict(Status.UNREADABLE, feedback="No code was given.")
    cases = draw_cases(exercise, seed)
    learner_call = FunctionCall(
        source,
        exercise.entry,
        [case.args for case in cases],
        forbid=exercise.forbid,
        compare=exercise.compare,
        filename=LEARNER_FILE,
    )
    # The reference runs beside the learner's code (its outcomes are cached per seed).
    run, expected = _run_with_pack_code(
        box, learner_call, exercise, [(exercise.reference, "the reference")], seed, cases
    )
    if isinstance(expected[0], PackCodeError):
        raise expected[0]
    expected = expected[0]
    details: dict[str, Any] = {"cases": len(cases), "protections": run.protections}
    early = _run_verdict(run, exercise, details)
    if early is not None:
        return early
    got = _outcomes(run)
    for index, (case, want, have) in enumerate(zip(cases, expected, got, strict=True)):
        reason = mismatch(want, have, exercise.tolerance)
        if reason is None:
            continue
        details.update(_case_details(index, case, want, have, reason))
        details["passed"] = index
        if isinstance(have, Raised) and not isinstance(want, Raised):
            feedback = f"Your function raised on {case.label}.\n{_show_case(case, want, have)}"
            return Verdict(Status.CRASHED, feedback=feedback, details=details)
        feedback = f"Not yet: {reason} on {case.label}.\n{_show_case(case, want, have)}"
        mistake = _misconception(box, exercise, seed, cases, got)
        if mistake is not None:
            feedback = f"{mistake.feedback.strip()}\n\n{feedback}"
            return Verdict(
                Status.INCORRECT, feedback=feedback, mistake=mistake.tag, details=details
            )
        return Verdict(Status.INCORRECT, feedback=feedback, details=details)
    details["passed"] = len(cases)
    random_count = max(exercise.cases, 0)
    edge_count = len(cases) - random_count
    feedback = (
        f"Correct: your `{exercise.entry}` matches on all {len(cases)} cases "
        f"({random_count} random, {edge_count} edge) in value, shape and dtype."
    )
    return Verdict(Status.CORRECT, score=exercise.points, feedback=feedback, details=details)


def _run_verdict(run: RunResult, exercise: CodeExercise, details: dict) -> Verdict | None:
    """A verdict for a run that did not produce per-case values, else None."""
    if run.status is RunStatus.FORBIDDEN:
        call = run.message.removeprefix("forbidden: ")
        details["call"] = call
        feedback = f"Your code uses {call}, which this exercise forbids: write it yourself."
        return Verdict(Status.FORBIDDEN, feedback=feedback, details=details)
    if run.status is RunStatus.LIMIT:
        details["limit"] = run.message
        return Verdict(Status.LIMIT, feedback=f"Stopped: {run.message}.", details=details)
    if run.status is RunStatus.CRASHED:
        return Verdict(
            Status.CRASHED, feedback=f"Your code crashed: {run.message}.", details=details
        )
    if run.raised is not None:
        details["error"] = str(run.raised)
        if run.raised.type in ("SyntaxError", "IndentationError", "TabError"):
            feedback = f"Python could not read your code:\n{run.raised.traceback}{run.raised}"
            return Verdict(Status.UNREADABLE, feedback=feedback, details=details)
        if run.raised.type == "NameError" and not run.raised.traceback:
            feedback = f"Define a function named `{exercise.entry}`: {run.raised.message}."
            return Verdict(Status.UNREADABLE, feedback=feedback, details=details)
        feedback = f"Your code raised while loading:\n{run.raised.traceback}{run.raised}"
        return Verdict(Status.CRASHED, feedback=feedback, details=details)
    return None


def _outcomes(run: RunResult) -> list[Any]:
    return [case.raised if case.raised is not None else case.value for case in run.cases]


_reference_outcomes = Memo(_CACHE_SIZE)  # pack code's outcomes per case, per seed


def _key(exercise: CodeExercise, code: str, seed: int) -> tuple:
    return (
        code,
        exercise.entry,
        exercise.compare,
        tuple(exercise.args.items()),
        repr(exercise.edge_cases),
        exercise.cases,
        seed,
    )


def _run_with_pack_code(
    box: Sandbox,
    call: FunctionCall | None,
    exercise: CodeExercise,
    pack_code: list[tuple[str, str]],
    seed: int,
    cases: list[Case],
) -> tuple[RunResult | None, list[list[Any] | PackCodeError]]:
    """Run `call` and the not-yet-cached pack code side by side, one child each.

    Returns the call's result and, for each (code, what) of `pack_code`, its
    outcomes per case or the PackCodeError saying why it failed.
    """
    known = {}
    for code, _ in pack_code:
        cached = _reference_outcomes.get(_key(exercise, code, seed))
        if cached is not None:
            known[code] = cached
    missing = [(code, what) for code, what in pack_code if code not in known]
    calls = [] if call is None else [call]
    calls += [
        FunctionCall(
            code,
            exercise.entry,
            [case.args for case in cases],
            compare=exercise.compare,
            filename="<pack code>",
        )
        for code, _ in missing
    ]
    results = box.run_functions(calls) if calls else []
    learner = results.pop(0) if call is not None else None
    failures: dict[str, PackCodeError] = {}
    for (code, what), run in zip(missing, results, strict=True):
        if run.status is not RunStatus.OK or run.raised is not None or len(run.cases) != len(cases):
            reason = run.message or (str(run.raised) if run.raised else "no result")
            failures[code] = PackCodeError(f"{what} of exercise `{exercise.id}` failed: {reason}")
            continue
        known[code] = _outcomes(run)
        _reference_outcomes.put(_key(exercise, code, seed), known[code])
    outcomes: list[list[Any] | PackCodeError] = [
        known[code] if code in known else failures[code] for code, _ in pack_code
    ]
    return learner, outcomes


def _misconception(box: Sandbox, exercise: CodeExercise, seed: int, cases: list[Case], got):
    """The first known-wrong variant whose outputs the learner's match on every case."""
    known = [m for m in exercise.misconceptions if m.code]
    if not known:
        return None
    _, outcomes = _run_with_pack_code(
        box, None, exercise, [(m.code, "a misconception") for m in known], seed, cases
    )
    for mistake, wrong in zip(known, outcomes, strict=True):
        if isinstance(wrong, PackCodeError):
            continue
        if all(
            not isinstance(w, Raised) and mismatch(w, g, exercise.tolerance) is None
            for w, g in zip(wrong, got, strict=True)
        ):
            return mistake
    return None


def _case_details(index: int, case: Case, want: Any, have: Any, reason: str) -> dict[str, Any]:
    return {
        "case": index,
        "label": case.label,
        "inputs": {name: _show(value) for name, value in case.args.items()},
        "expected": _show(want),
        "got": _show(have),
        "reason": reason,
    }


def _show_case(case: Case, want: Any, have: Any) -> str:
    lines = [f"  {name} = {_indent(_show(value))}" for name, value in case.args.items()]
    lines.append(f"expected: {_indent(_show(want))}")
    lines.append(f"got:      {_indent(_show(have))}")
    return "\n".join(lines)


def _indent(text: str) -> str:
    return text.replace("\n", "\n    ")


def _show(value: Any) -> str:
    if isinstance(value, Raised):
        text = f"{value}"
        if value.traceback:
            text = f"{value.traceback.rstrip()}\n{text}"
        return text
    text = repr(value)
    return text if len(text) <= 800 else text[:800] + " …"
