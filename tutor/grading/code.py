"""Grading a code exercise: the learner's function against the reference, case by case.

Both run in the sandbox on the same cases (the exercise's random `args`,
drawn from the learner's seed, then each edge case); only their values come
back, and this module compares them. So printing "passed", exiting early or
patching `torch.allclose` inside the learner's process changes nothing.
Feedback shows the first failing case (inputs, expected, got), never the
reference code.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from typing import Any

from tutor.grading import call_checks
from tutor.grading.case_summary import summarise
from tutor.grading.compare import mismatch
from tutor.grading.memo import Memo
from tutor.grading.sandbox import (
    CaseOutcome,
    FunctionCall,
    Raised,
    RunResult,
    RunStatus,
    Sandbox,
    default_sandbox,
)
from tutor.grading.sandbox.prefetch import Prefetched
from tutor.grading.verdict import Status, Verdict
from tutor.i18n import N_, _
from tutor.pack.model import CodeExercise

LEARNER_FILE = "<your code>"
_CACHE_SIZE = 256


@dataclass
class Case:
    """One set of arguments for the function, and where it came from."""

    label: str  # "random case 2", "edge case 1"
    args: dict[str, Any]

    @functools.cached_property
    def scale(self) -> float:
        """The magnitude of the inputs: rounding tolerance and stability words use it."""
        return call_checks.magnitude(self.args)


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
    exercise: CodeExercise, source: str, seed: int, *, sandbox: Sandbox | Prefetched | None = None
) -> Verdict:
    """Run the learner's `exercise.entry` and the reference on the same cases; compare here.

    Values first (shape, dtype, value; the first failing case is shown), then
    what values do not show: inputs changed in place, and gradients with
    respect to the float inputs. A float64 copy of the first random case is
    added when the reference answers it in float64 (the exercise does not
    fix the dtype), so a solution that hard-codes float32 fails there.
    """
    box = sandbox or default_sandbox()
    if not source.strip():
        return Verdict(Status.UNREADABLE, feedback=_("No code was given."))
    cases = with_dtype_case(draw_cases(exercise, seed))
    call = learner_call(exercise, source, cases)
    # The reference runs beside the learner's code (its outcomes are cached per seed).
    run, expected = _run_with_pack_code(
        box, call, exercise, [(exercise.reference, N_("the reference"))], seed, cases
    )
    if isinstance(expected[0], PackCodeError):
        raise expected[0]
    expected = expected[0]
    keep = [
        i
        for i, case in enumerate(cases)
        if case.label != DTYPE_CASE or call_checks.follows_float64(expected[i])
    ]
    details: dict[str, Any] = {"cases": len(keep), "protections": run.protections}
    early = _run_verdict(run, exercise, details)
    if early is not None:
        return early
    drawn = cases
    cases, expected, got = (
        [cases[i] for i in keep],
        [expected[i] for i in keep],
        [run.cases[i] for i in keep],
    )
    failing = _value_failures(exercise, cases, expected, got)
    if failing:
        verdict = _wrong_values(exercise, cases, expected, got, failing, details)
        if verdict.status is not Status.INCORRECT:
            return verdict
        mistake = _misconception(box, exercise, seed, drawn, keep, got)
        if mistake is not None:
            verdict.feedback = f"{mistake.feedback.strip()}\n\n{verdict.feedback}"
            verdict.mistake = mistake.tag
        return verdict
    finding = _beyond_values(exercise, call.order, cases, expected, got, details)
    return finding if finding is not None else _all_right(exercise, cases, details)


def _wrong_values(
    exercise: CodeExercise, cases: list[Case], expected, got, failing, details: dict
) -> Verdict:
    """The first failing case in one line (shapes, first differing element), then in full.

    The line comes first so it is seen at once; the inputs and both values,
    which can run to tens of lines of tensors, follow it (the app shows them
    on `v`).
    """
    index, reason = failing[0]
    case, want, have = cases[index], _value(expected[index]), _value(got[index])
    details.update(_case_details(index, case, want, have, reason))
    details["passed"] = index
    which = _("case {n} of {total} ({label})").format(
        n=index + 1, total=len(cases), label=case.label
    )
    whole = _("The whole case:") + "\n" + _show_case(case, want, have)
    note = _case_note(case, have)
    if isinstance(have, Raised) and not isinstance(want, Raised):
        details["summary"] = _("Your function raised on {case}: {error}.").format(
            case=which, error=str(have)
        )
        feedback = f"{details['summary']}\n{whole}"
        return Verdict(Status.CRASHED, feedback=note + feedback, details=details)
    what = summarise(want, have, exercise.tolerance, case.scale) or reason
    details["summary"] = _("Not yet on {case}: {what}.").format(case=which, what=what)
    feedback = f"{note}{details['summary']}\n{whole}"
    large = [cases[i].scale >= call_checks.LARGE for i, _ in failing]
    words = call_checks.stability(case.args, want, have, all(large) and len(failing) < len(cases))
    if words:
        details["check"] = "stability"
        feedback = f"{words}\n\n{feedback}"
    return Verdict(Status.INCORRECT, feedback=feedback, details=details)


def _all_right(exercise: CodeExercise, cases: list[Case], details: dict) -> Verdict:
    """Correct, saying what was checked."""
    details["passed"] = len(cases)
    random_count = max(exercise.cases, 0)
    dtype_count = sum(case.label == DTYPE_CASE for case in cases)
    edge_count = len(cases) - random_count - dtype_count
    counts = f"{random_count} random, {edge_count} edge" + (", 1 in float64" if dtype_count else "")
    checked = "value, shape, dtype" + (
        ", gradients" if call_checks.wants_gradients(exercise) else ""
    )
    feedback = (
        f"Correct: your `{exercise.entry}` matches on all {len(cases)} cases ({counts}) "
        f"in {checked}, and leaves its inputs unchanged."
    )
    return Verdict(Status.CORRECT, score=exercise.points, feedback=feedback, details=details)


DTYPE_CASE = "float64 case"


def with_dtype_case(cases: list[Case]) -> list[Case]:
    """The cases, and a float64 copy of the first one that has float tensors."""
    for case in cases:
        doubled = call_checks.as_float64(case.args)
        if doubled is not None:
            return [*cases, Case(DTYPE_CASE, doubled)]
    return cases


def _case_note(case: Case, have: Any) -> str:
    """Words for the two cases a learner may not expect: float64, and inputs with gradients."""
    if isinstance(have, Raised) and "requires grad" in have.message:
        return _(
            "The inputs carry gradients here (a loss must stay differentiable): keep to torch "
            "operations on them; `.numpy()` and in-place changes to a leaf are not allowed.\n\n"
        )
    if case.label != DTYPE_CASE:
        return ""
    return _(
        "This case is the first one again with float64 inputs: the result must follow the "
        "inputs' dtype, so build nothing in float32 by hand (`.float()`, `torch.tensor(…)` "
        "without `dtype=`); use `x.new_tensor(…)`, `torch.ones_like(x)` or `dtype=x.dtype`.\n\n"
    )


def learner_call(exercise: CodeExercise, source: str, cases: list[Case]) -> FunctionCall:
    """The run of a learner's source on the cases, under the exercise's forbidden names."""
    return _call(exercise, source, cases, LEARNER_FILE, forbid=exercise.forbid)


def _call(
    exercise: CodeExercise, code: str, cases: list[Case], filename: str, forbid=()
) -> FunctionCall:
    names = list(cases[0].args) if cases else list(exercise.args)
    return FunctionCall(
        code,
        exercise.entry,
        [case.args for case in cases],
        forbid=forbid,
        compare=exercise.compare,
        filename=filename,
        order=call_checks.parameter_order(exercise, names),
        gradients=call_checks.wants_gradients(exercise),
    )


def _value(outcome: CaseOutcome) -> Any:
    return outcome.raised if outcome.raised is not None else outcome.value


def _value_failures(
    exercise: CodeExercise, cases: list[Case], expected: list, got: list
) -> list[tuple[int, str]]:
    """(index, reason) of every case whose value differs from the reference's."""
    failing = []
    for index, (case, want, have) in enumerate(zip(cases, expected, got, strict=True)):
        reason = mismatch(_value(want), _value(have), exercise.tolerance, case.scale)
        if reason is not None:
            failing.append((index, reason))
    return failing


