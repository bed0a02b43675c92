"""`Sandbox`: the caller's handle on its fork servers.

It starts `python -m tutor.grading.sandbox.forkserver` once per server
(paying torch's import once each), sends each batch to an idle one, and turns the fork server's report and the
child's frame into a `RunResult`. The child's bytes are decoded with
`wire.decode`, which runs nothing; a forged or broken frame becomes
`crashed`, never an exception in the caller. If a fork server dies, the
next run it is given starts a new one.
"""

from __future__ import annotations

import atexit
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from tutor.grading.sandbox import wire
from tutor.grading.sandbox.fairness import runner
from tutor.grading.sandbox.forbid import check_source
from tutor.grading.sandbox.limits import CaseOutcome, Limits, Raised, RunResult, RunStatus
from tutor.i18n import _

_LEN = struct.Struct("<Q")
_COUNT = struct.Struct("<I")
_REPLY = struct.Struct("<IQQ")
START_TIMEOUT = 120.0  # torch's first import on a cold page cache is slow


@dataclass
class FunctionCall:
    """One `run_function` to make; several can run side by side with `run_functions`."""

    source: str
    entry: str
    cases: Sequence[Mapping[str, Any]] | Mapping[str, Any]
    forbid: Sequence[str] = ()
    compare: str = "result"
    filename: str = "<your code>"
    limits: Limits | None = None
    order: Sequence[str] = ()  # the parameters' order: each case is passed positionally
    gradients: bool = False  # also send d(output)/d(each float argument)


@dataclass
class SnippetRun:
    """One `run_snippet` to make; several can run side by side with `run_snippets`."""

    source: str
    env: Mapping[str, Any] | None = None
    forbid: Sequence[str] = ()
    filename: str = "<snippet>"
    limits: Limits | None = None


class SandboxUnavailable(RuntimeError):
    """The fork server could not be started."""


