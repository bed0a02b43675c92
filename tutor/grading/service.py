"""The grading service: the one process that holds torch, sympy and the sandbox.

It answers the requests of `tutor.grading.protocol` on a Unix socket, one
thread per connection. It runs in one of two ways:

- **private** (`python -m tutor.grading.service --private --socket S`): started
  by one learner's app (`GradingClient()`), it prints a ready line on stdout
  and ends when its stdin closes, i.e. when the app is gone, however it went.
- **shared** (`ce-tutor serve`): one per class or machine, started by the
  instructor; every learner's app connects to it (`--grading-socket`). A
  learner then costs one light Textual process instead of two torch
  processes and a sympy import (≈ 417 MB and ≈ 7 s of CPU each, measured
  by `ce-tutor bench`). It grades only the packs it was started with (and
  the installed ones), so a learner cannot make it load files of their
  choosing.

Engine work (reading formulas, mpmath sampling, sympy's printer) runs under
one lock: mpmath's precision and sympy's Unicode flag are process globals,
and the GIL would serialise it anyway. Runs in the sandbox wait outside the
lock, so a slow learner's code never holds up another learner's formula.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import socket
import socketserver
import statistics
import struct
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.grading.classroom import CLASS_ONLY_OPS, CLASS_OPS, PEER_OPS
from tutor.grading.memo import Memo
from tutor.grading.peer import Peer, peer_of
from tutor.grading.protocol import MAX_LINE, ExampleRun, GradingFailed, decode, encode, failure
from tutor.grading.sandbox.fairness import runner
from tutor.grading.verdict import GraderNotAvailable, Verdict
from tutor.i18n import _, language, speaking

if TYPE_CHECKING:
    from tutor.grading.classroom import Classroom
    from tutor.grading.request_log import RequestLog

READY = "ready in"  # how `ce-tutor serve`'s line saying it is ready begins (stderr)
MAX_CONNECTIONS = 1024  # a few per learner (one per app thread asking); more are refused
MEMO_SIZE = 4096  # drawings kept
# what the request log records when it succeeds (every failure and refusal is recorded);
# not the drawing, reading and draft requests a learner's typing sends several times a minute
LOGGED_OPS = frozenset({*CLASS_OPS, "grade", "run_example", "class_pack"}) - {"draft"}


class Service:
    """Answers requests; safe to call from many threads at once."""

    def __init__(
        self,
        packs: Iterable[Path] | None = None,
        shared: bool = False,
        classroom: Classroom | None = None,
        request_log: RequestLog | None = None,
        class_pack: Path | None = None,
    ) -> None:
        from tutor.grading.sandbox import default_sandbox

        self.shared = shared
        self.classroom = classroom  # a class's records: set, the service writes every grade
        self.request_log = request_log  # what `ce-tutor class log` reads
        # the pack learners open when they name none (the class config's `pack`): told to
        # every app, which may not be able to read the config (a root-only file)
        self.class_pack = class_pack
        # None: any pack (a private service works for its own user only)
        self.allowed: set[Path] | None = (
            None if packs is None else {Path(p).resolve() for p in packs}
        )
        self.sandbox = default_sandbox()
        self.engine = threading.Lock()
        self.ready = threading.Event()
        self.requests = 0
        self.started = time.time()
        self.timings: dict[str, deque[float]] = {}  # op -> recent durations, ms
        self._packs: dict[Path, tuple[float, Any]] = {}
        self._packs_lock = threading.Lock()
        self._drawings = Memo(MEMO_SIZE)

    def start(self) -> None:
        """Import torch and sympy, start the sandbox: seconds, once."""
        starter = threading.Thread(target=self.sandbox.start, daemon=True)
        starter.start()  # the fork server imports torch while we do the same here
        import torch

        torch.set_num_threads(1)  # grading compares small tensors; keep the CPU for children
        with self.engine:
            warm_engines()
        starter.join()
        self.ready.set()

    # -- requests -------------------------------------------------------------------------------

    def handle(self, request: dict[str, Any], peer: Peer | None = None) -> dict[str, Any]:
        """One request; `peer` is who the kernel says sent it (None: not over a socket)."""
        op = request.get("op")
        self.requests += 1
        began = time.perf_counter()
        # Fair sharing of the sandbox: one runner's runs queue behind each other. In a
        # class the kernel names the learner (below); elsewhere the process and the
        # name it gives, which only splits that process's own queue.
        who = f"peer {peer.uid}:{peer.pid} {request.get('learner')}" if peer else None
        fair = runner.set(who)
        try:
            with speaking(request.get("lang")):  # feedback in the asking learner's language
                reply = {**self._answer(op, request, peer), "id": request.get("id")}
            if self.request_log is not None and (op in LOGGED_OPS or not reply.get("ok")):
                took = time.perf_counter() - began
                self.request_log.record(runner.get(), request, reply, took)
            return reply
        finally:
            runner.reset(fair)
            known = isinstance(op, str) and (op in self._OPS or op in CLASS_OPS)
            if known:  # a client cannot grow this table
                took = (time.perf_counter() - began) * 1000
                self.timings.setdefault(op, deque(maxlen=1000)).append(took)

    def _answer(self, op: Any, request: dict[str, Any], peer: Peer | None) -> dict[str, Any]:
        handler = self._OPS.get(op) if isinstance(op, str) else None
        try:
            if isinstance(op, str) and op in CLASS_ONLY_OPS and self.classroom is None:
                raise GradingFailed(_("this grading service keeps no class records"), "request")
            if self.classroom is not None and isinstance(op, str) and op in PEER_OPS:
                # the learner is who the kernel says is asking, whatever the request claims
                learner = self.classroom.learner(peer, request.get("token"))
                request = {**request, "learner": learner}
                runner.set(f"learner {learner}")
                if op in CLASS_OPS:  # grade and record in one step
                    return {**CLASS_OPS[op](self.classroom, self, request), "ok": True}
            if handler is None:
                raise GradingFailed(_("unknown op {op}").format(op=repr(op)), "request")
            return {**handler(self, request), "ok": True}
        except GraderNotAvailable as error:
            return failure(str(error), "not-available")
        except GradingFailed as error:
            return failure(str(error), error.kind)
        except (KeyError, TypeError, ValueError) as error:
            return failure(_("bad request: {error}").format(error=repr(error)), "request")
        except Exception as error:  # the service must outlive any one request
            return failure(f"{type(error).__name__}: {error}", "error")

    def grade(self, request: dict[str, Any]) -> dict[str, Any]:
        pack, lesson, exercise = self._find(request)
        answer, learner = str(request.get("answer", "")), str(request.get("learner", ""))
        return {"verdict": self.grade_only(pack, lesson, exercise, answer, learner).to_json()}

    def grade_only(
        self, pack: Any, lesson: Any, exercise: Any, answer: str, learner: str
    ) -> Verdict:
        """The verdict, nothing recorded (a class's `Classroom.answer` records it)."""
        from tutor.grading import grade

        # code and predict answers wait on the sandbox: never while holding the engine
        lock = contextlib.nullcontext() if exercise.type in ("code", "predict") else self.engine
        with lock:
            return grade(pack, lesson, exercise, answer, learner)

    def show(self, request: dict[str, Any]) -> dict[str, Any]:
        """The exercise as this learner sees it (their drawn numbers filled in)."""
        from tutor.grading.presentation import present_exercise

        pack, lesson, exercise = self._find(request)
        with self.engine:
            return {"shown": present_exercise(pack, lesson, exercise, str(request["learner"]))}

    def run_example(self, request: dict[str, Any]) -> dict[str, Any]:
        run = self.sandbox.run_snippet(str(request["code"]), filename="<example>")
        raised = str(run.raised) if run.raised else None
        return {"example": ExampleRun(run.status.value, run.stdout, raised, run.message).__dict__}

    def draw_math(self, request: dict[str, Any]) -> dict[str, Any]:
        from tutor.grading.drawing import draw_math

        latex, ascii = str(request["latex"]), bool(request.get("ascii"))
        if len(latex) > MAX_LINE // 16:
            raise GradingFailed(_("that formula is too long to draw"), "request")
        return {
            "text": self._drawings.get_or_make(
                ("math", latex, ascii), self._engine(draw_math, latex, ascii)
            )
        }

    def read_as(self, request: dict[str, Any]) -> dict[str, Any]:
        from tutor.grading.drawing import read_as

        _pack, _lesson, exercise = self._find(request)
        if exercise.type != "formula":
            raise GradingFailed(
                _("`{id}` is not a formula exercise").format(id=exercise.id), "request"
            )
        text, ascii = str(request["text"]), bool(request.get("ascii"))
        # the label is worded in the asking learner's language: one cache entry per language
        key = ("read", repr(sorted(exercise.symbols.items())), text, ascii, language())
        label, body = self._drawings.get_or_make(
            key, self._engine(read_as, text, exercise.symbols, ascii)
        )
        return {"label": label, "body": body}

    def derivation(self, request: dict[str, Any]) -> dict[str, Any]:
        """A lesson's derivation drawn step by step; proved too when `prove` is asked."""
        block = self._derivation_block(request)
        return self.derivation_view(block, bool(request.get("ascii")), bool(request.get("prove")))

    def derivation_view(self, block: Any, ascii: bool, prove: bool) -> dict[str, Any]:
        """Drawn (and proved) once per block for the whole class."""
        from tutor.grading.drawing import derivation_view

        # a built-in's title, reasons and proof marks are worded in the learner's language
        key = ("derivation", repr(block), ascii, prove, language())
        return self._drawings.get_or_make(key, self._engine(derivation_view, block, ascii, prove))

    def ping(self, request: dict[str, Any]) -> dict[str, Any]:
        return {
            "service": {
                "pid": os.getpid(),
                "shared": self.shared,
                "records": self.classroom is not None,
                "ready": self.ready.is_set(),
                "requests": self.requests,
                "uptime_s": round(time.time() - self.started, 1),
                "packs": None if self.allowed is None else sorted(map(str, self.allowed)),
                "class_pack": str(self.class_pack) if self.class_pack else None,
                "timings": {op: _summary(list(times)) for op, times in self.timings.items()},
            }
        }

    _OPS: dict[str, Callable[[Service, dict[str, Any]], dict[str, Any]]] = {
        "grade": grade,
        "show": show,
        "run_example": run_example,
        "draw_math": draw_math,
        "read_as": read_as,
        "derivation": derivation,
        "ping": ping,
    }

    # -- helpers --------------------------------------------------------------------------------

    def _engine(self, function: Callable[..., Any], *args: Any) -> Callable[[], Any]:
        def run() -> Any:
            with self.engine:
                return function(*args)

        return run

    def pack_at(self, request: dict[str, Any]) -> Any:
        """The served pack a request names (refused if not served)."""
        return self.pack(Path(str(request["pack"])))

    def _find(self, request: dict[str, Any]) -> tuple[Any, Any, Any]:
        pack = self.pack_at(request)
        lesson = pack.lesson(str(request["lesson"]))
        if lesson is None:
            raise GradingFailed(_no_lesson(request, pack), "request")
        exercise = lesson.exercise(str(request["exercise"]))
        if exercise is None:
            raise GradingFailed(
                _("no exercise `{exercise}` in `{lesson}`").format(
                    exercise=request["exercise"], lesson=lesson.id
                ),
                "request",
            )
        return pack, lesson, exercise

    def _derivation_block(self, request: dict[str, Any]):
        from tutor.pack.model import Derivation

        pack = self.pack(Path(str(request["pack"])))
        lesson = pack.lesson(str(request["lesson"]))
        if lesson is None:
            raise GradingFailed(_no_lesson(request, pack), "request")
        line = int(request["line"])
        for step in lesson.steps:
            for block in step.blocks:
                if isinstance(block, Derivation) and block.location.line == line:
                    return block
        raise GradingFailed(
            _("no derivation at line {line} of `{lesson}`").format(line=line, lesson=lesson.id),
            "request",
        )

    def pack(self, root: Path) -> Any:
        """Packs are loaded once, and again when a file in them changes."""
        from tutor.pack.loader import load_pack

        root = root.resolve()
        if self.allowed is not None and root not in self.allowed:
            raise GradingFailed(
                _(
                    "this grading service does not serve the pack at {root}; "
                    "start it with `ce-tutor serve --pack DIR`"
                ).format(root=root),
                "request",
            )
        stamp = max((p.stat().st_mtime for p in root.rglob("*") if p.is_file()), default=0.0)
        with self._packs_lock:
            cached = self._packs.get(root)
            if cached is None or cached[0] != stamp:
                pack, _errors = load_pack(root)
                self._packs[root] = (stamp, pack)
            return self._packs[root][1]

    def prove_all(self, stop: threading.Event | None = None) -> bool:
        """Prove every derivation of the served packs ahead of the learners (shared service).

        Stops early once `stop` is set (a SIGTERM must not wait for the proofs:
        they take tens of seconds on a busy machine); True when all were done.
        """
        from tutor.pack.model import Derivation

        for root in sorted(self.allowed or ()):
            with contextlib.suppress(Exception):
                for lesson in self.pack(root).lessons:
                    for step in lesson.steps:
                        for block in step.blocks:
                            if stop is not None and stop.is_set():
                                return False
                            if isinstance(block, Derivation):
                                self.derivation_view(block, ascii=False, prove=True)
        return True


def _summary(times: list[float]) -> dict[str, float]:
    """How long the service took per request of one kind, over the last 1000."""
    p95 = statistics.quantiles(times, n=20)[18] if len(times) > 1 else times[0]
    return {"count": len(times), "p50_ms": statistics.median(times), "p95_ms": p95}


def warm_engines() -> None:
    """Import sympy and build the formula engine's and printer's caches before the first answer.

    Otherwise a learner's first formula answer pays ~2 s of imports and
    set-up (measured by `ce-tutor bench`); here it is paid while they read.
    """
    from tutor.grading.drawing import draw_math, read_as
    from tutor.grading.formula import grade_formula
    from tutor.pack.model import FormulaExercise, Location
    from tutor.symbolic.domain import SymbolKind, SymbolSpec

    symbols = {name: SymbolSpec(name, SymbolKind.DISTRIBUTION, "K") for name in ("p", "q")}
    exercise = FormulaExercise(
        id="warm-up",
        prompt="",
        location=Location(Path("<warm-up>"), 1),
        answer="-sum(p*log(q))",
        symbols=symbols,
    )
    grade_formula(exercise, "sum(p*log(1/q))")
    read_as("-sum(p*log(q))", symbols)
    draw_math(r"H(p, q) = -\sum_i p_i \log q_i")


# ---------------------------------------------------------------------------------- the server


def from_a_sandbox(connection: socket.socket, sandbox: Any) -> bool:
    """Is the peer code running in our sandbox? It may not use the service it runs for.

    Learner code can reach a Unix socket outside its private /tmp (the
    class's is in /run). As root each run has a uid of its own; otherwise a
    run is a descendant of one of our fork servers.
    """
    from tutor.grading.sandbox.confine import RUN_UID_BASE

    creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("iII"))
    pid, uid, _gid = struct.unpack("iII", creds)
    if uid >= RUN_UID_BASE:
        return True
    servers = {server for server in sandbox.pids if server}
    for _hop in range(64):  # up the parent chain, bounded
        if pid in servers:
            return True
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return False
        pid = int(stat.rsplit(")", 1)[1].split()[1])
        if pid <= 1:
            return False
    return False


