"""`validate`'s checks of a code exercise's reference, before any learner meets it.

A reference that raises on its own cases makes every correct learner wrong
(their function returns a value where the reference "expects" an exception),
so it is a pack error unless the author declares the exception with
`raises: ExceptionName` (an exercise where raising is the lesson).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tutor.i18n import N_, _
from tutor.pack.model import CodeExercise

if TYPE_CHECKING:
    from tutor.grading.sandbox import Sandbox
    from tutor.grading.sandbox.prefetch import Prefetched

Problems = list[tuple[int, str]]

# learners whose cases the reference is run on (their seeds draw different random cases)
CASE_LEARNERS = tuple(f"validate-case-{i}" for i in range(8))


@dataclass(frozen=True)
class ReferenceRaise:
    """One case on which the reference raised: which case, and what."""

    label: str
    inputs: str
    error: str
    type: str


@dataclass
class PackRuns:
    """The reference's and each misconception's outcomes on the simulated learners' cases."""

    cases: list  # every learner's cases, learner after learner
    per_learner: int  # how many cases each learner has
    reference: list  # an outcome (a value or a Raised) per case
    misconceptions: dict[str, list]  # tag -> outcomes, for the variants that ran


def run_pack_code(
    exercise: CodeExercise, seeds: list[int], sandbox: Sandbox | Prefetched | None = None
) -> PackRuns | str:
    """The reference and every readable code misconception, side by side, on the seeds' cases.

    They run in `sandbox` (the default one when None); `validate` passes
    one holding the runs grading will ask for next (`sandbox.prefetch`),
    which go in the same request.
    """
    from tutor.grading.call_checks import parameter_order
    from tutor.grading.code import draw_cases
    from tutor.grading.sandbox import FunctionCall, RunStatus, default_sandbox

    cases = [case for seed in seeds for case in draw_cases(exercise, seed)]
    known = [
        m
        for m in exercise.misconceptions
        if m.code and pack_code_problem(m.code, exercise.entry, "") is None
    ]
    # called as grading calls it: positionally, in the reference's parameter order
    order = parameter_order(exercise, list(cases[0].args) if cases else list(exercise.args))
    calls = [
        FunctionCall(
            source,
            exercise.entry,
            [case.args for case in cases],
            compare=exercise.compare,
            filename="<pack code>",
            order=order,
        )
        for source in [exercise.reference, *(m.code for m in known)]
    ]
    reference, *variants = (sandbox or default_sandbox()).run_functions(calls)
    if reference.status is not RunStatus.OK:
        return reference.message or reference.status.value
    if reference.raised is not None:
        return str(reference.raised)
    outcomes = {
        m.tag: [c.raised if c.raised is not None else c.value for c in run.cases]
        for m, run in zip(known, variants, strict=True)
        if run.status is RunStatus.OK and run.raised is None and len(run.cases) == len(cases)
    }
    return PackRuns(
        cases,
        len(cases) // max(len(seeds), 1),
        [c.raised if c.raised is not None else c.value for c in reference.cases],
        outcomes,
    )


def reference_raises(runs: PackRuns) -> list[ReferenceRaise]:
    """The cases the reference raised on."""
    from tutor.grading.sandbox import Raised

    found = []
    for case, outcome in zip(runs.cases, runs.reference, strict=False):
        if isinstance(outcome, Raised):
            inputs = ", ".join(f"{name}={_short(value)}" for name, value in case.args.items())
            found.append(ReferenceRaise(case.label, inputs, str(outcome), outcome.type))
    return found


def check_misconception_shares(exercise: CodeExercise, runs: PackRuns) -> Problems:
    """A variant that gives the reference's values on all of some learners' cases fools them."""
    from tutor.grading.compare import mismatch

    learners = len(runs.cases) // max(runs.per_learner, 1)
    problems = []
    for known in exercise.misconceptions:
        outcomes = runs.misconceptions.get(known.tag)
        if outcomes is None:
            continue
        fooled = 0
        for start in range(0, learners * runs.per_learner, runs.per_learner):
            pairs = zip(
                runs.reference[start : start + runs.per_learner],
                outcomes[start : start + runs.per_learner],
                strict=True,
            )
            if all(mismatch(want, got, exercise.tolerance) is None for want, got in pairs):
                fooled += 1
        if 0 < fooled < learners:
            problems.append(
                (
                    known.location.line,
                    _(
                        "misconception `{tag}` gives the reference's values on every case of "
                        "{fooled} of {learners} simulated learners: they would be told it is "
                        "right. Add an edge case that separates it (or more `cases`)"
                    ).format(tag=known.tag, fooled=fooled, learners=learners),
                )
            )
    return problems


