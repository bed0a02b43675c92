"""The restricted torch evaluator: what authors write works, nothing else runs."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.numeric.expressions import (
    ExpressionError,
    check_expression,
    evaluate,
    parse_expression,
    to_number,
)

torch.manual_seed(0)
ENV = {
    "logits": torch.randn(3, 4),
    "target": torch.tensor([0, 3, 1]),
    "p": torch.softmax(torch.randn(4), 0),
    "q": torch.softmax(torch.randn(4), 0),
    "w": torch.tensor([1.0, 2.0, 0.5, 3.0]),
    "l_pos": torch.randn(3, 1),
    "l_neg": torch.randn(3, 5),
    "T": 0.07,
    "N": 3,
}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("F.cross_entropy(logits, target)", F.cross_entropy(ENV["logits"], ENV["target"])),
        (
            "F.cross_entropy(softmax(logits, 1), target)",
            F.cross_entropy(torch.softmax(ENV["logits"], 1), ENV["target"]),
        ),
        (
            "F.kl_div(log(q), p, reduction='sum')",
            (ENV["p"] * (ENV["p"] / ENV["q"]).log()).sum(),
        ),
        (
            "nn.CrossEntropyLoss(weight=w)(logits, target)",
            F.cross_entropy(ENV["logits"], ENV["target"], weight=ENV["w"]),
        ),
        (
            "mean(logsumexp(logits, 1) - take(logits, target))",
            F.cross_entropy(ENV["logits"], ENV["target"]),
        ),
        ("-(p * q.log()).sum()", -(ENV["p"] * ENV["q"].log()).sum()),
        (
            "F.cross_entropy(torch.cat([l_pos, l_neg], 1) / T, torch.zeros(N, dtype=torch.long))",
            (
                torch.logsumexp(torch.cat([ENV["l_pos"], ENV["l_neg"]], 1) / 0.07, 1)
                - ENV["l_pos"][:, 0] / 0.07
            ).mean(),
        ),  # fmt: skip
        ("logits[range(3), target].sum()", ENV["logits"][range(3), ENV["target"]].sum()),
        ("logits.shape[0] * 2 - 1", 5),
        (
            "-sum(onehot(target, 4) * log_softmax(logits, 1)) / 3",
            F.cross_entropy(ENV["logits"], ENV["target"]),
        ),
    ],
)
def test_author_expressions_evaluate_like_torch(text: str, expected) -> None:
    assert to_number(evaluate(text, ENV)) == pytest.approx(float(expected), rel=1e-6)


@pytest.mark.parametrize(
    "text",
    [
        "__import__('os').system('true')",
        "().__class__.__bases__[0].__subclasses__()",
        "logits.__class__",
        "F.cross_entropy.__globals__",
        "torch.__dict__",
        "getattr(logits, 'numpy')()",
        "type(logits)",
        "logits.numpy()",
        "logits.storage()",
        "torch.load('x')",
        "torch.nn",
        "torch.hub",
        "nn.Module()",
        "(lambda: 1)()",
        "[x for x in range(3)]",
        "open('/etc/passwd')",
        "_x",
        "F.cross_entropy(**{'input': logits})",
        "logits(1)",
        "p.log.__self__",
        "F._Reduction",
    ],
)
def test_whitelist_holds(text: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(text, ENV)
    assert check_expression(text, list(ENV)) is not None


@pytest.mark.parametrize(
    "text",
    ["'a' * 10**9", "[1] * 10**9", "2 ** 10 ** 10", "torch.zeros(10**9)", "torch.ones(10**4, 10**4)",
     "torch.arange(10**12)", "range(10**12)"],
)  # fmt: skip
def test_resource_bombs_are_refused(text: str) -> None:
    with pytest.raises(ExpressionError):
        evaluate(text, ENV)


def test_errors_are_values_with_a_column() -> None:
    with pytest.raises(ExpressionError) as info:
        parse_expression("F.cross_entropy(logits, target")
    assert info.value.column >= 16
    with pytest.raises(ExpressionError) as info:
        evaluate("1 + F.cross_entropy(logits, p)", ENV)
    assert info.value.column == 5 and "batch_size" in info.value.message
    with pytest.raises(ExpressionError) as info:
        evaluate("sum(logits) + foo", ENV)
    assert info.value.column == 15 and "foo" in info.value.message
    assert "unknown name 'foo'" in check_expression("sum(foo)", ["logits"])


def test_parameters_shadow_nothing_callable() -> None:
    # a parameter named like a bare function is data, never callable
    with pytest.raises(ExpressionError, match="cannot be called"):
        evaluate("log(logits)", {"log": torch.ones(2), "logits": torch.ones(2)})


def test_to_number_refuses_tensors_with_many_values() -> None:
    with pytest.raises(ExpressionError, match="shape"):
        to_number(evaluate("logits", ENV))
    assert math.isnan(to_number(torch.tensor(float("nan"))))


def test_parsing_is_cached() -> None:
    assert parse_expression("F.cross_entropy(logits, target)") is parse_expression(
        "F.cross_entropy(logits, target)"
    )


@settings(max_examples=150, deadline=None)
@given(text=st.text(alphabet="logitsargF.cx_n()[],:0123 +-*/'=T", max_size=40))
def test_any_text_gives_a_value_or_an_expression_error(text: str) -> None:
    try:
        evaluate(text, ENV)
    except ExpressionError as err:
        assert err.message


def test_categorical_entropy_is_available_but_nothing_else_of_distributions() -> None:
    p = ENV["p"]
    value = evaluate("torch.distributions.Categorical(probs=p).entropy()", ENV)
    assert float(value) == pytest.approx(float(-(p * p.log()).sum()), rel=1e-6)
    for text in (
        "torch.distributions.Normal(0, 1)",
        "torch.distributions.Categorical(probs=p).sample()",
        "torch.distributions.Categorical(probs=p).__dict__",
        "p.entropy()",
    ):
        with pytest.raises(ExpressionError):
            evaluate(text, ENV)


@pytest.mark.parametrize(
    "text",
    [
        "x[:, None] * x[None, :]",
        "x[:, None] @ x[None, :]",
        "x[:, None].matmul(x[None, :])",
        "torch.matmul(x[:, None], x[None, :])",
        "torch.einsum('i,j->ij', x, x)",
        "F.one_hot(t, 100000)",
        "onehot(t, 100000)",
    ],
)
def test_outer_products_of_large_parameters_are_refused(text: str) -> None:
    env = {"x": torch.randn(65536), "t": torch.zeros(100, dtype=torch.long)}
    with pytest.raises(ExpressionError, match="elements"):
        evaluate(text, env)


def test_moco_einsums_still_work() -> None:
    env = {"q": torch.randn(4, 8), "k": torch.randn(4, 8), "queue": torch.randn(8, 6)}
    assert evaluate("torch.einsum('nc,nc->n', q, k)", env).shape == (4,)
    assert evaluate("torch.einsum('nc,ck->nk', q, queue)", env).shape == (4, 6)
