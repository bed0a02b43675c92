"""The bytes that carry values between the grader and a sandbox child.

Learner code controls the bytes its child sends back, so the format is one
the receiving side decodes without running anything: a JSON tree plus raw
tensor bytes (dtype from an allow-list, shape, offset, length). Nothing is
ever unpickled.
"""

from __future__ import annotations

import json
import math
import struct
from typing import Any

MAGIC = b"CEW1"
_HEAD = struct.Struct("<4sIQ")  # magic, json length, data length
MAX_NODES = 100_000
MAX_DEPTH = 32
MAX_JSON = 16 * 1024 * 1024


class WireError(ValueError):
    """Bytes that are not a well-formed value (truncated, forged or too large)."""


_DTYPES = (
    "float16",
    "bfloat16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "uint8",
    "int8",
    "int16",
    "int32",
    "int64",
    "bool",
)


def _torch():
    import torch  # lazy: the client side of the app never loads torch

    return torch


def encode(value: Any) -> bytes:
    """One frame holding `value` (tensors, numbers, str, None, lists, tuples, dicts)."""
    data = bytearray()
    counter = [0]
    tree = _encode(value, data, 0, counter)
    text = json.dumps(tree, separators=(",", ":")).encode()
    return _HEAD.pack(MAGIC, len(text), len(data)) + text + bytes(data)


def check(value: Any) -> None:
    """Raise WireError if `value` cannot be sent, without copying any tensor bytes."""
    _encode(value, None, 0, [0])


def _encode(value: Any, data: bytearray | None, depth: int, counter: list[int]) -> Any:
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_NODES:
        raise WireError("value too deeply nested or too large to send")
    if value is None:
        return {"k": "none"}
    if isinstance(value, bool):
        return {"k": "bool", "v": value}
    if isinstance(value, int):
        return {"k": "int", "v": str(int(value))}
    if isinstance(value, float):
        return {"k": "float", "v": repr(float(value))}
    if isinstance(value, str):
        return {"k": "str", "v": str(value)}
    if isinstance(value, (list, tuple)):
        kind = "tuple" if isinstance(value, tuple) else "list"
        return {"k": kind, "v": [_encode(v, data, depth + 1, counter) for v in value]}
    if isinstance(value, dict):
        items = [
            [_encode(k, data, depth + 1, counter), _encode(v, data, depth + 1, counter)]
            for k, v in value.items()
        ]
        return {"k": "dict", "v": items}
    torch = _torch()
    if isinstance(value, torch.Tensor):
        if type(value) not in (torch.Tensor, torch.nn.Parameter):
            raise WireError(f"a tensor subclass ({type(value).__name__}) cannot be graded")
        t = value.detach()
        if data is None:
            dtype = str(t.dtype).removeprefix("torch.")
            if dtype not in _DTYPES:
                raise WireError(f"tensors of dtype {dtype} cannot be graded")
            return {"k": "tensor"}
        if t.layout is not torch.strided:
            t = t.to_dense()
        t = t.cpu().contiguous()
        dtype = str(t.dtype).removeprefix("torch.")
        if dtype not in _DTYPES:
            raise WireError(f"tensors of dtype {dtype} cannot be graded")
        node = {"k": "tensor", "dtype": dtype, "shape": list(t.shape), "grad": value.requires_grad}
        if data is None:
            return node
        raw = t.reshape(-1).view(torch.uint8).numpy() if t.numel() else b""
        node.update(off=len(data), len=len(raw))
        data.extend(raw)
        return node
    import numpy as np

    if isinstance(value, np.ndarray | np.generic):
        return {
            "k": "ndarray",
            "v": _encode(torch.from_numpy(np.array(value)), data, depth, counter),
        }
    return {"k": "other", "type": type(value).__name__, "v": _safe_repr(value)}


def _safe_repr(value: Any) -> str:
    try:
        return repr(value)[:200]
    except Exception:  # a learner's __repr__ may raise anything
        return f"<{type(value).__name__}>"


