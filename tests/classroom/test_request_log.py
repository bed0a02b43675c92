"""The service's request log: who asked what and what came of it, for `ce-tutor class log`."""

from __future__ import annotations

import json
import os
import pwd
import stat

from click.testing import CliRunner

from tests.classroom.conftest import PACK_DIR
from tutor.cli import cli
from tutor.grading.classroom import Classroom
from tutor.grading.peer import Identities, Peer
from tutor.grading.request_log import RequestLog, read_entries
from tutor.grading.service import Service
from tutor.progress.store import ProgressStore

ME = pwd.getpwuid(os.getuid()).pw_name
WHERE = {"pack": str(PACK_DIR), "lesson": "every-block", "exercise": "pick"}


def _service(tmp_path) -> tuple[Service, RequestLog]:
    log = RequestLog(tmp_path / "log" / "requests.jsonl")
    store = ProgressStore(tmp_path / "progress.sqlite3")
    service = Service([PACK_DIR], shared=True, classroom=Classroom(store, Identities()),
                      request_log=log)  # fmt: skip
    return service, log


def test_requests_are_logged_under_the_kernels_name_with_their_outcome(tmp_path) -> None:
    service, log = _service(tmp_path)
    me = Peer(pid=os.getpid(), uid=os.getuid(), gid=os.getgid())
    assert service.handle({"op": "hint", **WHERE, "learner": "mallory"}, me)["ok"]
    assert not service.handle({"op": "no-such-op"}, me)["ok"]
    assert service.handle({"op": "ping"}, me)["ok"]  # frequent and harmless: not logged
    log.close()
    lines = [json.loads(line) for line in log.path.read_text().splitlines()]
    assert [(d["op"], d["outcome"]) for d in lines] == [("hint", "ok"), ("no-such-op", "request")]
    assert lines[0]["who"] == f"learner {ME}"  # the kernel's name, not the request's "mallory"
    assert (lines[0]["lesson"], lines[0]["exercise"]) == ("every-block", "pick")
    assert "unknown op" in lines[1]["reason"]
    assert all(isinstance(d["ms"], float) and d["t"] > 0 for d in lines)
    assert stat.S_IMODE(log.path.stat().st_mode) == 0o600  # it names every learner
    assert "mallory" not in log.path.read_text()


def test_class_log_prints_the_entries_and_filters_by_learner(tmp_path, monkeypatch) -> None:
    service, log = _service(tmp_path)
    me = Peer(pid=os.getpid(), uid=os.getuid(), gid=os.getgid())
    service.handle({"op": "hint", **WHERE}, me)
    log.record(
        "learner bob",
        {"op": "answer", **WHERE},
        {"ok": True, "verdict": {"status": "incorrect"}},
        0.25,
    )
    log.close()
    config = tmp_path / "class.toml"
    config.write_text(f'request_log = "{log.path}"\n')
    monkeypatch.setenv("CE_TUTOR_CLASS_CONFIG", str(config))
    everyone = CliRunner().invoke(cli, ["class", "log"])
    assert everyone.exit_code == 0, everyone.output
    lines = everyone.stdout.splitlines()
    assert len(lines) == 2 and "every-block/pick" in lines[0]
    assert "learner bob" in lines[1] and "incorrect" in lines[1] and "250 ms" in lines[1]
    bob = CliRunner().invoke(cli, ["class", "log", "--learner", "bob"])
    assert bob.stdout.splitlines() == lines[1:]
    assert [e.who for e in read_entries(log.path, ME)] == [f"learner {ME}"]


def test_class_log_without_a_log_says_where_to_set_it(tmp_path, monkeypatch) -> None:
    config = tmp_path / "class.toml"
    config.write_text("")
    monkeypatch.setenv("CE_TUTOR_CLASS_CONFIG", str(config))
    result = CliRunner().invoke(cli, ["class", "log"])
    assert result.exit_code == 2 and "set request_log in the class config" in result.stderr


def test_the_log_rotates_keeps_its_mode_and_reads_oldest_first(tmp_path, monkeypatch) -> None:
    from tutor.grading import request_log

    monkeypatch.setattr(request_log, "MAX_BYTES", 400)
    log = RequestLog(tmp_path / "requests.jsonl")
    for n in range(20):
        log.record(f"learner l{n:02d}", {"op": "answer"}, {"ok": True}, 0.001)
    log.close()
    rotated = sorted(tmp_path.glob("requests.jsonl.*"))
    assert rotated and all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in rotated)
    whos = [e.who for e in read_entries(log.path)]
    assert whos == sorted(whos) and whos[-1] == "learner l19"
