"""What a code verdict checks besides values, and the words it says about it.

A loss that gives the right numbers can still be wrong in ways a teacher
cares about: it changed its inputs in place, it was cut from autograd, it
hard-codes float32, or it overflows where the reference does not. The
sandbox reports each call's changed arguments and gradients
(`sandbox.case_checks`); this module decides, in the grader, what they mean
and says it in words. Pure functions over values that already came back.
"""

from __future__ import annotations

import ast
import math
from dataclasses import dataclass
from typing import Any

from tutor.grading.compare import ROUNDING
from tutor.grading.sandbox import CaseOutcome, Raised
from tutor.grading.sandbox.forbid import AUTOGRAD_PATHS, canonical
from tutor.i18n import _
from tutor.pack.model import CodeExercise, Tolerance

# Gradients come from a longer float32 computation than values, by other operation orders:
# loose enough for any correct order, far tighter than a detached or rebuilt tensor.
GRADIENT_TOLERANCE = Tolerance(rel=1e-3, abs=1e-5)
LARGE = 50.0  # inputs from this magnitude on are where an unstable formula breaks


def parameter_order(exercise: CodeExercise, names: list[str]) -> list[str]:
    """The order the prompt's signature gives the arguments: the reference's own parameters.

    The learner's function is called positionally in this order, so
    `def log_softmax(x)` works as well as the reference's `def log_softmax(z)`.
    """
    try:
        tree = ast.parse(exercise.reference)
    except SyntaxError:
        return names
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef) and node.name == exercise.entry:
            params = [a.arg for a in [*node.args.posonlyargs, *node.args.args]]
            if set(names) <= set(params):
                return [p for p in params if p in names]
    return names


def wants_gradients(exercise: CodeExercise) -> bool:
    """Gradients are compared unless the exercise forbids autograd (a gradient by hand)."""
    return not any(canonical(name) in AUTOGRAD_PATHS for name in exercise.forbid)


def as_float64(args: dict[str, Any]) -> dict[str, Any] | None:
    """The case with its float tensors in float64, or None when it has none."""
    import torch

    floats = [k for k, v in args.items() if isinstance(v, torch.Tensor) and v.is_floating_point()]
    if not floats:
        return None
    return {k: (v.double() if k in floats else v) for k, v in args.items()}


def follows_float64(outcome: CaseOutcome) -> bool:
    """The reference answered a float64 case in float64: the exercise does not fix the dtype."""
    import torch

    value = outcome.value
    return (
        outcome.raised is None and isinstance(value, torch.Tensor) and value.dtype == torch.float64
    )


def magnitude(args: dict[str, Any]) -> float:
    """The largest finite absolute value among the case's float inputs (0 if none)."""
    import torch

    largest = 0.0
    for value in args.values():
        if isinstance(value, torch.Tensor) and value.is_floating_point() and value.numel():
            finite = value.detach()[torch.isfinite(value.detach())]
            if finite.numel():
                largest = max(largest, float(finite.abs().max()))
        elif isinstance(value, float) and math.isfinite(value):
            largest = max(largest, abs(value))
    return largest


@dataclass(frozen=True)
class Finding:
    """Something wrong beyond the values: what (`check`) and the words for it."""

    check: str  # "mutated", "no-gradient", "gradient"
    feedback: str


def mutation(entry: str, names: list[str], args: dict[str, Any], outcome: CaseOutcome):
    """The learner's call changed a tensor argument in place (compared with what was drawn)."""
    changed = [
        name
        for name, left in zip(names, outcome.after or [], strict=False)
        if left is not None and _changed(args.get(name), left)
    ]
    if not changed:
        return None
    shown = ", ".join(f"`{name}`" for name in changed)
    return Finding(
        "mutated",
        _(
            "Your `{entry}` returns the right values, but it changed its input {names} in "
            "place (an in-place op such as `sub_`, `/=` or `[...] =`): the caller's tensor is "
            "no longer what it passed. Work on a new tensor (`x - m`, not `x -= m`)."
        ).format(entry=entry, names=shown),
    )


def _changed(drawn: Any, left: Any) -> bool:
    import torch

    if not isinstance(drawn, torch.Tensor) or not isinstance(left, torch.Tensor):
        return drawn is not None
    if left.shape != drawn.shape or left.dtype != drawn.dtype:
        return True
    same = left == drawn
    if drawn.is_floating_point():
        same |= left.isnan() & drawn.isnan()
    return not bool(same.all())


