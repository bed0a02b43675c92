"""The admin's `ce-tutor class backup | restore | reset`, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli
from tutor.progress.store import Attempt, ProgressStore, StoreError

PACK = "ce-tutor-builtin"


def _class(location: str) -> None:
    with ProgressStore(location) as store:
        for learner, exercise, status in [
            ("alice", "moco-zero-labels", "correct"),
            ("alice", "prob-target-shape", "incorrect"),
            ("bob", "moco-zero-labels", "incorrect"),
        ]:
            store.record_attempt(
                Attempt(learner, PACK, "0.1.0", "two-target-forms", exercise, "1", status, 0.0)
            )
        store.save_position("alice", PACK, "two-target-forms", 4)
        store.save_position("bob", PACK, "two-target-forms", 2)


def admin(location: str, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["class", *args], env={"CE_TUTOR_DB": location})
    assert result.exit_code == code, result.output
    return result


def test_backup_is_a_consistent_sqlite_copy_and_never_overwrites(location, tmp_path) -> None:
    _class(location)
    copy = tmp_path / "backup.sqlite3"
    said = admin(location, "backup", str(copy)).stdout
    assert "3 attempt(s) and 2 place(s) backed up" in said
    with ProgressStore(copy) as backup, ProgressStore(location) as live:
        assert backup.attempts() == live.attempts()
        assert backup.positions(PACK) == live.positions(PACK)
    refused = admin(location, "backup", str(copy), code=2)
    assert "never overwrites" in refused.stderr


def test_reset_one_exercise_keeps_the_rest_and_backs_up_first(location, tmp_path, monkeypatch):
    _class(location)
    monkeypatch.chdir(tmp_path)  # where a PostgreSQL store's safety copy goes
    dry = admin(location, "reset", "alice", "--exercise", "two-target-forms/moco-zero-labels",
                "--dry-run")  # fmt: skip
    assert "would delete 1 row(s)" in dry.stdout
    with ProgressStore(location) as store:
        assert len(store.attempts(learner="alice")) == 2  # a dry run changes nothing
    done = admin(location, "reset", "alice", "--exercise", "two-target-forms/moco-zero-labels")
    saved = Path(done.stdout.rsplit(" in ", 1)[1].strip())
    with ProgressStore(location) as store, ProgressStore(saved) as before:
        assert [a.exercise_id for a in store.attempts(learner="alice")] == ["prob-target-shape"]
        assert store.position("alice", PACK, "two-target-forms") == 4  # an exercise reset
        assert len(store.attempts(learner="bob")) == 1
        assert len(before.attempts(learner="alice")) == 2  # the safety copy has what was
    admin(location, "reset", "alice")
    with ProgressStore(location) as store:
        assert store.learners() == ["bob"]  # attempts and places gone
    assert "no learner carol" in admin(location, "reset", "carol", code=2).stderr


def test_restore_puts_back_a_backup_and_keeps_what_it_replaced(location, tmp_path, monkeypatch):
    _class(location)
    monkeypatch.chdir(tmp_path)
    copy = tmp_path / "monday.sqlite3"
    admin(location, "backup", str(copy))
    with ProgressStore(location) as store:
        store.forget("bob")
        store.record_attempt(Attempt("carol", PACK, "0.1.0", "l", "e", "", "correct", 1.0))
    assert "would replace 3 attempt(s)" in admin(location, "restore", str(copy), "--dry-run").stdout
    admin(location, "restore", str(copy))
    with ProgressStore(location) as store, ProgressStore(copy) as backup:
        assert [(a.learner, a.exercise_id) for a in store.attempts()] == [
            (a.learner, a.exercise_id) for a in backup.attempts()
        ]
        assert store.learners() == ["alice", "bob"]


def test_a_store_refuses_a_backup_over_an_existing_file(tmp_path) -> None:
    with ProgressStore(tmp_path / "live.sqlite3") as store:
        (tmp_path / "taken").write_text("x")
        with pytest.raises(StoreError, match="never overwrites"):
            store.backup_to(tmp_path / "taken")
    assert (tmp_path / "taken").read_text() == "x"
