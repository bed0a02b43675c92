"""Are two formulas the same quantity? Cheap symbolic proof first, then sampling.

    equivalent(reference, answer) -> Equivalence(outcome, how, why, ...)

1. Shapes must agree (a number is not a vector).
2. A cheap, bounded symbolic attempt at the smallest sizes: both sides as
   sympy over K = 2 (every class index), the simplex substituted, logs
   expanded, fractions cancelled — only on small expressions.
3. Numeric sampling at K = 2…6 on points that respect each symbol's kind,
   float64 first and mpmath (precision raised with the magnitude of the
   inputs) for every point float64 cannot settle — overflow of a naive but
   correct `log(sum(exp(z)))` included. A single confirmed difference
   decides "not equivalent".

With `precise=True` (derivations), every point is evaluated in mpmath and
the symbolic attempt may use `simplify` in a forked child under the
deadline. Nothing here runs much longer than `time_limit` (sampling always
keeps half of it after the cheap, in-process proof attempt, which a loaded
machine can slow down); what cannot be settled in time is `UNDECIDED`, with
the reason.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import Any

import mpmath
import numpy as np
import sympy as sp

from tutor.i18n import _
from tutor.symbolic.bounded import NOT_DONE, run_bounded
from tutor.symbolic.domain import SymbolKind
from tutor.symbolic.evaluation import Numeric, evaluate
from tutor.symbolic.interpret import concrete_env, to_sympy
from tutor.symbolic.reader import Formula
from tutor.symbolic.sampling import sample, trial_sizes
from tutor.symbolic.tree import (
    Bin,
    Call,
    Node,
    Num,
    SymbolTable,
    symbols_used,
    used_sizes,
    walk,
)

MIN_POINTS = 16  # agreeing points needed before "equivalent" is said
TOLERANCE = 1e-7  # float64, relative to max(1, |a|, |b|)
MP_TOLERANCE = 1e-15
MAX_MP_RECHECKS = 12  # per trial: float64 disagreements re-checked in mpmath
CONSTANT_DPS = 60  # digits a formula of numbers only is evaluated to (cancellation: 19601-13860√2)
CONSTANT_TOLERANCE = mpmath.mpf(10) ** -40
FLOAT64_POWER = 64  # a constant exponent above this over- or underflows float64: use mpmath
DECIMAL_RECHECKS = 4  # agreeing float64 points re-checked in mpmath when a decimal is typed
DECIMAL_TOLERANCE = 1e-25  # then: 0.333333333333333 is not 1/3
LIKELY_DIFFERENCE = 1e-3  # float64 values this far apart are confirmed first, alone
SAMPLING_SHARE = 0.5  # of time_limit, left to sampling after the cheap proof, however long it took
EXTRA_TRIALS = 4  # more points where both formulas are undefined at most (log((1+x)/(1-x)))
LARGE_POINTS = 2  # per trial: logits of magnitude ~1000, settled in mpmath where float64 overflows


class Outcome(str, Enum):
    EQUIVALENT = "equivalent"
    NOT_EQUIVALENT = "not equivalent"
    UNDECIDED = "could not decide"


@dataclass(frozen=True)
class Equivalence:
    """The answer to "are these the same?", with how it was reached.

    `how` reads "proved symbolically (K = 2) and checked numerically at 160
    points"; `why` explains a difference or an undecided case;
    `counterexample` holds one point where they differ (symbol -> value, and
    both values), for feedback.
    """

    outcome: Outcome
    how: str = ""
    why: str = ""
    points: int = 0
    proved: bool = False
    counterexample: dict[str, Any] = field(default_factory=dict)
    timed_out: bool = False  # undecided only for want of time: more time may decide it

    @property
    def equivalent(self) -> bool:
        return self.outcome is Outcome.EQUIVALENT


def equivalent(
    reference: Formula,
    answer: Formula,
    *,
    time_limit: float = 1.0,
    seed: int = 0,
    symbolic: bool = True,
    precise: bool = False,
    points: int = 32,
    kinds: dict[str, SymbolKind] | None = None,
) -> Equivalence:
    """Decide whether `answer` equals `reference` for every admissible value of the symbols.

    `kinds` overrides where some symbols are sampled (e.g. logits as
    distributions, to recognise "logits used as probabilities").
    """
    start = time.monotonic()
    deadline = start + time_limit
    if reference.shape != answer.shape:
        return Equivalence(
            Outcome.NOT_EQUIVALENT,
            why=_("the answer is {yours}, the expected one is {expected}").format(
                yours=_shape_text(answer.shape), expected=_shape_text(reference.shape)
            ),
        )
    table = reference.table
    a, b = reference.tree, answer.tree
    size_names = sorted(used_sizes(a, table) | used_sizes(b, table) | _onehot_sizes(a, b))
    names = symbols_used(a) | symbols_used(b)

    if not names and not size_names:  # numbers only: settled once, to 60 digits
        return _compare_constants(a, b, table)
    in_mpmath = precise or _needs_mpmath(a, b)
    proved = False
    if symbolic and not kinds and not precise:  # cheap and size-guarded: before sampling
        proved = _prove(a, b, table, size_names, False, deadline)
    # precise mode samples first, so a slow proof attempt cannot starve the reliable check;
    # the cheap proof above is sympy in this process, unbounded: on a loaded machine it can
    # take the whole limit, so sampling (the check that decides) keeps a share whatever it took
    if precise:
        budget = start + time_limit * 0.6
    else:
        budget = max(deadline, time.monotonic() + time_limit * SAMPLING_SHARE)
    numeric = _sample_compare(
        a, b, table, size_names, names, seed, points, in_mpmath, kinds, budget
    )
    if symbolic and not kinds and precise and numeric.outcome is Outcome.EQUIVALENT:
        proved = _prove(a, b, table, size_names, True, deadline)
    if numeric.outcome is Outcome.NOT_EQUIVALENT and proved:
        # A symbolic proof at K = 2 never contradicts sampling unless sympy erred.
        return numeric
    if proved and numeric.outcome is not Outcome.NOT_EQUIVALENT:
        how = _("proved symbolically (K = 2)")
        if numeric.points:
            how = _("proved symbolically (K = 2) and {checked}").format(checked=numeric.how)
        return Equivalence(Outcome.EQUIVALENT, how, points=numeric.points, proved=True)
    return numeric


def _compare_constants(a: Node, b: Node, table: SymbolTable) -> Equivalence:
    """Two formulas of numbers (and π, e) only: equal to 50 digits, or not equal."""
    with mpmath.workdps(CONSTANT_DPS):
        backend = Numeric(mp=True)
        try:
            x, _sizes = evaluate(a, table, {}, {}, backend, batch=1)
            y, _sizes = evaluate(b, table, {}, {}, backend, batch=1)
        except (ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
            return Equivalence(
                Outcome.UNDECIDED,
                why=_("could not evaluate the numbers: {error}").format(error=error),
            )
        xs, ys = np.asarray(x).reshape(-1), np.asarray(y).reshape(-1)
        how = _("evaluated exactly to {digits} digits").format(digits=CONSTANT_DPS)
        if len(xs) != len(ys):
            return Equivalence(Outcome.NOT_EQUIVALENT, how, why=_("they have different sizes"))
        for u, v in zip(xs, ys, strict=True):
            fu, fv = _finite(u), _finite(v)
            if not fu and not fv:
                return Equivalence(Outcome.UNDECIDED, how, why=_("both numbers are undefined"))
            if fu != fv or abs(u - v) > CONSTANT_TOLERANCE * max(1, abs(u), abs(v)):
                example = {"at": {}, "expected": _plain(u), "got": _plain(v)}
                why = _("the expected value is {expected}, yours is {yours}").format(
                    expected=f"{_plain(u):.10g}", yours=f"{_plain(v):.10g}"
                )
                return Equivalence(Outcome.NOT_EQUIVALENT, how, why, counterexample=example)
    return Equivalence(Outcome.EQUIVALENT, how, points=1, proved=True)


def _plain(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


def _needs_mpmath(*trees: Node) -> bool:
    """Large constant powers over- or underflow float64 (`t**6000` is 0 for every t < 0.9)."""
    for tree in trees:
        for node in walk(tree):
            power = isinstance(node, Bin) and node.op == "**" and isinstance(node.right, Num)
            if power and abs(node.right.value) > FLOAT64_POWER:  # type: ignore[attr-defined]
                return True
    return False


def _has_decimal(*trees: Node) -> bool:
    """A typed decimal (0.3333333) may agree with 1/3 to float64's tolerance, but is not 1/3."""
    return any(isinstance(n, Num) and n.value.denominator != 1 for t in trees for n in walk(t))


