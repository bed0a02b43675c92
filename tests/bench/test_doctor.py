"""`ce-tutor doctor`'s checks, each tried where it passes and where it fails."""

from __future__ import annotations

import errno
import os
from pathlib import Path

from click.testing import CliRunner

from tutor import doctor
from tutor.cli import cli
from tutor.doctor import Check, Outcome


def test_terminal_checks_read_term_colorterm_and_the_locale() -> None:
    good = doctor.check_terminal(
        {"TERM": "xterm-256color", "COLORTERM": "truecolor", "LANG": "C.UTF-8"}
    )
    assert [c.outcome for c in good] == [Outcome.OK, Outcome.OK]
    assert "24-bit" in good[0].detail
    bad = doctor.check_terminal({"TERM": "dumb", "LANG": "C"})
    assert [c.outcome for c in bad] == [Outcome.WARN, Outcome.WARN]
    assert "TERM=xterm-256color" in bad[0].fix and "UTF-8" in bad[1].fix
    assert not any(c.blocking for c in bad)  # the app falls back to ASCII: not essential
    lc_all = doctor.check_terminal({"TERM": "xterm", "LANG": "C", "LC_ALL": "en_US.UTF-8"})
    assert lc_all[1].outcome is Outcome.OK  # LC_ALL wins over LANG, as in libc


def test_a_read_only_data_folder_fails_with_a_fix(tmp_path, monkeypatch) -> None:
    # injected, so the test means the same as root (who may write anywhere) and as a user
    def refuse(self, data):
        raise OSError(errno.EROFS, os.strerror(errno.EROFS), str(self))

    monkeypatch.setattr(Path, "write_bytes", refuse)
    check = doctor.check_data_dir(tmp_path / "data")
    assert check.blocking and "Read-only file system" in check.detail
    assert "CE_TUTOR_HOME" in check.fix


def test_a_data_folder_that_cannot_exist_fails_and_a_good_one_passes(tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    bad = doctor.check_data_dir(blocker / "data")
    assert bad.blocking and str(blocker / "data") in bad.detail
    good = doctor.check_data_dir(tmp_path / "new" / "data")
    assert good.outcome is Outcome.OK and not list((tmp_path / "new" / "data").iterdir())


def test_the_store_check_opens_the_store_and_reports_a_broken_one(tmp_path) -> None:
    good = doctor.check_store(str(tmp_path / "p.sqlite3"))
    assert good.outcome is Outcome.OK and "schema" in good.detail
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"this is not a database" * 100)
    bad = doctor.check_store(str(broken))
    assert bad.blocking and str(broken) in bad.detail
    assert broken.read_bytes() == b"this is not a database" * 100  # left untouched


def test_a_password_in_the_url_is_never_printed() -> None:
    check = doctor.check_store("postgresql://ce:s3cret@127.0.0.1:1/class")
    assert check.outcome is Outcome.FAIL
    assert "s3cret" not in doctor.format_check(check)


def test_torch_check_reports_a_python_without_torch() -> None:
    ok = doctor.check_torch()
    assert ok.outcome is Outcome.OK and "torch" in ok.detail
    missing = doctor.check_torch(python="/nonexistent/python")
    assert missing.blocking


def test_check_lines_in_unicode_and_ascii() -> None:
    fail = Check("data folder", Outcome.FAIL, "/x is not writable", "chmod it")
    assert doctor.format_check(fail) == "✗ data folder: /x is not writable\n    fix: chmod it"
    assert doctor.format_check(fail, ascii_only=True).startswith("FAIL data folder")
    ok = Check("torch", Outcome.OK, "torch 2 imports", "never shown")
    assert doctor.format_check(ok, ascii_only=True) == "ok torch: torch 2 imports"


def test_the_command_exits_1_when_something_essential_fails(tmp_path, monkeypatch) -> None:
    # torch and the sandbox are tried above and in tests/faults; here, the command's verdict
    monkeypatch.setattr(doctor, "check_sandbox", lambda: [])
    monkeypatch.setattr(doctor, "check_torch", lambda: Check("torch", Outcome.OK, "imports"))
    ok = Check("install", Outcome.OK, "runs")  # the CI's Python is pyenv's, under /root
    monkeypatch.setattr(doctor, "check_install_reachable", lambda: ok)
    broken = tmp_path / "broken.sqlite3"
    broken.write_bytes(b"garbage" * 200)
    monkeypatch.setenv("CE_TUTOR_HOME", str(tmp_path))
    result = CliRunner().invoke(cli, ["--db", str(broken), "doctor", "--ascii"])
    assert result.exit_code == 1, result.output
    assert "FAIL progress store" in result.output and "ok torch" in result.output
    assert "essential check(s) failed" in result.output
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "fine.sqlite3"), "doctor", "--ascii"])
    assert result.exit_code == 0, result.output
    assert "FAIL" not in result.output


