"""A run sees the Python install and its own folder, nothing else (issue 12, finding 5).

Each probe names a thing a curious learner would look for: the pack with
every answer, a classmate's store, the class's sockets, the machine's
configuration, other processes' command lines. All must be absent.
"""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest

import tutor
from tutor.grading.sandbox import Sandbox

REPO_LESSONS = Path(tutor.__file__).resolve().parent.parent / "lessons"

PROBE = r"""
import json, os, socket
report = {}
for path in PATHS:
    try:
        if os.path.isdir(path):
            report[path] = "listed: " + ",".join(sorted(os.listdir(path))[:5])
        else:
            with open(path, "rb") as handle:
                report[path] = "read: " + handle.read(40).decode("latin-1")
    except OSError as error:
        report[path] = "refused " + type(error).__name__
for path in SOCKETS:
    client = socket.socket(socket.AF_UNIX)
    try:
        client.connect(path)
        report[path] = "connected"
    except OSError as error:
        report[path] = "refused " + type(error).__name__
    finally:
        client.close()
report["/proc"] = sorted(os.listdir("/proc")) if os.path.isdir("/proc") else []
report["pid"] = os.getpid()
print("REPORT " + json.dumps(report))
"""


def _probe(box: Sandbox, paths: list[str], sockets: list[str]) -> tuple[dict, list[str]]:
    source = f"PATHS = {paths!r}\nSOCKETS = {sockets!r}\n" + PROBE
    run = box.run_snippet(source)
    assert run.ok, (run.status, run.message, run.raised)
    line = next(line for line in run.stdout.splitlines() if line.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :]), run.protections


def test_a_run_cannot_see_packs_stores_sockets_or_other_processes(sandbox, tmp_path):
    pack = tmp_path / "srv" / "course"
    pack.mkdir(parents=True)
    (pack / "01-lesson.md").write_text("answer: the secret\n")
    store = tmp_path / "home" / "bob" / "progress.sqlite3"
    store.parent.mkdir(parents=True)
    store.write_bytes(b"SQLite format 3\x00")
    listening = socket.socket(socket.AF_UNIX)
    sock_path = str(tmp_path / "grading.sock")
    listening.bind(sock_path)
    listening.listen(1)
    os.chmod(tmp_path, 0o755)
    for path in (tmp_path, tmp_path / "srv", pack, store.parent.parent, store.parent):
        os.chmod(path, 0o755)
    os.chmod(sock_path, 0o777)
    paths = [
        str(pack / "01-lesson.md"),
        str(store),
        "/proc/1/cmdline",
        "/etc/hostname",
        "/etc/passwd",
        "/home",
        "/root/.ssh",
        "/run",
        str(REPO_LESSONS),
    ]
    builtin = Path(tutor.__file__).resolve().parent / "_builtin_lessons"
    try:
        report, protections = _probe(sandbox, paths + [str(builtin)], [sock_path])
    finally:
        listening.close()
    if "files" not in protections:
        pytest.skip(f"this OS refused a private filesystem view: {protections}")
    for path in paths:
        assert report[path].startswith("refused"), (path, report[path])
    assert report[str(builtin)] in ("listed: ", "refused FileNotFoundError")
    assert report[sock_path].startswith("refused"), report[sock_path]
    others = [entry for entry in report["/proc"] if entry.isdigit()]
    assert others == [str(report["pid"])] or not report["/proc"], report["/proc"]


def test_the_probe_can_read_what_is_there(sandbox):
    """The same probe reads its own folder and the Python install: the refusals above are real."""
    import torch

    torch_init = str(Path(torch.__file__).resolve())
    report, _ = _probe(sandbox, [torch_init, "/dev/null"], [])
    assert report[torch_init].startswith("read: ")
    assert report["/dev/null"] == "read: "


def test_runs_work_under_the_units_umask_0077():
    """The README's systemd unit sets UMask=0077: a run's view must still open /dev/null.

    Found by the class recipe's e2e test: as root every run crashed (exit 70)
    because the view's /dev was made 0700 and the run's own uid could not enter it.
    """
    before = os.umask(0o077)  # the fork server starts at the first run, inheriting it
    tight = Sandbox(servers=1)
    try:
        report, _ = _probe(tight, ["/dev/null"], [])
    finally:
        os.umask(before)
        tight.close()
    assert report["/dev/null"] == "read: "
