"""Forbidden calls: found in the source, and refused at run time however they are reached."""

import pytest
import torch

from tutor.grading.sandbox import RunStatus
from tutor.grading.sandbox.forbid import canonical, check_source

FORBID = ["F.cross_entropy", "nn.CrossEntropyLoss", "F.nll_loss"]
CASE = {"logits": torch.randn(4, 3), "target": torch.tensor([0, 2, 1, 0])}


@pytest.mark.parametrize(
    ("source", "named"),
    [
        ("def ce(l, t):\n    return F.cross_entropy(l, t)", "F.cross_entropy"),
        ("from torch.nn.functional import cross_entropy as c\n", "F.cross_entropy"),
        ("import torch.nn.functional as G\nG.nll_loss", "F.nll_loss"),
        ("from torch import nn as N\nN.CrossEntropyLoss()", "nn.CrossEntropyLoss"),
        ("torch.nn.functional.cross_entropy", "F.cross_entropy"),
        ("getattr(F, 'nll_loss')", "F.nll_loss"),
        ("torch._C._nn.cross_entropy_loss", "F.cross_entropy"),
    ],
)
def test_source_check_resolves_aliases(source, named):
    assert check_source(source, FORBID, entry="cross_entropy") == named


def test_source_check_allows_own_function_name_and_lawful_calls():
    source = (
        "def cross_entropy(logits, target):\n"
        "    return -F.log_softmax(logits, 1).gather(1, target[:, None]).mean()\n"
    )
    assert check_source(source, FORBID, entry="cross_entropy") is None


def test_source_check_flags_reaching_around_guards():
    assert "__closure__" in check_source("F.x.__closure__", FORBID)
    assert "import gc" in check_source("import gc", FORBID)


def test_canonical_names():
    assert canonical("F.cross_entropy") == "torch.nn.functional.cross_entropy"
    assert canonical("nn.CrossEntropyLoss") == "torch.nn.CrossEntropyLoss"


@pytest.mark.parametrize(
    "body",
    [
        "return getattr(F, 'cross_' + 'entropy')(logits, target)",
        "return getattr(torch.nn, 'CrossEntropy' + 'Loss')()(logits, target)",
        "return getattr(getattr(torch._C, '_' + 'nn'), 'cross_entropy' + '_loss')(logits, target)",
        "m = getattr(torch.nn.modules.loss, 'CrossEntropy' + 'Loss')\n    return m()(logits, target)",
        "f = getattr(F, 'nll' + '_loss')\n    return f(F.log_softmax(logits, 1), target)",
    ],
)
def test_runtime_guards_catch_what_the_source_check_cannot(sandbox, body):
    source = f"def cross_entropy(logits, target):\n    {body}\n"
    assert check_source(source, FORBID, entry="cross_entropy") is None  # it slips past the AST
    run = sandbox.run_function(source, "cross_entropy", CASE, forbid=FORBID)
    assert run.status is RunStatus.FORBIDDEN
    assert run.message.startswith("forbidden: ")


def test_a_caught_forbidden_call_still_counts(sandbox):
    source = (
        "def cross_entropy(logits, target):\n"
        "    try:\n"
        "        return getattr(F, 'cross_' + 'entropy')(logits, target)\n"
        "    except Exception:\n"
        "        return -F.log_softmax(logits, 1).gather(1, target[:, None]).mean()\n"
    )
    run = sandbox.run_function(source, "cross_entropy", CASE, forbid=FORBID)
    assert run.status is RunStatus.FORBIDDEN
    assert run.message == "forbidden: F.cross_entropy"


def test_compare_may_use_a_forbidden_function(sandbox):
    source = "def pair(logits, target):\n    return logits, target\n"
    run = sandbox.run_function(
        source, "pair", CASE, forbid=FORBID, compare="F.cross_entropy(*result)"
    )
    assert run.status is RunStatus.OK
    assert torch.allclose(run.cases[0].value, torch.nn.functional.cross_entropy(*CASE.values()))