def check_reference_raises(exercise: CodeExercise, runs: PackRuns | str) -> Problems:
    """A raising reference is an error unless `raises:` names what it raises."""
    line = exercise.location.line
    if isinstance(runs, str):
        return [(line, _("the reference does not run: {why}").format(why=runs))]
    found, total = reference_raises(runs), len(runs.cases)
    unexpected = [r for r in found if r.type != exercise.raises]
    if unexpected:
        first = unexpected[0]
        return [
            (
                line,
                _(
                    "the reference raises {error} on {count} of the {total} cases checked, first "
                    "on {label} ({inputs}): every learner's correct function would be graded "
                    "wrong there. Fix the reference or its `args`, or, if raising is what "
                    "learners must write, declare `raises: {type}`"
                ).format(
                    error=first.error,
                    count=len(unexpected),
                    total=total,
                    label=first.label,
                    inputs=first.inputs,
                    type=first.type,
                ),
            )
        ]
    if exercise.raises and not found:
        return [
            (
                line,
                _(
                    "`raises: {name}` is declared, but the reference raises on none of its "
                    "cases: add a case that raises (an `edge_cases` entry), or remove `raises`"
                ).format(name=exercise.raises),
            )
        ]
    return []


def _short(value: object) -> str:
    text = repr(value).replace("\n", " ")
    return text if len(text) <= 60 else text[:57] + "…"


def pack_code_problem(source: str, entry: str, what: str) -> str | None:
    """Why the author's code cannot be run as `entry`: it does not read, or defines no `entry`."""
    import ast

    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return _("{what} does not read: {error} (its line {line})").format(
            what=what, error=error.msg, line=error.lineno
        )
    defined = [node.name for node in tree.body if isinstance(node, ast.FunctionDef)]
    if entry in defined:
        return None
    names = ", ".join(f"`{name}`" for name in defined)
    others = _(" (it defines {names})").format(names=names) if defined else ""
    return _(
        "{what} defines no function `{entry}`{others}: `entry:` names the function learners "
        "write, and the reference and every misconception's code must define it too"
    ).format(what=what, entry=entry, others=others)


def in_author_words(verdict) -> str:
    """What happened to the author's code, said about it (never "your"), error included."""
    details = verdict.details or {}
    status = verdict.status.value
    if status == "crashed" and "got" in details:
        raised = str(details["got"]).strip().splitlines()[-1]
        return _("it raises {error} on {label}").format(
            error=raised, label=details.get("label", _("a case"))
        )
    if status in ("crashed", "unreadable") and "error" in details:
        return _("it raises {error} when loaded").format(error=details["error"])
    if status == "limit":
        return _("it hit a limit: {limit}").format(limit=details.get("limit", verdict.feedback))
    if status == "incorrect" and "reason" in details:
        return _("it gives {reason} on {label}").format(
            reason=details["reason"], label=details.get("label", _("a case"))
        )
    text = " ".join(verdict.feedback.split())
    for yours, its in _ABOUT_IT:
        text = text.replace(_(yours), _(its))
    return text


# a verdict speaks to the learner, validate of the author's code: the words swapped in the
# feedback's language (你的代码 → 它 as "Your code" → "it")
_ABOUT_IT = (
    (N_("Your code"), N_("it")),
    (N_("your code"), N_("it")),
    (N_("Your "), N_("its ")),
)