def _shape_text(shape: Any) -> str:
    if shape is None:
        return _("a single number")
    return _("a vector of {size} entries").format(size=shape)


def _onehot_sizes(*trees: Node) -> set[str]:
    from tutor.symbolic.tree import Sym

    return {
        n.args[1].name
        for tree in trees
        for n in walk(tree)
        if isinstance(n, Call) and n.fn == "onehot" and isinstance(n.args[1], Sym)
    }


def _has_grad(*trees: Node) -> bool:
    return any(isinstance(n, Call) and n.fn == "grad" for t in trees for n in walk(t))


# -- symbolic -------------------------------------------------------------------------------------


def _index_combos(table: SymbolTable, names: set[str], sizes: dict[str, int]):
    index_names = sorted(n for n in names if table.specs[n].kind is SymbolKind.INDEX)
    ranges = []
    for name in index_names:
        size = table.size_of(name)
        ranges.append(range(size if isinstance(size, int) else sizes[size]))
    for combo in itertools.product(*ranges):
        yield dict(zip(index_names, combo, strict=True))


def _differences(a: Node, b: Node, table: SymbolTable, size_names: list[str]) -> list[sp.Expr]:
    """a - b over sympy at the smallest sizes, for every index value, simplex substituted."""
    sizes = {name: 2 for name in size_names}
    names = symbols_used(a) | symbols_used(b)
    out = []
    for indices in _index_combos(table, names, sizes):
        env = concrete_env(table, sizes, indices)
        left, right = to_sympy(a, env), to_sympy(b, env)
        pairs = zip(left, right, strict=True) if isinstance(left, list) else [(left, right)]
        simplex = {}
        for name, spec in table.specs.items():
            if spec.kind is SymbolKind.DISTRIBUTION and isinstance(env[name], list):
                entries = env[name]
                simplex[entries[-1]] = 1 - sp.Add(*entries[:-1])
        out.extend((x - y).xreplace(simplex) for x, y in pairs)
    return out


