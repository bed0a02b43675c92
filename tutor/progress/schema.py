"""The progress schema, as numbered migrations shared by SQLite and PostgreSQL.

A file or database remembers the last migration applied (SQLite: `PRAGMA
user_version`; PostgreSQL: the `ce_tutor_schema` table). Opening runs the
missing ones in order, inside one write transaction, so two processes that
open a fresh store at the same moment do not both create it. Migrations are
append-only: never edit one that has shipped, add the next number.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

# Column types that differ between the two databases; written as {name} below.
_TYPES = {
    "sqlite": {"pk": "INTEGER PRIMARY KEY", "float": "REAL", "bigint": "INTEGER"},
    "postgresql": {"pk": "BIGSERIAL PRIMARY KEY", "float": "DOUBLE PRECISION", "bigint": "BIGINT"},
}

_MIGRATIONS: dict[int, list[str]] = {
    1: [
        """CREATE TABLE attempts (
            id {pk},
            learner TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            pack_version TEXT NOT NULL,
            lesson_id TEXT NOT NULL,
            exercise_id TEXT NOT NULL,
            answer TEXT NOT NULL,
            status TEXT NOT NULL,
            score {float} NOT NULL,
            mistake TEXT,
            hints_used INTEGER NOT NULL DEFAULT 0,
            solution_shown INTEGER NOT NULL DEFAULT 0,
            created_at {float} NOT NULL
        )""",
        "CREATE INDEX attempts_by_learner ON attempts (learner, pack_id, lesson_id, exercise_id)",
        """CREATE TABLE positions (
            learner TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            lesson_id TEXT NOT NULL,
            step INTEGER NOT NULL,
            updated_at {float} NOT NULL,
            PRIMARY KEY (learner, pack_id, lesson_id)
        )""",
    ],
    # The variant seed: with it any attempt can be re-graded on the learner's own numbers.
    2: ["ALTER TABLE attempts ADD COLUMN seed {bigint}"],
    # A class keeps each learner's unsubmitted answers (drafts), so a dropped connection, or
    # a learner who lands on another class server, finds them again. Not grades.
    3: [
        """CREATE TABLE drafts (
            learner TEXT NOT NULL,
            pack_id TEXT NOT NULL,
            lesson_id TEXT NOT NULL,
            exercise_id TEXT NOT NULL,
            text TEXT NOT NULL,
            updated_at {float} NOT NULL,
            PRIMARY KEY (learner, pack_id, lesson_id, exercise_id)
        )"""
    ],
}

# Tables this schema owns: a SQLite file at version 0 with other tables is someone else's.
OWN_TABLES = frozenset({"attempts", "positions", "drafts"})


def migration(version: int, dialect: str) -> list[str]:
    """The statements that bring a store from `version - 1` to `version`."""
    return [statement.format(**_TYPES[dialect]) for statement in _MIGRATIONS[version]]
