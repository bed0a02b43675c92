"""Formula grading benchmark: verdicts and warm timings over answer pairs, beside math-verify.

    /work/venv/bin/python benchmarks/formula_bench.py [--repeat 5]

Each pair is (exercise reference, learner answer, expected verdict). Prints
agreement with the expected verdicts, p50/p95 warm grading time (goal: p95
<= 50 ms), and — for the scalar pairs that HuggingFace `math-verify` can
read — its agreement and times in the same process, when it is installed.
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

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


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_ours(repeat: int) -> tuple[int, list[float], list[str]]:
    agree, times, misses = 0, [], []
    for reference, answer, right in PAIRS:
        ex = exercise(reference)
        grade_formula(ex, answer)  # warm: the exercise's reference and mistakes are cached
        for _ in range(repeat):
            start = time.perf_counter()
            verdict = grade_formula(ex, answer)
            times.append(time.perf_counter() - start)
        if (verdict.status is Status.CORRECT) == right:
            agree += 1
        else:
            misses.append(f"{reference!r} vs {answer!r}: {verdict.status.value}")
    return agree, times, misses


def run_math_verify(repeat: int) -> tuple[int, int, list[float], list[str]] | None:
    try:
        from math_verify import parse, verify
    except ImportError:
        return None
    agree = tried = 0
    times: list[float] = []
    misses = []
    for reference, answer, right in PAIRS:
        if reference not in LATEX or answer not in LATEX:
            continue
        tried += 1
        gold_text, answer_text = f"${LATEX[reference]}$", f"${LATEX[answer]}$"
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
    return agree, tried, times, misses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    scalar = sum(1 for r, a, _ in PAIRS if r in LATEX and a in LATEX)
    rights = sum(1 for *_, right in PAIRS if right)
    print(f"{len(PAIRS)} pairs ({rights} right, {len(PAIRS) - rights} wrong; {scalar} scalar)")

    agree, times, misses = run_ours(args.repeat)
    ms = [t * 1000 for t in times]
    print(
        f"ce-tutor     agreement {agree}/{len(PAIRS)}   "
        f"p50 {statistics.median(ms):.1f} ms   p95 {percentile(ms, 0.95):.1f} ms   "
        f"max {max(ms):.1f} ms   (goal p95 <= 50 ms)"
    )
    for miss in misses:
        print(f"  disagrees: {miss}")

    mv = run_math_verify(args.repeat)
    if mv is None:
        print("math-verify  not installed (pip install math-verify)")
        return
    mv_agree, tried, mv_times, mv_misses = mv
    ours_scalar = [(r, a, right) for r, a, right in PAIRS if r in LATEX and a in LATEX]
    ours_ok = sum(
        (grade_formula(exercise(r), a).status is Status.CORRECT) == right
        for r, a, right in ours_scalar
    )
    mv_ms = [t * 1000 for t in mv_times]
    print(
        f"math-verify  agreement {mv_agree}/{tried} on the scalar pairs "
        f"(ce-tutor {ours_ok}/{tried} on the same)   "
        f"p50 {statistics.median(mv_ms):.1f} ms   p95 {percentile(mv_ms, 0.95):.1f} ms"
    )
    for miss in mv_misses:
        print(f"  math-verify disagrees: {miss}")


if __name__ == "__main__":
    main()
