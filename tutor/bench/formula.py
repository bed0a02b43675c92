"""Formula grading over answer pairs, warm, beside HuggingFace math-verify where installed.

Each pair is (reference, learner answer, right?). The scalar pairs that
math-verify can read are also given to it as LaTeX, in the same process.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path

from tutor.bench.stats import median, ms, percentile
from tutor.grading.formula import grade_formula
from tutor.grading.verdict import Status
from tutor.pack.model import FormulaExercise, Location
from tutor.symbolic.domain import SymbolKind, SymbolSpec

D, L, IDX, P, R, POS = (
    SymbolKind.DISTRIBUTION,
    SymbolKind.LOGITS,
    SymbolKind.INDEX,
    SymbolKind.PROBABILITY,
    SymbolKind.REAL,
    SymbolKind.POSITIVE,
)
SYMBOLS = {
    "p": SymbolSpec("p", D, "K"),
    "q": SymbolSpec("q", D, "K"),
    "z": SymbolSpec("z", L, "K"),
    "y": SymbolSpec("y", IDX, "K"),
    "eps": SymbolSpec("eps", P),
    "t": SymbolSpec("t", P),
    "x": SymbolSpec("x", R),
    "a": SymbolSpec("a", R),
    "b": SymbolSpec("b", R),
    "T": SymbolSpec("T", POS),
    "l": SymbolSpec("l", L, "K"),
}
ENTROPY = "-sum(p*log(p))"
CE = "-sum(p*log(q))"
KL = "sum(p*log(p/q))"
CE_LOGITS = "logsumexp(z) - z[y]"
CE_PROB = "-sum(p*log_softmax(z))"
SOFTMAX = "softmax(z)[y]"
LSE = "logsumexp(z)"
SMOOTH = "-sum(((1 - eps)*onehot(y, K) + eps/K)*log_softmax(z))"
BCE = "-(t*log(sigmoid(x)) + (1 - t)*log(1 - sigmoid(x)))"
BCE_LOGITS = "log(1 + exp(x)) - t*x"
SIGMOID = "1/(1 + exp(-x))"
INFONCE = "logsumexp(l/T) - l[0]/T"
NLL = "-log(q[y])"

# (reference, answer, right?)
PAIRS: list[tuple[str, str, bool]] = [
    (ENTROPY, "sum(p*log(1/p))", True),
    (ENTROPY, r"-\sum_i p_i \log p_i", True),
    (ENTROPY, "-sum(p*log2(p))", False),
    (ENTROPY, "sum(p*log(p))", False),
    (CE, r"-\sum_i p_i \log q_i", True),
    (CE, "sum(p*log(1/q))", True),
    (CE, "-sum(q*log(p))", False),
    (CE, "-sum(p*log2(q))", False),
    (CE, "-mean(p*log(q))", False),
    (KL, "sum(p*log(p)) - sum(p*log(q))", True),
    (KL, r"\sum_i p_i \log\frac{p_i}{q_i}", True),
    (KL, "-sum(p*log(q/p))", True),
    (KL, "sum(q*log(q/p))", False),
    (KL, "sum(p*log(q/p))", False),
    (KL, "sum(p*log2(p/q))", False),
    (CE_LOGITS, "-log(softmax(z)[y])", True),
    (CE_LOGITS, "-log_softmax(z)[y]", True),
    (CE_LOGITS, "log(sum(exp(z))) - z[y]", True),
    (CE_LOGITS, r"-\log\frac{e^{z_y}}{\sum_j e^{z_j}}", True),
    (CE_LOGITS, "log(sum(exp(z - z[y])))", True),
    (CE_LOGITS, "-log(z[y])", False),
    (CE_LOGITS, "-log(softmax(softmax(z))[y])", False),
    (CE_LOGITS, "z[y] - logsumexp(z)", False),
    (CE_LOGITS, "logsumexp(z) + z[y]", False),
    (CE_PROB, "logsumexp(z) - sum(p*z)", True),
    (CE_PROB, "-sum(p*log(softmax(z)))", True),
    (CE_PROB, "-sum(p*log(z))", False),
    (CE_PROB, "logsumexp(z) - mean(p*z)", False),
    (SOFTMAX, "exp(z[y])/sum(exp(z))", True),
    (SOFTMAX, "exp(z[y] - logsumexp(z))", True),
    (SOFTMAX, "z[y]/sum(z)", False),
    (SOFTMAX, "exp(z[y])/sum(z)", False),
    (LSE, "log(sum(exp(z)))", True),
    (LSE, "max(z) + log(sum(exp(z - max(z))))", True),
    (LSE, "max(z)", False),
    (LSE, "sum(exp(z))", False),
    (SMOOTH, "(1 - eps)*(logsumexp(z) - z[y]) + eps*(logsumexp(z) - mean(z))", True),
    (SMOOTH, "logsumexp(z) - (1 - eps)*z[y] - eps*mean(z)", True),
    (SMOOTH, "-sum(((1 - eps)*onehot(y, K) + eps/(K - 1))*log_softmax(z))", False),
    (SMOOTH, "logsumexp(z) - z[y]", False),
    (NLL, "-sum(onehot(y, K)*log(q))", True),
    (NLL, "log(q[y])", False),
    (NLL, "-log2(q[y])", False),
    (INFONCE, "-log_softmax(l/T)[0]", True),
    (INFONCE, "-log(exp(l[0]/T)/sum(exp(l/T)))", True),
    (INFONCE, "logsumexp(l) - l[0]", False),
    (INFONCE, "logsumexp(l/T) - l[1]/T", False),
    # scalar pairs (also given to math-verify)
    (BCE, BCE_LOGITS, True),
    (BCE, "log(1 + exp(-x)) + (1 - t)*x", True),
    (BCE, "-t*log(sigmoid(x)) - (1 - t)*log(sigmoid(-x))", True),
    (BCE, "t*log(sigmoid(x)) + (1 - t)*log(1 - sigmoid(x))", False),
    (BCE, "-(t*log(sigmoid(x)) + (1 - t)*log(sigmoid(x)))", False),
    (BCE_LOGITS, "log(exp(x) + 1) - x*t", True),
    (BCE_LOGITS, "log(1 + exp(x)) - x", False),
    (SIGMOID, "exp(x)/(1 + exp(x))", True),
    (SIGMOID, "(1 + exp(-x))^(-1)", True),
    (SIGMOID, "1/(1 + exp(x))", False),
    (SIGMOID, "exp(x)/(1 + exp(-x))", False),
    ("log(a/b)", "log(a) - log(b)", False),  # false for negative reals: a, b are real here
    ("-log(sigmoid(a - b))", "log(1 + exp(b - a))", True),
    ("-log(sigmoid(a - b))", "log(1 + exp(a - b))", False),
]

# math-verify sees LaTeX; only scalar pairs it can parse are given to it
LATEX = {
    BCE: r"-(t\log(\frac{1}{1+e^{-x}}) + (1-t)\log(1-\frac{1}{1+e^{-x}}))",
    BCE_LOGITS: r"\log(1+e^{x}) - t \cdot x",
    "log(1 + exp(-x)) + (1 - t)*x": r"\log(1+e^{-x}) + (1-t) \cdot x",
    "-t*log(sigmoid(x)) - (1 - t)*log(sigmoid(-x))": (
        r"-t\log(\frac{1}{1+e^{-x}}) - (1-t)\log(\frac{1}{1+e^{x}})"
    ),
    "t*log(sigmoid(x)) + (1 - t)*log(1 - sigmoid(x))": (
        r"t\log(\frac{1}{1+e^{-x}}) + (1-t)\log(1-\frac{1}{1+e^{-x}})"
    ),
    "-(t*log(sigmoid(x)) + (1 - t)*log(sigmoid(x)))": (
        r"-(t\log(\frac{1}{1+e^{-x}}) + (1-t)\log(\frac{1}{1+e^{-x}}))"
    ),
    "log(exp(x) + 1) - x*t": r"\log(e^{x}+1) - x \cdot t",
    "log(1 + exp(x)) - x": r"\log(1+e^{x}) - x",
    SIGMOID: r"\frac{1}{1+e^{-x}}",
    "exp(x)/(1 + exp(x))": r"\frac{e^{x}}{1+e^{x}}",
    "(1 + exp(-x))^(-1)": r"(1+e^{-x})^{-1}",
    "1/(1 + exp(x))": r"\frac{1}{1+e^{x}}",
    "exp(x)/(1 + exp(-x))": r"\frac{e^{x}}{1+e^{-x}}",
    "log(a/b)": r"\log(\frac{a}{b})",
    "log(a) - log(b)": r"\log(a) - \log(b)",
    "-log(sigmoid(a - b))": r"-\log(\frac{1}{1+e^{-(a-b)}})",
    "log(1 + exp(b - a))": r"\log(1+e^{b-a})",
    "log(1 + exp(a - b))": r"\log(1+e^{a-b})",
}


def exercise(reference: str) -> FormulaExercise:
    return FormulaExercise(
        id="bench",
        prompt="",
        location=Location(Path("bench.md"), 1),
        answer=reference,
        symbols=SYMBOLS,
    )


@dataclass
class FormulaFigures:
    pairs: int
    agree: int
    times_ms: list[float]
    misses: list[str] = field(default_factory=list)
    mv_tried: int = 0
    mv_agree: int | None = None  # None: math-verify is not installed
    mv_ours_agree: int = 0  # ce-tutor's agreement on the pairs math-verify was given
    mv_times_ms: list[float] = field(default_factory=list)
    mv_misses: list[str] = field(default_factory=list)

    @property
    def p50_ms(self) -> float:
        return median(self.times_ms)

    @property
    def p95_ms(self) -> float:
        return percentile(self.times_ms, 0.95)


def scalar_pairs() -> list[tuple[str, str, bool]]:
    return [(r, a, right) for r, a, right in PAIRS if r in LATEX and a in LATEX]


def run_ours(repeat: int, pairs: list[tuple[str, str, bool]] | None = None) -> FormulaFigures:
    """Warm grading: each exercise graded once first (its reference and mistakes cached)."""
    pairs = PAIRS if pairs is None else pairs
    agree, times, misses = 0, [], []
    for reference, answer, right in pairs:
        ex = exercise(reference)
        verdict = grade_formula(ex, answer)
        for _ in range(repeat):
            start = time.perf_counter()
            verdict = grade_formula(ex, answer)
            times.append(time.perf_counter() - start)
        if (verdict.status is Status.CORRECT) == right:
            agree += 1
        else:
            misses.append(f"{reference!r} vs {answer!r}: {verdict.status.value}")
    return FormulaFigures(len(pairs), agree, ms(times), misses)


def run_math_verify(figures: FormulaFigures, repeat: int) -> FormulaFigures:
    """Add math-verify's agreement and times on the scalar pairs (left as is if not installed)."""
    try:
        from math_verify import parse, verify
    except ImportError:
        return figures
    agree, times, misses = 0, [], []
    pairs = scalar_pairs()
    for reference, answer, right in pairs:
        gold_text, answer_text = f"${LATEX[reference]}$", f"${LATEX[answer]}$"
        result = False
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                result = bool(verify(parse(gold_text), parse(answer_text)))
            except Exception:  # noqa: BLE001 - a crash counts as "not verified"
                result = False
            times.append(time.perf_counter() - start)
        if result == right:
            agree += 1
        else:
            misses.append(f"{reference!r} vs {answer!r}: said {result}")
    figures.mv_tried, figures.mv_agree = len(pairs), agree
    figures.mv_times_ms, figures.mv_misses = ms(times), misses
    figures.mv_ours_agree = run_ours(0, pairs).agree
    return figures


