"""Both ways a child confines itself: namespaces made as root, or in a user namespace of its own."""

import encodings.idna  # noqa: F401 - loaded before the fork: `nobody` may not read the stdlib
import json
import os
import shutil
import socket
import tempfile
import uuid

import pytest

from tutor.grading.sandbox.confine import confine, run_uid
from tutor.grading.sandbox.limits import Limits

PROBE_FILE = f"/tmp/ce-tutor-confine-{uuid.uuid4().hex}"


def _confined_probe(as_root_first: bool, port: int) -> dict:
    """Fork, confine, try the network and a file in /tmp; report what happened."""
    workdir = tempfile.mkdtemp()
    uid_owned = os.getuid() == 0
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # no torch here: only system calls, then _exit
        report = {}
        try:
            report["applied"] = confine(workdir, Limits(), uid_owned, as_root_first=as_root_first)
            report["uid"] = os.getuid()
            report["pid"] = os.getpid()
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                report["network"] = "connected"
            except OSError as error:
                report["network"] = f"refused {error.errno}"
            try:
                with open(PROBE_FILE, "w") as handle:
                    handle.write("x")
                report["tmp"] = "written"
            except OSError:
                report["tmp"] = "refused"
            with open("inside.txt", "w") as handle:
                handle.write("ok")
            report["workdir"] = "written"
        except BaseException as error:  # report, never raise out of a forked test child
            report["error"] = repr(error)
        os.write(write, json.dumps(report).encode())
        os._exit(0)
    os.close(write)
    data = b""
    while chunk := os.read(read, 65536):
        data += chunk
    os.close(read)
    os.waitpid(pid, 0)
    inside = os.path.exists(os.path.join(workdir, "inside.txt"))
    shutil.rmtree(workdir, ignore_errors=True)
    report = json.loads(data)
    report["inside_visible"] = inside
    return report


@pytest.mark.parametrize("as_root_first", [True, False])
def test_confinement_paths(as_root_first):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    try:
        report = _confined_probe(as_root_first, server.getsockname()[1])
    finally:
        server.close()
        if os.path.exists(PROBE_FILE):
            os.remove(PROBE_FILE)
            escaped = True
        else:
            escaped = False
    assert "error" not in report, report
    assert report["workdir"] == "written" and report["inside_visible"]
    if os.getuid() == 0:
        assert report["uid"] == run_uid(report["pid"]) != 0
        assert {"user", "processes"} <= set(report["applied"])
    if "network" not in report["applied"]:
        pytest.skip(f"this OS refused every network namespace: {report['applied']}")
    assert report["network"].startswith("refused")
    assert "scratch" in report["applied"]
    assert not escaped and report["tmp"] in ("written", "refused")  # a private /tmp if written
    assert "capabilities" in report["applied"]
