"""The client's connection rules, against a scripted stand-in for the service.

A connection is reused after a reply to its own request; a refusal of the
connection itself (a reply with no id, after which the service closes it)
is never reused; a connection that breaks mid-request is retried once on a
fresh one. No torch, no sympy: the stand-in only speaks the protocol.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tutor.grading.client import GradingClient
from tutor.grading.protocol import GradingFailed, decode, encode, failure

Reply = Callable[[int, dict[str, Any]], dict[str, Any] | None]  # (connection no., request)


class ScriptedService:
    """A Unix socket that answers each request with `reply`; None closes the connection."""

    def __init__(self, path: Path, reply: Reply, backlog: int = 8, wait: float = 0.0) -> None:
        self.path, self.reply, self.wait = path, reply, wait
        self.connections = 0
        self.requests: dict[int, int] = {}  # connection no. -> requests answered on it
        self.listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.listener.bind(str(path))
        self.listener.listen(backlog)
        self.listener.settimeout(10)
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        time.sleep(self.wait)  # a service busy elsewhere: connections queue, unaccepted
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            number = self.connections
            threading.Thread(target=self._talk, args=(connection, number), daemon=True).start()

    def _talk(self, connection: socket.socket, number: int) -> None:
        with connection, connection.makefile("rb") as reader:
            for line in reader:
                answer = self.reply(number, decode(line))
                if answer is None:
                    return
                self.requests[number] = self.requests.get(number, 0) + 1
                connection.sendall(encode(answer))
                # kept open even after a refusal: a client that wrongly reused the
                # connection would be seen sending its next request here

    def close(self) -> None:
        self.listener.close()


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[[Reply], tuple[ScriptedService, GradingClient]]]:
    services: list[ScriptedService] = []

    def start(reply: Reply) -> tuple[ScriptedService, GradingClient]:
        service = ScriptedService(tmp_path / "grading.sock", reply)
        services.append(service)
        return service, GradingClient(socket_path=service.path)

    yield start
    for service in services:
        service.close()


def _pong(request: dict[str, Any]) -> dict[str, Any]:
    return {"id": request["id"], "ok": True, "service": {"pid": 1}}


def test_a_connection_is_reused_after_a_reply_to_its_own_request(serve) -> None:
    service, client = serve(lambda number, request: _pong(request))
    for _ in range(5):
        assert client.ping() == {"pid": 1}
    assert service.requests == {1: 5}
    client.close()


def test_a_refused_connection_is_not_reused(serve) -> None:
    def reply(number: int, request: dict[str, Any]) -> dict[str, Any]:
        if number == 1:  # the first connection is refused, as a sandboxed run's would be
            return failure("this connection is refused", "refused")
        return _pong(request)

    service, client = serve(reply)
    with pytest.raises(GradingFailed, match="this connection is refused"):
        client.ping()
    assert client.ping() == {"pid": 1}  # on a new connection, not the refused one
    assert client.ping() == {"pid": 1}
    assert service.requests == {1: 1, 2: 2}
    client.close()


def test_a_connection_broken_mid_request_is_retried_once_on_a_new_one(serve) -> None:
    service, client = serve(lambda number, request: None if number == 1 else _pong(request))
    assert client.ping() == {"pid": 1}
    assert service.connections == 2
    client.close()


def test_a_service_that_breaks_every_connection_gives_a_clear_failure(serve) -> None:
    service, client = serve(lambda number, request: None)
    with pytest.raises(GradingFailed, match="not answering"):
        client.ping()
    assert service.connections == 2  # the request and one retry, no more
    client.close()


def test_a_full_queue_of_connections_is_waited_out_not_reported(tmp_path: Path) -> None:
    # a class logging in at once filled the service's queue of unaccepted connections:
    # connect() failed with EAGAIN and learners saw "not answering"
    service = ScriptedService(
        tmp_path / "grading.sock", lambda number, request: _pong(request), backlog=1, wait=0.5
    )
    crowd = []
    while True:  # fill the queue: the next connect would fail with EAGAIN
        other = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        other.setblocking(False)
        try:
            other.connect(str(service.path))
        except BlockingIOError:
            other.close()
            break
        crowd.append(other)
        assert len(crowd) < 64, "the queue never filled"
    client = GradingClient(socket_path=service.path)
    try:
        assert client.ping() == {"pid": 1}  # once the service accepts again
    finally:
        client.close()
        for other in crowd:
            other.close()
        service.close()
