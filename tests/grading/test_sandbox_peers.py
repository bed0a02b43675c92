"""The service's test of whether a connection comes from its own sandbox's runs.

As root each run has a uid of its own (tested end to end in
tests/grading_code/test_shared_service.py). Here, the other path: without
root, a run is recognised as a descendant of one of the fork servers.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from tutor.grading.service import from_a_sandbox


@dataclass
class Servers:
    """Stands in for the sandbox: only its fork servers' pids are read."""

    pids: list[int | None]


def _peer(folder: Path) -> tuple[socket.socket, subprocess.Popen]:
    """A connection whose peer is a `python` child of this process."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    path = str(folder / "peer.sock")
    listener.bind(path)
    listener.listen(1)
    child = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import socket, sys; s = socket.socket(socket.AF_UNIX); "
            f"s.connect({path!r}); sys.stdin.read()",
        ],
        stdin=subprocess.PIPE,
    )
    connection, _ = listener.accept()
    listener.close()
    return connection, child


def test_a_descendant_of_a_fork_server_is_recognised(tmp_path: Path) -> None:
    connection, child = _peer(tmp_path)
    try:
        # this test process plays the fork server: the peer is its child
        assert from_a_sandbox(connection, Servers([os.getpid()])) is True
        # a server further up the chain counts too
        assert from_a_sandbox(connection, Servers([None, os.getppid()])) is True
    finally:
        connection.close()
        child.communicate(b"", timeout=30)


def test_a_process_outside_every_fork_server_is_served(tmp_path: Path) -> None:
    connection, child = _peer(tmp_path)
    bystander = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        # the bystander is a sibling of the peer, not an ancestor
        assert from_a_sandbox(connection, Servers([bystander.pid])) is False
        assert from_a_sandbox(connection, Servers([])) is False
        assert from_a_sandbox(connection, Servers([None])) is False
    finally:
        bystander.kill()
        bystander.wait()
        connection.close()
        child.communicate(b"", timeout=30)