def measure(repeat: int = 5) -> FormulaFigures:
    return run_math_verify(run_ours(repeat), repeat)


# -- peer cases (issue 14): formulas taken from STACK, Math-Verify, PyTorch, Wikipedia, MoCo --------

PEER_CASES = Path(__file__).resolve().parents[2] / "benchmarks" / "peer" / "formula_cases.yaml"
_ENGINE_NAMES = re.compile(
    r"\b(sigmoid|logsumexp|log_softmax|softmax|onehot|log2|mean)\b|[a-z]_[a-z]"
)


@dataclass(frozen=True)
class PeerCase:
    """One case from `benchmarks/peer/formula_cases.yaml` (see build_formula_cases.py)."""

    source: str
    reference: str
    answer: str
    symbols: dict[str, SymbolSpec]
    expected: bool
    fair: bool = True
    peer_says: bool | None = None
    note: str = ""

    @property
    def scalar(self) -> bool:
        """A case a scalar checker such as math-verify can take: single-number symbols, and
        none of this engine's own names (`sigmoid(x)`, `y_true`) in the plain reference."""
        if any(s.kind.is_vector or s.kind is SymbolKind.INDEX for s in self.symbols.values()):
            return False
        return not _ENGINE_NAMES.search(f"{self.reference} {self.answer}")


