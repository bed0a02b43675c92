"""The typed model of a lesson pack.

Everything the loader reads becomes one of these dataclasses, each keeping
the file and line it came from so that every later check (symbolic, numeric,
sandbox) can report `file:line: message`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from tutor.symbolic.domain import SymbolSpec


@dataclass(frozen=True)
class Location:
    """Where something was written: a file and a 1-based line."""

    path: Path
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True)
class Tolerance:
    """How close a number must be: relative, absolute, or significant figures.

    A value passes when it is within *any* of the given bounds.
    """

    rel: float | None = None
    abs: float | None = None
    sig: int | None = None


@dataclass
class Misconception:
    """A known wrong answer, with the feedback and tag that name the mistake.

    Exactly one of `answer` (a formula or a literal answer), `reference` (a
    torch expression computing the wrong number) or `code` (a wrong function)
    is set, depending on the exercise type.
    """

    tag: str
    feedback: str
    location: Location
    answer: str | None = None
    reference: str | None = None
    code: str | None = None


@dataclass
class Exercise:
    """What every exercise type shares."""

    type: ClassVar[str] = ""

    id: str
    prompt: str
    location: Location
    hints: list[str] = field(default_factory=list)
    points: float = 1.0
    attempts: int = 3  # attempts before the solution is offered
    solution: str | None = None
    misconceptions: list[Misconception] = field(default_factory=list)
    # why the right answer is right: shown with a correct verdict only (withheld in a class)
    why: str | None = None


@dataclass
class Choice:
    """One option of a choice exercise, with its own feedback."""

    text: str
    correct: bool = False
    feedback: str = ""
    tag: str | None = None  # a mistake tag for a tempting wrong choice


@dataclass
class ChoiceExercise(Exercise):
    """Pick one choice, or every right one when `multiple`."""

    type: ClassVar[str] = "choice"

    choices: list[Choice] = field(default_factory=list)
    multiple: bool = False  # several choices are right; the learner picks them all
    shuffle: bool = True  # each learner sees their own order; false pins it ("all of the above")


@dataclass
class NumberExercise(Exercise):
    """A number computed on the learner's own drawn `params`, checked against `reference`."""

    type: ClassVar[str] = "number"

    reference: str = ""  # torch expression over the params
    params: dict[str, str] = field(default_factory=dict)  # name -> generator text
    formula: str | None = None  # the same quantity in the symbolic engine's syntax
    tolerance: Tolerance = field(default_factory=lambda: Tolerance(rel=1e-3))
    # misconception tags whose number must differ from the answer for every learner:
    # a learner whose numbers make one coincide gets other numbers (see `distinct_params`)
    distinct_from: list[str] = field(default_factory=list)
    # other right numbers, as torch expressions over the params (a number is one too): the
    # same quantity in another unit, say, when the prompt allows either; graded correct too
    accept: list[str] = field(default_factory=list)


@dataclass
class FormulaExercise(Exercise):
    """A formula the learner types, checked symbolically against `answer`."""

    type: ClassVar[str] = "formula"

    answer: str = ""  # the reference formula, in the learner's syntax
    symbols: dict[str, SymbolSpec] = field(default_factory=dict)
    check: str | None = None  # a torch expression the answer must agree with
    require: list[str] = field(default_factory=list)  # form requirements: no-overflow
    forbid: list[str] = field(default_factory=list)  # calls the answer may not hold: logsumexp


@dataclass
class CodeExercise(Exercise):
    """A torch function the learner writes, run in the sandbox against `reference`."""

    type: ClassVar[str] = "code"

    entry: str = ""  # the function the learner writes
    reference: str = ""  # the reference implementation (Python source)
    starter: str = ""
    args: dict[str, str] = field(default_factory=dict)  # name -> generator text
    cases: int = 1  # random cases drawn from `args`
    edge_cases: list[dict[str, str]] = field(default_factory=list)
    compare: str = "result"
    tolerance: Tolerance = field(default_factory=lambda: Tolerance(rel=1e-5, abs=1e-6))
    forbid: list[str] = field(default_factory=list)
    # the exception the reference raises on purpose (some cases): without it a raising
    # reference is a pack error, since every correct learner would be graded wrong
    raises: str | None = None


