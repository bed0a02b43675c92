"""`validate --watch` sees a saved lesson (tutor/pack/watch.py)."""

from __future__ import annotations

import os
from pathlib import Path

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tutor.pack.watch import changed, snapshot, watch


def test_a_rewritten_added_or_removed_file_is_seen(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", {"01.md": CLEAN_LESSON, "02.md": CLEAN_LESSON})
    before = snapshot(root)
    one, two = root / "01.md", root / "02.md"
    one.write_text(CLEAN_LESSON + "\nMore.\n", encoding="utf-8")
    two.unlink()
    (root / "03.md").write_text(CLEAN_LESSON, encoding="utf-8")
    assert changed(before, snapshot(root)) == {
        one.resolve(),
        two.resolve(),
        (root / "03.md").resolve(),
    }


def test_watch_calls_back_once_per_save(tmp_path: Path, monkeypatch) -> None:
    from tutor.pack import watch as watching

    root = write_pack(tmp_path / "p", {"01.md": CLEAN_LESSON})
    lesson = root / "01.md"
    seen: list[set[Path]] = []
    polls = []

    def sleep(_seconds: float) -> None:  # the author saves during the first wait
        polls.append(1)
        if len(polls) == 1:
            stat = lesson.stat()
            os.utime(lesson, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))

    monkeypatch.setattr(watching.time, "sleep", sleep)
    watch(root, seen.append, every=0.01, rounds=3)
    assert seen == [{lesson.resolve()}]
