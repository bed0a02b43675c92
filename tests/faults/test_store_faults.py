"""The progress store under faults: disk full, a lock held, a file cut short.

Each fault ends in one clear StoreError (never a traceback from sqlite3), and
every answer committed before the fault is still there afterwards. (A
read-only folder and a file of garbage are in tests/progress/test_store.py.)
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

from tutor.progress import sqlite_backend
from tutor.progress.store import Attempt, StoreError, open_store


def attempt(i: int, answer: str = "0.69") -> Attempt:
    return Attempt("ada", "pack", "1.0", "lesson", f"ex-{i}", answer, "correct", 1.0)


def _answers(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        return [row[0] for row in db.execute("SELECT exercise_id FROM attempts ORDER BY id")]


DISK_FULL = textwrap.dedent(
    """
    import json, os, resource, signal, sys
    from pathlib import Path
    from tutor.progress.store import Attempt, StoreError, open_store

    path = Path(sys.argv[1])
    saved = []
    store = open_store(url=str(path))
    for i in range(3):
        store.record_attempt(Attempt("ada", "pack", "1.0", "lesson", f"ex-{i}", "x", "correct", 1.0))
        saved.append(f"ex-{i}")
    # the disk fills up: no file of ours may grow past what is there now (+ a little)
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # EFBIG instead of being killed
    size = max(p.stat().st_size for p in path.parent.iterdir())
    resource.setrlimit(resource.RLIMIT_FSIZE, (size + 8192, size + 8192))
    message = None
    for i in range(3, 200):
        try:
            store.record_attempt(
                Attempt("ada", "pack", "1.0", "lesson", f"ex-{i}", "x" * 20000, "correct", 1.0)
            )
            saved.append(f"ex-{i}")
        except StoreError as error:
            message = str(error)
            break
    print(json.dumps({"saved": saved, "message": message}))
    """
)


def test_a_full_disk_is_one_clear_message_and_every_saved_answer_survives(tmp_path) -> None:
    import json

    path = tmp_path / "progress.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", DISK_FULL, str(path)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["message"], "the limit never bit: the simulation did not fill the disk"
    assert str(path) in report["message"]
    assert "full" in report["message"] or "disk" in report["message"].lower()
    # what the store said it saved is there, and the file is sound
    assert _answers(path)[: len(report["saved"])] == report["saved"]
    assert set(_answers(path)) == set(report["saved"])
    # and once there is room again, the store works
    with open_store(url=str(path)) as store:
        store.record_attempt(attempt(999))
    assert _answers(path)[-1] == "ex-999"


def test_a_write_waits_for_a_lock_held_briefly_and_loses_nothing(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    with open_store(url=str(path)) as store:
        store.record_attempt(attempt(0))
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN EXCLUSIVE")
    release = threading.Timer(0.5, lambda: holder.execute("COMMIT"))
    release.start()
    start = time.perf_counter()
    try:
        with open_store(url=str(path)) as store:
            store.record_attempt(attempt(1))
    finally:
        release.join()
        holder.close()
    assert time.perf_counter() - start >= 0.4  # it waited for the lock, and did not fail
    assert _answers(path) == ["ex-0", "ex-1"]


def test_a_lock_held_too_long_is_a_clear_message_not_a_lost_file(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(sqlite_backend, "BUSY_TIMEOUT_S", 0.3)
    path = tmp_path / "progress.sqlite3"
    with open_store(url=str(path)) as store:
        store.record_attempt(attempt(0))
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as caught, open_store(url=str(path)) as store:
            store.record_attempt(attempt(1))
    finally:
        holder.execute("COMMIT")
        holder.close()
    message = str(caught.value)
    assert "locked" in message and str(path) in message
    assert "\n" not in message
    assert _answers(path) == ["ex-0"]


def test_a_store_cut_short_is_refused_and_left_as_it_was(tmp_path) -> None:
    path = tmp_path / "progress.sqlite3"
    with open_store(url=str(path)) as store:
        for i in range(50):
            store.record_attempt(attempt(i, "x" * 500))
    with sqlite3.connect(path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    whole = path.read_bytes()
    cut = whole[: len(whole) // 2] + b"\x00" * 37
    path.write_bytes(cut)
    for suffix in ("-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    try:
        with open_store(url=str(path)) as store:
            store.attempts()
            store.record_attempt(attempt(99))
    except StoreError as error:
        assert str(path) in str(error) and "\n" not in str(error)
    else:
        pytest.fail("a store cut in half was used as if whole")
    assert path.read_bytes() == cut  # never overwritten: the instructor can still rescue it
