"""The SQLite side of the store: one file, WAL mode, one write transaction per call.

Why these settings:
- WAL lets learners read (the home screen's marks) while another writes.
- `BEGIN IMMEDIATE` takes the write lock up front, so concurrent writers
  queue on `busy_timeout` instead of failing with "database is locked"
  half-way through a transaction (a deferred transaction that upgrades from
  read to write cannot wait; it fails at once).
- `synchronous = FULL`: a commit is on disk before `record_attempt` returns,
  so even a power cut loses at most the attempt in flight. An attempt is a
  human action; the fsync (a few ms) is invisible.
- The version is read before anything is written, so a newer or foreign
  file is refused without touching a byte (switching to WAL rewrites the
  header, so it comes after the check).
- Switching a new file to WAL is retried by hand: when several processes
  open a new file at once, SQLite answers the switch with "database is
  locked" at once, without waiting on busy_timeout (it avoids a deadlock
  between two connections that both hold a read lock and want to write).
"""

from __future__ import annotations

import random
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from tutor.progress.errors import StoreError
from tutor.progress.schema import OWN_TABLES, SCHEMA_VERSION, migration

BUSY_TIMEOUT_S = 60.0

T = TypeVar("T")


def is_busy(error: sqlite3.Error) -> bool:
    return getattr(error, "sqlite_errorname", "").startswith(("SQLITE_BUSY", "SQLITE_LOCKED"))


def retry_while_busy(
    attempt: Callable[[], T],
    timeout_s: float = BUSY_TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call `attempt` until it is not refused as busy, for up to `timeout_s`.

    For the statements SQLite refuses at once rather than waiting on
    busy_timeout. Pauses grow from 5 ms to 250 ms, jittered so that racing
    processes do not retry in step.
    """
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        try:
            return attempt()
        except sqlite3.Error as error:
            if not is_busy(error) or time.monotonic() + pause > deadline:
                raise
        sleep(pause * random.uniform(0.5, 1.5))
        pause = min(pause * 2, 0.25)


def _explain(path: Path, error: sqlite3.Error) -> StoreError:
    """Turn SQLite's error into a message a learner or instructor can act on."""
    name = getattr(error, "sqlite_errorname", "")
    if name in ("SQLITE_NOTADB", "SQLITE_CORRUPT") or name.startswith("SQLITE_CORRUPT"):
        return StoreError(
            f"{path} is not a usable progress database ({error}); it was left untouched — "
            "move it aside to start afresh, or restore it from a backup"
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_AUTH")):
        return StoreError(
            f"cannot write the progress database {path} ({error}): the file and its folder "
            "must be writable (SQLite keeps -wal and -shm files beside it); "
            "or point CE_TUTOR_HOME / --db elsewhere"
        )
    if name == "SQLITE_FULL":
        return StoreError(f"the disk holding {path} is full; the last answer was not saved")
    if is_busy(error):
        return StoreError(
            f"{path} stayed locked for {BUSY_TIMEOUT_S:.0f} s by another process ({error})"
        )
    return StoreError(f"progress database {path}: {error}")


class SQLiteBackend:
    """One connection to one file, shared by the app's threads under a lock."""

    dialect = "sqlite"

    def __init__(self, path: Path):
        self.path = Path(path)
        self.where = str(self.path)
        self._lock = threading.RLock()
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a folder, not a progress database")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(
                f"cannot create the folder {self.path.parent} for the progress database: "
                f"{error.strerror or error}"
            ) from None
        try:
            self._db = sqlite3.connect(
                self.path,
                timeout=BUSY_TIMEOUT_S,
                isolation_level=None,  # we issue BEGIN/COMMIT ourselves
                check_same_thread=False,  # guarded by self._lock
            )
        except sqlite3.Error as error:
            raise _explain(self.path, error) from None
        try:
            self._open()
        except sqlite3.Error as error:
            self._db.close()
            raise _explain(self.path, error) from None
        except StoreError:
            self._db.close()
            raise

    def _open(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
        version = self.schema_version()  # reading a non-database raises NOTADB here
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer ce-tutor (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade ce-tutor — the file was left untouched"
            )
        if version == 0:
            tables = {
                row[0]
                for row in db.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                    " AND name NOT LIKE 'sqlite_%'"
                )
            }
            if tables - OWN_TABLES:
                raise StoreError(
                    f"{self.path} is an SQLite database of something else (tables: "
                    f"{', '.join(sorted(tables))}); it was left untouched — "
                    "give ce-tutor its own file"
                )
        retry_while_busy(lambda: db.execute("PRAGMA journal_mode = WAL"))
        db.execute("PRAGMA synchronous = FULL")

    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        """Apply the missing migrations in one write transaction (re-checked under the lock)."""
        with self.transaction() as run:
            version = self.schema_version()
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in migration(target, self.dialect):
                    run(statement)
                # PRAGMA takes no parameters; `target` is our own int
                run(f"PRAGMA user_version = {int(target)}")

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        """BEGIN IMMEDIATE … COMMIT; rolled back on any error."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as error:
                raise _explain(self.path, error) from None
            try:
                yield self._run
            except BaseException:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise
            try:
                self._db.execute("COMMIT")
            except sqlite3.Error as error:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise _explain(self.path, error) from None

    def _run(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        try:
            return self._db.execute(sql, args).fetchall()
        except sqlite3.Error as error:
            raise _explain(self.path, error) from None

    def read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            return self._run(sql, args)

    def close(self) -> None:
        with self._lock:
            self._db.close()