def _beyond_values(
    exercise: CodeExercise, order: list[str], cases: list[Case], expected, got, details: dict
) -> Verdict | None:
    """Inputs changed in place, then gradients: the first case where either is wrong."""
    for index, (case, want, have) in enumerate(zip(cases, expected, got, strict=True)):
        names = [n for n in order if n in case.args] + [n for n in case.args if n not in order]
        finding = call_checks.mutation(
            exercise.entry, names, case.args, have
        ) or call_checks.gradient(exercise.entry, names, want, have, case.scale)
        if finding is not None:
            details.update({"check": finding.check, "case": index, "label": case.label})
            details["passed"] = index
            feedback = f"Not yet: {finding.feedback} (on {case.label})"
            return Verdict(Status.INCORRECT, feedback=feedback, details=details)
    return None


def _run_verdict(run: RunResult, exercise: CodeExercise, details: dict) -> Verdict | None:
    """A verdict for a run that did not produce per-case values, else None."""
    if run.status is RunStatus.FORBIDDEN:
        call = run.message.removeprefix("forbidden: ")
        details["call"] = call
        feedback = _(
            "Your code uses {call}, which this exercise forbids: write it yourself."
        ).format(call=call)
        return Verdict(Status.FORBIDDEN, feedback=feedback, details=details)
    if run.status is RunStatus.LIMIT:
        details["limit"] = run.message
        feedback = _("Stopped: {limit}.").format(limit=run.message)
        return Verdict(Status.LIMIT, feedback=feedback, details=details)
    if run.status is RunStatus.CRASHED:
        return Verdict(
            Status.CRASHED,
            feedback=_("Your code crashed: {problem}.").format(problem=run.message),
            details=details,
        )
    if run.raised is not None:
        details["error"] = str(run.raised)
        if run.raised.type in ("SyntaxError", "IndentationError", "TabError"):
            feedback = (
                _("Python could not read your code:") + f"\n{run.raised.traceback}{run.raised}"
            )
            return Verdict(Status.UNREADABLE, feedback=feedback, details=details)
        if run.raised.type == "NameError" and not run.raised.traceback:
            feedback = _("Define a function named `{name}`: your code does not define one.").format(
                name=exercise.entry
            )
            return Verdict(Status.UNREADABLE, feedback=feedback, details=details)
        feedback = _("Your code raised while loading:") + f"\n{run.raised.traceback}{run.raised}"
        return Verdict(Status.CRASHED, feedback=feedback, details=details)
    return None


