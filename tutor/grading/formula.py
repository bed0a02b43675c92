"""The grader of `formula` exercises.

    grade_formula(exercise, answer, ascii=False) -> Verdict
    check_formula_exercise(exercise) -> list[(line offset or 0, message)]

Grading reads the answer (an unreadable answer costs no attempt and says
where it stopped), shows how it was read, compares it with the reference by
symbolic proof and numeric sampling under a time bound, and for a wrong
answer names the known mistake it matches: the exercise's own
misconceptions first, then the engine's generic library. Grading decides by
sampling alone (a few ms); `check_formula_exercise` also tries the symbolic
proof.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from tutor.grading.verdict import Status, Verdict
from tutor.i18n import _
from tutor.pack.model import FormulaExercise
from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.equivalence import Equivalence, Outcome, equivalent
from tutor.symbolic.forms import forbid_problem, forbidden_in, form_problem, overflows
from tutor.symbolic.mistakes import Mistake, exercise_mistakes, generic_mistakes, match_mistake
from tutor.symbolic.reader import Formula, Unreadable, read_formula
from tutor.symbolic.render import render_formula
from tutor.symbolic.tree import SymbolTable

TIME_LIMIT = 1.0  # seconds for the equivalence check of one answer
MISTAKE_TIME_LIMIT = 0.5


def _key(exercise: FormulaExercise) -> tuple:
    return (
        exercise.answer,
        tuple(sorted(exercise.symbols.items())),
        tuple((m.answer, m.tag, m.feedback) for m in exercise.misconceptions),
    )


def decide(reference: Formula, answer: Formula, **options) -> Equivalence:
    """`equivalent`, with an answer whose bounds read two ways right only if right both ways.

    `\\sum_{i=1}^{K-1}` counts its entries from 0 or from 1 depending on the
    writer; the reader gives both readings, and a verdict that depends on
    which one was meant is "could not decide", never a guess.
    """
    result = equivalent(reference, answer, **options)
    if answer.alternative is None or result.outcome is Outcome.UNDECIDED:
        return result
    other = replace(answer, tree=answer.alternative, alternative=None, base=0)
    second = equivalent(reference, other, **options)
    if second.outcome is result.outcome:
        return result
    return Equivalence(
        Outcome.UNDECIDED,
        why=_(
            "your sum's bounds count entries from 0 in one reading and from 1 in the other, "
            "and only one reading is right: write the bounds of a sum over every entry as "
            "1 … K or 0 … K−1"
        ),
    )


@lru_cache(maxsize=256)
def _prepared(key: tuple) -> tuple[SymbolTable, Formula | Unreadable, tuple[Mistake, ...]]:
    """The exercise's table, reference and mistakes, read once per exercise."""
    answer, symbols, misconceptions = key
    table = SymbolTable.of(dict(symbols))
    reference = read_formula(answer, table)
    mistakes: list[Mistake] = exercise_mistakes(misconceptions, table)
    if isinstance(reference, Formula):
        mistakes += generic_mistakes(reference)
    return table, reference, tuple(mistakes)


def grade_formula(exercise: FormulaExercise, answer: str, *, ascii: bool = False) -> Verdict:
    """Grade one answer; never raises for anything the learner typed."""
    table, reference, mistakes = _prepared(_key(exercise))
    read = read_formula(answer, table)
    if isinstance(read, Unreadable):
        return Verdict(
            Status.UNREADABLE,
            feedback=_("Could not read your answer: {problem}. No attempt was charged.").format(
                problem=read.message
            ),
            details={"column": read.col},
        )
    read_as = render_formula(read, ascii=ascii)
    if isinstance(reference, Unreadable):
        return Verdict(
            Status.UNREADABLE,
            feedback=_(
                "This exercise's reference formula does not read ({problem}); "
                "this is a problem in the lesson, not in your answer."
            ).format(problem=reference.message),
            read_as=read_as,
        )
    # Sampling decides; the symbolic attempt (tens of ms of sympy) is left to `validate`
    # and derivations, where nobody waits on a keypress.
    try:
        result = decide(reference, read, time_limit=TIME_LIMIT, symbolic=False)
    except Exception as error:  # noqa: BLE001 - an engine failure is "could not decide", never a verdict
        result = Equivalence(
            Outcome.UNDECIDED,
            why=_("the engine failed: {error}").format(error=type(error).__name__),
        )
    details = {"checked": result.how}
    if result.outcome is Outcome.EQUIVALENT:
        form = form_problem(read, reference, exercise.require, exercise.forbid)
        if form is not None:
            return Verdict(
                Status.INCORRECT, feedback=form.feedback, mistake=form.tag, read_as=read_as,
                details=details,
            )  # fmt: skip
        return Verdict(
            Status.CORRECT, score=exercise.points, feedback=_("Correct."), read_as=read_as,
            details=details,
        )  # fmt: skip
    if result.outcome is Outcome.UNDECIDED:
        return Verdict(
            Status.UNREADABLE,
            feedback=_(
                "Could not decide whether your answer is right ({why}). "
                "No attempt was charged: try writing it another way."
            ).format(why=result.why),
            read_as=read_as,
            details=details,
        )
    details["why"] = result.why
    if result.counterexample:
        details["counterexample"] = result.counterexample
    mistake = match_mistake(read, mistakes, time_limit=MISTAKE_TIME_LIMIT)
    if mistake is not None and read.alternative is not None:
        # bounds read two ways: name the mistake only if both readings make it
        other = replace(read, tree=read.alternative, alternative=None, base=0)
        mistake = match_mistake(other, [mistake], time_limit=MISTAKE_TIME_LIMIT)
    if mistake is not None:
        return Verdict(
            Status.INCORRECT, feedback=_mistake_feedback(mistake), mistake=mistake.tag,
            read_as=read_as,
            details=details,
        )  # fmt: skip
    return Verdict(
        Status.INCORRECT,
        feedback=_("Not the expected formula: {why}.").format(why=result.why),
        read_as=read_as,
        details=details,
    )


