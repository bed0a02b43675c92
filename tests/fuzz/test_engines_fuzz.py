"""The readers learners and authors type into never raise: a clean message or a value."""

from __future__ import annotations

import string

import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.numeric.expressions import ExpressionError, check_expression, evaluate
from tutor.numeric.params import ParamError, check_generator, draw_params, parse_generator
from tutor.symbolic.domain import SymbolKind, SymbolSpec
from tutor.symbolic.reader import Formula, Unreadable, read_formula
from tutor.symbolic.tree import SymbolTable

FAST = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow])

TABLE = SymbolTable.of(
    {
        "p": SymbolSpec("p", SymbolKind.DISTRIBUTION, "K"),
        "q": SymbolSpec("q", SymbolKind.DISTRIBUTION, "K"),
        "z": SymbolSpec("z", SymbolKind.LOGITS, "K"),
        "y": SymbolSpec("y", SymbolKind.INDEX, "K"),
        "x": SymbolSpec("x", SymbolKind.REAL, None),
    }
)

# pieces that make near-valid formulas, so the fuzzer gets past the first character
FORMULA_TOKENS = st.sampled_from(
    ["p", "q", "z", "y", "x", "K", "sum", "log", "exp", "softmax", "logsumexp", "(", ")", "[",
     "]", "*", "/", "+", "-", "^", "**", ",", "1", "0.5", "1e309", r"\sum_i", r"\log", r"\frac{",
     "}", "{", "_i", "p_i", " ", "log2", "mean", "max", "onehot(", "sigmoid", "'", '"', "\\"]
)  # fmt: skip


@FAST
@given(st.one_of(st.text(max_size=80), st.lists(FORMULA_TOKENS, max_size=30).map("".join)))
def test_the_formula_reader_reads_or_says_why(text: str) -> None:
    read = read_formula(text, TABLE)
    assert isinstance(read, Formula | Unreadable)
    if isinstance(read, Unreadable):
        assert read.message and isinstance(read.message, str)


GENERATOR_TOKENS = st.sampled_from(
    ["randn(", "rand(", "uniform(", "randint(", "choice(", "softmax(", "dirichlet(", "[", "]",
     "(", ")", ",", "3", "4", "0", "-1", "1e9", "2**40", "0.5", "shape=", "*", "+", "-", "/",
     " ", "x", "__import__", "'a'", "K", ".T", "lambda", ":"]
)  # fmt: skip


@FAST
@given(st.one_of(st.text(max_size=60), st.lists(GENERATOR_TOKENS, max_size=20).map("".join)))
def test_the_parameter_parser_reads_or_raises_param_error(text: str) -> None:
    message = check_generator(text)
    assert message is None or (isinstance(message, str) and message)
    try:
        parse_generator(text)
    except ParamError as error:
        assert str(error)
        assert message is not None  # the check and the parser agree
        return
    assert message is None
    try:
        drawn = draw_params({"v": text}, seed=7)
    except ParamError as error:
        assert str(error)
    else:
        value = drawn["v"]
        assert isinstance(value, torch.Tensor | int | float)
        if isinstance(value, torch.Tensor):
            assert value.numel() <= 10_000_000  # the size guard held


EXPRESSION_TOKENS = st.sampled_from(
    ["logits", "target", "F.cross_entropy(", "softmax(", "log(", "torch.", "exp(", "sum(",
     "(", ")", "[", "]", ",", "1", "0", "-", "*", "/", "**", "@", " ", ".T", "dim=", "1e308",
     "__class__", "__subclasses__()", "getattr(", "import", "lambda x: x", "reduction='sum'",
     "take(", "onehot(", "zeros(", "10**10", "]", ".item()", "nn.CrossEntropyLoss()("]
)  # fmt: skip


@FAST
@given(st.one_of(st.text(max_size=60), st.lists(EXPRESSION_TOKENS, max_size=16).map("".join)))
def test_the_torch_expression_evaluator_evaluates_or_raises_expression_error(text: str) -> None:
    env = {
        "logits": torch.tensor([[1.0, 2.0, 0.5], [0.1, -1.0, 3.0]]),
        "target": torch.tensor([2, 0]),
    }
    message = check_expression(text)
    assert message is None or (isinstance(message, str) and message)
    try:
        value = evaluate(text, env)
    except ExpressionError as error:
        assert str(error)
        return
    assert message is None  # whatever evaluated also passed the check
    assert not callable(value) or isinstance(value, torch.Tensor)


@settings(max_examples=40, deadline=2000)
@given(st.text(alphabet=string.printable, max_size=40))
def test_dunder_access_never_evaluates(suffix: str) -> None:
    try:
        value = evaluate(f"logits.__class__{suffix}", {"logits": torch.ones(2)})
    except ExpressionError:
        return
    raise AssertionError(f"evaluated to {value!r}")
