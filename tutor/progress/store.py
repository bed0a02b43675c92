"""The progress store: every attempt of every learner, and where each one is.

SQLite by default (one file in the data directory), PostgreSQL for a class
spread over several servers (`--db postgresql://…` or `CE_TUTOR_DB`); both
behind `ProgressStore`, with the same schema and the same SQL. Every write is
one transaction, so a crash loses at most the attempt in flight. A file or
database from a newer ce-tutor, or one that is not ours, gets a clear
`StoreError` and is never overwritten.

    store = open_store()                       # $CE_TUTOR_DB, else $CE_TUTOR_HOME/progress.sqlite3
    store.record_attempt(Attempt("alice", "pack", "0.1", "lesson", "ex", "2", "correct", 1.0))
    store.exercise_states("alice", "pack")     # {("lesson", "ex"): ExerciseState(1, True, 1.0)}
"""

from __future__ import annotations

import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tutor.progress.errors import StoreError
from tutor.progress.schema import SCHEMA_VERSION

DB_VARIABLE = "CE_TUTOR_DB"
# Rows that are not graded attempts: an answer the reader could not parse, and the
# app's records that a solution was shown and that a hint was revealed (score 0; a hint
# row carries the number of hints seen so far, so a restart cannot hide them).
SOLUTION_STATUS = "solution"
HINT_STATUS = "hint"
NOT_ATTEMPTS = frozenset({"unreadable", SOLUTION_STATUS, HINT_STATUS})
FILE_NAME = "progress.sqlite3"

__all__ = [
    "DB_VARIABLE",
    "SCHEMA_VERSION",
    "Attempt",
    "ExerciseState",
    "Position",
    "ProgressStore",
    "StoreError",
    "open_store",
]


@dataclass(frozen=True)
class Attempt:
    """One graded answer, with what is needed to grade it again.

    `answer` is the learner's text (a choice index, number, formula) or their
    code; `seed` is the variant seed of their parameters, so a re-grade sees
    the same numbers they saw.
    """

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
    seed: int | None = None


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


class _Backend(Protocol):
    dialect: str
    where: str

    def schema_version(self) -> int: ...
    def migrate(self) -> None: ...
    def transaction(self): ...
    def read(self, sql: str, args=()) -> list[tuple]: ...
    def close(self) -> None: ...


_ATTEMPT_COLUMNS = (
    "learner, pack_id, pack_version, lesson_id, exercise_id, answer, status, score,"
    " mistake, hints_used, solution_shown, created_at, seed"
)


_POSITION_COLUMNS = "learner, pack_id, lesson_id, step, updated_at"
# what `fold_rows` moves besides attempts, one row per learner and key: (table, key, value)
_FOLDED = (("positions", "lesson_id", "step"), ("drafts", "lesson_id, exercise_id", "text"))


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def is_database_url(location: str) -> bool:
    return location.startswith(("postgresql://", "postgres://"))


