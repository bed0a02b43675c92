"""Where packs come from: the built-in pack, folders, installed distributions.

The built-in pack lives in `lessons/` at the top of the repository; a wheel
carries it as `tutor/_builtin_lessons` (see pyproject's force-include), so
both a source checkout and a plain `pip install .` find it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

ENTRY_POINT_GROUP = "ce_tutor.packs"


def builtin_pack_dir() -> Path:
    """The built-in pack's folder, installed or in a source checkout."""
    return _shipped("_builtin_lessons", "lessons")


def builtin_zh_pack_dir() -> Path:
    """The built-in course in Chinese (`ce-tutor-builtin-zh`: same lesson and exercise ids)."""
    return _shipped("_builtin_lessons_zh", "lessons-zh")


def _shipped(in_wheel: str, in_checkout: str) -> Path:
    package_dir = Path(__file__).resolve().parent.parent
    installed = package_dir / in_wheel
    if installed.is_dir():
        return installed
    return package_dir.parent / in_checkout


def default_pack_dir() -> Path:
    """The built-in course in the learner's language: Chinese under a Chinese locale."""
    from tutor.i18n import is_chinese

    if is_chinese():
        chinese = builtin_zh_pack_dir()
        if (chinese / "pack.toml").is_file():
            return chinese
    return builtin_pack_dir()


def pack_root(name: str | None) -> Path:
    """The folder a user means: a folder, an installed pack's id or name, or the built-in pack.

    `ce-tutor --pack ce-tutor-builtin-zh list` needs no path into site-packages.
    """
    if not name:
        return default_pack_dir()
    path = Path(name)
    if path.exists() or "/" in name:
        return path
    for source in installed_packs():
        if name in (source.name, _pack_id(source.root)):
            return source.root
    return path


def installed_pack_root(pack_id: str) -> Path | None:
    """The folder of the installed pack with this id (`pack.toml`'s, not its name), if any."""
    for source in installed_packs():
        if manifest_fields(source.root).get("id") == pack_id:
            return source.root
    return None


def _pack_id(root: Path) -> str | None:
    found = manifest_fields(root).get("id")
    return str(found) if found is not None else None


def manifest_fields(root: Path) -> dict:
    """A pack's `pack.toml` as read, without loading its lessons ({} when unreadable)."""
    import tomllib

    try:
        return tomllib.loads((root / "pack.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


@dataclass(frozen=True)
class PackSource:
    """A pack found on this machine, before it is loaded."""

    name: str
    root: Path
    origin: str  # "built-in", "entry point <dist>", or "folder"


def installed_packs() -> list[PackSource]:
    """The built-in pack and packs registered under `ce_tutor.packs`.

    An entry point names a module or a path-returning callable:
    `course = "course_pack"` (the package folder holds `pack.toml`) or
    `course = "course_pack:pack_dir"`.
    """
    from importlib.metadata import entry_points  # costly to import: only when packs are listed

    sources = [PackSource("built-in", builtin_pack_dir(), "built-in")]
    if (builtin_zh_pack_dir() / "pack.toml").is_file():
        sources.append(PackSource("built-in-zh", builtin_zh_pack_dir(), "built-in"))
    for entry in entry_points(group=ENTRY_POINT_GROUP):
        try:
            root = _entry_point_dir(entry)
        except Exception:  # a broken third-party pack must not stop the tutor
            continue
        if root is not None and (root / "pack.toml").is_file():
            dist = entry.dist.name if entry.dist else entry.value
            sources.append(PackSource(entry.name, root, f"entry point {dist}"))
    return sources


def _entry_point_dir(entry) -> Path | None:
    target = entry.load()
    if callable(target):
        return Path(target())
    if hasattr(target, "__file__") and target.__file__:
        return Path(target.__file__).parent
    return None
