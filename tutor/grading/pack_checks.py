"""The deep checks of `ce-tutor validate`: every claim in a pack, by the engines.

The loader already reported the structure (keys, types, YAML). Here every
exercise is checked by the engine that grades it, so a lesson cannot teach a
wrong formula, number or printed output:

- choice: no duplicate choices;
- formula: the answer reads, each misconception reads and differs from it
  (symbolic engine), and the answer agrees with the torch `check`;
- number: the torch reference and the symbolic formula agree on several
  learners' numbers, and each misconception gives a different number;
- code: the reference grades correct on its own cases, and each known-wrong
  variant is rejected with its tag (both run in the sandbox);
- predict: the snippet runs, and no misconception matches its real outcome;
- `python` + `output`: the example is re-run and must print what it claims;
- derivations: every step is proved equal to the one before.

Each check goes through the same grader a learner's answer does, so what
`validate` accepts is what the tutor grades.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.grading import learner_seed
from tutor.i18n import N_, _
from tutor.pack.errors import PackError
from tutor.pack.model import (
    ChoiceExercise,
    CodeExample,
    CodeExercise,
    Derivation,
    Exercise,
    FormulaExercise,
    Lesson,
    Misconception,
    NumberExercise,
    Pack,
    Plot,
    PredictExercise,
)

if TYPE_CHECKING:
    from tutor.grading.sandbox import FunctionCall
    from tutor.grading.sandbox.prefetch import Prefetched

VALIDATE_LEARNER = "ce-tutor-validate"  # whose variant the code and predict checks draw

Problems = list[tuple[int, str]]


@dataclass
class CheckReport:
    """What `validate` found, and how much it checked (for its closing line)."""

    errors: list[PackError] = field(default_factory=list)
    checked: dict[str, int] = field(default_factory=dict)

    def count(self, what: str) -> None:
        self.checked[what] = self.checked.get(what, 0) + 1

    def summary(self) -> str:
        parts = [
            _("{count} {what}").format(count=count, what=_(_singular(what) if count == 1 else what))
            for what, count in self.checked.items()
        ]
        return _(", ").join(parts) or _("nothing")


# what `_kind` counts, as the closing line says it (translated there, in `summary`)
KIND_WORDS = (
    N_("choice exercises"), N_("choice exercise"), N_("number exercises"), N_("number exercise"),
    N_("formula exercises"), N_("formula exercise"), N_("code exercises"), N_("code exercise"),
    N_("predict exercises"), N_("predict exercise"), N_("python examples"),
    N_("python example"), N_("derivations"), N_("derivation"), N_("plots"), N_("plot"),
)  # fmt: skip


def _singular(what: str) -> str:
    """ "1 code exercise", not "1 code exercises" (each kind ends in a plural noun)."""
    return what[:-1] if what.endswith("s") else what


SANDBOXED = (CodeExample, CodeExercise, PredictExercise)  # checked by running code


def check_pack(
    pack: Pack,
    progress: Callable[[str], None] | None = None,
    cache_dir: Path | None = None,
    lessons: Collection[str] | None = None,
) -> CheckReport:
    """Every problem the engines find in a loaded pack.

    Blocks checked by running code wait on the sandbox's fork servers
    (processes of their own); they go to checking threads, so the sandbox
    runs while this thread proves derivations and samples formulas. The
    fork servers are started first, before anything is checked: each
    imports torch while this process imports its own. With a `cache_dir`,
    blocks found clean before by the same engines are not checked again
    (`check_cache`). `lessons` limits the checks to those lesson ids (an
    author's edit of one lesson re-checks that lesson only).
    """
    from tutor.grading.check_cache import CleanBlocks, block_key

    clean = CleanBlocks(cache_dir, pack.root)
    report = CheckReport()
    chosen = [lesson for lesson in pack.lessons if lessons is None or lesson.id in lessons]
    found = [
        (lesson, block)
        for lesson in chosen
        for step in lesson.steps
        for block in step.blocks
        if _kind(block)
    ]
    pending: list[tuple[Lesson, object, str | None]] = []
    for lesson, block in found:
        report.count(_kind(block))
        key = block_key(pack.id, lesson.id, block)
        if not clean.known_clean(key):
            pending.append((lesson, block, key))
    sandboxed = [job for job in pending if isinstance(job[1], SANDBOXED)]
    examples = [job for job in sandboxed if isinstance(job[1], CodeExample)]
    workers = _start_sandbox() if sandboxed else 1
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="validate-sandbox") as runner:
        # the longest first (code exercises, then predictions, then examples), so the
        # threads end together
        ran = [
            runner.submit(_checked, clean, pack, *job)
            for kind in (CodeExercise, PredictExercise)
            for job in sandboxed
            if isinstance(job[1], kind)
        ]
        ran += [
            runner.submit(_checked_examples, clean, examples[start : start + EXAMPLES_PER_REQUEST])
            for start in range(0, len(examples), EXAMPLES_PER_REQUEST)
        ]
        for lesson in chosen:
            if progress is not None:
                progress(lesson.id)
            for job in pending:
                if job[0] is lesson and not isinstance(job[1], SANDBOXED):
                    report.errors.extend(_checked(clean, pack, *job))
        for future in ran:
            report.errors.extend(future.result())
    if lessons is not None:
        clean.keep_the_rest()
    clean.save()
    from tutor.pack.text_checks import text_problems

    report.errors += [
        PackError(le.path, line, message)
        for le, line, message in text_problems(pack)
        if le in chosen
    ]
    return report


# Checking threads per fork server: while one thread's request runs, the others build
# their next request and read their last results, so the server rarely waits for Python.
# Measured on the built-in pack, one server, 2 cores, alternating: with 1 thread 14.2-18.2 s,
# with 3 threads 11.8-15.0 s, with 4 threads 11.8-14.7 s.
FEEDERS_PER_SERVER = 3


def _start_sandbox() -> int:
    """Start the fork server in the background now; how many threads should feed it.

    One fork server, unless `CE_TUTOR_SANDBOX_SERVERS` asks for more: since
    its zygote's memory is folded into huge pages (`huge_pages`), a child
    costs half the CPU it did, and a second server's torch import (1.7 s of
    a core) no longer pays. Measured on 2 cores with every block checked,
    one server against two: 11.1 s against 12.0 s idle, 20.6 s against
    20.7-21.6 s at load 4. The process's default sandbox is used; one that
    already exists keeps its servers.
    """
    import threading
    from contextlib import suppress

    from tutor.grading.sandbox import SandboxUnavailable, default_sandbox

    sandbox = default_sandbox()

    def start() -> None:
        # on a failure each block's run tries again, and reports it where it happens
        with suppress(SandboxUnavailable):
            sandbox.start()

    threading.Thread(target=start, name="validate-sandbox-start", daemon=True).start()
    return sandbox.servers * FEEDERS_PER_SERVER


def warm_engines() -> None:
    """Import the engines and start the sandbox before there is anything to check.

    `validate --watch` waits for a save; when the first check found every
    block clean in the check cache, nothing was imported, and the first save
    would pay torch's and sympy's imports and the fork server's start
    (seconds) for one block's check (a fraction of a second).
    """
    import torch  # noqa: F401

    import tutor.numeric.expressions  # noqa: F401
    import tutor.symbolic.equivalence  # noqa: F401
    from tutor.grading.sandbox import default_sandbox

    default_sandbox().start()


EXAMPLES_PER_REQUEST = 4  # examples re-run side by side, each in its own child


def _checked_examples(clean, jobs: list[tuple[Lesson, CodeExample, str | None]]) -> list[PackError]:
    """`_checked` for several examples, whose runs go to the sandbox in one request."""
    try:
        found = check_code_examples([block for _lesson, block, _key in jobs])
    except Exception as error:  # as in `_problems`: each block says so
        found = [_internal_error(block, error) for _lesson, block, _key in jobs]
    errors: list[PackError] = []
    for (_lesson, block, key), problems in zip(jobs, found, strict=True):
        if not problems:
            clean.clean(key)
        errors += _located(block, problems)
    return errors


def _checked(clean, pack: Pack, lesson: Lesson, block, key: str | None) -> list[PackError]:
    """`_problems`; a block found clean is remembered as such (`check_cache`)."""
    problems = _problems(pack, lesson, block)
    if not problems:
        clean.clean(key)
    return problems


def _kind(block) -> str:
    """What a block counts as in the closing line ("" for blocks with nothing to check)."""
    if isinstance(block, Exercise):
        return f"{block.type} exercises"
    if isinstance(block, CodeExample):
        return "python examples"
    if isinstance(block, Derivation):
        return "derivations"
    if isinstance(block, Plot):
        return "plots"
    return ""


def _problems(pack: Pack, lesson: Lesson, block) -> list[PackError]:
    try:
        if isinstance(block, Exercise):
            problems = check_exercise(pack, lesson, block)
        elif isinstance(block, CodeExample):
            problems = check_code_example(block)
        elif isinstance(block, Plot):
            from tutor.grading.curves import check_plot

            problems = check_plot(block)
        else:
            problems = check_derivation(block)
    except Exception as error:  # an engine bug must not hide the other problems
        problems = _internal_error(block, error)
    return _located(block, problems)


def _internal_error(block, error: Exception) -> Problems:
    return [
        (
            block.location.line,
            _("internal error while checking this block: {error!r}").format(error=error),
        )
    ]


def _located(block, problems: Problems) -> list[PackError]:
    return [PackError(block.location.path, line, message) for line, message in problems]


def check_exercise(pack: Pack, lesson: Lesson, exercise: Exercise) -> Problems:
    """The exercise's own checks; once they pass, its solution graded like a learner's answer."""
    if isinstance(exercise, CodeExercise):
        from tutor.grading.sandbox import default_sandbox
        from tutor.grading.sandbox.prefetch import Prefetched

        # one sandbox for both: the solution's run is made ahead with the reference's
        sandbox = Prefetched(default_sandbox())
        problems = _check_code(pack, lesson, exercise, sandbox)
    else:
        sandbox = None
        problems = _check_by_type(pack, lesson, exercise)
    if not problems:
        from tutor.grading.solution_checks import check_solution

        problems = check_solution(pack, lesson, exercise, sandbox)
    return problems


def _check_by_type(pack: Pack, lesson: Lesson, exercise: Exercise) -> Problems:
    if isinstance(exercise, ChoiceExercise):
        return _check_choice(exercise)
    if isinstance(exercise, FormulaExercise):
        return _check_formula(exercise)
    if isinstance(exercise, NumberExercise):
        return _check_number(pack, lesson, exercise)
    if isinstance(exercise, PredictExercise):
        return _check_predict(pack, lesson, exercise)
    return []


def _check_choice(exercise: ChoiceExercise) -> Problems:
    """Two identical choices are a typo an author wants to hear about."""
    seen: set[str] = set()
    problems = []
    for choice in exercise.choices:
        key = choice.text.strip().casefold()
        if key in seen:
            problems.append(
                (
                    exercise.location.line,
                    _("the choice `{text}` appears twice").format(text=choice.text),
                )
            )
        seen.add(key)
    return problems


def _check_number(pack: Pack, lesson: Lesson, exercise: NumberExercise) -> Problems:
    """Both engines agree; then a simulated class: reachable answers, no hidden mistakes."""
    from tutor.grading.number import number_exercise_problems
    from tutor.grading.number_checks import class_problems

    seeds = pack.gradebook_id  # a translation's learners draw the original's numbers
    problems = number_exercise_problems(exercise, seeds, lesson.id)
    if any(line == exercise.location.line for line, _ in problems):
        return problems  # the exercise itself is broken: nothing to simulate
    simulated = class_problems(exercise, seeds, lesson.id)
    # the class's collision share supersedes the six validation learners' count
    seen = {line for line, _message in simulated if line != exercise.location.line}
    return [p for p in problems if p[0] not in seen] + simulated


def _check_formula(exercise: FormulaExercise) -> Problems:
    from tutor.grading.formula import check_formula_exercise

    line = exercise.location.line
    problems = [(line + offset, message) for offset, message in check_formula_exercise(exercise)]
    if not problems and exercise.check:
        from tutor.numeric.formula_check import check_formula_against_torch

        problems += [(line, message) for message in check_formula_against_torch(exercise)]
    return problems


def _check_code(
    pack: Pack, lesson: Lesson, exercise: CodeExercise, sandbox: Prefetched
) -> Problems:
    """The reference passes its own cases; every known-wrong variant is caught.

    The reference, each misconception and the solution are then graded as
    learners' answers, one after another; `sandbox` (a `Prefetched`) makes
    those runs in the first request, beside the pack code's own.
    """
    from tutor.grading import grade
    from tutor.grading.code_checks import (
        CASE_LEARNERS,
        check_forbid_names,
        check_large_case,
        check_misconception_shares,
        check_reference_raises,
        in_author_words,
        pack_code_problem,
        run_pack_code,
    )

    line = exercise.location.line
    unreadable = pack_code_problem(exercise.reference, exercise.entry, _("the reference"))
    if unreadable:
        return [(line, unreadable)]
    seeds = [learner_seed(pack, lesson, exercise, name) for name in CASE_LEARNERS]
    # Pack code may call what learners may not (the reference is often F.cross_entropy
    # itself), so it is graded with `forbid` lifted: what is checked is the values.
    lifted = replace(exercise, forbid=[])
    unreadable_code = [  # why each misconception's code does not read, if it does not
        known.code
        and pack_code_problem(
            known.code, exercise.entry, _("misconception `{tag}`").format(tag=known.tag)
        )
        for known in exercise.misconceptions
    ]
    readable = [
        known
        for known, why in zip(exercise.misconceptions, unreadable_code, strict=True)
        if known.code and not why
    ]
    sandbox.ahead(_grading_runs(pack, lesson, exercise, lifted, readable))
    runs = run_pack_code(exercise, seeds, sandbox)
    raising = check_reference_raises(exercise, runs)
    if raising:
        return raising
    # reported beside the variants' problems
    too_small = (
        check_large_case(exercise, seeds)
        + check_forbid_names(exercise)
        + check_misconception_shares(exercise, runs)
    )
    verdict = grade(pack, lesson, lifted, exercise.reference, VALIDATE_LEARNER, sandbox=sandbox)
    if not verdict.correct:
        return [
            (
                line,
                _("the reference does not pass its own cases: {what}").format(
                    what=in_author_words(verdict)
                ),
            )
        ]
    problems = too_small
    for known, why in zip(exercise.misconceptions, unreadable_code, strict=True):
        if not known.code:
            continue
        if why:
            problems.append((known.location.line, why))
            continue
        wrong = grade(pack, lesson, lifted, known.code, VALIDATE_LEARNER, sandbox=sandbox)
        if wrong.correct:
            problems.append(
                (known.location.line, _("misconception `{tag}` passes every case: make the "
                 "cases catch it (an edge case, more `cases`)").format(tag=known.tag))
            )  # fmt: skip
        elif wrong.mistake != known.tag:
            got = f"`{wrong.mistake}`" if wrong.mistake else wrong.status.value
            problems.append(
                (known.location.line, _("misconception `{tag}` is not recognised: graded {got}, "
                 "{what}").format(tag=known.tag, got=got, what=in_author_words(wrong)))
            )  # fmt: skip
    return problems


def _grading_runs(
    pack: Pack,
    lesson: Lesson,
    exercise: CodeExercise,
    lifted: CodeExercise,
    readable: list[Misconception],
) -> list[FunctionCall]:
    """The runs grading the reference, the readable misconceptions and the solution asks for."""
    from tutor.grading.code import grading_calls
    from tutor.grading.solution_checks import CODE_SOLUTION_LEARNER, code_solution

    seed = learner_seed(pack, lesson, exercise, VALIDATE_LEARNER)
    calls = grading_calls(lifted, [exercise.reference, *(m.code for m in readable)], seed)
    solution = code_solution(exercise) if exercise.solution else None
    if solution is not None:  # graded as a learner's paste (`forbid` holds); right, if all is well
        solution_seed = learner_seed(pack, lesson, exercise, CODE_SOLUTION_LEARNER)
        calls += grading_calls(exercise, [solution], solution_seed, naming=False)
    return calls


def _check_predict(pack: Pack, lesson: Lesson, exercise: PredictExercise) -> Problems:
    """The snippet runs to an outcome; no misconception is the real outcome."""
    from tutor.grading.predict import SnippetError, matches
    from tutor.grading.predict_checks import check_deterministic, outcome_and_second_run

    seed = learner_seed(pack, lesson, exercise, VALIDATE_LEARNER)
    try:
        outcome, second = outcome_and_second_run(exercise, seed)
    except SnippetError as error:
        return [
            (
                exercise.location.line,
                _("the snippet does not run to an outcome: {error}").format(error=error),
            )
        ]
    from tutor.grading.predict import _same_prediction

    clashes = [
        (
            known.location.line,
            _("`accept` lists `{text}`, which is misconception `{tag}`'s answer").format(
                text=text, tag=known.tag
            ),
        )
        for text in exercise.accept
        for known in exercise.misconceptions
        if known.answer and _same_prediction(text, known.answer)
    ]
    return (
        clashes
        + check_deterministic(exercise, second, outcome)
        + [
            (
                known.location.line,
                _("misconception `{tag}` is what the snippet really does").format(tag=known.tag),
            )
            for known in exercise.misconceptions
            if known.answer and matches(known.answer, outcome)
        ]
    )


def check_code_example(example: CodeExample) -> Problems:
    """Re-run a `python` example; it must not fail and must print its `output`."""
    return check_code_examples([example])[0]


def check_code_examples(examples: list[CodeExample]) -> list[Problems]:
    """`check_code_example` of each, their runs sent in one request (a child each, side by side)."""
    from tutor.grading.sandbox import SnippetRun, default_sandbox

    runs = default_sandbox().run_snippets(
        [SnippetRun(example.code, filename="<lesson example>") for example in examples]
    )
    return [_example_problems(example, run) for example, run in zip(examples, runs, strict=True)]


def _example_problems(example: CodeExample, run) -> Problems:
    from tutor.grading.sandbox import RunStatus

    line = example.location.line
    if run.status is not RunStatus.OK:
        return [(line, _("the example does not run: {problem}").format(problem=run.message))]
    if example.output is None:
        if run.raised is not None:
            return [
                (
                    line,
                    _("the example raises {error}: {message}").format(
                        error=run.raised.type, message=run.raised.message
                    ),
                )
            ]
        return []
    printed = run.stdout
    if run.raised is not None:
        # an example may end in an exception on purpose; its output shows the traceback's last line
        printed += f"{run.raised.type}: {run.raised.message}\n"
    if _lines(printed) != _lines(example.output):
        output_line = example.output_location.line if example.output_location else line
        return [(output_line, _("the example prints\n{printed}\nbut the lesson claims\n{claimed}")
                 .format(printed=printed.rstrip(), claimed=example.output.rstrip()))]  # fmt: skip
    return []


def _lines(text: str) -> list[str]:
    """Output compared line by line, trailing spaces and blank edges ignored."""
    return [line.rstrip() for line in text.strip("\n").splitlines()]


def check_derivation(derivation: Derivation) -> Problems:
    """A named derivation must exist; an author's steps must each follow."""
    from tutor.symbolic.derivations import BUILTIN_DERIVATIONS, StepStatus, prove, prove_steps

    line = derivation.location.line
    if derivation.use is not None:
        builtin = BUILTIN_DERIVATIONS.get(derivation.use)
        if builtin is None:
            from tutor.pack.errors import did_you_mean

            return [(line, _("no built-in derivation `{name}`").format(name=derivation.use)
                     + did_you_mean(derivation.use, BUILTIN_DERIVATIONS))]  # fmt: skip
        results = prove(builtin, symbolic=False)  # see prove_steps: the same verdict
        return [
            (line, _("built-in `{name}`: {problem}").format(name=derivation.use, problem=r.message))
            for r in results
            if not r.status.ok
        ]
    steps = [(step.expr, step.reason) for step in derivation.steps]
    results = prove_steps(steps, derivation.symbols, symbolic=False)
    problems = []
    for result in results:
        if result.status.ok:
            continue
        step_line = derivation.steps[result.index].location.line
        if result.status is StepStatus.UNREADABLE:
            problems.append(
                (
                    step_line,
                    _("step {n} does not read: {problem}").format(
                        n=result.index + 1, problem=result.message
                    ),
                )
            )
        elif result.status is StepStatus.UNDECIDED:
            problems.append(
                (
                    step_line,
                    _("step {n} could not be proved: {problem}").format(
                        n=result.index + 1, problem=result.message
                    ),
                )
            )
        else:
            problems.append((step_line, result.message))
    return problems
