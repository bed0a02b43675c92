"""The bench's edit of a lesson: the lines it edits exist, and a missing one says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor.bench import validate_edit
from tutor.pack.discovery import builtin_pack_dir


def test_every_line_the_bench_edits_is_in_the_built_in_pack_once() -> None:
    for name, line in validate_edit.EDITS:
        text = (builtin_pack_dir() / name).read_text(encoding="utf-8")
        assert text.splitlines().count(line) == 1, (name, line)


def test_an_edit_appends_to_its_line_and_a_missing_line_is_an_error(tmp_path: Path) -> None:
    lesson = tmp_path / "l.md"
    lesson.write_text("a\n  prompt line\nb\n", encoding="utf-8")
    validate_edit._edit(lesson, "  prompt line", " (edit 0)")
    assert lesson.read_text(encoding="utf-8") == "a\n  prompt line (edit 0)\nb\n"
    with pytest.raises(RuntimeError, match="no longer has the line"):
        validate_edit._edit(lesson, "  gone", " x")
