"""Code verdicts a teacher can trust (issue 14): what values alone do not show.

Each class of false accept found against submissions written elsewhere
(detached losses, inputs changed in place, float32 hard-coded, forbidden
functions reached by another name, overflow where the cases never went)
and each false reject (parameter names, float32 rounding of a correct
evaluation order) has a test here, on the built-in exercises.
"""

from __future__ import annotations

import pytest

from tutor.grading.code import grade_code
from tutor.grading.verdict import Status
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack

SEED = 11


def builtin(exercise_id: str):
    pack, _ = load_pack(builtin_pack_dir())
    return next(e for lesson in pack.lessons for e in lesson.exercises if e.id == exercise_id)


def grade(exercise_id: str, source: str, sandbox, seed: int = SEED):
    return grade_code(builtin(exercise_id), source, seed, sandbox=sandbox)


CE = "def cross_entropy(logits, target):\n{body}\n"
ROWS = "    rows = torch.arange(logits.shape[0])\n"


# ---------------------------------------------------------------- gradients


@pytest.mark.parametrize(
    "body",
    [
        "    return (torch.logsumexp(logits, 1) - logits[torch.arange(len(target)), target]).mean().detach()",
        "    with torch.no_grad():\n        return (torch.logsumexp(logits, 1) - logits[torch.arange(len(target)), target]).mean()",
        "    return logits.new_tensor((torch.logsumexp(logits, 1) - logits[torch.arange(len(target)), target]).mean().item())",
    ],
)
def test_a_loss_cut_from_autograd_is_not_correct(body, sandbox):
    verdict = grade("write-index-ce", CE.format(body=body), sandbox)
    assert verdict.status is Status.INCORRECT, verdict.feedback
    assert verdict.details["check"] == "no-gradient"
    assert "no gradient flows back" in verdict.feedback


def test_a_loss_through_a_detached_tensor_is_not_correct(sandbox):
    body = ROWS + "    return (torch.logsumexp(logits.detach(), 1) - logits[rows, target]).mean()"
    verdict = grade("write-index-ce", CE.format(body=body), sandbox)
    assert verdict.status is Status.INCORRECT, verdict.feedback
    assert verdict.details["check"] == "gradient"
    assert "with respect to `logits`" in verdict.feedback


def test_a_detached_max_shift_is_still_correct(sandbox):
    """The shift cancels: its gradient is zero whether it is detached or not."""
    source = (
        "def log_softmax(z):\n"
        "    m = z.max(dim=1, keepdim=True).values.detach()\n"
        "    return z - m - torch.log(torch.exp(z - m).sum(dim=1, keepdim=True))\n"
    )
    verdict = grade("write-log-softmax", source, sandbox)
    assert verdict.correct, verdict.feedback


def test_the_gradient_exercise_does_not_ask_for_gradients_of_the_gradient(sandbox):
    source = (
        "def ce_grad(logits, target):\n"
        "    n, c = logits.shape\n"
        "    return ((torch.softmax(logits, dim=1) - F.one_hot(target, c)) / n).detach()\n"
    )
    assert grade("write-ce-grad", source, sandbox).correct


# ---------------------------------------------------------------- inputs changed in place


@pytest.mark.parametrize(
    ("exercise_id", "source", "name"),
    [
        (
            "write-log-softmax",
            "def log_softmax(z):\n"
            "    z.sub_(z.max(dim=1, keepdim=True).values)\n"
            "    return z - torch.log(torch.exp(z).sum(dim=1, keepdim=True))\n",
            "z",
        ),
        (
            "write-moco-loss",
            "def moco_loss(q, k, queue, T):\n"
            "    q /= T\n"
            "    logits = torch.cat([(q * k).sum(1, keepdim=True), q @ queue], dim=1)\n"
            "    return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))\n",
            "q",
        ),
    ],
)
def test_an_input_changed_in_place_is_reported_in_words(exercise_id, source, name, sandbox):
    verdict = grade(exercise_id, source, sandbox)
    assert verdict.status is Status.INCORRECT, verdict.feedback
    assert verdict.details["check"] == "mutated"
    assert f"changed its input `{name}` in place" in verdict.feedback


# ---------------------------------------------------------------- parameter names