def test_grading_service_check_without_with_and_with_a_dead_shared_service(tmp_path) -> None:
    import json
    import socket
    import threading

    none = doctor.check_grading_service(None)
    assert none.outcome is Outcome.WARN and not none.essential and "ce-tutor serve" in none.fix

    dead = tmp_path / "dead.sock"
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(dead))
    stale.close()
    check = doctor.check_grading_service(dead)
    assert check.outcome is Outcome.FAIL and check.blocking and "not answering" in check.detail

    live = tmp_path / "live.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(live))
    server.listen(1)

    def answer_one_ping() -> None:
        connection, _ = server.accept()
        with connection, connection.makefile("rb") as reader:
            request = json.loads(reader.readline())
            about = {"pid": 4242, "uptime_s": 3.0, "requests": 7, "packs": ["/a", "/b"]}
            reply = {"id": request["id"], "ok": True, "service": about}
            connection.sendall((json.dumps(reply) + "\n").encode())

    thread = threading.Thread(target=answer_one_ping)
    thread.start()
    check = doctor.check_grading_service(live)
    thread.join(timeout=10)
    server.close()
    assert check.outcome is Outcome.OK
    assert (
        "pid 4242" in check.detail and "7 requests" in check.detail and "2 pack(s)" in check.detail
    )


def test_what_a_run_sees_is_checked_from_inside_a_real_run() -> None:
    """The real sandbox hides packs, stores, sockets and /proc/1; an unconfined run does not."""
    import subprocess
    import sys
    from types import SimpleNamespace

    from tutor.doctor import Outcome, check_what_a_run_sees
    from tutor.grading.sandbox import RunStatus, Sandbox

    box = Sandbox()
    box.start()
    try:
        confined = check_what_a_run_sees(box)
    finally:
        box.close()
    assert confined.outcome is Outcome.OK, confined

    class Unconfined:
        """Runs the probe as a plain process: it reaches everything."""

        def run_snippet(self, source: str):
            done = subprocess.run([sys.executable, "-c", source], capture_output=True, text=True)
            return SimpleNamespace(stdout=done.stdout, status=RunStatus.OK, message="")

    exposed = check_what_a_run_sees(Unconfined())
    assert exposed.outcome in (Outcome.FAIL, Outcome.WARN)
    assert "progress.sqlite3" in exposed.detail and "grading.sock" in exposed.detail


def test_a_python_under_a_closed_folder_fails_the_install_check() -> None:
    """A venv made from pyenv's Python under /root (0700): learners get "Permission denied"."""
    import shutil
    import tempfile

    top = Path(tempfile.mkdtemp(dir="/var/tmp"))  # outside pytest's 0700 folders
    try:
        top.chmod(0o755)
        home = top / "root"
        python = home / "pyenv" / "bin" / "python3"
        python.parent.mkdir(parents=True, mode=0o755)
        python.write_text("")
        python.chmod(0o755)
        home.chmod(0o755)
        assert doctor.check_install_reachable(str(python)).outcome is Outcome.OK
        home.chmod(0o700)
        check = doctor.check_install_reachable(str(python))
        assert check.outcome is Outcome.FAIL
        assert str(home) in check.detail and "/usr/bin/python3 -m venv" in check.fix
    finally:
        shutil.rmtree(top)


def test_the_class_pack_must_be_roots_alone(tmp_path, monkeypatch) -> None:
    from tutor.class_config import ClassConfig

    pack = tmp_path / "course"
    pack.mkdir()
    (pack / "01.md").write_text("answer: 42")
    config = ClassConfig(path=tmp_path / "class.toml", pack=pack)
    monkeypatch.setattr(os, "geteuid", lambda: 0)  # the check as root reads modes and owners
    pack.chmod(0o755)
    (pack / "01.md").chmod(0o644)
    open_check = doctor.check_class_pack(config)
    pack.chmod(0o700)
    (pack / "01.md").chmod(0o600)
    closed = doctor.check_class_pack(config)
    if os.getuid() == 0:  # the files are root's only when the test runs as root
        assert open_check.outcome is Outcome.FAIL and "open to other accounts" in open_check.detail
        assert "chmod -R go-rwx" in open_check.fix
        assert closed.outcome is Outcome.OK, closed.detail
    else:
        assert open_check.outcome is closed.outcome is Outcome.FAIL  # owned by a learner
    assert doctor.check_class_pack(None) is None