def _mistake_feedback(mistake: Mistake) -> str:
    """A pack's misconception speaks the pack's language; the library's own (N_) the learner's."""
    return _(mistake.feedback) if mistake.generic else mistake.feedback


def check_formula_exercise(exercise: FormulaExercise) -> list[tuple[int, str]]:
    """Problems `ce-tutor validate` reports: (line offset in the block or 0, message).

    The reference reads; each misconception reads and is *not* equivalent to
    the reference; every symbol is sensible (vector kinds sized, sizes named
    by size symbols, bounds ordered).
    """
    problems: list[tuple[int, str]] = []
    for name, spec in exercise.symbols.items():
        problems += [
            (0, _("symbol `{name}`: {problem}").format(name=name, problem=m))
            for m in _spec_problems(name, spec, exercise)
        ]
    table = SymbolTable.of(dict(exercise.symbols))
    reference = read_formula(exercise.answer, table)
    if isinstance(reference, Unreadable):
        return [
            *problems,
            (
                0,
                _("the answer `{answer}` does not read: {why}").format(
                    answer=exercise.answer, why=reference.message
                ),
            ),
        ]
    problems += _form_problems(exercise, reference)
    for misconception in exercise.misconceptions:
        if misconception.answer is None:
            continue
        wrong = read_formula(misconception.answer, table)
        offset = _offset(exercise, misconception.location.line)
        if isinstance(wrong, Unreadable):
            problems.append(
                (
                    offset,
                    _("misconception `{tag}` does not read: {why}").format(
                        tag=misconception.tag, why=wrong.message
                    ),
                )
            )
            continue
        same = equivalent(reference, wrong, time_limit=TIME_LIMIT)
        if same.outcome is Outcome.EQUIVALENT:
            problems.append(
                (
                    offset,
                    _(
                        "misconception `{tag}` equals the answer ({how}): "
                        "a learner writing it would be graded correct"
                    ).format(tag=misconception.tag, how=same.how),
                )
            )
    return problems


def _form_problems(exercise: FormulaExercise, reference: Formula) -> list[tuple[int, str]]:
    """The reference must read one way and meet its own form requirements."""
    problems: list[tuple[int, str]] = []
    if reference.alternative is not None:
        problems.append(
            (
                0,
                _("the answer's sum bounds could count entries from 0 or from 1: {notes}").format(
                    notes=reference.notes
                ),
            )
        )
    bad = [p for p in map(forbid_problem, exercise.forbid) if p]
    problems += [(0, p) for p in bad]
    if not bad and exercise.forbid:
        used = forbidden_in(reference.tree, exercise.forbid)
        if used is not None:
            problems.append(
                (0, _("the answer uses `{name}`, which `forbid` lists").format(name=used))
            )
    if "no-overflow" in exercise.require and overflows(reference, reference) is not None:
        problems.append((0, _("the answer itself overflows, so `require: [no-overflow]` fails it")))
    return problems


def _offset(exercise: FormulaExercise, line: int) -> int:
    return max(0, line - exercise.location.line)


def _spec_problems(name: str, spec: SymbolSpec, exercise: FormulaExercise) -> list[str]:
    out = []
    if not name.isidentifier() or name.startswith("_"):
        out.append(_("a symbol name must be a plain identifier"))
    sized = spec.kind.is_vector or spec.kind is SymbolKind.INDEX
    if sized and isinstance(spec.size, int) and spec.size < 1:
        out.append(_("a size must be at least 1"))
    if isinstance(spec.size, str):
        other = exercise.symbols.get(spec.size)
        if other is not None and other.kind is not SymbolKind.SIZE:
            out.append(
                _("its size `{size}` is declared as a {kind}, not a size").format(
                    size=spec.size, kind=other.kind.value
                )
            )
    if not sized and spec.size is not None:
        out.append(_("a {kind} symbol has no size").format(kind=spec.kind.value))
    if spec.low is not None and spec.high is not None and spec.low >= spec.high:
        out.append(_("low must be below high"))
    return out