_STABILITY_WORDS = re.compile(
    r"stab\w*|overflow\w*|underflow\w*|\binf\b|\bnan\b|max trick|subtract\w* the max"
    r"|log-?sum-?exp",
    re.IGNORECASE,
)
# writing one of these yourself is a lesson in stability: the naive formula overflows
_STABLE_FUNCTIONS = (
    "log_softmax",
    "logsumexp",
    "cross_entropy",
    "softmax",
    "binary_cross_entropy_with_logits",
    "logsigmoid",
)


def about_stability(exercise: CodeExercise) -> str | None:
    """Why the exercise is about numerical stability (in words), or None."""
    text = " ".join(
        [exercise.prompt, *exercise.hints, *(m.feedback for m in exercise.misconceptions)]
    )
    word = _STABILITY_WORDS.search(text)
    if word:
        return _('its text says "{word}"').format(word=word.group(0))
    if any(name in exercise.starter for name in _STABLE_FUNCTIONS):
        return None  # the starter already hands learners the stable building block
    for name in exercise.forbid:
        if name.rsplit(".", 1)[-1] in _STABLE_FUNCTIONS:
            return _("it forbids `{name}`, so learners write it themselves").format(name=name)
    return None


def largest_input(exercise: CodeExercise, seeds: list[int]) -> float:
    """The largest finite magnitude of any float input over the seeds' cases."""
    import torch

    from tutor.grading.code import draw_cases

    largest = 0.0
    for seed in seeds:
        for case in draw_cases(exercise, seed):
            for value in case.args.values():
                if isinstance(value, float):
                    value = torch.tensor(value)
                if isinstance(value, torch.Tensor) and value.is_floating_point() and value.numel():
                    finite = value[torch.isfinite(value)]
                    if finite.numel():
                        largest = max(largest, float(finite.abs().max()))
    return largest


def check_large_case(exercise: CodeExercise, seeds: list[int]) -> Problems:
    """An exercise about stability needs a case where an unstable formula breaks."""
    from tutor.grading.call_checks import LARGE

    why = about_stability(exercise)
    if why is None:
        return []
    largest = largest_input(exercise, seeds)
    if largest >= LARGE:
        return []
    first = next(iter(exercise.args), "x")
    return [
        (
            exercise.location.line,
            _(
                "exercise `{id}` is about numerical stability ({why}), but no case reaches large "
                "inputs (the largest is {largest}): an unstable formula (exp without subtracting "
                "the max, log of a softmax) passes. Add an edge case with inputs of magnitude "
                "{large} or more, e.g. `{name}: 1000 * randn(…)`"
            ).format(
                id=exercise.id, why=why, largest=f"{largest:.3g}", large=f"{LARGE:g}", name=first
            ),
        )
    ]


def _resolves(path: str) -> bool:
    """Does a dotted path (`torch.nn.functional.cross_entropy`) name something importable?"""
    import importlib

    parts = path.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            value = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(value, name):
                return False
            value = getattr(value, name)
        return True
    return False


def check_forbid_names(exercise: CodeExercise) -> Problems:
    """A `forbid` entry that names nothing forbids nothing: a typo leaves the door open."""
    from tutor.grading.sandbox.forbid import canonical

    problems = []
    for name in exercise.forbid:
        path = canonical(name)
        candidates = [path]
        if path.startswith("Tensor."):
            candidates = [f"torch.{path}"]
        elif "." not in path:
            candidates = [f"torch.{path}", f"torch.nn.functional.{path}", f"torch.nn.{path}"]
        if any(_resolves(candidate) for candidate in candidates):
            continue
        problems.append(
            (
                exercise.location.line,
                _(
                    "`forbid` names `{name}`, which is no torch function or class: it forbids "
                    "nothing{hint}"
                ).format(name=name, hint=_close_torch_name(path)),
            )
        )
    return problems


def _close_torch_name(path: str) -> str:
    """` (did you mean `F.cross_entropy`?)` from the names of the module the path points into."""
    import importlib

    from tutor.pack.errors import did_you_mean

    module_path, _dot, leaf = path.rpartition(".")
    try:
        module = importlib.import_module(module_path or "torch")
    except ImportError:
        return ""
    return did_you_mean(leaf, [name for name in dir(module) if not name.startswith("_")])