class _ForkServer:
    """One `python -m tutor.grading.sandbox.forkserver` process and its socket.

    It answers one request at a time, so its lock is held for a whole
    exchange; a `Sandbox` hands each batch to one idle server.
    """

    def __init__(self, python: str) -> None:
        self.python = python
        self.lock = threading.Lock()
        self.process: subprocess.Popen | None = None
        self.sock: socket.socket | None = None
        self.starts = 0

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.running else None

    def ensure_started(self) -> None:
        if self.running and self.sock is not None:
            return
        self.stop()
        ours, theirs = socket.socketpair()
        env = dict(os.environ, OMP_NUM_THREADS="1", MKL_NUM_THREADS="1")
        try:
            process = subprocess.Popen(
                [self.python, "-m", "tutor.grading.sandbox.forkserver", str(theirs.fileno())],
                pass_fds=[theirs.fileno()],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                env=env,
                start_new_session=True,  # a terminal's Ctrl-C goes to the app, not here
            )
        except OSError as error:  # no such interpreter: the same failure as one that dies
            ours.close()
            raise SandboxUnavailable(f"the sandbox's fork server did not start: {error}") from error
        finally:
            theirs.close()
        ours.settimeout(START_TIMEOUT)
        try:
            ready = ours.recv(1)
        except OSError:
            ready = b""
        if ready != b"R":
            process.kill()
            process.wait()
            ours.close()
            raise SandboxUnavailable("the sandbox's fork server did not start")
        ours.settimeout(None)
        self.process, self.sock = process, ours
        self.starts += 1

    def stop(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None
        if self.process is not None:
            if self.process.poll() is None:
                try:
                    self.process.wait(timeout=2)  # it exits when the socket closes
                except subprocess.TimeoutExpired:
                    self.process.send_signal(signal.SIGKILL)
                    self.process.wait()
            self.process = None

    def exchange(self, body: bytes) -> list[tuple[dict, bytes, bytes]] | None:
        """Send one request and read its replies; None if the server died during the run.

        Call with `lock` held. A server found dead before the request is
        started anew and the request resent once.
        """
        try:
            for attempt in range(2):
                self.ensure_started()
                try:
                    self.sock.sendall(_LEN.pack(len(body)) + body)
                except OSError:
                    self.stop()  # it was dead before this job: start anew and resend once
                    if attempt:
                        raise
                    continue
                replies = self.receive()
                if replies is None:
                    self.stop()
                return replies
        except BaseException:
            # Interrupted half-way (Ctrl-C, a failed start): the stream may hold half a
            # reply, so this server must not answer the next request. Start anew then.
            self.stop()
            raise
        raise AssertionError("unreachable")

    def receive(self) -> list[tuple[dict, bytes, bytes]] | None:
        head = _recv_exact(self.sock, _COUNT.size)
        if head is None:
            return None
        (count,) = _COUNT.unpack(head)
        replies = []
        for _reply in range(count):
            head = _recv_exact(self.sock, _REPLY.size)
            if head is None:
                return None
            header_len, result_len, output_len = _REPLY.unpack(head)
            body = _recv_exact(self.sock, header_len + result_len + output_len)
            if body is None:
                return None
            header = json.loads(body[:header_len])
            result = body[header_len : header_len + result_len]
            output = body[header_len + result_len :]
            replies.append((header, result, output))
        return replies


class Sandbox:
    """Runs pack and learner code in confined, short-lived children.

    With `servers=n` it owns n fork servers and runs up to n batches at once
    (one learner's endless loop no longer holds up the others' grading); a
    batch waits only when every server is busy. Each server costs a torch
    import at start and its resident memory.

    Example::

        sandbox = Sandbox()
        result = sandbox.run_snippet("print(torch.ones(2).sum())")
        result.stdout  # 'tensor(2.)\\n'
    """

    def __init__(
        self, limits: Limits | None = None, python: str | None = None, *, servers: int = 1
    ) -> None:
        if servers < 1:
            raise ValueError(f"a sandbox needs at least one fork server, not {servers}")
        self.limits = limits or Limits()
        self.python = python or sys.executable
        self._servers = [_ForkServer(self.python) for _server in range(servers)]
        # Idle servers, first in first out: sequential runs take turns, so a server
        # that died is found (and started anew) on its turn, not at the next rush.
        self._idle: deque[_ForkServer] = deque(self._servers)
        self._available = threading.Condition()
        self._waiting: list[tuple[object, object]] = []  # (runner, ticket), first come first
        self._running: dict[object, int] = {}  # runner -> batches in flight (0 or 1)

    # -- life cycle ---------------------------------------------------------------------------

    @property
    def servers(self) -> int:
        return len(self._servers)

    @property
    def starts(self) -> int:
        """How many fork servers were started over all servers (restarts show up here)."""
        return sum(server.starts for server in self._servers)

    @property
    def pids(self) -> list[int | None]:
        """Each fork server's process id, None for one not running."""
        return [server.pid for server in self._servers]

    @property
    def busy(self) -> int:
        """How many fork servers are running a batch right now."""
        with self._available:
            return len(self._servers) - len(self._idle)

    def start(self) -> None:
        """Start every fork server now (each imports torch: seconds, once).

        The first starts here; the others start in threads side by side, and
        this returns when all are up (or raises the first failure). Side by
        side is faster even on 2 cores: 3 servers took about 6 s, against
        about 8.6 s one after another (1 server: about 3 s).
        """
        first, *others = self._servers
        with first.lock:
            first.ensure_started()
        failures: list[BaseException] = []

        def start_one(server: _ForkServer) -> None:
            try:
                with server.lock:
                    server.ensure_started()
            except BaseException as error:  # reported to the caller below
                failures.append(error)

        threads = [threading.Thread(target=start_one, args=(server,)) for server in others]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if failures:
            raise failures[0]

    @property
    def running(self) -> bool:
        return all(server.running for server in self._servers)

    def close(self) -> None:
        for server in self._servers:
            with server.lock:  # waits for a batch in flight on it
                server.stop()

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def _borrow(self) -> Iterator[_ForkServer]:
        """An idle fork server, for this caller alone until the block ends (even by a raise).

        Fair across runners (`fairness.runner`): one batch in flight per
        runner, and a free server goes to the first runner in line who has
        none in flight, so a flood waits behind itself.
        """
        ticket = object()
        who = runner.get() or ticket  # no runner named: this batch stands alone
        with self._available:
            self._waiting.append((who, ticket))
            while not (self._idle and self._next_in_line() is ticket):
                self._available.wait()
            self._waiting.remove((who, ticket))
            self._running[who] = self._running.get(who, 0) + 1
            server = self._idle.popleft()
        try:
            with server.lock:
                yield server
        finally:
            with self._available:
                self._idle.append(server)
                self._running[who] -= 1
                if not self._running[who]:
                    del self._running[who]
                self._available.notify_all()

    def _next_in_line(self) -> object | None:
        """The ticket of the first waiting runner with no batch in flight."""
        for who, ticket in self._waiting:
            if not self._running.get(who):
                return ticket
        return None

    # -- runs ---------------------------------------------------------------------------------

    def run_function(
        self,
        source: str,
        entry: str,
        cases: Sequence[Mapping[str, Any]] | Mapping[str, Any],
        *,
        limits: Limits | None = None,
        forbid: Sequence[str] = (),
        compare: str = "result",
        filename: str = "<your code>",
    ) -> RunResult:
        """Call `entry(**case)` for each case; each outcome is `compare` (over `result`).

        Values come back as tensors, numbers, tuples, lists and dicts; an
        exception raised by the function is data in its `CaseOutcome`.
        """
        call = FunctionCall(source, entry, cases, forbid, compare, filename, limits)
        return self.run_functions([call])[0]

    def run_functions(self, calls: Sequence[FunctionCall]) -> list[RunResult]:
        """Several independent calls, each in its own child, run side by side."""
        prepared = []
        for call in calls:
            cases = [call.cases] if isinstance(call.cases, Mapping) else call.cases
            forbid = list(call.forbid)
            job = {
                "kind": "function",
                "source": call.source,
                "entry": call.entry,
                "cases": [dict(case) for case in cases],
                "compare": call.compare,
                "compare_uses_forbidden": check_source(call.compare, forbid) is not None,
                "forbid": forbid,
                "filename": call.filename,
                "order": list(call.order),
                "gradients": call.gradients,
            }
            prepared.append((check_source(call.source, forbid, call.entry), job, call.limits))
        return self._run_allowed(prepared)

    def run_snippet(
        self,
        source: str,
        env: Mapping[str, Any] | None = None,
        *,
        limits: Limits | None = None,
        forbid: Sequence[str] = (),
        filename: str = "<snippet>",
    ) -> RunResult:
        """Run a snippet with `torch`, `nn`, `F` (and `env`) defined; capture stdout or the raise."""
        return self.run_snippets([SnippetRun(source, env, forbid, filename, limits)])[0]

    def run_snippets(self, snippets: Sequence[SnippetRun]) -> list[RunResult]:
        """Several independent snippets, each in its own child, run side by side."""
        prepared = []
        for snippet in snippets:
            forbid = list(snippet.forbid)
            job = {
                "kind": "snippet",
                "source": snippet.source,
                "env": dict(snippet.env or {}),
                "forbid": forbid,
                "filename": snippet.filename,
            }
            prepared.append((check_source(snippet.source, forbid), job, snippet.limits))
        return self._run_allowed(prepared)

    def _run_allowed(
        self, prepared: list[tuple[str | None, dict[str, Any], Limits | None]]
    ) -> list[RunResult]:
        """Each (forbidden name found in the source, job, limits): `forbidden` for a name
        found, the other jobs run in one request."""
        results: list[RunResult] = [
            RunResult(RunStatus.FORBIDDEN, message=f"forbidden: {hit}") for hit, _j, _l in prepared
        ]
        allowed = [index for index, (hit, _job, _limits) in enumerate(prepared) if not hit]
        if allowed:
            jobs = [(prepared[i][1], prepared[i][2] or self.limits) for i in allowed]
            for index, result in zip(allowed, self._run(jobs), strict=True):
                results[index] = result
        return results

    def _run(self, jobs: list[tuple[dict[str, Any], Limits]]) -> list[RunResult]:
        runs = [{"job": job, "limits": limits.to_json()} for job, limits in jobs]
        body = wire.encode({"runs": runs})
        with self._borrow() as server:
            replies = server.exchange(body)
        if replies is None:
            message = _("the sandbox stopped during the run")
            return [RunResult(RunStatus.CRASHED, message=message) for _job in jobs]
        if len(replies) != len(jobs):  # the server refused the whole request
            replies = [replies[0]] * len(jobs)
        return [
            matching(interpret(*reply, limits), job)
            for reply, (job, limits) in zip(replies, jobs, strict=True)
        ]


def _recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        try:
            chunk = sock.recv(min(size - len(chunks), 1 << 20))
        except OSError:
            return None
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def interpret(header: dict, result: bytes, output: bytes, limits: Limits) -> RunResult:
    """The fork server's report (trusted) plus the child's frame (untrusted) as a RunResult."""
    run = RunResult(
        RunStatus.OK,
        stdout=output.decode("utf-8", errors="replace"),
        protections=list(header.get("protections", [])),
        wall_seconds=float(header.get("wall", 0.0)),
        cpu_seconds=float(header.get("cpu", 0.0)),
    )
    if header.get("error"):
        run.status, run.message = (
            RunStatus.CRASHED,
            _("sandbox error: {error}").format(error=header["error"]),
        )
        return run
    sig = header.get("signal")
    if header.get("timed_out"):
        run.status, run.message = RunStatus.LIMIT, _time_limit(limits.wall_seconds)
        return run
    cpu_bound = sig == signal.SIGKILL and run.cpu_seconds >= 0.9 * limits.cpu_seconds
    if sig == signal.SIGXCPU or cpu_bound:
        run.status, run.message = RunStatus.LIMIT, _time_limit(limits.cpu_seconds)
        return run
    if header.get("result_too_large"):
        run.status, run.message = RunStatus.LIMIT, _("the result is too large to send")
        return run
    if sig == signal.SIGXFSZ:
        run.status, run.message = RunStatus.LIMIT, _("file size limit")
        return run
    if sig is not None:
        run.status = RunStatus.CRASHED
        run.message = (
            _("killed by {signal}").format(signal=signal.Signals(sig).name)
            if sig in _SIGNALS
            else _("signal {number}").format(number=sig)
        )
        return run
    if not result:
        run.status = RunStatus.CRASHED
        run.message = _("the process ended before returning a result (exit code {code})").format(
            code=header.get("exit")
        )
        return run
    try:
        frame = wire.decode(result, max_bytes=limits.result_bytes + 64)
        _fill(run, frame)
    except (wire.WireError, KeyError, TypeError, ValueError) as error:
        run.status, run.message = (
            RunStatus.CRASHED,
            _("the result could not be read ({error})").format(error=error),
        )
        run.cases = []
    return run


_SIGNALS = {int(s) for s in signal.Signals}


def _time_limit(seconds: float) -> str:
    return _("time limit, {seconds} s").format(seconds=f"{seconds:g}")


def matching(run: RunResult, job: Mapping[str, Any]) -> RunResult:
    """The run, or `crashed` if its frame does not fit the job it was sent.

    The frame comes from the child, where learner code runs and can write to
    the result pipe: a forged frame must not reach a grader that zips
    outcomes with cases. An ended run has one outcome per case sent, or none
    when the code raised before any case ran; a snippet has none.
    """
    if run.status is not RunStatus.OK:
        return run
    sent = len(job.get("cases") or []) if job.get("kind") == "function" else 0
    fits = len(run.cases) == sent or (run.raised is not None and not run.cases)
    if fits:
        return run
    message = _("the result does not match the {sent} case(s) sent ({back} came back)").format(
        sent=sent, back=len(run.cases)
    )
    return replace(run, status=RunStatus.CRASHED, message=message, cases=[], raised=None)


def _fill(run: RunResult, frame: Any) -> None:
    if not isinstance(frame, dict):
        raise wire.WireError("not a result")
    if frame.get("forbidden"):
        run.status, run.message = RunStatus.FORBIDDEN, f"forbidden: {frame['forbidden']}"
        return
    if frame.get("memory"):
        run.status, run.message = RunStatus.LIMIT, _("memory limit")
        return
    error = frame.get("error")
    if error is not None:
        run.raised = _raised(error)
    for case in frame.get("cases") or []:
        if not isinstance(case, dict):
            raise wire.WireError("bad case")
        if case.get("raised") is not None:
            run.cases.append(CaseOutcome(raised=_raised(case["raised"])))
        else:
            after, grads = case.get("after"), case.get("grads")
            if not all(x is None or isinstance(x, list) for x in (after, grads)):
                raise wire.WireError("bad argument checks")
            run.cases.append(CaseOutcome(value=case.get("value"), after=after, grads=grads))


def _raised(data: Any) -> Raised:
    if not isinstance(data, dict):
        raise wire.WireError("bad exception")
    return Raised(
        str(data.get("type", "Exception"))[:200],
        str(data.get("message", ""))[:2000],
        str(data.get("traceback", ""))[:4000],
    )


SERVERS_VARIABLE = "CE_TUTOR_SANDBOX_SERVERS"
MAX_SERVERS = 8  # each is a torch-sized process; more than this is a mistake, not a class

_default: Sandbox | None = None
_default_servers: int | None = None  # set by configure_default_sandbox
_default_lock = threading.Lock()


def servers_from_env(value: str | None) -> int:
    """How many fork servers `CE_TUTOR_SANDBOX_SERVERS` asks for: 1..8, 1 if unset or unreadable."""
    try:
        count = int((value or "").strip())
    except ValueError:
        return 1
    return min(max(count, 1), MAX_SERVERS)


def configure_default_sandbox(servers: int) -> None:
    """Choose the default sandbox's number of fork servers; call before `default_sandbox()`.

    It wins over `CE_TUTOR_SANDBOX_SERVERS`. Once the default exists its
    servers are running, so asking for another count then is an error.
    """
    global _default_servers
    if not 1 <= servers <= MAX_SERVERS:
        raise ValueError(f"servers must be 1..{MAX_SERVERS}, not {servers}")
    with _default_lock:
        if _default is not None and _default.servers != servers:
            raise RuntimeError(
                f"the default sandbox already exists with {_default.servers} fork server(s);"
                " configure it before its first use"
            )
        _default_servers = servers


def default_sandbox() -> Sandbox:
    """The process's shared sandbox, started on first use and closed at exit."""
    global _default
    with _default_lock:
        if _default is None:
            servers = _default_servers or servers_from_env(os.environ.get(SERVERS_VARIABLE))
            _default = Sandbox(servers=servers)
            atexit.register(_default.close)
        return _default