def read_frame(buf: bytes, max_bytes: int = 64 * 1024 * 1024) -> tuple[Any, bytes]:
    """Split a frame into its JSON tree and data, checking every length."""
    if len(buf) < _HEAD.size:
        raise WireError("truncated frame")
    magic, json_len, data_len = _HEAD.unpack_from(buf)
    if magic != MAGIC:
        raise WireError("not a frame")
    if json_len > MAX_JSON or json_len + data_len > max_bytes:
        raise WireError("frame too large")
    if len(buf) != _HEAD.size + json_len + data_len:
        raise WireError("frame length mismatch")
    try:
        tree = json.loads(buf[_HEAD.size : _HEAD.size + json_len])
    except (ValueError, RecursionError) as error:
        raise WireError(f"bad frame header: {error}") from None
    return tree, buf[_HEAD.size + json_len :]


def decode(buf: bytes, max_bytes: int = 64 * 1024 * 1024) -> Any:
    """The value in a frame; raises WireError for anything malformed."""
    tree, data = read_frame(buf, max_bytes)
    return decode_tree(tree, data)


def decode_tree(tree: Any, data: bytes) -> Any:
    counter = [0]
    return _decode(tree, data, 0, counter)


def _decode(node: Any, data: bytes, depth: int, counter: list[int]) -> Any:
    counter[0] += 1
    if depth > MAX_DEPTH or counter[0] > MAX_NODES:
        raise WireError("value too deeply nested")
    if not isinstance(node, dict) or not isinstance(node.get("k"), str):
        raise WireError("bad node")
    kind = node["k"]
    if kind == "none":
        return None
    if kind == "bool":
        return bool(node["v"])
    if kind == "int":
        text = str(node["v"])
        if len(text) > 4000:
            raise WireError("integer too long")
        return int(text)
    if kind == "float":
        return float(str(node["v"]))
    if kind == "str":
        return str(node["v"])
    if kind in ("list", "tuple"):
        items = [_decode(v, data, depth + 1, counter) for v in _list(node["v"])]
        return tuple(items) if kind == "tuple" else items
    if kind == "dict":
        out = {}
        for pair in _list(node["v"]):
            key, val = _list(pair)
            key = _decode(key, data, depth + 1, counter)
            if not isinstance(key, str | int | float | bool | tuple | type(None)):
                raise WireError("unhashable key")
            out[key] = _decode(val, data, depth + 1, counter)
        return out
    if kind == "tensor":
        return _decode_tensor(node, data)
    if kind == "ndarray":
        return _decode(node["v"], data, depth + 1, counter).numpy()
    if kind == "other":
        return Opaque(str(node.get("type", "?"))[:100], str(node.get("v", ""))[:200])
    raise WireError(f"unknown node kind {kind!r}")


def _list(value: Any) -> list:
    if not isinstance(value, list):
        raise WireError("expected a list")
    return value


def _decode_tensor(node: dict, data: bytes) -> Any:
    torch = _torch()
    dtype_name = node.get("dtype")
    if dtype_name not in _DTYPES:
        raise WireError(f"dtype {dtype_name!r} not allowed")
    dtype = getattr(torch, dtype_name)
    shape = [int(s) for s in _list(node["shape"])]
    if any(s < 0 for s in shape) or len(shape) > 16:
        raise WireError("bad shape")
    off, length = int(node["off"]), int(node["len"])
    itemsize = dtype.itemsize
    if off < 0 or off + length > len(data) or length != math.prod(shape) * itemsize:
        raise WireError("tensor bytes do not match its shape")
    if length == 0:
        tensor = torch.empty(shape, dtype=dtype)
    else:
        raw = torch.frombuffer(bytearray(data[off : off + length]), dtype=torch.uint8)
        tensor = raw.view(dtype).reshape(shape)
    if node.get("grad") and tensor.is_floating_point():
        tensor.requires_grad_(True)
    return tensor


class Opaque:
    """A returned value of a type the wire does not carry; kept as its repr."""

    def __init__(self, type_name: str, text: str) -> None:
        self.type_name = type_name
        self.text = text

    def __repr__(self) -> str:
        return self.text or f"<{self.type_name}>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Opaque) and (self.type_name, self.text) == (
            other.type_name,
            other.text,
        )

    def __hash__(self) -> int:
        return hash((self.type_name, self.text))
