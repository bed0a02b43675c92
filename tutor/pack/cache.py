"""A parsed pack kept on disk, so the app's start skips YAML and the loader.

Reading a pack costs about 80 ms at start (importing yaml and the loader,
then parsing every lesson); reading it back from this cache costs under
10 ms. The cache is a plain JSON encoding of the model, never pickle: a
tampered file can at worst describe a different pack, it cannot run code.

An entry is used only when every file the loader read (`pack.toml`, each
lesson, and every `*.md` in the folder, which decides the lesson list) has
the same bytes, and it was written by this ce-tutor version. Only packs the
loader read without problems are kept, so `validate` and every error path
always see the real loader.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from dataclasses import fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import Any

from tutor import __version__
from tutor.pack import model
from tutor.pack.errors import PackError
from tutor.symbolic.domain import SymbolKind, SymbolSpec

FORMAT = 1  # bump when the encoding changes
_CLASSES: dict[str, type] = {
    name: value
    for name, value in vars(model).items()
    if isinstance(value, type) and is_dataclass(value) and value.__module__ == model.__name__
}
_CLASSES["SymbolSpec"] = SymbolSpec
_ENUMS: dict[str, type[Enum]] = {"SymbolKind": SymbolKind}


class NotEncodable(TypeError):
    """The pack holds a value the cache has no encoding for; it is not cached."""


def encode(value: Any) -> Any:
    """The model as JSON-ready data, every non-JSON type tagged."""
    if isinstance(value, Enum):
        return {"@enum": type(value).__name__, "value": value.value}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if is_dataclass(value) and type(value).__name__ in _CLASSES:
        data = {"@": type(value).__name__}
        for item in fields(value):
            data[item.name] = encode(getattr(value, item.name))
        return data
    if isinstance(value, Path):
        return {"@path": str(value)}
    if isinstance(value, list):
        return [encode(item) for item in value]
    if isinstance(value, tuple):
        return {"@tuple": [encode(item) for item in value]}
    if isinstance(value, dict):
        return {"@dict": [[encode(key), encode(item)] for key, item in value.items()]}
    raise NotEncodable(f"no cache encoding for {type(value).__name__}")


def _decode_object(data: dict[str, Any]) -> Any:
    """json's object hook: rebuild one tagged object (only the model's own classes)."""
    if "@" in data:
        cls = _CLASSES[data.pop("@")]  # KeyError: not ours, the entry is refused
        return cls(**data)
    if "@path" in data:
        return Path(data["@path"])
    if "@tuple" in data:
        return tuple(data["@tuple"])
    if "@dict" in data:
        return {key: item for key, item in data["@dict"]}
    if "@enum" in data:
        return _ENUMS[data["@enum"]](data["value"])
    return data


def decode(text: str) -> Any:
    return json.loads(text, object_hook=_decode_object)


def _digests(root: Path, also: list[str]) -> dict[str, str] | None:
    """sha256 of pack.toml, every `*.md` in the folder and the `also` files; None if one is gone."""
    names = {"pack.toml", *(path.name for path in root.glob("*.md")), *also}
    digests = {}
    for name in sorted(names):
        try:
            digests[name] = hashlib.sha256((root / name).read_bytes()).hexdigest()
        except OSError:
            return None
    return digests


def _entry_path(cache_dir: Path, root: Path) -> Path:
    """One entry per pack folder: a new version of the pack replaces the old one."""
    name = hashlib.sha256(str(root).encode()).hexdigest()[:24]
    return cache_dir / f"{name}.json"


def read(cache_dir: Path, root: Path) -> model.Pack | None:
    """The cached pack of `root`, or None when absent, stale, or unreadable."""
    root = root.resolve()
    try:
        entry = json.loads(_entry_path(cache_dir, root).read_text(encoding="utf-8"))
        if (entry["format"], entry["version"], entry["root"]) != (FORMAT, __version__, str(root)):
            return None
        if _digests(root, list(entry["inputs"])) != entry["inputs"]:
            return None
        pack = decode(entry["pack"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return pack if isinstance(pack, model.Pack) else None


def write(cache_dir: Path, root: Path, pack: model.Pack) -> bool:
    """Keep `pack` for the next start; False (and nothing written) when it cannot be kept."""
    root = root.resolve()
    inputs = _digests(root, [_relative(lesson.path, root) for lesson in pack.lessons])
    if inputs is None:
        return False
    try:
        entry = {
            "format": FORMAT,
            "version": __version__,
            "root": str(root),
            "inputs": inputs,
            "pack": json.dumps(encode(pack), separators=(",", ":")),
        }
        cache_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        handle, temporary = tempfile.mkstemp(dir=cache_dir, suffix=".tmp")
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                json.dump(entry, out)
            os.replace(temporary, _entry_path(cache_dir, root))
        except BaseException:
            os.unlink(temporary)
            raise
    except (OSError, NotEncodable):
        return False
    return True


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root))
    except ValueError:  # a lesson outside the folder: hashed by its absolute path
        return str(path.resolve())


def load_pack_cached(root: Path, cache_dir: Path | None) -> tuple[model.Pack, list[PackError]]:
    """`load_pack` of the folder's absolute path, through the cache when `cache_dir` is given.

    Absolute, so that a cached pack's paths hold from any working directory.
    """
    root = Path(root).resolve()
    if cache_dir is not None:
        pack = read(cache_dir, root)
        if pack is not None:
            return pack, []
    from tutor.pack.loader import load_pack

    pack, errors = load_pack(root)
    if cache_dir is not None and not errors:
        write(cache_dir, root, pack)
    return pack, errors
