"""The parsed-pack cache: the same model back, and never a stale or foreign one."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tutor.pack import cache
from tutor.pack.cache import decode, encode, load_pack_cached
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import Pack, Plot

BENCH_PACK = Path(__file__).resolve().parents[2] / "tutor" / "bench" / "pack"


def _no_loader(monkeypatch) -> None:
    """From here on, a pack can only come from the cache."""

    def refuse(root):
        raise AssertionError(f"the loader read {root}")

    monkeypatch.setattr("tutor.pack.loader.load_pack", refuse)


@pytest.mark.parametrize("root", [builtin_pack_dir(), BENCH_PACK], ids=["builtin", "bench"])
def test_encoding_gives_back_an_equal_model_with_the_same_types(root: Path) -> None:
    pack, errors = load_pack(root)
    assert not errors
    again = decode(json.dumps(encode(pack)))
    assert again == pack  # dataclass equality: a list for a tuple or a str for a Path differs
    plots = [b for lesson in again.lessons for s in lesson.steps for b in s.blocks]
    ranges = [b.range for b in plots if isinstance(b, Plot)]
    assert all(type(r) is tuple for r in ranges)
    assert ranges or root == BENCH_PACK  # the built-in pack has plots; the bench pack none
    assert all(type(lesson.path) is type(Path()) for lesson in again.lessons)


def test_the_second_load_comes_from_the_cache(tmp_path: Path, monkeypatch) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    first, errors = load_pack_cached(root, tmp_path / "cache")
    assert not errors and first.lessons[0].id == "tiny"
    _no_loader(monkeypatch)
    second, errors = load_pack_cached(root, tmp_path / "cache")
    assert not errors and second == first


def test_paths_are_absolute_so_the_cache_holds_from_any_folder(tmp_path, monkeypatch) -> None:
    write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    monkeypatch.chdir(tmp_path)
    pack, _ = load_pack_cached(Path("pack"), tmp_path / "cache")
    assert pack.root.is_absolute() and pack.lessons[0].path.is_absolute()
    monkeypatch.chdir(tmp_path / "pack")
    _no_loader(monkeypatch)
    again, _ = load_pack_cached(Path("."), tmp_path / "cache")
    assert again.lessons[0].path == tmp_path / "pack" / "01-tiny.md"


def test_an_edited_lesson_is_read_again(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    load_pack_cached(root, tmp_path / "cache")
    lesson = root / "01-tiny.md"
    before = lesson.stat()
    lesson.write_text(lesson.read_text().replace("A tiny lesson", "A small lesson"))
    os.utime(lesson, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same mtime
    pack, _ = load_pack_cached(root, tmp_path / "cache")
    assert pack.lessons[0].title == "A small lesson"


def test_a_new_lesson_file_is_seen(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    load_pack_cached(root, tmp_path / "cache")
    (root / "02-more.md").write_text(CLEAN_LESSON.replace("id: tiny", "id: more"))
    pack, errors = load_pack_cached(root, tmp_path / "cache")
    assert not errors and [lesson.id for lesson in pack.lessons] == ["tiny", "more"]


def test_a_removed_lesson_file_is_not_served_from_the_cache(tmp_path: Path) -> None:
    root = write_pack(
        tmp_path / "pack",
        {"01-tiny.md": CLEAN_LESSON, "02-more.md": CLEAN_LESSON.replace("id: tiny", "id: more")},
    )
    load_pack_cached(root, tmp_path / "cache")
    (root / "02-more.md").unlink()
    pack, _ = load_pack_cached(root, tmp_path / "cache")
    assert [lesson.id for lesson in pack.lessons] == ["tiny"]


def test_a_broken_pack_is_not_cached_and_keeps_its_errors(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON.replace("id: pick", "")})
    for _ in range(2):
        _, errors = load_pack_cached(root, tmp_path / "cache")
        assert errors and all(str(e).startswith(str(root / "01-tiny.md")) for e in errors)
    assert not list((tmp_path / "cache").glob("*.json"))


def test_another_version_of_ce_tutor_reads_the_pack_again(tmp_path, monkeypatch) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    load_pack_cached(root, tmp_path / "cache")
    monkeypatch.setattr(cache, "__version__", "99.0")
    assert cache.read(tmp_path / "cache", root) is None


@pytest.mark.parametrize(
    "tamper",
    [
        lambda entry: "not json at all",
        lambda entry: json.dumps({**entry, "pack": '{"@": "Popen", "args": ["true"]}'}),
        lambda entry: json.dumps({**entry, "pack": '{"@": "Location", "path": 1}'}),
        lambda entry: json.dumps({**entry, "format": 0}),
        lambda entry: json.dumps({k: v for k, v in entry.items() if k != "inputs"}),
    ],
    ids=["garbage", "foreign-class", "not-a-pack", "old-format", "no-inputs"],
)
def test_a_damaged_or_foreign_entry_is_ignored_and_replaced(tmp_path: Path, tamper) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    expected, _ = load_pack_cached(root, tmp_path / "cache")
    (entry_file,) = (tmp_path / "cache").glob("*.json")
    entry_file.write_text(tamper(json.loads(entry_file.read_text())))
    assert cache.read(tmp_path / "cache", root) is None
    pack, errors = load_pack_cached(root, tmp_path / "cache")
    assert not errors and pack == expected
    assert cache.read(tmp_path / "cache", root) == expected  # written afresh


def test_a_cache_that_cannot_be_written_costs_nothing_but_time(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    blocked = tmp_path / "cache"
    blocked.write_text("a file where the folder should be")
    pack, errors = load_pack_cached(root, blocked)
    assert not errors and isinstance(pack, Pack) and pack.lessons[0].id == "tiny"


def test_only_the_models_own_types_are_encoded() -> None:
    with pytest.raises(cache.NotEncodable):
        encode({"a": {1, 2}})
