"""A class on two servers, one gradebook in PostgreSQL, reached over TLS (verify-full).

As the README's "Several servers, one gradebook" sets it up: two `ce-tutor
serve` processes (two class servers) on two sockets, each logging in as a
role of its own that PostgreSQL accepts over `hostssl` only, both roles
members of the class's role, which owns the tables. One learner answers on
server 1, keeps their place, lands on server 2 mid-lesson and resumes there,
then comes back; the gradebook has every attempt once, in order, under the
one learner. A service whose database certificate does not check out refuses
to start, in one line.

`.ci/services.sh` makes the CA, turns on TLS and the roles, and exports
CE_TUTOR_TEST_PG_TLS / CE_TUTOR_TEST_PG_TLS2 (the two servers' URLs). The
kernel names the learner (SO_PEERCRED): this test's uid, on both servers.
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from tests.classroom.conftest import PACK_DIR
from tests.progress.conftest import _pg_admin, pg_base_url
from tutor.app.class_progress import open_class
from tutor.grading.service import READY
from tutor.progress.store import Position, ProgressStore

ME = pwd.getpwuid(os.getuid()).pw_name
TLS_ENVS = ("CE_TUTOR_TEST_PG_TLS", "CE_TUTOR_TEST_PG_TLS2")
CLASS_ROLE = "ce_tutor_class"  # the servers' roles are its members (.ci/services.sh)
LESSON = "every-block"
START_S = 300  # two services loading torch side by side on a busy 2-core machine


def _tls_urls() -> tuple[str, str]:
    urls = tuple(os.environ.get(name) for name in TLS_ENVS)
    if not all(urls):
        pytest.skip(
            "no PostgreSQL over TLS: `.ci/services.sh` sets it up and exports "
            + " and ".join(TLS_ENVS)
        )
    return urls  # type: ignore[return-value]


def _with(url: str, **query: str) -> str:
    """`url` with these query parameters set (others kept)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode({**dict(parse_qsl(parts.query)), **query})))


def _tutor(*args: str) -> list[str]:
    return [sys.executable, "-m", "tutor", *args]


@pytest.fixture
def class_db() -> Iterator[tuple[str, str, str]]:
    """The two servers' URLs (TLS) and the admin's, all with tables in a fresh schema."""
    urls = _tls_urls()
    admin = _pg_admin()
    schema = f"t_{uuid.uuid4().hex[:16]}"
    admin.execute(f"CREATE SCHEMA {schema} AUTHORIZATION {CLASS_ROLE}")
    options = {"options": f"-csearch_path={schema}"}
    try:
        yield (*(_with(url, **options) for url in urls), _with(pg_base_url(), **options))
    finally:
        admin.execute(f"DROP SCHEMA {schema} CASCADE")
        admin.close()


class Server:
    """One class server: `ce-tutor serve` with CE_TUTOR_DB in its environment, never argv."""

    def __init__(self, base: Path, url: str) -> None:
        base.mkdir()
        self.url = url
        self.socket = base / "grading.sock"
        self.log = base / "serve.log"
        env = {**os.environ, "CE_TUTOR_DB": url, "CE_TUTOR_HOME": str(base / "home")}
        args = ["serve", "--socket", str(self.socket), "--pack", str(PACK_DIR), "--sandboxes", "1"]
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                _tutor(*args), env=env, stdin=subprocess.DEVNULL, stdout=log, stderr=log
            )
        assert "ce_tutor" not in " ".join(args)  # the password is not on the command line

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, deadline: float) -> None:
        while READY not in self.text():
            assert self.process.poll() is None, f"the service ended:\n{self.text()}"
            assert time.monotonic() < deadline, f"not ready after {START_S} s:\n{self.text()}"
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture
def two_servers(tmp_path, class_db) -> Iterator[tuple[Server, Server, str]]:
    """Both started at once (their first connections race to create the tables)."""
    one, two, admin = class_db
    servers = (Server(tmp_path / "server1", one), Server(tmp_path / "server2", two))
    try:
        deadline = time.monotonic() + START_S
        for server in servers:
            server.wait_ready(deadline)
        yield (*servers, admin)
    finally:
        for server in servers:
            server.stop()
    for server in servers:
        text = server.text()
        assert "Traceback" not in text, text
        assert "grading service stopped" in text, text