class _Connection(socketserver.StreamRequestHandler):
    """One client (one learner's app thread): requests answered in order, one at a time."""

    server: _Server

    def handle(self) -> None:
        service = self.server.service
        with self.server.count_lock:
            self.server.connections += 1
            over = self.server.connections > MAX_CONNECTIONS
        try:
            if from_a_sandbox(self.request, service.sandbox):
                self._refuse(
                    failure("code in the sandbox may not use the grading service", "refused")
                )
                return
            if over:
                self._refuse(failure("the grading service has too many connections", "busy"))
                return
            service.ready.wait()
            peer = peer_of(self.request)
            while True:
                line = self.rfile.readline(MAX_LINE + 1)
                if not line:
                    return
                if len(line) > MAX_LINE:
                    self._reply(failure(f"a request is at most {MAX_LINE} bytes", "request"))
                    return  # the rest of that line is not worth reading
                if not line.strip():
                    continue
                try:
                    request = decode(line)
                except ValueError as error:
                    reply = failure(f"bad request: {error}", "request")
                else:
                    reply = service.handle(request, peer)
                self._reply(reply)
        except (BrokenPipeError, ConnectionResetError):
            return  # the app went away mid-answer
        finally:
            with self.server.count_lock:
                self.server.connections -= 1

    def _reply(self, reply: dict[str, Any]) -> None:
        self.wfile.write(encode(reply))
        self.wfile.flush()

    def _refuse(self, reply: dict[str, Any]) -> None:
        """Refuse the connection, and say so in the request log."""
        log = self.server.service.request_log
        if log is not None:
            peer = peer_of(self.request)
            log.record(f"uid {peer.uid} pid {peer.pid}", {"op": "connect"}, reply, 0.0)
        self._reply(reply)