def _cheap_zero(d: sp.Expr) -> bool:
    """Cheap rewrites only; sizes were checked by the caller so none can blow up."""
    if d == 0:
        return True
    d = sp.expand_log(d, force=True)
    return d == 0 or sp.expand(d) == 0


def _small_enough(d: sp.Expr) -> bool:
    if sp.count_ops(d) > 120:
        return False
    return all(not (p.exp.is_Number and abs(p.exp) > 4) for p in d.atoms(sp.Pow))


def _thorough_zero(diffs: list[sp.Expr]) -> bool:
    """Runs in a forked child under the deadline: cancel, then simplify."""
    for d in diffs:
        d = sp.expand_log(d, force=True)
        if sp.cancel(sp.together(d)) != 0 and sp.simplify(d) != 0:
            return False
    return True


def _prove(
    a: Node, b: Node, table: SymbolTable, size_names: list[str], precise: bool, deadline: float
) -> bool:
    try:
        diffs = _differences(a, b, table, size_names)
        if len(diffs) > 16 or not all(_small_enough(d) for d in diffs):
            return False
        if all(_cheap_zero(d) for d in diffs):
            return True
    except (TypeError, ValueError, ZeroDivisionError, RecursionError):
        return False
    if not precise:
        return False
    left = deadline - time.monotonic()
    if left < 0.05:
        return False
    result = run_bounded(_thorough_zero, diffs, seconds=left)
    return result is not NOT_DONE and bool(result)