def gradient(
    entry: str, names: list[str], want: CaseOutcome, have: CaseOutcome, scale: float
) -> Finding | None:
    """The learner's output does not differentiate like the reference's.

    Each input's gradient must be the reference's, or zero throughout: a loss
    may detach an input on purpose (MoCo's official loss detaches its queue,
    distillation its teacher's probabilities), as long as the gradient of at
    least one input is the reference's (non-zero) one, and the first float
    input (the prediction in the prompt's order: logits, z, q, student) is
    not the one cut. A wrong non-zero gradient (a computation partly cut
    from autograd) always fails.
    """
    if want.grads is None:
        return None  # the reference's output is not differentiable: nothing to compare
    if have.grads is None:
        return Finding(
            "no-gradient",
            _(
                "Your `{entry}` returns the right values, but no gradient flows back through "
                "it: the result is cut from autograd (`.detach()`, `torch.no_grad()`, "
                "`.item()`, or a new tensor built from numbers). A loss exists to be "
                "differentiated; keep every step a torch operation on the inputs."
            ).format(entry=entry),
        )
    floats = [
        (n, w, h)
        for n, w, h in zip(names, want.grads, have.grads, strict=False)
        if w is not None and h is not None
    ]
    matched, cut = False, []
    for position, (name, w, h) in enumerate(floats):
        if _gradient_close(w, h, scale):
            matched = matched or bool(w.any())
        elif not bool((h == 0).all()):
            return Finding(
                "gradient",
                _(
                    "Your `{entry}` returns the right values, but its gradient with respect "
                    "to `{name}` is not the reference's: part of the computation is cut from "
                    "autograd (a `.detach()`, or a tensor rebuilt from values)."
                ).format(entry=entry, name=name),
            )
        elif position == 0:  # the prediction itself cut: never on purpose
            cut, matched = [name], False
            break
        else:
            cut.append(name)  # detached on purpose, perhaps (a target, MoCo's queue and keys)
    if cut and not matched:
        return Finding(
            "no-gradient",
            _(
                "Your `{entry}` returns the right values, but no gradient flows back to "
                "{names}: the result is cut from autograd (`.detach()`, `torch.no_grad()`)."
            ).format(entry=entry, names=", ".join(f"`{n}`" for n in cut)),
        )
    return None


def _gradient_close(want: Any, have: Any, scale: float) -> bool:
    """Within GRADIENT_TOLERANCE (and rounding at the inputs' scale) where `want` is finite."""
    import torch

    if not isinstance(have, torch.Tensor) or have.shape != want.shape:
        return False
    if torch.equal(want, have):
        return True
    w, h = want.double(), have.double()
    eps = torch.finfo(want.dtype).eps if want.is_floating_point() else 0.0
    bound = GRADIENT_TOLERANCE.abs + GRADIENT_TOLERANCE.rel * w.abs() + ROUNDING * eps * scale
    return bool(((h - w).abs() <= bound)[torch.isfinite(w)].all())


def stability(args: dict[str, Any], want: Any, have: Any, only_large: bool) -> str | None:
    """Words for an output that broke where the reference did not, at large or zero inputs.

    `only_large`: every case with small inputs passed, this one has large ones.
    """
    import torch

    if isinstance(want, Raised) or isinstance(have, Raised):
        return None
    if not isinstance(want, torch.Tensor) or not isinstance(have, torch.Tensor):
        return None
    if want.shape != have.shape:
        return None
    fine = torch.isfinite(want.detach())
    broke = ~torch.isfinite(have.detach().to(want.dtype)) & fine
    name, size = _largest(args)
    if bool(broke.any()):
        gave_inf = bool(torch.isinf(have.detach()[broke]).any())
        if _has_zero_probability(args) and not gave_inf:
            return _(
                "It gave nan where the answer is finite, and some probabilities here are 0: "
                "0 · log 0 is nan in floating point. Use `torch.xlogy(p, p)`, or leave the "
                "zero terms out."
            )
        if gave_inf:
            return _(
                "It overflowed to inf at `{name}` of magnitude {size:g}: exp of a large "
                "number is inf in float32. Subtract the max first (log-sum-exp), or work from "
                "the logits (`log_softmax`, `logsigmoid`)."
            ).format(name=name, size=size)
        return _(
            "It became nan at `{name}` of magnitude {size:g} (inf − inf, or 0 · inf after an "
            "overflow). Subtract the max before exponentiating."
        ).format(name=name, size=size)
    if only_large and size >= LARGE:
        return _(
            "It is right on ordinary inputs but not at `{name}` of magnitude {size:g}: "
            "precision is lost there (a probability rounded to exactly 0 or 1 before its "
            "log, or a clamp). Compute from the logits (`log_softmax`, `logsigmoid`, "
            "`binary_cross_entropy_with_logits`)."
        ).format(name=name, size=size)
    return None


def _largest(args: dict[str, Any]) -> tuple[str, float]:
    best = (_("the inputs"), 0.0)
    for name, value in args.items():
        size = magnitude({name: value})
        if size > best[1]:
            best = (name, size)
    return best[0], float(f"{best[1]:.2g}")


def _has_zero_probability(args: dict[str, Any]) -> bool:
    import torch

    return any(
        isinstance(v, torch.Tensor)
        and v.is_floating_point()
        and bool((v >= 0).all())
        and bool((v == 0).any())
        for v in args.values()
    )