class _Server(socketserver.ThreadingUnixStreamServer):
    daemon_threads = True  # a stuck connection never keeps the service from stopping
    # socketserver's default queue of 5 not-yet-accepted connections overflowed when a
    # class logged in at once: connect() then failed with EAGAIN ("Resource temporarily
    # unavailable") and the learner saw "not answering" with no numbers drawn
    request_queue_size = socket.SOMAXCONN

    def __init__(self, path: Path, service: Service) -> None:
        self.service = service
        self.connections = 0
        self.count_lock = threading.Lock()
        super().__init__(str(path), _Connection)


def _no_lesson(request: dict[str, Any], pack: Any) -> str:
    return _("no lesson `{lesson}` in {pack}").format(lesson=request["lesson"], pack=pack.root)


def bind(path: Path, service: Service, mode: int, group: int | None = None) -> _Server:
    """Listen at `path`; refuse if another service already answers there."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        if answering(path):
            raise GradingFailed(
                _("a grading service already answers at {path}").format(path=path), "request"
            )
        path.unlink()  # left behind by a service that died
    server = _Server(path, service)
    if group is not None:
        os.chown(path, -1, group)
    os.chmod(path, mode)
    return server


def answering(path: Path) -> bool:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
        probe.settimeout(2.0)
        try:
            probe.connect(str(path))
        except OSError:
            return False
    return True


def _close(server: _Server, path: Path) -> None:
    """Stop answering, remove the socket, end the fork servers."""
    server.shutdown()
    server.server_close()
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    server.service.sandbox.close()


def serve_shared(
    path: Path,
    packs: Iterable[Path],
    mode: int = 0o666,
    say: Callable[[str], None] = lambda text: print(text, file=sys.stderr, flush=True),
    stop: threading.Event | None = None,
    classroom: Classroom | None = None,
    group: int | None = None,
    request_log: RequestLog | None = None,
    class_pack: Path | None = None,
) -> None:
    """`ce-tutor serve`: run the class's service in the foreground until SIGTERM or Ctrl-C."""
    service = Service(
        packs, shared=True, classroom=classroom, request_log=request_log, class_pack=class_pack
    )
    server = bind(path, service, mode, group)
    stop = stop or threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        with contextlib.suppress(ValueError):  # not the main thread (tests): rely on `stop`
            signal.signal(signum, lambda *_: stop.set())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        say(f"loading torch and sympy; learners may connect to {path} already")
        began = time.monotonic()
        service.start()
        say(f"{READY} {time.monotonic() - began:.1f} s: pid {os.getpid()}, socket {path}")
        if service.prove_all(stop):
            say("every derivation of the served packs is proved")
        stop.wait()
    finally:
        _close(server, path)
        say("grading service stopped")


def serve_private(path: Path) -> None:
    """The app's own service: a ready line on stdout, then serve until stdin closes."""
    service = Service()
    server = bind(path, service, 0o600)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    service.start()
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)  # anything else printing lands on stderr, never on the ready line
    sys.stdout = sys.stderr
    replies.write(encode({"ready": True, "pid": os.getpid(), "socket": str(path)}).decode())
    replies.flush()
    try:
        while sys.stdin.buffer.read(4096):
            pass  # nothing is sent on stdin: it only tells us the app is alive
    finally:
        _close(server, path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m tutor.grading.service")
    parser.add_argument("--socket", required=True, type=Path)
    parser.add_argument("--private", action="store_true", help="end when stdin closes")
    args = parser.parse_args(argv)
    if not args.private:
        parser.error("a shared service is started with `ce-tutor serve`")
    serve_private(args.socket)


if __name__ == "__main__":
    main()