def _spec(name: str, value: object) -> SymbolSpec:
    if isinstance(value, str):
        return SymbolSpec(name, SymbolKind(value))
    assert isinstance(value, dict)
    return SymbolSpec(name, SymbolKind(value["kind"]), value.get("size"))


def peer_cases(path: Path = PEER_CASES) -> list[PeerCase]:
    import yaml

    rows = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [
        PeerCase(
            source=row["source"],
            reference=str(row["reference"]),
            answer=str(row["answer"]),
            symbols={n: _spec(n, v) for n, v in (row.get("symbols") or {}).items()},
            expected=bool(row["expected"]),
            fair=bool(row.get("fair", True)),
            peer_says=row.get("peer_says"),
            note=str(row.get("note", "")),
        )
        for row in rows
    ]


@dataclass
class PeerFigures:
    """Verdicts on the fair peer cases: right, wrong (the worst), unreadable or undecided."""

    fair: int = 0
    right: int = 0
    wrong: list[str] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)
    unfair: int = 0
    times_ms: list[float] = field(default_factory=list)
    mv_tried: int = 0  # scalar fair cases given to math-verify (None below: not installed)
    mv_right: int | None = None
    mv_wrong: list[str] = field(default_factory=list)
    mv_unreadable: int = 0
    ours_right_on_mv_cases: int = 0

    @property
    def right_percent(self) -> float:
        return 100.0 * self.right / self.fair if self.fair else float("nan")