def _outcomes(run: RunResult) -> list[CaseOutcome]:
    return list(run.cases)


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
        # with autograd forbidden no gradients are taken; validate grades the reference
        # with `forbid` lifted, then the solution with it, on the same seed
        call_checks.wants_gradients(exercise),
    )


def _run_with_pack_code(
    box: Sandbox | Prefetched,
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
    for code, _what in pack_code:
        cached = _reference_outcomes.get(_key(exercise, code, seed))
        if cached is not None:
            known[code] = cached
    missing = [(code, what) for code, what in pack_code if code not in known]
    calls = [] if call is None else [call]
    calls += [_call(exercise, code, cases, "<pack code>") for code, _ in missing]
    results = box.run_functions(calls) if calls else []
    learner = results.pop(0) if call is not None else None
    failures: dict[str, PackCodeError] = {}
    for (code, what), run in zip(missing, results, strict=True):
        reason = _pack_failure(run, cases)
        if reason is not None:
            failures[code] = PackCodeError(
                _("{what} of exercise `{id}` failed: {reason}").format(
                    what=_(what), id=exercise.id, reason=reason
                )
            )
            continue
        known[code] = _outcomes(run)
        _reference_outcomes.put(_key(exercise, code, seed), known[code])
    outcomes: list[list[Any] | PackCodeError] = [
        known[code] if code in known else failures[code] for code, _ in pack_code
    ]
    return learner, outcomes


def _pack_failure(run: RunResult, cases: list[Case]) -> str | None:
    """Why pack code's run gave no outcome per case, or None when it did."""
    if run.status is not RunStatus.OK or run.raised is not None or len(run.cases) != len(cases):
        return run.message or (str(run.raised) if run.raised else _("no result"))
    return None


def grading_calls(
    exercise: CodeExercise, sources: list[str], seed: int, *, naming: bool = True
) -> list[FunctionCall]:
    """The runs `grade_code` will ask for when it grades each source on `seed`.

    Each source's own run, then the pack code's runs it needs on the same
    cases: the reference, and (`naming`, for sources that are wrong) the
    misconceptions that name a mistake; pack code whose outcomes are already
    remembered is not asked for again. `validate` makes them ahead, in one
    request (`sandbox.prefetch`): grading each source then costs no round
    trip of its own.
    """
    cases = with_dtype_case(draw_cases(exercise, seed))
    pack_code = [exercise.reference]
    if naming:
        pack_code += [m.code for m in exercise.misconceptions if m.code]
    return [learner_call(exercise, source, cases) for source in sources] + [
        _call(exercise, code, cases, "<pack code>")
        for code in dict.fromkeys(pack_code)
        if _reference_outcomes.get(_key(exercise, code, seed)) is None
    ]


def _misconception(
    box: Sandbox | Prefetched,
    exercise: CodeExercise,
    seed: int,
    drawn: list[Case],
    keep: list[int],
    got,
):
    """The first known-wrong variant whose outputs the learner's match on every compared case.

    The pack code runs on every case `drawn`, as the reference did (so the
    cache's key holds); `keep` are the compared ones, `got` the learner's there.
    """
    known = [m for m in exercise.misconceptions if m.code]
    if not known:
        return None
    cases = [drawn[i] for i in keep]
    _, outcomes = _run_with_pack_code(
        box, None, exercise, [(m.code, N_("a misconception")) for m in known], seed, drawn
    )
    for mistake, wrong in zip(known, outcomes, strict=True):
        if isinstance(wrong, PackCodeError):
            continue
        wrong = [wrong[i] for i in keep]
        if all(
            w.raised is None
            and mismatch(w.value, _value(g), exercise.tolerance, case.scale) is None
            for case, w, g in zip(cases, wrong, got, strict=True)
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
    lines.append(_("expected: {value}").format(value=_indent(_show(want))))
    lines.append(_("yours:    {value}").format(value=_indent(_show(have))))
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
