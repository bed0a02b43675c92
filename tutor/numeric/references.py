"""The torch reference of every definition of the symbolic engine.

Each reference is the PyTorch call a practitioner writes (`F.cross_entropy`
with its options, `F.kl_div` with its reversed argument order, MoCo's
InfoNCE as the MoCo code computes it), taking the same named arguments as
the sympy definition in `tutor.symbolic.definitions.DEFINITIONS`. The
cross-check (`tutor.numeric.crosscheck`) feeds both the same numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import torch
import torch.nn.functional as F

Args = Mapping[str, Any]
Reference = Callable[[Args, Mapping[str, Any]], torch.Tensor]


def entropy(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return torch.distributions.Categorical(probs=a["p"]).entropy()


def cross_entropy(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return -(a["p"] * a["q"].log()).sum()


def kl_divergence(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    # torch's order: input is log q, target is p — the reverse of D(p‖q)
    return F.kl_div(a["q"].log(), a["p"], reduction="sum")


def logsumexp(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return torch.logsumexp(a["z"], 0)


def softmax(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return torch.softmax(a["z"], 0)


def log_softmax(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return torch.log_softmax(a["z"], 0)


def sigmoid(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return torch.sigmoid(a["x"])


def cross_entropy_logits(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return F.cross_entropy(a["z"][None], torch.tensor([int(a["y"])]))


def cross_entropy_logits_prob(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return F.cross_entropy(a["z"][None], a["p"][None])


def nll_loss(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return F.nll_loss(a["log_probs"], a["target"], weight=a.get("weight"), **options)


def binary_cross_entropy(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return F.binary_cross_entropy(a["q"], a["t"], weight=a.get("weight"), **options)


def binary_cross_entropy_with_logits(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(
        a["x"], a["t"], weight=a.get("weight"), pos_weight=a.get("pos_weight"), **options
    )


def info_nce(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    """facebookresearch/moco, `MoCo.forward`: positives in column 0, labels all zero."""
    l_pos, l_neg = a["l_pos"], a["l_neg"]
    if l_pos.ndim == 1:
        l_pos = l_pos[:, None]  # MoCo's l_pos is (N, 1), from einsum("nc,nc->n")[:, None]
    logits = torch.cat([l_pos, l_neg], dim=1) / a["temperature"]
    labels = torch.zeros(logits.shape[0], dtype=torch.long)
    return F.cross_entropy(logits, labels)


def cross_entropy_loss(a: Args, options: Mapping[str, Any]) -> torch.Tensor:
    """`F.cross_entropy` with every option the definition passes (weight, ignore_index, …)."""
    opts = dict(options)
    if "label_smoothing" in opts:
        opts["label_smoothing"] = float(opts["label_smoothing"])
    return F.cross_entropy(a["logits"], a["target"], weight=a.get("weight"), **opts)


REFERENCES: dict[str, Reference] = {
    "entropy": entropy,
    "cross-entropy": cross_entropy,
    "kl-divergence": kl_divergence,
    "logsumexp": logsumexp,
    "softmax": softmax,
    "log-softmax": log_softmax,
    "sigmoid": sigmoid,
    "cross-entropy-logits": cross_entropy_logits,
    "cross-entropy-logits-prob": cross_entropy_logits_prob,
    "nll-loss": nll_loss,
    "binary-cross-entropy": binary_cross_entropy,
    "binary-cross-entropy-with-logits": binary_cross_entropy_with_logits,
    "info-nce": info_nce,
}


def reference_for(name: str) -> Reference | None:
    """The torch reference of a definition, by its registry name."""
    if name in REFERENCES:
        return REFERENCES[name]
    if name.startswith("cross-entropy-loss-"):  # the F.cross_entropy family, options in the name
        return cross_entropy_loss
    return None