def _answer(joined, exercise: str, text: str) -> dict:
    reply = joined.client.answer(PACK_DIR, LESSON, exercise, text)
    return reply["verdict"]


def test_a_learner_moves_between_two_servers_and_the_gradebook_stays_one(two_servers) -> None:
    server1, server2, admin = two_servers
    for role, server in (("ce_tutor_server1", server1), ("ce_tutor_server2", server2)):
        said = f"recording the class's progress in postgresql://{role}:***@"  # each its own role
        assert said in server.text() and "sslmode=verify-full" in server.text()

    # server 1: two answers to the choice, a hint and a wrong number; a place kept
    here = open_class(server1.socket, str(PACK_DIR))
    assert here.learner == ME and here.progress.last_position(ME, here.pack.id) is None
    assert _answer(here, "pick", "class probabilities")["status"] == "incorrect"
    assert _answer(here, "pick", "class indices")["status"] == "correct"
    here.progress.record_attempt(_hint(here, "half-surprise"))
    assert _answer(here, "half-surprise", "0.5")["status"] == "incorrect"
    here.progress.save_position(ME, here.pack.id, LESSON, 3)
    here.progress.save_draft(ME, here.pack.id, LESSON, "ce-formula", "-sum(p*log(")  # typing
    here.client.close()  # the connection drops mid-formula

    # server 2, mid-lesson: the same learner, the same place, rows and hint
    there = open_class(server2.socket, str(PACK_DIR))
    assert there.learner == ME
    assert there.progress.last_position(ME, there.pack.id) == Position(LESSON, 3)
    states = there.progress.exercise_states(ME, there.pack.id)
    assert states[(LESSON, "pick")].solved and states[(LESSON, "pick")].attempts == 2
    assert states[(LESSON, "half-surprise")].attempts == 1
    assert not states[(LESSON, "half-surprise")].solved
    hinted = there.pack.lesson(LESSON).exercise("half-surprise")
    assert hinted.hints[0] == "It is -log(0.5)."  # the hint seen on server 1 stays seen
    assert there.progress.drafts(ME, there.pack.id) == {(LESSON, "ce-formula"): "-sum(p*log("}
    assert _answer(there, "half-surprise", "0.6931")["status"] == "correct"
    swapped = _answer(there, "ce-formula", "-sum(q*log(p))")
    assert (swapped["status"], swapped["mistake"]) == ("incorrect", "swapped-arguments")
    there.progress.save_draft(ME, there.pack.id, LESSON, "ce-formula", "")  # as a submit does
    there.progress.save_position(ME, there.pack.id, LESSON, 4)
    there.client.close()

    # and back to server 1, which must not answer from what it knew before
    back = open_class(server1.socket, str(PACK_DIR))
    assert back.progress.last_position(ME, back.pack.id) == Position(LESSON, 4)
    assert back.progress.exercise_states(ME, back.pack.id)[(LESSON, "half-surprise")].solved
    assert _answer(back, "ce-formula", "-sum(p*log(q))")["status"] == "correct"
    back.client.close()

    # the gradebook: every attempt once, in order, under the one learner
    done = [
        ("pick", "incorrect"),
        ("pick", "correct"),
        ("half-surprise", "hint"),
        ("half-surprise", "incorrect"),
        ("half-surprise", "correct"),
        ("ce-formula", "incorrect"),
        ("ce-formula", "correct"),
    ]
    with ProgressStore(admin) as store:
        rows = store.attempts()
        assert [(a.exercise_id, a.status) for a in rows] == done
        assert {a.learner for a in rows} == {ME}
        assert [a.created_at for a in rows] == sorted(a.created_at for a in rows)
        assert store.positions(back.pack.id) == {(ME, LESSON): 4}
        assert store.drafts(ME, back.pack.id) == {}
    exported = subprocess.run(
        _tutor("export", "--format", "json", "--pack", str(PACK_DIR)),
        env={**os.environ, "CE_TUTOR_DB": server1.url},  # as the instructor, over TLS too
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert exported.returncode == 0, exported.stderr
    book = {row["exercise_id"]: row for row in json.loads(exported.stdout)}
    assert {row["learner"] for row in book.values()} == {ME}
    assert (book["pick"]["attempts"], book["pick"]["solved"]) == (2, True)
    assert (book["half-surprise"]["attempts"], book["half-surprise"]["hints_used"]) == (2, 1)
    assert book["half-surprise"]["solved"]
    assert book["ce-formula"]["attempts"] == 2 and book["ce-formula"]["solved"]
    assert book["ce-formula"]["mistakes"] == {"swapped-arguments": 1}


def _hint(joined, exercise: str):
    """The hint request the app makes (`ClassProgress.record_attempt` with a hint row)."""
    from tutor.progress.store import HINT_STATUS, Attempt

    return Attempt(ME, joined.pack.id, joined.pack.version, LESSON, exercise, "", HINT_STATUS, 0.0)


def _other_ca(directory: Path) -> Path:
    """A CA that never signed the database's certificate."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    ca = directory / "other-ca.crt"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1", "-subj", "/CN=another CA", "-keyout", str(directory / "ca.key"),
         "-out", str(ca)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return ca


def _wrong_host(url: str) -> str:
    """The database's address, under a name its certificate is not for."""
    parts = urlsplit(url)
    netloc = parts.netloc.replace(f"@{parts.hostname}", "@db.example.org", 1)
    return _with(urlunsplit(parts._replace(netloc=netloc)), hostaddr=parts.hostname or "")


@pytest.mark.parametrize(
    ("case", "reason"),
    [
        ("another CA", "certificate verify failed"),
        ("another host name", 'does not match host name "db.example.org"'),
        ("no CA file", "root certificate file"),
        ("no TLS", "no encryption"),
    ],
)
def test_a_database_certificate_that_does_not_check_out_stops_the_service(
    tmp_path, case, reason
) -> None:
    url = _tls_urls()[0]
    bad = {
        "another CA": lambda: _with(url, sslrootcert=str(_other_ca(tmp_path))),
        "another host name": lambda: _wrong_host(url),
        "no CA file": lambda: _with(url, sslrootcert=str(tmp_path / "absent.crt")),
        "no TLS": lambda: _with(url, sslmode="disable"),  # pg_hba: hostssl only
    }[case]()
    began = time.monotonic()
    refused = subprocess.run(
        _tutor("serve", "--socket", str(tmp_path / "s.sock"), "--pack", str(PACK_DIR)),
        env={**os.environ, "CE_TUTOR_DB": bad},
        capture_output=True,
        text=True,
        timeout=120,
    )
    took = time.monotonic() - began
    assert refused.returncode == 2, refused.stderr
    assert refused.stdout == ""
    lines = refused.stderr.splitlines()
    assert len(lines) == 1, refused.stderr
    assert lines[0].startswith("ce-tutor: cannot reach the progress database postgresql://")
    assert reason in lines[0]
    assert ":***@" in lines[0] and ":ce_tutor@" not in lines[0]  # the password is redacted
    assert not (tmp_path / "s.sock").exists()  # it never listened
    assert took < 60


def test_the_last_place_is_the_databases_latest_whatever_the_servers_clocks(
    class_db, monkeypatch
) -> None:
    """Server 1's clock ten minutes fast: a place kept later on server 2 is still the last."""
    import types

    import tutor.progress.store as store_module

    one_url, two_url, _admin = class_db
    with ProgressStore(one_url) as one, ProgressStore(two_url) as two:
        fast = types.SimpleNamespace(time=lambda: time.time() + 600)
        monkeypatch.setattr(store_module, "time", fast)
        one.save_position(ME, "app-test-pack", "lesson-a", 2)
        monkeypatch.setattr(store_module, "time", time)
        two.save_position(ME, "app-test-pack", "lesson-b", 1)
        assert one.last_position(ME, "app-test-pack") == Position("lesson-b", 1)
        assert two.last_position(ME, "app-test-pack") == Position("lesson-b", 1)
