"""The store's contract, on SQLite and PostgreSQL alike, and SQLite's refusals."""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
import time
from pathlib import Path

import pytest

from tutor.progress.schema import SCHEMA_VERSION
from tutor.progress.sqlite_backend import retry_while_busy
from tutor.progress.store import (
    Attempt,
    ExerciseState,
    Position,
    ProgressStore,
    StoreError,
    open_store,
)


def attempt(learner: str = "alice", exercise: str = "e1", **changes) -> Attempt:
    fields = dict(
        learner=learner,
        pack_id="pack",
        pack_version="1.0",
        lesson_id="l1",
        exercise_id=exercise,
        answer="0.5",
        status="incorrect",
        score=0.0,
    )
    fields.update(changes)
    return Attempt(**fields)


def test_every_field_of_an_attempt_comes_back(location: str) -> None:
    full = attempt(
        answer="def f(x):\n    return x  # ünïcode\n",
        status="correct",
        score=0.75,
        mistake="double-softmax",
        hints_used=2,
        solution_shown=True,
        created_at=1_700_000_000.25,
        seed=2**63 - 1,  # the largest variant seed seed_for() can give
    )
    with ProgressStore(location) as store:
        store.record_attempt(full)
        store.record_attempt(attempt(learner="bob"))
        assert store.attempts(learner="alice") == [full]
        assert [a.learner for a in store.attempts()] == ["alice", "bob"]
        assert store.attempts(pack_id="other") == []


def test_created_at_defaults_to_now(location: str) -> None:
    with ProgressStore(location) as store:
        store.record_attempt(attempt())
        (stored,) = store.attempts()
    import time

    assert abs(stored.created_at - time.time()) < 60
    assert stored.seed is None


def test_exercise_states_count_solve_and_skip_unreadable(location: str) -> None:
    with ProgressStore(location) as store:
        store.record_attempt(attempt(exercise="e1", score=0.0))
        store.record_attempt(attempt(exercise="e1", status="correct", score=1.0))
        store.record_attempt(attempt(exercise="e1", status="unreadable", score=0.0))
        store.record_attempt(attempt(exercise="e2", score=0.25))
        store.record_attempt(attempt(learner="bob", exercise="e2", status="correct", score=1.0))
        states = store.exercise_states("alice", "pack")
    assert states == {
        ("l1", "e1"): ExerciseState(attempts=2, solved=True, best_score=1.0),
        ("l1", "e2"): ExerciseState(attempts=1, solved=False, best_score=0.25),
    }


def test_positions_are_per_lesson_and_the_latest_is_the_resume_point(location: str) -> None:
    with ProgressStore(location) as store:
        assert store.position("alice", "pack", "l1") == 0
        assert store.last_position("alice", "pack") is None
        store.save_position("alice", "pack", "l1", 3)
        store.save_position("alice", "pack", "l2", 1)
        store.save_position("alice", "pack", "l1", 4)
        store.save_position("bob", "pack", "l2", 7)
        assert store.position("alice", "pack", "l1") == 4
        assert store.position("alice", "pack", "l2") == 1
        assert store.last_position("alice", "pack") == Position("l1", 4)
        assert store.positions("pack") == {("alice", "l1"): 4, ("alice", "l2"): 1, ("bob", "l2"): 7}
        assert store.learners("pack") == ["alice", "bob"]
        assert store.learners("other") == []


def test_drafts_are_per_learner_and_exercise_replaced_dropped_and_reset(location: str) -> None:
    with ProgressStore(location) as store:
        store.save_draft("alice", "pack", "l1", "e1", "-sum(p*log")
        store.save_draft("alice", "pack", "l1", "e1", "-sum(p*log(q))")  # replaced, not added
        store.save_draft("alice", "pack", "l1", "e2", "def f(x):\n    return x  # 中文")
        store.save_draft("bob", "pack", "l1", "e1", "bob's")
        assert store.drafts("alice", "pack") == {
            ("l1", "e1"): "-sum(p*log(q))",
            ("l1", "e2"): "def f(x):\n    return x  # 中文",
        }
        assert store.drafts("alice", "other") == {}
        store.save_draft("alice", "pack", "l1", "e2", "")  # submitted or emptied: dropped
        assert store.drafts("alice", "pack") == {("l1", "e1"): "-sum(p*log(q))"}
        store.forget("alice", "l1", "e1")  # a reset exercise starts empty
        assert store.drafts("alice", "pack") == {}
        assert store.drafts("bob", "pack") == {("l1", "e1"): "bob's"}
        store.forget("bob")
        assert store.drafts("bob", "pack") == {}


