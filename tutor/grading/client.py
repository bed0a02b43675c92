"""The app's handle on the grading service: private (its own) or the class's shared one.

    client = GradingClient()                 # starts a private service in the background
    client = GradingClient(socket_path=S)    # uses the class's service (`ce-tutor serve`)
    verdict = client.grade(pack_dir, "cross-entropy", "write-ce", source, "ada")
    client.close()

The client never imports torch or sympy. Every call may block: the app
calls from thread workers. Calls from several threads run side by side,
each on a connection of its own (a proof being drawn never holds up a
grade). A private service that dies is started again on the next call; a
shared one is never started here, only reported as not answering.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from tutor.grading.peer import TOKEN_ENV
from tutor.grading.protocol import (
    MAX_LINE,
    ExampleRun,
    GradingFailed,
    decode,
    encode,
    verdict_from_json,
)
from tutor.grading.verdict import GraderNotAvailable, Verdict
from tutor.i18n import _, language

START_TIMEOUT = 120.0  # torch's import on a cold page cache, twice (service and fork server)
REQUEST_TIMEOUT = 90.0  # a derivation's proof, on a loaded machine
QUEUE_FULL_WAIT = 10.0  # seconds to retry a connection while the service's queue is full


class _Connection:
    """One socket to the service; one request at a time."""

    def __init__(self, path: Path, timeout: float) -> None:
        deadline = time.monotonic() + QUEUE_FULL_WAIT
        while True:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.sock.settimeout(timeout)
            try:
                self.sock.connect(str(path))
                break
            except BlockingIOError:
                # the service's queue of connections not yet accepted is full (a class
                # logging in at once): it will take ours in a moment
                self.sock.close()
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
            except OSError:
                self.sock.close()
                raise
        self.reader = self.sock.makefile("rb")

    def exchange(self, request: dict[str, Any], timeout: float) -> dict[str, Any]:
        self.sock.settimeout(timeout)
        self.sock.sendall(encode(request))
        line = self.reader.readline(64 * MAX_LINE)
        if not line:
            raise EOFError(_("the grading service closed the connection"))
        return decode(line)

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.reader.close()
            self.sock.close()


class GradingClient:
    """Grades, shows, runs examples and draws math through the grading service."""

    def __init__(
        self,
        python: str | None = None,
        env: dict[str, str] | None = None,
        socket_path: str | Path | None = None,
    ) -> None:
        self.python = python or sys.executable
        self.env = env
        self.shared_socket = Path(socket_path) if socket_path else None
        self._lock = threading.Lock()
        self._process: subprocess.Popen | None = None
        self._folder: str | None = None  # the private service's socket folder (0700)
        self._socket: Path | None = self.shared_socket
        self._ready = self.shared_socket is not None
        self._idle: list[_Connection] = []
        self._next_id = 0
        self.starts = 0

    @property
    def shared(self) -> bool:
        return self.shared_socket is not None

    @property
    def pid(self) -> int | None:
        """The private service's process (None for a shared service)."""
        return self._process.pid if self._process else None

    # -- life cycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Launch a private service in the background (it loads torch); does not wait."""
        with self._lock:
            if not self.shared and not self._alive():
                self._launch()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        with self._lock:
            self._ensure(timeout)

    def close(self) -> None:
        with self._lock:
            self._drop_connections()
            self._stop()

    # -- what the app asks ---------------------------------------------------------------------

    def grade(
        self, pack: str | Path, lesson: str, exercise: str, answer: str, learner: str
    ) -> Verdict:
        """The verdict for one answer, graded in the service."""
        request = {"op": "grade", **_where(pack, lesson, exercise), "answer": answer}
        return verdict_from_json(self._ask({**request, "learner": learner})["verdict"])

    def show(self, pack: str | Path, lesson: str, exercise: str, learner: str) -> dict[str, Any]:
        """The exercise as this learner sees it: prompt with their numbers, params, choices."""
        request = {"op": "show", **_where(pack, lesson, exercise), "learner": learner}
        return self._ask(request)["shown"]

    def run_example(self, code: str) -> ExampleRun:
        """Run a lesson's `python` example in the service's sandbox."""
        return ExampleRun(**self._ask({"op": "run_example", "code": code})["example"])

    def draw_math(self, latex: str, ascii: bool = False) -> str:
        """A lesson's display math as 2-D terminal text."""
        return self._ask({"op": "draw_math", "latex": latex, "ascii": ascii})["text"]

    def read_as(
        self, pack: str | Path, lesson: str, exercise: str, text: str, ascii: bool = False
    ) -> tuple[str, str]:
        """(label, 2-D drawing) of how a formula answer reads, before it is submitted."""
        request = {"op": "read_as", **_where(pack, lesson, exercise), "text": text}
        reply = self._ask({**request, "ascii": ascii})
        return reply["label"], reply["body"]

    def derivation(
        self, pack: str | Path, lesson: str, line: int, ascii: bool = False, prove: bool = False
    ) -> dict[str, Any]:
        """The derivation at `line` of a lesson: title, renderings per step, proved, problem."""
        request = {"op": "derivation", "pack": str(Path(pack).resolve()), "lesson": lesson}
        return self._ask({**request, "line": line, "ascii": ascii, "prove": prove})

    def ping(self) -> dict[str, Any]:
        """What the service says of itself (pid, shared, requests, packs served)."""
        return self._ask({"op": "ping"})["service"]

    # -- a class's service records; these ask it (`tutor.grading.classroom`) ----------------

    def class_pack(self, pack: str | Path) -> dict[str, Any]:
        """The pack to show, without its answers (`tutor.pack.served.pack_from_service`)."""
        from tutor import __version__

        asked = {"op": "class_pack", "pack": str(pack), "version": __version__}
        return self._ask(asked)["served"]

    def my_progress(self, pack: str | Path) -> dict[str, Any]:
        """This learner's own rows, places and solutions shown, as the service recorded them."""
        return self._ask({"op": "my_progress", "pack": str(pack)})

    def answer(self, pack: str | Path, lesson: str, exercise: str, answer: str) -> dict[str, Any]:
        """Graded and recorded by the service: {"verdict": {...}, "attempt": {...}}."""
        return self._ask({"op": "answer", **_where(pack, lesson, exercise), "answer": answer})

    def hint(self, pack: str | Path, lesson: str, exercise: str) -> dict[str, Any]:
        """One more hint seen, recorded: {"hints_used": n, "attempt": {...} | None}."""
        return self._ask({"op": "hint", **_where(pack, lesson, exercise)})

    def solution(self, pack: str | Path, lesson: str, exercise: str) -> dict[str, Any]:
        """The solution, sent once its showing is recorded: {"solution": text, "attempt"}."""
        return self._ask({"op": "solution", **_where(pack, lesson, exercise)})

    def save_position(self, pack: str | Path, lesson: str, step: int) -> None:
        self._ask({"op": "position", "pack": str(pack), "lesson": lesson, "step": step})

    def save_draft(self, pack: str | Path, lesson: str, exercise: str, text: str) -> None:
        """This learner's unsubmitted answer, kept by the service ("" drops it)."""
        self._ask({"op": "draft", **_where(pack, lesson, exercise), "text": text})

    # -- internals ----------------------------------------------------------------------------

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        request.setdefault("lang", language())  # the service words feedback in it
        token = os.environ.get(TOKEN_ENV)
        if self.shared and token:
            request["token"] = token  # a shared account's learner: the service maps it
        if len(encode(request)) > MAX_LINE:  # the service would refuse it mid-send
            raise GradingFailed(
                _("too large to grade: a request is at most {size} bytes").format(size=MAX_LINE),
                "request",
            )
        for attempt in range(2):
            connection = self._connection()
            with self._lock:
                self._next_id += 1
                request["id"] = self._next_id
            try:
                reply = connection.exchange(request, REQUEST_TIMEOUT)
            except (OSError, EOFError, ValueError) as error:
                connection.close()
                with self._lock:
                    self._drop_connections()
                    if not self.shared and self._dying():
                        self._stop()  # dead: the next attempt starts a new one
                if attempt:
                    raise GradingFailed(self._failure(error), "service") from None
                continue  # once more on a new connection (a shared service may have restarted)
            if reply.get("id") == request["id"]:
                with self._lock:
                    self._idle.append(connection)
            else:
                connection.close()  # a refusal of the connection itself: the service closes it
            if not reply.get("ok"):
                if reply.get("kind") == "not-available":
                    raise GraderNotAvailable(reply.get("error", ""))
                raise GradingFailed(
                    reply.get("error", _("unknown error")), reply.get("kind", "error")
                )
            return reply
        raise AssertionError("unreachable")

    def _failure(self, error: BaseException) -> str:
        if isinstance(error, TimeoutError):
            error = TimeoutError(_("no answer in time"))
        if self.shared:
            return _("the class's grading service at {socket} is not answering: {error}").format(
                socket=self.shared_socket, error=error
            )
        return _("the grading service failed: {error}").format(error=error)

    def _connection(self) -> _Connection:
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self._ensure(START_TIMEOUT)
            path = self._socket
        assert path is not None
        try:
            return _Connection(path, REQUEST_TIMEOUT)
        except OSError as error:
            if self.shared:
                raise GradingFailed(self._failure(error), "service") from None
            with self._lock:
                self._stop()
                self._ensure(START_TIMEOUT)
                path = self._socket
            return _Connection(path, REQUEST_TIMEOUT)

    def _drop_connections(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    def _dying(self) -> bool:
        """After a broken connection: has the private service gone (or is it going)?

        A killed process closes its sockets a moment before it can be
        reaped, so give it that moment rather than reconnect to a corpse.
        """
        if self._process is None:
            return True
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=2.0)
        return not self._alive()

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _launch(self) -> None:
        env = dict(self.env if self.env is not None else os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        self._folder = tempfile.mkdtemp(prefix="ce-tutor-grading-")  # 0700: this user only
        self._socket = Path(self._folder) / "grading.sock"
        self._process = subprocess.Popen(
            [self.python, "-m", "tutor.grading.service", "--private", "--socket", self._socket],
            stdin=subprocess.PIPE,  # never written: the service ends when it closes
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal is the app's, not the service's
        )
        self._ready = False
        self.starts += 1

    def _ensure(self, timeout: float) -> None:
        """A private service is running and has said it is ready (caller holds the lock)."""
        if self.shared:
            return
        if not self._alive():
            self._stop()
            self._launch()
        if self._ready:
            return
        try:
            hello = json.loads(self._read_line(timeout))
        except (OSError, EOFError, TimeoutError, ValueError) as error:
            self._stop()
            raise GradingFailed(
                _("the grading service did not start: {error}").format(error=error), "service"
            ) from None
        if not hello.get("ready"):
            self._stop()
            raise GradingFailed(_("the grading service did not start"), "service")
        self._ready = True

    def _read_line(self, timeout: float) -> bytes:
        assert self._process is not None and self._process.stdout
        stream = self._process.stdout
        deadline = time.monotonic() + timeout
        remaining = timeout
        while remaining > 0:
            ready, _writable, _errors = select.select([stream], [], [], remaining)
            if ready:
                line = stream.readline()
                if not line:
                    raise EOFError(_("the grading service stopped"))
                return line
            remaining = deadline - time.monotonic()
        raise TimeoutError(_("no answer from the grading service"))

    def _stop(self) -> None:
        """End a private service: it stops when its stdin closes, and its fork server with it."""
        process, self._process, self._ready = self._process, None, self.shared
        self._drop_connections()
        if process is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout:
                process.stdout.close()
        if self._folder is not None:
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None


def _where(pack: str | Path, lesson: str, exercise: str) -> dict[str, str]:
    return {"pack": str(Path(pack).resolve()), "lesson": lesson, "exercise": exercise}
