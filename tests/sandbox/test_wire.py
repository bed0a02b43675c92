"""The wire format: values round-trip; forged frames are refused without running anything."""

import json
import struct

import pytest
import torch

from tutor.grading.sandbox import wire


@pytest.mark.parametrize(
    "value",
    [
        None,
        True,
        3,
        10**30,
        -2.5,
        float("inf"),
        "text",
        [1, (2.0, "x")],
        {"a": 1, 2: [None]},
        torch.randn(3, 4),
        torch.tensor([1, 2], dtype=torch.int64),
        torch.zeros(0, 3),
        torch.tensor(1.5, dtype=torch.bfloat16),
        torch.tensor([True, False]),
    ],
)
def test_round_trip(value):
    back = wire.decode(wire.encode(value))
    if isinstance(value, torch.Tensor):
        assert back.dtype == value.dtype and back.shape == value.shape
        assert torch.equal(back, value)
    else:
        assert back == value and type(back) is type(value)


def test_nan_round_trips():
    back = wire.decode(wire.encode(float("nan")))
    assert back != back


def _frame(tree, data=b""):
    text = json.dumps(tree).encode()
    return struct.pack("<4sIQ", b"CEW1", len(text), len(data)) + text + data


@pytest.mark.parametrize(
    "frame",
    [
        b"CEW1",
        b"XXXX" + b"\0" * 12,
        _frame({"k": "tensor", "dtype": "object", "shape": [1], "off": 0, "len": 8}, b"\0" * 8),
        _frame({"k": "tensor", "dtype": "float32", "shape": [4], "off": 0, "len": 16}, b"\0" * 8),
        _frame({"k": "tensor", "dtype": "float32", "shape": [-1], "off": 0, "len": 0}),
        _frame({"k": "pickle", "v": "cos\nsystem\n"}),
        _frame({"k": "int", "v": "9" * 5000}),
        _frame({"k": "list", "v": "not a list"}),
        _frame({"k": "str", "v": "x"})[:-1],
    ],
)
def test_forged_frames_are_refused(frame):
    with pytest.raises(wire.WireError):
        wire.decode(frame)


def test_deep_nesting_is_refused():
    tree = {"k": "none"}
    for _ in range(100):
        tree = {"k": "list", "v": [tree]}
    with pytest.raises(wire.WireError):
        wire.decode(_frame(tree))


def test_tensor_subclass_cannot_be_sent():
    class Sneaky(torch.Tensor):
        pass

    with pytest.raises(wire.WireError, match="subclass"):
        wire.encode(torch.ones(2).as_subclass(Sneaky))