def test_data_survives_reopening_and_the_schema_is_current(location: str) -> None:
    with ProgressStore(location) as store:
        store.record_attempt(attempt(seed=42))
        store.save_position("alice", "pack", "l1", 2)
    with ProgressStore(location) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert [a.seed for a in store.attempts()] == [42]
        assert store.position("alice", "pack", "l1") == 2


def test_a_newer_schema_is_refused_and_left_untouched(location: str) -> None:
    with ProgressStore(location) as store:
        store.record_attempt(attempt())
        dialect = store.dialect
    if dialect == "sqlite":
        with sqlite3.connect(location) as db:
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        before = Path(location).read_bytes()
    else:
        import psycopg

        with psycopg.connect(location, autocommit=True) as db:
            db.execute("UPDATE ce_tutor_schema SET version = %s", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreError, match="newer ce-tutor.*upgrade ce-tutor"):
        ProgressStore(location)
    if dialect == "sqlite":
        assert Path(location).read_bytes() == before
    else:
        with psycopg.connect(location, autocommit=True) as db:
            assert db.execute("SELECT COUNT(*) FROM attempts").fetchone()[0] == 1


# ----------------------------------------------------------------- SQLite only

VERSION_1_DDL = """
CREATE TABLE attempts (id INTEGER PRIMARY KEY, learner TEXT NOT NULL, pack_id TEXT NOT NULL,
  pack_version TEXT NOT NULL, lesson_id TEXT NOT NULL, exercise_id TEXT NOT NULL,
  answer TEXT NOT NULL, status TEXT NOT NULL, score REAL NOT NULL, mistake TEXT,
  hints_used INTEGER NOT NULL DEFAULT 0, solution_shown INTEGER NOT NULL DEFAULT 0,
  created_at REAL NOT NULL);
CREATE INDEX attempts_by_learner ON attempts (learner, pack_id, lesson_id, exercise_id);
CREATE TABLE positions (learner TEXT NOT NULL, pack_id TEXT NOT NULL, lesson_id TEXT NOT NULL,
  step INTEGER NOT NULL, updated_at REAL NOT NULL, PRIMARY KEY (learner, pack_id, lesson_id));
INSERT INTO attempts VALUES (1, 'alice', 'pack', '0.1', 'l1', 'e1', '2', 'correct', 1.0, NULL,
  0, 0, 1700000000.0);
INSERT INTO positions VALUES ('alice', 'pack', 'l1', 5, 1700000000.0);
PRAGMA user_version = 1;
"""


