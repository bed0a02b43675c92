"""Code written elsewhere, and faults put in on purpose, graded as learners' answers (issue 14).

Two figures: `code_peer_false_rejects`, correct public implementations
(benchmarks/peer/code_cases.yaml) the grader does not accept, and
`code_mutants_killed`, the share of truly wrong variants of the built-in
solutions it does not accept: the hand-made ones of that file and the ones
the operators below make from each exercise's reference (mean/sum, dims,
sign, log base, stability, dtype, labels, temperature, detach). An operator
mutant that gives the reference's values, gradients and dtype on every
input is no fault at all; `EQUIVALENT` names the few known to be so, and
they are left out of the figure.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

CASES = Path(__file__).resolve().parents[2] / "benchmarks" / "peer" / "code_cases.yaml"
SEEDS = (3, 17)  # two learners' cases per submission


@dataclass(frozen=True)
class CodeCase:
    """One submission: what it answers, where it comes from, and the verdict it deserves."""

    exercise: str
    kind: str  # "peer" or "mutant"
    expect: str  # "correct" or "incorrect"
    code: str
    source: str = ""
    why: str = ""


def load_cases(path: Path = CASES) -> list[CodeCase]:
    import yaml

    rows = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        CodeCase(
            exercise=row["exercise"],
            kind=row["kind"],
            expect=row["expect"],
            code=row["code"],
            source=row.get("source", ""),
            why=row.get("why", ""),
        )
        for row in rows
    ]


# An operator: (class of fault, pattern, replacement), applied to each match in turn.
OPERATORS: list[tuple[str, str, str]] = [
    ("mean/sum", r"\.mean\(\)", ".sum()"),
    ("mean/sum", r"\.sum\(\)(?=\s*(?:/|$|\n))", ".mean()"),
    ("dims", r"dim=1", "dim=0"),
    ("dims", r"(?<=[(,] )1\)", "0)"),
    ("sign", r"return ", "return -"),
    ("log base", r"torch\.log\(", "torch.log2("),
    ("log base", r"\.log\(\)", ".log2()"),
    ("stability", r"torch\.logsumexp\((\w+), dim=1\)", r"torch.log(torch.exp(\1).sum(dim=1))"),
    ("stability", r"torch\.log_softmax\((\w+), 1\)", r"torch.log(torch.softmax(\1, 1))"),
    ("stability", r"F\.log_softmax\((\w+), dim=1\)", r"torch.log(F.softmax(\1, dim=1))"),
    ("stability", r"z - m - ", "z - "),
    ("labels", r"torch\.zeros\(q\.shape\[0\]", "torch.ones(q.shape[0]"),
    ("labels", r"\[rows, target\]", "[rows, target.flip(0)]"),
    ("temperature", r" / T\b", " * T"),
    ("temperature", r" / T\b", ""),
]
EQUIVALENT: set[tuple[str, str, int]] = set()  # (exercise, class, match index) known harmless


def operator_mutants(exercise_id: str, reference: str, differentiable: bool) -> list[CodeCase]:
    """Every single-fault variant the operators make of a reference (one change each).

    `differentiable`: the exercise's output must carry gradients (it does not forbid autograd).
    """
    mutants = []
    for fault, pattern, replacement in OPERATORS:
        for index, match in enumerate(re.finditer(pattern, reference)):
            if (exercise_id, fault, index) in EQUIVALENT:
                continue
            changed = match.expand(replacement) if "\\" in replacement else replacement
            code = reference[: match.start()] + changed + reference[match.end() :]
            if code != reference:
                mutants.append(CodeCase(exercise_id, "mutant", "incorrect", code, why=fault))
    wrappers = [("dtype", "({}).float()")]
    if differentiable:  # a gradient derived by hand may be detached: no fault there
        wrappers.append(("detach", "({}).detach()"))
    mutants += [
        CodeCase(exercise_id, "mutant", "incorrect", _wrap_return(reference, w), why=fault)
        for fault, w in wrappers
    ]
    return mutants


def _wrap_return(code: str, wrapper: str) -> str:
    """Wrap the last `return` expression of a one-function reference."""
    lines = code.rstrip("\n").split("\n")
    for i in range(len(lines) - 1, -1, -1):
        head, sep, tail = lines[i].partition("return ")
        if sep and not head.strip():
            lines[i] = head + sep + wrapper.format(tail)
            break
    return "\n".join(lines) + "\n"


@dataclass
class PeerCodeFigures:
    """How the grader did on the peers and the mutants."""

    peers: int = 0
    false_rejects: list[str] = field(default_factory=list)  # correct, not accepted
    mutants: int = 0
    survivors: list[str] = field(default_factory=list)  # wrong, graded correct
    unstable_peers_caught: int = 0

    @property
    def killed_percent(self) -> float:
        return 100.0 * (self.mutants - len(self.survivors)) / self.mutants if self.mutants else 0.0


def run_code_peers(
    progress: Callable[[str], None] = lambda _: None,
    cases: list[CodeCase] | None = None,
    seeds: tuple[int, ...] = SEEDS,
) -> PeerCodeFigures:
    """Grade every case (by default the file's and the operators') on each learner's `seeds`."""
    from tutor.grading.call_checks import wants_gradients
    from tutor.grading.code import grade_code
    from tutor.grading.sandbox import Sandbox
    from tutor.pack.discovery import builtin_pack_dir
    from tutor.pack.loader import load_pack
    from tutor.pack.model import CodeExercise

    pack, _ = load_pack(builtin_pack_dir())
    exercises = {
        e.id: e for lesson in pack.lessons for e in lesson.exercises if isinstance(e, CodeExercise)
    }
    if cases is None:  # the file's, and the operators' mutants of every exercise
        cases = [c for c in load_cases() if c.exercise in exercises]
        for exercise in exercises.values():
            cases += operator_mutants(exercise.id, exercise.reference, wants_gradients(exercise))
    figures = PeerCodeFigures()
    with Sandbox() as sandbox:
        for number, case in enumerate(cases, 1):
            progress(f"{number}/{len(cases)}")
            exercise = exercises[case.exercise]
            verdicts = [grade_code(exercise, case.code, seed, sandbox=sandbox) for seed in seeds]
            accepted = all(v.correct for v in verdicts)
            label = f"{case.exercise} [{case.kind}: {case.why or case.source}]"
            if case.expect == "correct":
                figures.peers += 1
                if not accepted:
                    reason = next(v for v in verdicts if not v.correct).feedback.splitlines()[0]
                    figures.false_rejects.append(f"{label}: {reason}")
            elif case.kind == "peer":
                figures.unstable_peers_caught += not accepted
                figures.mutants += 1
                if accepted:
                    figures.survivors.append(label)
            else:
                figures.mutants += 1
                if accepted:
                    figures.survivors.append(f"{label}\n{case.code}")
    return figures