def run_peer(cases: list[PeerCase] | None = None) -> PeerFigures:
    """Grade every peer case as a learner's answer to an exercise whose answer is the reference."""
    cases = peer_cases() if cases is None else cases
    figures = PeerFigures()
    for case in cases:
        if not case.fair:
            figures.unfair += 1
            continue
        figures.fair += 1
        ex = FormulaExercise(
            id="peer",
            prompt="",
            location=Location(Path(case.source), 1),
            answer=case.reference,
            symbols=case.symbols,
        )
        grade_formula(ex, case.answer)  # warm: the reference and its mistakes read once
        start = time.perf_counter()
        verdict = grade_formula(ex, case.answer)
        figures.times_ms.append((time.perf_counter() - start) * 1000)
        said = f"{case.source}: {case.reference!r} vs {case.answer!r}"
        if verdict.status is Status.UNREADABLE:
            figures.unreadable.append(f"{said}: {verdict.feedback}")
        elif (verdict.status is Status.CORRECT) == case.expected:
            figures.right += 1
        else:
            figures.wrong.append(f"{said}: {verdict.status.value}, expected {case.expected}")
    return _math_verify_on_peer(cases, figures)


def _math_verify_on_peer(cases: list[PeerCase], figures: PeerFigures) -> PeerFigures:
    """math-verify's verdicts on the fair scalar cases, the same texts in `$…$`."""
    try:
        from math_verify import parse, verify
    except ImportError:
        return figures
    right = 0
    ours = 0
    for case in cases:
        if not (case.fair and case.scalar):
            continue
        figures.mv_tried += 1
        try:
            gold, answer = parse(f"${case.reference}$"), parse(f"${case.answer}$")
            said = bool(verify(gold, answer)) if gold and answer else None
        except Exception:  # noqa: BLE001 - a crash is "could not read"
            said = None
        if said is None:
            figures.mv_unreadable += 1
        elif said == case.expected:
            right += 1
        else:
            figures.mv_wrong.append(f"{case.source}: {case.answer!r}: said {said}")
        ex = FormulaExercise(
            id="peer", prompt="", location=Location(Path(case.source), 1),
            answer=case.reference, symbols=case.symbols,
        )  # fmt: skip
        verdict = grade_formula(ex, case.answer)
        if verdict.status is not Status.UNREADABLE:
            ours += (verdict.status is Status.CORRECT) == case.expected
    figures.mv_right = right
    figures.ours_right_on_mv_cases = ours
    return figures
