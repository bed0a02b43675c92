"""Every store test runs on SQLite and on PostgreSQL.

The PostgreSQL server comes from `CE_TUTOR_TEST_PG` (exported by
`.ci/services.sh`), else the URL that script creates on 127.0.0.1. Each test
gets its own schema (via `search_path` in the URL), dropped afterwards, so
tests running in parallel never see each other's rows.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlencode

import pytest

DEFAULT_PG = "postgresql://ce_tutor:ce_tutor@127.0.0.1:5432/ce_tutor_test"


def pg_base_url() -> str:
    return os.environ.get("CE_TUTOR_TEST_PG") or DEFAULT_PG


def _pg_admin():
    """A connection to the test database, or a skip saying why there is none."""
    try:
        import psycopg
    except ImportError:
        pytest.skip("psycopg is not installed (pip install 'psycopg[binary]')")
    try:
        return psycopg.connect(pg_base_url(), autocommit=True, connect_timeout=3)
    except psycopg.Error as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else "unreachable"
        pytest.skip(
            f"no PostgreSQL server reachable at {pg_base_url()} ({reason}); "
            "`.ci/services.sh` starts one and sets CE_TUTOR_TEST_PG"
        )


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A URL whose tables live in a fresh schema of the test database."""
    admin = _pg_admin()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin.execute(f"CREATE SCHEMA {schema}")
    separator = "&" if "?" in pg_base_url() else "?"
    try:
        yield pg_base_url() + separator + urlencode({"options": f"-csearch_path={schema}"})
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def location(request, tmp_path: Path) -> str:
    """Where a store lives: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        return str(tmp_path / "store" / "progress.sqlite3")
    return request.getfixturevalue("pg_url")
