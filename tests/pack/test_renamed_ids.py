"""Renamed ids: `validate --db` names learners' work left behind, `export` lists it (15.12)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tutor.cli import cli
from tutor.progress.store import Attempt, ProgressStore


def _pack_with_work(tmp_path: Path) -> tuple[Path, Path]:
    root = write_pack(tmp_path / "pack", {"01-tiny.md": CLEAN_LESSON})
    db = tmp_path / "class.sqlite"
    with ProgressStore(str(db)) as store:
        for learner in ("alice", "bob"):
            store.record_attempt(
                Attempt(learner, "test-pack", "0.0.0", "tiny", "pick", "0", "correct", 1.0)
            )
    return root, db


def test_validate_with_a_store_is_clean_when_every_id_is_kept(tmp_path: Path) -> None:
    root, db = _pack_with_work(tmp_path)
    result = CliRunner().invoke(cli, ["--db", str(db), "validate", "--quick", str(root)])
    assert result.exit_code == 0, result.output


def test_a_renamed_exercise_orphans_work_and_validate_says_so(tmp_path: Path) -> None:
    root, db = _pack_with_work(tmp_path)
    lesson = root / "01-tiny.md"
    lesson.write_text(lesson.read_text().replace("id: pick", "id: pick-one"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["--db", str(db), "validate", "--quick", str(root)])
    assert result.exit_code == 1
    assert (
        f"{lesson}:1: the store holds 2 answers of 2 learners to exercise `tiny/pick` "
        "(now `pick-one`?), which this pack no longer has" in result.output
    )


def test_without_a_store_validate_does_not_look(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.delenv("CE_TUTOR_DB", raising=False)
    root, _ = _pack_with_work(tmp_path)
    lesson = root / "01-tiny.md"
    lesson.write_text(lesson.read_text().replace("id: pick", "id: pick-one"), encoding="utf-8")
    result = CliRunner().invoke(cli, ["validate", "--quick", str(root)])
    assert result.exit_code == 0, result.output


def test_export_lists_the_orphaned_rows(tmp_path: Path) -> None:
    root, db = _pack_with_work(tmp_path)
    lesson = root / "01-tiny.md"
    lesson.write_text(lesson.read_text().replace("id: pick", "id: pick-one"), encoding="utf-8")
    result = CliRunner().invoke(
        cli, ["--db", str(db), "export", "--format", "csv", "--pack", str(root)]
    )
    assert result.exit_code == 0, result.output
    assert "2 row(s) are for exercises this pack no longer has (renamed or removed): tiny/pick" in (
        result.output
    )