@dataclass
class PredictExercise(Exercise):
    """What a snippet prints, or the exception it raises."""

    type: ClassVar[str] = "predict"

    code: str = ""  # the snippet whose output or exception the learner predicts
    params: dict[str, str] = field(default_factory=dict)
    # other ways to say the right outcome ("报错" for "it raises"), graded correct too
    accept: list[str] = field(default_factory=list)


EXERCISE_TYPES: dict[str, type[Exercise]] = {
    cls.type: cls
    for cls in (ChoiceExercise, NumberExercise, FormulaExercise, CodeExercise, PredictExercise)
}


@dataclass
class Prose:
    """Markdown text of a step, `$…$` math included, as written."""

    text: str
    location: Location


@dataclass
class CodeExample:
    """A `python` block, and the output the author claims it prints (if given)."""

    code: str
    location: Location
    output: str | None = None
    output_location: Location | None = None


@dataclass
class DerivationStep:
    """One line of a derivation and the reason it follows from the one before."""

    expr: str
    reason: str
    location: Location


@dataclass
class Derivation:
    """A named engine derivation (`use`) or the author's own steps."""

    location: Location
    use: str | None = None
    title: str = ""
    steps: list[DerivationStep] = field(default_factory=list)
    symbols: dict[str, SymbolSpec] = field(default_factory=dict)


@dataclass
class Plot:
    """A curve (or several) drawn in the terminal."""

    location: Location
    x: str
    y: list[str]
    range: tuple[float, float]
    title: str = ""
    labels: list[str] = field(default_factory=list)


Block = Prose | CodeExample | Derivation | Plot | Exercise


@dataclass
class Step:
    """One page of a lesson: a `## ` heading and what follows it."""

    title: str
    location: Location
    blocks: list[Block] = field(default_factory=list)

    @property
    def exercises(self) -> list[Exercise]:
        return [b for b in self.blocks if isinstance(b, Exercise)]


@dataclass
class Lesson:
    """One Markdown file of the pack: front matter, then its steps."""

    id: str
    title: str
    path: Path
    summary: str = ""
    minutes: int | None = None
    intro: str = ""  # Markdown before the first step
    steps: list[Step] = field(default_factory=list)

    @property
    def exercises(self) -> list[Exercise]:
        return [e for step in self.steps for e in step.exercises]

    def exercise(self, exercise_id: str) -> Exercise | None:
        return next((e for e in self.exercises if e.id == exercise_id), None)

    def step_of(self, exercise_id: str) -> int | None:
        """The index of the step holding an exercise."""
        for index, step in enumerate(self.steps):
            if any(e.id == exercise_id for e in step.exercises):
                return index
        return None


@dataclass
class Pack:
    """A folder of lessons with its `pack.toml`."""

    id: str
    title: str
    root: Path
    version: str = "0.0.0"
    authors: list[str] = field(default_factory=list)
    description: str = ""
    requires: str | None = None  # a ce-tutor version range, e.g. ">=0.1"
    # the pack this one translates (same lesson and exercise ids, same choices in the same
    # order): its learners draw the original's numbers and their work is recorded under the
    # original's id (`gradebook_id`), so a variant and a record are the same in both languages
    translates: str | None = None
    lessons: list[Lesson] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def gradebook_id(self) -> str:
        """The id this pack's work is recorded under: the original's, for a translation.

        A learner's attempts, places and drafts in either language are one
        record, so switching language keeps their work and an instructor's
        gradebook holds one row per learner and exercise, whichever language.
        """
        return self.translates or self.id

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def find_exercise(self, lesson_id: str, exercise_id: str) -> Exercise | None:
        """The exercise at these ids, or None (a row may name one the pack no longer has)."""
        lesson = self.lesson(lesson_id)
        return lesson.exercise(exercise_id) if lesson else None