def test_the_learner_may_name_the_parameters_as_they_like(sandbox):
    source = (
        "def log_softmax(x):\n"
        "    m = x.max(dim=1, keepdim=True).values\n"
        "    return x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True))\n"
    )
    assert grade("write-log-softmax", source, sandbox).correct
    source = (
        "def weighted_ce(scores, classes, class_weights):\n"
        "    losses = torch.logsumexp(scores, 1) - scores[torch.arange(len(classes)), classes]\n"
        "    return (class_weights[classes] * losses).sum() / class_weights[classes].sum()\n"
    )
    assert grade("fix-weighted-mean", source, sandbox).correct


# ---------------------------------------------------------------- dtype


def test_a_solution_that_hard_codes_float32_fails_the_float64_case(sandbox):
    source = (
        "def weighted_ce(logits, target, w):\n"
        "    losses = torch.logsumexp(logits, 1) - logits[torch.arange(len(target)), target]\n"
        "    return ((w[target] * losses).sum() / w[target].sum()).float()\n"
    )
    verdict = grade("fix-weighted-mean", source, sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.details["label"] == "float64 case"
    assert verdict.details["reason"] == "dtype float32 instead of float64"
    assert verdict.feedback.startswith("This case is the first one again with float64 inputs")


def test_numpy_on_a_differentiable_input_is_explained(sandbox):
    source = (
        "def log_softmax(z):\n"
        "    a = torch.from_numpy(z.numpy())\n"
        "    m = a.max(dim=1, keepdim=True).values\n"
        "    return a - m - torch.log(torch.exp(a - m).sum(dim=1, keepdim=True))\n"
    )
    verdict = grade("write-log-softmax", source, sandbox)
    assert verdict.status is Status.CRASHED
    assert verdict.feedback.startswith("The inputs carry gradients here")


# ---------------------------------------------------------------- forbidden twins


LOG_SOFTMAX_BYPASSES = [
    "return torch.special.log_softmax(z, 1)",
    "return z - torch.special.logsumexp(z, 1, keepdim=True)",
    "return torch._C._VariableFunctions.log_softmax(z, 1)",
    "return torch._C.TensorBase.log_softmax(z, 1)",
    "return torch.ops.aten._log_softmax(z, 1, False)",
    "return z - torch._C._VariableFunctions.logsumexp(z, [1], True)",
    "return torch.log(torch.special.softmax(z, 1))",
    "return torch.nn.LogSoftmax(dim=1)(z)",
]


@pytest.mark.parametrize("body", LOG_SOFTMAX_BYPASSES)
def test_a_forbidden_function_forbids_its_twins(body, sandbox):
    verdict = grade("write-log-softmax", f"def log_softmax(z):\n    {body}\n", sandbox)
    assert verdict.status is Status.FORBIDDEN, (body, verdict.feedback)


def test_a_closure_taken_before_the_guards_is_still_forbidden(sandbox):
    source = (
        "saved = F.nll_loss\n"
        "def cross_entropy(logits, target):\n"
        "    return saved(torch.log_softmax(logits, 1), target)\n"
    )
    assert grade("write-index-ce", source, sandbox).status is Status.FORBIDDEN
    aten = (
        "def cross_entropy(logits, target):\n"
        "    lp = torch.log_softmax(logits, 1)\n"
        "    return torch.ops.aten.nll_loss_forward(lp, target, None, 1, -100)[0]\n"
    )
    assert grade("write-index-ce", aten, sandbox).status is Status.FORBIDDEN


def test_the_gradient_exercise_refuses_autograd_reached_through_grad_fn(sandbox):
    source = (
        "def ce_grad(logits, target):\n"
        "    x = logits.detach().requires_grad_()\n"
        "    loss = torch.logsumexp(x, 1).mean() - x[torch.arange(len(target)), target].mean()\n"
        "    return loss.grad_fn(torch.ones(()))[0]\n"
    )
    verdict = grade("write-ce-grad", source, sandbox)
    assert verdict.status is not Status.CORRECT


def test_a_lawful_function_is_not_caught_by_the_twins(sandbox):
    """write-index-ce allows torch.log_softmax and logsumexp; only nll_loss/cross_entropy are out."""
    body = ROWS + "    return -torch.log_softmax(logits, 1)[rows, target].mean()"
    assert grade("write-index-ce", CE.format(body=body), sandbox).correct


# ---------------------------------------------------------------- float32 rounding


def test_every_correct_float32_evaluation_order_passes_at_large_magnitudes(sandbox):
    source = (
        "def log_softmax(z):\n"
        "    m = z.max(dim=1, keepdim=True).values\n"
        "    lse = m + torch.log(torch.exp(z - m).sum(dim=1, keepdim=True))\n"
        "    return z - lse\n"
    )
    wrong = [s for s in range(40) if not grade("write-log-softmax", source, sandbox, s).correct]
    assert not wrong, grade("write-log-softmax", source, sandbox, wrong[0]).feedback


# ---------------------------------------------------------------- stability in words


@pytest.mark.parametrize(
    ("exercise_id", "source", "words"),
    [
        (  # log(softmax) is -inf at [0, 200]: the loss is inf
            "fix-double-softmax",
            "def loss_fn(logits, labels):\n"
            "    return F.cross_entropy(torch.log(torch.softmax(logits, dim=1)), labels)\n",
            "overflowed to inf at `logits` of magnitude 200",
        ),
        (  # BCELoss clamps log(0) at -100: 51.5 instead of 101.5, finite but wrong
            "fix-multilabel",
            "def multilabel_loss(logits, targets):\n"
            "    return F.binary_cross_entropy(torch.sigmoid(logits), targets)\n",
            "right on ordinary inputs but not at `logits` of magnitude 200",
        ),
    ],
)
def test_an_unstable_formula_is_told_so_in_words(exercise_id, source, words, sandbox):
    verdict = grade(exercise_id, source, sandbox)
    assert verdict.status is Status.INCORRECT
    assert words in verdict.feedback


def test_zero_log_zero_is_named(sandbox):
    source = "def kl(p, q):\n    return (p * (p / q).log()).sum(1).mean()\n"
    verdict = grade("fix-kl-div", source, sandbox)
    assert verdict.status is Status.INCORRECT
    assert "0 · log 0 is nan" in verdict.feedback
    xlogy = "def kl(p, q):\n    return (torch.xlogy(p, p) - p * q.log()).sum(1).mean()\n"
    assert grade("fix-kl-div", xlogy, sandbox).correct


def test_swapped_spatial_dimensions_fail_on_a_non_square_case(sandbox):
    source = (
        "def seg_loss(logits, target):\n"
        "    n, h, w, c = logits.shape\n"
        "    moved = logits.reshape(n, h * w, c).transpose(1, 2).reshape(n, c, w, h)\n"
        "    return F.cross_entropy(moved, target)\n"
    )
    assert grade("fix-channels-last", source, sandbox).status is not Status.CORRECT


@pytest.mark.parametrize(
    "body",
    [
        "return -F.softplus(-x)",
        "return torch.log(torch.special.expit(x))",
        "return torch._C._nn.log_sigmoid(x)",
        "return torch.ops.aten.log_sigmoid_forward(x)[0]",
        "return torch.log(torch._C.TensorBase.sigmoid(x))",
    ],
)
def test_log_sigmoid_twins_are_forbidden(body, sandbox):
    verdict = grade("write-log-sigmoid", f"def log_sigmoid(x):\n    {body}\n", sandbox)
    assert verdict.status is Status.FORBIDDEN, (body, verdict.feedback)


@pytest.mark.parametrize(
    "body",
    [
        # the engine run by hand on a hand-built graph: no backward kernel of a loss appears
        "x = logits.detach().clone()\n"
        "    getattr(x, 'requires' + '_grad_')()\n"
        "    loss = (torch.logsumexp(x, 1) - x[torch.arange(len(target)), target]).mean()\n"
        "    getattr(torch.autograd.Variable, '_execution' + '_engine').run_backward(\n"
        "        (loss,), (torch.ones(()),), False, False, (), False)\n"
        "    return getattr(x, 'gr' + 'ad')",
        # the graph's node reached by a name the source check cannot read
        "x = logits.detach().clone()\n"
        "    x.requires_grad = True\n"
        "    loss = F.cross_entropy(x, target)\n"
        "    return getattr(loss, 'grad' + '_fn')(torch.ones(()))[0]",
        "return torch.func.grad(lambda x: F.cross_entropy(x, target))(logits)",
    ],
)
def test_the_gradient_exercise_refuses_autograd_however_it_is_reached(body, sandbox):
    verdict = grade("write-ce-grad", f"def ce_grad(logits, target):\n    {body}\n", sandbox)
    assert verdict.status is Status.FORBIDDEN, (body, verdict.feedback)