class ProgressStore:
    """Attempts and positions of every learner, in SQLite or PostgreSQL.

    `location` is a file path or a `postgresql://` URL. Safe to share between
    the app's threads; each process opens its own store.
    """

    def __init__(self, location: Path | str):
        text = str(location)
        if is_database_url(text):
            from tutor.progress.postgres_backend import PostgresBackend

            self._backend: _Backend = PostgresBackend(text)
            self.path: Path | None = None
        else:
            from tutor.progress.sqlite_backend import SQLiteBackend

            self.path = Path(
                text.removeprefix("sqlite:///") if text.startswith("sqlite:///") else text
            )
            self._backend = SQLiteBackend(self.path)
        self.where = self._backend.where
        try:
            if self._backend.schema_version() < SCHEMA_VERSION:
                self._backend.migrate()
        except BaseException:
            self._backend.close()
            raise

    @property
    def dialect(self) -> str:
        return self._backend.dialect

    def schema_version(self) -> int:
        return self._backend.schema_version()

    # ------------------------------------------------------------ writes

    def record_attempt(self, attempt: Attempt) -> None:
        """Store one attempt; when this returns it is committed (durable)."""
        with self._backend.transaction() as run:
            run(
                f"INSERT INTO attempts ({_ATTEMPT_COLUMNS})"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    attempt.learner,
                    attempt.pack_id,
                    attempt.pack_version,
                    attempt.lesson_id,
                    attempt.exercise_id,
                    attempt.answer,
                    attempt.status,
                    float(attempt.score),
                    attempt.mistake,
                    int(attempt.hints_used),
                    int(bool(attempt.solution_shown)),
                    attempt.created_at or time.time(),
                    attempt.seed,
                ),
            )

    def save_position(self, learner: str, pack_id: str, lesson_id: str, step: int) -> None:
        now, args = self._now()
        with self._backend.transaction() as run:
            run(
                "INSERT INTO positions (learner, pack_id, lesson_id, step, updated_at)"
                f" VALUES (?, ?, ?, ?, {now}) ON CONFLICT (learner, pack_id, lesson_id)"
                " DO UPDATE SET step = excluded.step, updated_at = excluded.updated_at",
                (learner, pack_id, lesson_id, int(step), *args),
            )

    def fold_rows(
        self,
        into: str,
        ids: Sequence[str] = (),
        answers: Mapping[tuple[str, str, str], str] | None = None,
    ) -> int:
        """Rows recorded under `ids` recorded under `into` instead, answers rewritten; one transaction.

        `answers` maps (lesson, exercise, answer as recorded) to the answer to
        keep instead, under `into` and `ids` alike. Where a learner has a place
        in a lesson (or a draft of an exercise) under both ids the later one is
        kept. Returns the rows changed.
        """
        changed: set[tuple] = set()
        packs = [into, *ids]
        with self._backend.transaction() as run:
            for (lesson_id, exercise_id, old), new in (answers or {}).items():
                changed.update(
                    run(
                        f"UPDATE attempts SET answer = ? WHERE pack_id IN ({_marks(len(packs))})"
                        " AND lesson_id = ? AND exercise_id = ? AND answer = ? RETURNING id",
                        (new, *packs, lesson_id, exercise_id, old),
                    )
                )
            for old_id in ids:
                changed.update(
                    run(
                        "UPDATE attempts SET pack_id = ? WHERE pack_id = ? RETURNING id",
                        (into, old_id),
                    )  # fmt: skip
                )
                for table, key, value in _FOLDED:
                    run(
                        f"INSERT INTO {table} (learner, pack_id, {key}, {value}, updated_at)"
                        f" SELECT learner, ?, {key}, {value}, updated_at FROM {table}"
                        f" WHERE pack_id = ? ON CONFLICT (learner, pack_id, {key}) DO UPDATE"
                        f" SET {value} = excluded.{value}, updated_at = excluded.updated_at"
                        f" WHERE excluded.updated_at > {table}.updated_at",
                        (into, old_id),
                    )
                    changed.update(
                        run(
                            f"DELETE FROM {table} WHERE pack_id = ? RETURNING '{table}', learner,"
                            f" {key}",
                            (old_id,),
                        )  # fmt: skip
                    )
        return len(changed)

    def save_draft(
        self, learner: str, pack_id: str, lesson_id: str, exercise_id: str, text: str
    ) -> None:
        """Keep an unsubmitted answer (a class's service does, for its learners); "" drops it."""
        key = (learner, pack_id, lesson_id, exercise_id)
        with self._backend.transaction() as run:
            if not text:
                run(
                    "DELETE FROM drafts WHERE learner = ? AND pack_id = ? AND lesson_id = ?"
                    " AND exercise_id = ?",
                    key,
                )
                return
            now, args = self._now()
            run(
                "INSERT INTO drafts (learner, pack_id, lesson_id, exercise_id, text, updated_at)"
                f" VALUES (?, ?, ?, ?, ?, {now})"
                " ON CONFLICT (learner, pack_id, lesson_id, exercise_id)"
                " DO UPDATE SET text = excluded.text, updated_at = excluded.updated_at",
                (*key, text, *args),
            )

    def _now(self) -> tuple[str, tuple]:
        """SQL for "now", and its argument: the database's clock on PostgreSQL.

        Several class servers share one PostgreSQL and their clocks may
        disagree: the database's clock says which place is the last (SQLite:
        one machine, one clock).
        """
        if self.dialect == "postgresql":
            return "EXTRACT(EPOCH FROM clock_timestamp())", ()
        return "?", (time.time(),)

    # ------------------------------------------------------------ reads

    def position(self, learner: str, pack_id: str, lesson_id: str) -> int:
        rows = self._backend.read(
            "SELECT step FROM positions WHERE learner = ? AND pack_id = ? AND lesson_id = ?",
            (learner, pack_id, lesson_id),
        )
        return rows[0][0] if rows else 0

    def last_position(self, learner: str, pack_id: str) -> Position | None:
        """Where the learner was most recently: "continue where you left off"."""
        rows = self._backend.read(
            "SELECT lesson_id, step FROM positions WHERE learner = ? AND pack_id = ?"
            " ORDER BY updated_at DESC LIMIT 1",
            (learner, pack_id),
        )
        return Position(*rows[0]) if rows else None

    def exercise_states(self, learner: str, pack_id: str) -> dict[tuple[str, str], ExerciseState]:
        """(lesson_id, exercise_id) -> attempts, solved, best score (NOT_ATTEMPTS rows skipped)."""
        rows = self._backend.read(
            "SELECT lesson_id, exercise_id, COUNT(*),"
            " MAX(CASE WHEN status = 'correct' THEN 1 ELSE 0 END), MAX(score) FROM attempts"
            " WHERE learner = ? AND pack_id = ?"
            f" AND status NOT IN ({', '.join('?' * len(NOT_ATTEMPTS))})"
            " GROUP BY lesson_id, exercise_id",
            (learner, pack_id, *sorted(NOT_ATTEMPTS)),
        )
        return {
            (lesson, exercise): ExerciseState(count, bool(solved), best or 0.0)
            for lesson, exercise, count, solved, best in rows
        }

    def attempts(self, learner: str | None = None, pack_id: str | None = None) -> list[Attempt]:
        """Every attempt, oldest first, optionally for one learner and/or pack."""
        query = f"SELECT {_ATTEMPT_COLUMNS} FROM attempts WHERE 1 = 1"
        args: list[str] = []
        if learner is not None:
            query += " AND learner = ?"
            args.append(learner)
        if pack_id is not None:
            query += " AND pack_id = ?"
            args.append(pack_id)
        rows = self._backend.read(query + " ORDER BY id", args)
        return [
            Attempt(
                *row[:10],
                solution_shown=bool(row[10]),
                created_at=row[11],
                seed=row[12],
            )
            for row in rows
        ]

    def learners(self, pack_id: str | None = None) -> list[str]:
        """Everyone with an attempt or a position (in this pack), sorted."""
        where = " WHERE pack_id = ?" if pack_id is not None else ""
        args = (pack_id, pack_id) if pack_id is not None else ()
        rows = self._backend.read(
            f"SELECT learner FROM attempts{where} UNION SELECT learner FROM positions{where}",
            args,
        )
        return sorted(row[0] for row in rows)

    def answers_to(
        self, pack_ids: Sequence[str], exercise_ids: Sequence[str]
    ) -> list[tuple[str, str, str]]:
        """Each distinct (lesson_id, exercise_id, answer) graded (not unreadable) under these
        packs' ids for these exercise ids."""
        if not pack_ids or not exercise_ids:
            return []
        return [
            tuple(row)
            for row in self._backend.read(
                "SELECT DISTINCT lesson_id, exercise_id, answer FROM attempts"
                f" WHERE pack_id IN ({_marks(len(pack_ids))})"
                f" AND exercise_id IN ({_marks(len(exercise_ids))})"
                f" AND status NOT IN ({_marks(len(NOT_ATTEMPTS))})",
                (*pack_ids, *exercise_ids, *sorted(NOT_ATTEMPTS)),
            )
        ]

    def pack_ids(self) -> set[str]:
        """Every pack id the store holds a row under."""
        rows = self._backend.read(
            "SELECT DISTINCT pack_id FROM attempts UNION SELECT DISTINCT pack_id FROM positions"
            " UNION SELECT DISTINCT pack_id FROM drafts"
        )
        return {row[0] for row in rows}

    def drafts(self, learner: str, pack_id: str) -> dict[tuple[str, str], str]:
        """(lesson_id, exercise_id) -> the learner's unsubmitted answer there."""
        rows = self._backend.read(
            "SELECT lesson_id, exercise_id, text FROM drafts WHERE learner = ? AND pack_id = ?",
            (learner, pack_id),
        )
        return {(lesson, exercise): text for lesson, exercise, text in rows}

    def positions(self, pack_id: str) -> dict[tuple[str, str], int]:
        """(learner, lesson_id) -> step, for every learner in a pack."""
        rows = self._backend.read(
            "SELECT learner, lesson_id, step FROM positions WHERE pack_id = ?", (pack_id,)
        )
        return {(learner, lesson): step for learner, lesson, step in rows}

    # ------------------------------------------------------------ the admin's

    def snapshot(self) -> tuple[list[tuple], list[tuple]]:
        """Every attempt and position row, read as of one moment (one transaction)."""
        with self._backend.transaction() as run:
            if self.dialect == "postgresql":
                run("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            attempts = run(f"SELECT {_ATTEMPT_COLUMNS} FROM attempts ORDER BY id")
            positions = run(f"SELECT {_POSITION_COLUMNS} FROM positions")
        return attempts, positions

    def backup_to(self, destination: Path) -> tuple[int, int]:
        """A consistent copy in a new SQLite store (whichever backend this is); (attempts, positions).

        One format for both backends, readable by every ce-tutor command
        (`--db copy.sqlite3 progress`) and by `restore_from`.
        """
        if destination.exists():
            raise StoreError(f"{destination} exists; a backup never overwrites a file")
        attempts, positions = self.snapshot()
        with ProgressStore(destination) as copy:
            copy._insert(attempts, positions)
        return len(attempts), len(positions)

    def restore_from(self, source: Path) -> tuple[int, int]:
        """Replace every row with a backup's, in one transaction; (attempts, positions)."""
        if not source.is_file():
            raise StoreError(f"no backup at {source}")
        with ProgressStore(source) as backup:
            attempts, positions = backup.snapshot()
        with self._backend.transaction() as run:
            run("DELETE FROM attempts")
            run("DELETE FROM positions")
            self._insert(attempts, positions, run)
        return len(attempts), len(positions)

    def forget(
        self, learner: str, lesson_id: str | None = None, exercise_id: str | None = None
    ) -> int:
        """Delete a learner's rows (one exercise's, one lesson's, or all); the number deleted.

        An exercise reset keeps the learner's place; a lesson or learner reset
        also forgets where they were in it.
        """
        where, args = " WHERE learner = ?", [learner]
        if lesson_id is not None:
            where += " AND lesson_id = ?"
            args.append(lesson_id)
        with self._backend.transaction() as run:
            if exercise_id is not None:
                # a reset exercise starts empty: its draft goes too (not counted: not a grade)
                run(f"DELETE FROM drafts{where} AND exercise_id = ?", (*args, exercise_id))
                rows = run(f"DELETE FROM attempts{where} AND exercise_id = ? RETURNING 1",
                           (*args, exercise_id))  # fmt: skip
                return len(rows)
            run(f"DELETE FROM drafts{where}", args)
            rows = run(f"DELETE FROM attempts{where} RETURNING 1", args)
            rows += run(f"DELETE FROM positions{where} RETURNING 1", args)
        return len(rows)

    def _insert(self, attempts: list[tuple], positions: list[tuple], run=None) -> None:
        def write(run) -> None:
            for row in attempts:
                run(f"INSERT INTO attempts ({_ATTEMPT_COLUMNS}) VALUES ({_marks(13)})", row)
            for row in positions:
                run(f"INSERT INTO positions ({_POSITION_COLUMNS}) VALUES ({_marks(5)})", row)

        if run is not None:
            write(run)
            return
        with self._backend.transaction() as run:
            write(run)

    def close(self) -> None:
        self._backend.close()

    def __enter__(self) -> ProgressStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def store_location(directory: Path | None = None, url: str | None = None) -> Path | str:
    """Where the store lives: `url`, else `directory`, else `$CE_TUTOR_DB`, else the data dir."""
    from tutor.progress.identity import data_dir

    chosen = url or (None if directory is not None else os.environ.get(DB_VARIABLE))
    if chosen:
        return chosen if is_database_url(chosen) else Path(chosen).expanduser()
    return (directory or data_dir()) / FILE_NAME


def open_store(directory: Path | None = None, url: str | None = None) -> ProgressStore:
    """The store for this run: `--db URL`, `$CE_TUTOR_DB`, or the data directory's file.

    `url` is a `postgresql://` URL or a path to a SQLite file; a `directory`
    given explicitly wins over the environment (the tests use it).
    """
    return ProgressStore(store_location(directory, url))
