"""The PostgreSQL side of the store: several class servers, one gradebook.

The same tables and the same SQL as SQLite (our statements use `?`, turned
into psycopg's `%s` here). The schema version lives in `ce_tutor_schema`;
migrations take a transaction-level advisory lock, so two servers starting at
once do not both create the tables. A server restart or a dropped connection
is reconnected on the next call.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tutor.progress.errors import StoreError
from tutor.progress.schema import SCHEMA_VERSION, migration

_MIGRATION_LOCK = 0x63652D7475746F72  # "ce-tutor": the advisory lock key for migrations


def redact(url: str) -> str:
    """The URL without its password, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


class PostgresBackend:
    """One psycopg connection (autocommit; explicit transactions for writes)."""

    dialect = "postgresql"

    def __init__(self, url: str, connect_timeout: float = 10.0):
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                "a postgresql:// store needs the psycopg package: pip install 'psycopg[binary]'"
            ) from None
        self._psycopg = psycopg
        self.url = url
        self.where = redact(url)
        self._timeout = connect_timeout
        self._lock = threading.RLock()
        self._conn = self._connect()
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            self._conn.close()
            raise StoreError(
                f"the database at {self.where} was written by a newer ce-tutor (schema "
                f"{version}, this one knows {SCHEMA_VERSION}); upgrade ce-tutor — "
                "it was left untouched"
            )

    def _connect(self):
        try:
            return self._psycopg.connect(
                self.url, autocommit=True, connect_timeout=max(1, int(self._timeout))
            )
        except self._psycopg.Error as error:
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error)
            raise StoreError(f"cannot reach the progress database {self.where}: {first}") from None

    def _ready(self):
        if self._conn.closed or self._conn.broken:
            self._conn = self._connect()
        return self._conn

    def _error(self, error: Exception) -> StoreError:
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        return StoreError(f"progress database {self.where}: {first}")

    def schema_version(self) -> int:
        rows = self.read("SELECT to_regclass('ce_tutor_schema') IS NOT NULL")
        if not rows[0][0]:
            return 0
        rows = self.read("SELECT MAX(version) FROM ce_tutor_schema")
        return rows[0][0] or 0

    def migrate(self) -> None:
        with self.transaction() as run:
            run("SELECT pg_advisory_xact_lock(?)", (_MIGRATION_LOCK,))
            run("CREATE TABLE IF NOT EXISTS ce_tutor_schema (version INTEGER NOT NULL)")
            version = run("SELECT COALESCE(MAX(version), 0) FROM ce_tutor_schema")[0][0]
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the database at {self.where} was written by a newer ce-tutor "
                    f"(schema {version}); upgrade ce-tutor — it was left untouched"
                )
            for target in range(version + 1, SCHEMA_VERSION + 1):
                for statement in migration(target, self.dialect):
                    run(statement)
            if version < SCHEMA_VERSION:
                run("DELETE FROM ce_tutor_schema")
                run("INSERT INTO ce_tutor_schema (version) VALUES (?)", (SCHEMA_VERSION,))

    @contextmanager
    def transaction(self) -> Iterator[Any]:
        with self._lock:
            conn = self._ready()
            try:
                with conn.transaction():
                    yield self._run
            except self._psycopg.Error as error:
                raise self._error(error) from None

    def _run(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        cursor = self._conn.execute(sql.replace("?", "%s"), tuple(args))
        return cursor.fetchall() if cursor.description else []

    def read(self, sql: str, args: Sequence[Any] = ()) -> list[tuple]:
        with self._lock:
            try:
                self._ready()
                return self._run(sql, args)
            except self._psycopg.OperationalError:
                # one retry on a fresh connection: the server may have restarted
                try:
                    self._conn = self._connect()
                    return self._run(sql, args)
                except self._psycopg.Error as error:
                    raise self._error(error) from None
            except self._psycopg.Error as error:
                raise self._error(error) from None

    def close(self) -> None:
        with self._lock:
            self._conn.close()
