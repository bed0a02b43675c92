"""What a graded call must also get right besides its value: its inputs and its gradients.

Runs in the sandbox child, around each call of the entry function. A loss
that returns the right number but was cut from autograd (`.detach()`,
`torch.no_grad()`, `.item()`) or that normalised its input in place
(`logits.sub_(…)`, `q /= T`) passes every value check; here each float
tensor argument is handed over as a differentiable copy of a leaf, and
after the call the harness sends back the arguments as the call left them
and the gradient of the output with respect to each float argument. The
grader compares those with the arguments it drew and with the reference's
gradients, as it compares values.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

WEIGHT_SEED = 20240611  # the same output weights in the learner's and the reference's child


@dataclass
class Prepared:
    """One call's arguments, with what is needed to check it afterwards."""

    names: list[str]
    values: list[Any]  # what the function receives, in order
    leaves: list[Any]  # one per name: a leaf tensor, or None


def prepare(case: dict[str, Any], order: Sequence[str], gradients: bool) -> Prepared:
    """The call's positional arguments (in `order`), snapshots, and leaves for gradients."""
    import torch

    names = [name for name in order if name in case] + [name for name in case if name not in order]
    values, leaves = [], []
    for name in names:
        value = case[name]
        leaf = None
        if gradients and isinstance(value, torch.Tensor) and value.is_floating_point():
            leaf = value.detach().clone().requires_grad_(True)
            value = leaf.clone()  # not a leaf: in-place changes are recorded, not refused
        values.append(value)
        leaves.append(leaf)
    return Prepared(names, values, leaves)


def after(prepared: Prepared) -> list[Any]:
    """The tensor arguments as the call left them (None for the others), for the grader.

    The grader compares them with the arguments it drew: a check made here
    could be fooled by learner code that patched `Tensor.__eq__`.
    """
    import torch

    return [v.detach() if isinstance(v, torch.Tensor) else None for v in prepared.values]


def gradients(result: Any, prepared: Prepared, grad: Callable) -> list[Any] | None:
    """d(weighted output)/d(each float argument), None for the others; None if not differentiable.

    The output's elements are weighted by fixed random numbers, so a gradient
    that is right only in its sum (softmax's rows sum to one) still differs.
    """
    import torch

    outputs = [t for t in _tensors(result) if t.is_floating_point() and t.requires_grad]
    inputs = [leaf for leaf in prepared.leaves if leaf is not None]
    if not outputs or not inputs:
        return None
    generator = torch.Generator().manual_seed(WEIGHT_SEED)
    weighted = sum(
        (t * torch.randn(t.shape, generator=generator, dtype=torch.float64).to(t.dtype)).sum()
        for t in outputs
    )
    # One scalar, no grad_outputs: that path of autograd.grad imports modules lazily (about
    # a second in a confined child, whose view of the install is read from disk anew).
    found = grad(weighted, inputs, allow_unused=True)
    by_leaf = iter(found)
    out = []
    for leaf in prepared.leaves:
        if leaf is None:
            out.append(None)
            continue
        g = next(by_leaf)
        out.append(torch.zeros_like(leaf) if g is None else g.detach())
    return out


def _tensors(value: Any) -> list[Any]:
    import torch

    if isinstance(value, torch.Tensor):
        return [value]
    if isinstance(value, list | tuple):
        return [t for item in value for t in _tensors(item)]
    if isinstance(value, dict):
        return [t for item in value.values() for t in _tensors(item)]
    return []
