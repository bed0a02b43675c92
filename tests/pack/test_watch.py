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


def test_validate_watch_warms_the_engines_while_it_waits(tmp_path: Path, monkeypatch) -> None:
    """Every block was found clean before: nothing imported torch, so the first save would."""
    from click.testing import CliRunner

    from tutor.cli import cli

    root = write_pack(tmp_path / "p", {"01.md": CLEAN_LESSON})
    warmed = []
    monkeypatch.setattr("tutor.grading.pack_checks.warm_engines", lambda: warmed.append(1))

    def no_saves(root, on_change, **kwargs):
        import threading

        for thread in threading.enumerate():
            if thread.name == "warm-engines":
                thread.join(10)

    monkeypatch.setattr("tutor.pack.watch.watch", no_saves)
    result = CliRunner().invoke(cli, ["validate", "--quick", str(root), "--watch"])
    assert result.exit_code == 0 and warmed == []  # --quick needs no engine
    result = CliRunner().invoke(cli, ["validate", "--watch", str(root)])
    assert result.exit_code == 0, result.output
    assert warmed == [1]