def test_a_version_1_file_is_migrated_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with sqlite3.connect(path) as db:
        db.executescript(VERSION_1_DDL)
    with ProgressStore(path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        (old,) = store.attempts()
        assert (old.learner, old.status, old.created_at, old.seed) == (
            "alice",
            "correct",
            1_700_000_000.0,
            None,
        )
        assert store.position("alice", "pack", "l1") == 5
        store.record_attempt(attempt(seed=7))
        assert [a.seed for a in store.attempts()] == [None, 7]


@pytest.mark.parametrize(
    "content",
    [b"this is a text file, not a database\n" * 200, b"SQLite format 3\x00" + b"\xff" * 4080],
    ids=["text", "bad-header"],
)
def test_a_corrupt_file_is_refused_and_never_overwritten(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "progress.sqlite3"
    path.write_bytes(content)
    with pytest.raises(StoreError, match="not a usable progress database.*left untouched"):
        ProgressStore(path)
    assert path.read_bytes() == content
    assert sorted(p.name for p in tmp_path.iterdir()) == ["progress.sqlite3"]


def test_another_programs_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (body TEXT)")
    before = path.read_bytes()
    with pytest.raises(StoreError, match="database of something else.*notes"):
        ProgressStore(path)
    assert path.read_bytes() == before


def test_the_file_is_in_wal_mode_and_passes_integrity_check(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    with ProgressStore(path) as store:
        store.record_attempt(attempt())
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def _busy(message: str = "database is locked") -> sqlite3.OperationalError:
    error = sqlite3.OperationalError(message)
    error.sqlite_errorname = "SQLITE_BUSY"
    return error


def test_a_switch_refused_as_busy_at_once_is_retried_until_it_goes_through() -> None:
    # SQLite refuses `PRAGMA journal_mode = WAL` at once, without busy_timeout, when
    # processes race to open a new file (seen in CI: 1 of 20 writers failed in 0.04 s)
    calls, pauses = [], []

    def switch() -> str:
        calls.append(1)
        if len(calls) < 4:
            raise _busy()
        return "wal"

    assert retry_while_busy(switch, timeout_s=5, sleep=pauses.append) == "wal"
    assert len(calls) == 4
    assert len(pauses) == 3 and pauses[0] < pauses[-1]  # backing off


def test_busy_for_longer_than_the_timeout_is_reported() -> None:
    pauses: list[float] = []

    def always_busy() -> None:
        raise _busy()

    with pytest.raises(sqlite3.OperationalError, match="locked"):
        retry_while_busy(
            always_busy, timeout_s=0.05, sleep=lambda s: (pauses.append(s), time.sleep(s))
        )
    assert 0 < sum(pauses) <= 0.05 * 1.5


def test_an_error_other_than_busy_is_not_retried() -> None:
    calls = []

    def corrupt() -> None:
        calls.append(1)
        raise sqlite3.DatabaseError("file is not a database")

    with pytest.raises(sqlite3.DatabaseError):
        retry_while_busy(corrupt, timeout_s=5, sleep=lambda s: None)
    assert len(calls) == 1


def _open_as(path: Path, uid: int | None) -> tuple[int, str]:
    """Open the store in a forked child (as `uid` if given): its exit code and message.

    A fork, not a new interpreter: the child keeps the already imported code,
    so it needs no access to the virtualenv after dropping to `nobody`.
    """
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report through the pipe, never return into pytest
        code = 0
        try:
            os.close(reader)
            if uid is not None:
                os.setgroups([])
                os.setgid(uid)
                os.setuid(uid)
            try:
                ProgressStore(path).close()
                message = "opened"
            except StoreError as error:
                message, code = str(error), 3
            os.write(writer, message.encode())
        except BaseException as error:  # noqa: BLE001 - anything else is a failure to report
            os.write(writer, f"unexpected: {error!r}".encode())
            code = 4
        finally:
            os._exit(code)
    os.close(writer)
    with os.fdopen(reader, "rb") as pipe:
        message = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), message


@pytest.mark.parametrize("existing", [False, True], ids=["new-file", "existing-file"])
def test_a_read_only_folder_gets_a_clear_message(existing: bool) -> None:
    # A folder `nobody` can enter: pytest's tmp_path is private to the runner.
    base = Path(tempfile.mkdtemp(prefix="ce-tutor-ro-"))
    base.chmod(0o711)
    folder = base / "ro"
    folder.mkdir()
    path = folder / "progress.sqlite3"
    try:
        if existing:
            ProgressStore(path).close()  # closing the last connection removes -wal/-shm
        before = path.read_bytes() if existing else None
        folder.chmod(0o555)
        if existing:
            path.chmod(0o444)
        # root ignores permissions, so the probe drops to `nobody` (CI runs as root)
        code, message = _open_as(path, 65534 if os.geteuid() == 0 else None)
        assert code == 3, message
        assert "cannot write the progress database" in message
        assert "must be writable" in message
        if existing:
            assert path.read_bytes() == before
        else:
            assert not path.exists()
    finally:
        folder.chmod(0o755)
        shutil.rmtree(base)


def test_open_store_prefers_url_then_directory_then_environment(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("CE_TUTOR_DB", str(tmp_path / "from-env.sqlite3"))
    with open_store() as store:
        assert store.path == tmp_path / "from-env.sqlite3"
    with open_store(directory=tmp_path / "dir") as store:
        assert store.path == tmp_path / "dir" / "progress.sqlite3"
    with open_store(url=str(tmp_path / "given.sqlite3")) as store:
        assert store.path == tmp_path / "given.sqlite3"
    monkeypatch.delenv("CE_TUTOR_DB")
    with open_store() as store:
        assert store.path == Path(os.environ["CE_TUTOR_HOME"]) / "progress.sqlite3"


def test_an_unreachable_postgresql_server_gets_a_clear_message() -> None:
    pytest.importorskip("psycopg")
    # port 9 (discard) on loopback: nothing listens there
    with pytest.raises(StoreError, match=r"cannot reach the progress database .*:\*\*\*@"):
        ProgressStore("postgresql://someone:secret@127.0.0.1:9/db")
