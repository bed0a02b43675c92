"""The progress store: SQLite in WAL mode, one file in the data directory.

Every write is one transaction, so a crash loses at most the attempt in
flight. A file from a newer ce-tutor, or one that is not a database, gets a
clear `StoreError` and is never overwritten.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA_VERSION = 1

_MIGRATIONS: dict[int, str] = {
    1: """
    CREATE TABLE attempts (
        id INTEGER PRIMARY KEY,
        learner TEXT NOT NULL,
        pack_id TEXT NOT NULL,
        pack_version TEXT NOT NULL,
        lesson_id TEXT NOT NULL,
        exercise_id TEXT NOT NULL,
        answer TEXT NOT NULL,
        status TEXT NOT NULL,
        score REAL NOT NULL,
        mistake TEXT,
        hints_used INTEGER NOT NULL DEFAULT 0,
        solution_shown INTEGER NOT NULL DEFAULT 0,
        created_at REAL NOT NULL
    );
    CREATE INDEX attempts_by_learner ON attempts (learner, pack_id, lesson_id, exercise_id);
    CREATE TABLE positions (
        learner TEXT NOT NULL,
        pack_id TEXT NOT NULL,
        lesson_id TEXT NOT NULL,
        step INTEGER NOT NULL,
        updated_at REAL NOT NULL,
        PRIMARY KEY (learner, pack_id, lesson_id)
    );
    """,
}


class StoreError(Exception):
    """The progress file cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class Attempt:
    learner: str
    pack_id: str
    pack_version: str
    lesson_id: str
    exercise_id: str
    answer: str
    status: str
    score: float
    mistake: str | None = None
    hints_used: int = 0
    solution_shown: bool = False
    created_at: float = 0.0


@dataclass(frozen=True)
class Position:
    lesson_id: str
    step: int


@dataclass(frozen=True)
class ExerciseState:
    """What a learner has done on one exercise so far."""

    attempts: int
    solved: bool
    best_score: float


class ProgressStore:
    """Attempts and positions of every learner in one SQLite file."""

    def __init__(self, path: Path):
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{path} is not a usable progress database ({error}); "
                "it was left untouched — move it aside to start afresh"
            ) from None
        except OSError as error:
            raise StoreError(f"cannot open {path}: {error.strerror or error}") from None

    def _migrate(self) -> None:
        version = self._db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer ce-tutor (schema {version}, this one "
                f"knows {SCHEMA_VERSION}); upgrade ce-tutor — the file was left untouched"
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            with self._transaction():
                # executescript() would commit on its own; run statement by statement
                for statement in _MIGRATIONS[target].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute(f"PRAGMA user_version = {target}")

    def _transaction(self):
        return _Transaction(self._db)

    def record_attempt(self, attempt: Attempt) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO attempts (learner, pack_id, pack_version, lesson_id, exercise_id,"
                " answer, status, score, mistake, hints_used, solution_shown, created_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.learner,
                    attempt.pack_id,
                    attempt.pack_version,
                    attempt.lesson_id,
                    attempt.exercise_id,
                    attempt.answer,
                    attempt.status,
                    attempt.score,
                    attempt.mistake,
                    attempt.hints_used,
                    int(attempt.solution_shown),
                    attempt.created_at or time.time(),
                ),
            )

    def save_position(self, learner: str, pack_id: str, lesson_id: str, step: int) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO positions (learner, pack_id, lesson_id, step, updated_at)"
                " VALUES (?, ?, ?, ?, ?) ON CONFLICT (learner, pack_id, lesson_id)"
                " DO UPDATE SET step = excluded.step, updated_at = excluded.updated_at",
                (learner, pack_id, lesson_id, step, time.time()),
            )

    def position(self, learner: str, pack_id: str, lesson_id: str) -> int:
        row = self._db.execute(
            "SELECT step FROM positions WHERE learner = ? AND pack_id = ? AND lesson_id = ?",
            (learner, pack_id, lesson_id),
        ).fetchone()
        return row[0] if row else 0

    def last_position(self, learner: str, pack_id: str) -> Position | None:
        """Where the learner was most recently: "continue where you left off"."""
        row = self._db.execute(
            "SELECT lesson_id, step FROM positions WHERE learner = ? AND pack_id = ?"
            " ORDER BY updated_at DESC LIMIT 1",
            (learner, pack_id),
        ).fetchone()
        return Position(*row) if row else None

    def exercise_states(self, learner: str, pack_id: str) -> dict[tuple[str, str], ExerciseState]:
        """(lesson_id, exercise_id) -> attempts, solved, best score."""
        rows = self._db.execute(
            "SELECT lesson_id, exercise_id, COUNT(*),"
            " MAX(status = 'correct'), MAX(score) FROM attempts"
            " WHERE learner = ? AND pack_id = ? AND status != 'unreadable'"
            " GROUP BY lesson_id, exercise_id",
            (learner, pack_id),
        ).fetchall()
        return {
            (lesson, exercise): ExerciseState(count, bool(solved), best or 0.0)
            for lesson, exercise, count, solved, best in rows
        }

    def attempts(self, learner: str | None = None, pack_id: str | None = None) -> list[Attempt]:
        query = "SELECT * FROM attempts WHERE 1 = 1"
        args: list[str] = []
        if learner is not None:
            query += " AND learner = ?"
            args.append(learner)
        if pack_id is not None:
            query += " AND pack_id = ?"
            args.append(pack_id)
        rows = self._db.execute(query + " ORDER BY id", args).fetchall()
        return [
            Attempt(*row[1:11], solution_shown=bool(row[11]), created_at=row[12]) for row in rows
        ]

    def close(self) -> None:
        self._db.close()


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, rolled back on error.

    IMMEDIATE takes the write lock up front, so concurrent writers wait on
    busy_timeout instead of failing with "database is locked" mid-way.
    """

    def __init__(self, db: sqlite3.Connection):
        self._db = db

    def __enter__(self):
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind, value, traceback):
        self._db.execute("COMMIT" if kind is None else "ROLLBACK")
        return False


def open_store(directory: Path | None = None) -> ProgressStore:
    """The store in the data directory (`CE_TUTOR_HOME` or the platform's)."""
    from tutor.progress.identity import data_dir

    return ProgressStore((directory or data_dir()) / "progress.sqlite3")