# -- numeric --------------------------------------------------------------------------------------


@dataclass
class _Tally:
    agree: int = 0
    skipped: int = 0
    counterexample: dict[str, Any] | None = None


def _sample_compare(
    a: Node,
    b: Node,
    table: SymbolTable,
    size_names: list[str],
    names: set[str],
    seed: int,
    points: int,
    precise: bool,
    kinds: dict[str, SymbolKind] | None,
    deadline: float,
) -> Equivalence:
    rng = np.random.default_rng(seed)
    tally = _Tally()
    tiny = _needs_mpmath(a, b)  # values far below 1 are meaningful: compare them relatively
    decimal = _has_decimal(a, b)
    trials = 5 if size_names else 2
    has_logits = any((kinds or {}).get(n, table.specs[n].kind) is SymbolKind.LOGITS for n in names)
    use_sympy = _has_grad(a, b)
    count = max(8, points // 2) if precise or use_sympy else points
    ran = 0
    for trial in range(trials + EXTRA_TRIALS):
        if time.monotonic() > deadline:
            break
        if trial >= trials and (tally.agree >= MIN_POINTS or not tally.skipped):
            break  # extra trials only where the formulas are undefined at many points
        sizes = trial_sizes(size_names, trial)
        large = (
            LARGE_POINTS if has_logits and count > 16 else 0
        )  # quick checks (mistakes) skip them
        values = sample(table, names, sizes, count, rng, large=large, kinds=kinds)
        try:
            if use_sympy:
                _compare_via_sympy(a, b, table, sizes, values, count, tally, deadline)
            else:
                _compare_batch(
                    a, b, table, sizes, values, count, precise, tally, deadline, tiny, decimal
                )
        except (ValueError, TypeError, ZeroDivisionError, OverflowError) as error:
            return Equivalence(
                Outcome.UNDECIDED,
                why=_("could not evaluate the formulas: {error}").format(error=error),
            )
        ran += 1
        if tally.counterexample is not None:
            return Equivalence(
                Outcome.NOT_EQUIVALENT,
                how=_("found a difference after {count} agreeing points").format(count=tally.agree),
                why=_describe_point(tally.counterexample),
                points=tally.agree,
                counterexample=tally.counterexample,
            )
    where = "K = 2…6" if size_names and ran == trials else ""
    if precise or use_sympy:
        how = _("checked numerically in high precision at {count} points")
    else:
        how = _("checked numerically at {count} points")
    how = how.format(count=tally.agree) + (f" ({where})" if where else "")
    if tally.agree >= MIN_POINTS:
        return Equivalence(Outcome.EQUIVALENT, how, points=tally.agree)
    ran = min(ran, trials)
    if ran < trials:
        why = _("ran out of time after {count} points").format(count=tally.agree)
        return Equivalence(Outcome.UNDECIDED, how, why=why, points=tally.agree, timed_out=True)
    why = _("both formulas are undefined at {count} of the sampled points").format(
        count=tally.skipped
    )
    return Equivalence(Outcome.UNDECIDED, how, why=why, points=tally.agree)


def _compare_batch(
    a: Node,
    b: Node,
    table: SymbolTable,
    sizes: dict[str, int],
    values: dict[str, np.ndarray],
    count: int,
    precise: bool,
    tally: _Tally,
    deadline: float,
    relative: bool = False,
    decimal: bool = False,
) -> None:
    if precise:
        suspect = np.arange(count)
    else:
        ra, _sizes = evaluate(a, table, values, sizes, Numeric(), batch=count)
        rb, _sizes = evaluate(b, table, values, sizes, Numeric(), batch=count)
        ra, rb = ra.reshape(count, -1), rb.reshape(count, -1)
        with np.errstate(all="ignore"):
            scale = np.maximum(1.0, np.maximum(np.abs(ra), np.abs(rb)))
            close = np.all(
                np.isfinite(ra) & np.isfinite(rb) & (np.abs(ra - rb) <= TOLERANCE * scale), axis=1
            )
        if decimal:  # agreeing to 1e-7 is not being equal: ask mpmath about a few
            recheck = np.flatnonzero(close)[:DECIMAL_RECHECKS]
            close[recheck] = False
        tally.agree += int(close.sum())
        suspect = np.flatnonzero(~close)
        if len(suspect) > MAX_MP_RECHECKS:
            suspect = suspect[:MAX_MP_RECHECKS]
    tolerance = DECIMAL_TOLERANCE if decimal else MP_TOLERANCE
    if not len(suspect):
        return
    if not precise:
        # a point where float64 gives two finite, clearly different values is almost surely a
        # difference: confirm that one alone in mpmath before paying for every suspect
        with np.errstate(all="ignore"):
            finite = np.all(np.isfinite(ra[suspect]) & np.isfinite(rb[suspect]), axis=1)
            gap = np.max(np.abs(ra[suspect] - rb[suspect]) / scale[suspect], axis=1)
        likely = suspect[finite & (gap > LIKELY_DIFFERENCE)]
        if len(likely):
            _mp_check(a, b, table, sizes, values, likely[:1], tally, deadline, relative, tolerance)
            if tally.counterexample is not None:
                return
            suspect = suspect[suspect != likely[0]]
    if len(suspect):
        _mp_check(a, b, table, sizes, values, suspect, tally, deadline, relative, tolerance)


def _mp_check(
    a: Node,
    b: Node,
    table: SymbolTable,
    sizes: dict[str, int],
    values: dict[str, np.ndarray],
    suspect: np.ndarray,
    tally: _Tally,
    deadline: float,
    relative: bool,
    tolerance: float,
) -> None:
    """Settle the `suspect` points in mpmath: agree, both undefined, or a counterexample."""
    sub = {name: value[suspect] for name, value in values.items()}
    magnitude = max((float(np.max(np.abs(v))) for v in sub.values() if v.size), default=1.0)
    # Precision grows with the inputs (1 - sigmoid(40) needs ~17 more digits), capped so that
    # ±1000 logits, which only need mpmath's exponent range, stay cheap.
    with mpmath.workdps(30 + math.ceil(min(magnitude, 100.0) / 2.3)):
        backend = Numeric(mp=True)
        mp_values = {
            n: v if table.specs[n].kind is SymbolKind.INDEX else backend.cast(v)
            for n, v in sub.items()
        }
        ra, _sizes = evaluate(a, table, mp_values, sizes, backend, batch=len(suspect))
        rb, _sizes = evaluate(b, table, mp_values, sizes, backend, batch=len(suspect))
        ra, rb = ra.reshape(len(suspect), -1), rb.reshape(len(suspect), -1)
        for row in range(len(suspect)):
            verdict = _mp_row(ra[row], rb[row], relative, tolerance)
            if verdict is None:
                tally.skipped += 1
            elif verdict:
                tally.agree += 1
            else:
                tally.counterexample = _point(sub, row, ra[row], rb[row], sizes)
                return
            if time.monotonic() > deadline:
                return


def _mp_row(
    xs: np.ndarray, ys: np.ndarray, relative: bool = False, tolerance: float = MP_TOLERANCE
) -> bool | None:
    """True: agree; False: differ; None: both undefined here.

    The tolerance is relative to max(1, |x|, |y|), or, with `relative`, to
    max(|x|, |y|): t**6000 and 2*t**6000 differ although both are ~1e-300.
    """
    result: bool | None = True
    for x, y in zip(xs, ys, strict=True):
        fx, fy = _finite(x), _finite(y)
        if not fx and not fy:
            result = None
            continue
        if fx != fy:
            return False
        scale = max(abs(x), abs(y)) if relative else max(1, abs(x), abs(y))
        if abs(x - y) > tolerance * scale:
            return False
    return result


def _finite(x: Any) -> bool:
    if isinstance(x, mpmath.mpf):
        return bool(mpmath.isfinite(x))
    if isinstance(x, mpmath.mpc):  # not a real number: undefined, as in float64
        return False
    return bool(np.isfinite(x))


def _point(
    values: dict[str, np.ndarray], row: int, x: np.ndarray, y: np.ndarray, sizes: dict[str, int]
) -> dict[str, Any]:
    def plain(v: Any) -> Any:
        if isinstance(v, np.ndarray):
            return [plain(e) for e in v]
        if isinstance(v, np.integer):
            return int(v)
        return float(v)

    point = {name: plain(value[row]) for name, value in values.items()}
    point.update(sizes)
    expected = [float(v) for v in x]
    got = [float(v) for v in y]
    return {
        "at": point,
        "expected": expected[0] if len(expected) == 1 else expected,
        "got": got[0] if len(got) == 1 else got,
    }


def _describe_point(example: dict[str, Any]) -> str:
    def fmt(v: Any) -> str:
        if isinstance(v, list):
            return "[" + ", ".join(fmt(e) for e in v) + "]"
        return f"{v:.4g}" if isinstance(v, float) else str(v)

    at = ", ".join(f"{k} = {fmt(v)}" for k, v in example["at"].items())
    return _("at {point} the expected value is {expected}, yours is {yours}").format(
        point=at, expected=fmt(example["expected"]), yours=fmt(example["got"])
    )


def _compare_via_sympy(
    a: Node,
    b: Node,
    table: SymbolTable,
    sizes: dict[str, int],
    values: dict[str, np.ndarray],
    count: int,
    tally: _Tally,
    deadline: float,
) -> None:
    """For formulas numpy cannot evaluate (derivatives): sympy, lambdified to mpmath.

    The lambdified code only ever names our own symbols (`z_0`, …), never learner text.
    """
    names = sorted(values)
    index_names = [n for n in names if table.specs[n].kind in (SymbolKind.INDEX, SymbolKind.ONEHOT)]
    compiled: dict[tuple[int, ...], Any] = {}
    with mpmath.workdps(30):
        for row in range(count):
            if time.monotonic() > deadline:
                return
            indices = {n: int(values[n][row]) for n in index_names}
            key = tuple(indices.values())
            if key not in compiled:
                env = concrete_env(table, sizes, indices)
                syms = [s for n in names if n not in index_names for s in _flat(env[n])]
                left, right = to_sympy(a, env), to_sympy(b, env)
                left = left if isinstance(left, list) else [left]
                right = right if isinstance(right, list) else [right]
                compiled[key] = (
                    _mpmath_function(tuple(syms), tuple(left)),
                    _mpmath_function(tuple(syms), tuple(right)),
                )
            args = [
                mpmath.mpf(float(x))
                for n in names
                if n not in index_names
                for x in np.atleast_1d(values[n][row])
            ]
            f, g = compiled[key]
            try:
                x, y = np.array(f(*args), dtype=object), np.array(g(*args), dtype=object)
            except (ValueError, ZeroDivisionError):
                tally.skipped += 1
                continue
            verdict = _mp_row(x, y)
            if verdict is None:
                tally.skipped += 1
            elif verdict:
                tally.agree += 1
            else:
                tally.counterexample = _point(values, row, x, y, sizes)
                return


@lru_cache(maxsize=256)
def _mpmath_function(syms: tuple, expressions: tuple) -> Any:
    """`lambdify` to mpmath, once per formula: a derivation's step is compared with the
    step before it and then with the one after (sympy expressions are immutable)."""
    return sp.lambdify(list(syms), list(expressions), modules="mpmath")


def _flat(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]
