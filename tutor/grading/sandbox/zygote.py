"""The zygote: the clean parent every sandbox child is forked from.

The fork server forks it once, after torch is warmed and before the first
request, and from then on asks it for spares over a `SOCK_SEQPACKET` pair.
It never receives a request, a source, a case or a result: a child forked
from it holds nothing of any other run, whatever it digs up (stack frames,
`gc.get_objects()`, freed memory through `/proc/self/mem`, open
descriptors). What it does receive is pack configuration only: the names an
exercise forbids, so `forbid.locate`'s scan of torch is cached here and
inherited by later children.

Spares are the zygote's children, so it reaps them and reports each exit
status and CPU time to the fork server, which watches them through pidfds.
"""

from __future__ import annotations

import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import tempfile
from dataclasses import dataclass, field
from typing import Any

from tutor.grading.sandbox import wire
from tutor.grading.sandbox.limits import Limits

_LEN = struct.Struct("<Q")
MESSAGE_BYTES = 1 << 16


@dataclass
class Spare:
    """A child forked ahead of time, waiting for its job on a pipe."""

    pid: int
    workdir: str
    job_w: int
    fds: tuple[int, int, int]  # result, output, control: the fork server reads them

    def send(self, run: dict[str, Any]) -> None:
        """Hand the child its one job; it starts at once."""
        frame = wire.encode(run)
        view = memoryview(_LEN.pack(len(frame)) + frame)
        while view:  # the spare is blocked reading: a blocking write cannot stall for long
            view = view[os.write(self.job_w, view) :]
        os.close(self.job_w)

    def discard(self, zygote: Zygote) -> None:
        with contextlib.suppress(OSError):
            os.close(self.job_w)  # it reads EOF and exits
        for fd in self.fds:
            with contextlib.suppress(OSError):
                os.close(fd)
        zygote.wait_exit(self.pid)
        shutil.rmtree(self.workdir, ignore_errors=True)


class ZygoteGone(RuntimeError):
    """The zygote died: the fork server cannot run anything more and exits."""


@dataclass
class Zygote:
    """The fork server's handle on its zygote."""

    pid: int
    sock: socket.socket
    exits: dict[int, tuple[int, float]] = field(default_factory=dict)  # pid -> status, cpu
    located: set[tuple[str, ...]] = field(default_factory=set)

    @classmethod
    def start(cls, base: str, close: list[int]) -> Zygote:
        """Fork the zygote now; `close` are descriptors it must not keep (the request socket)."""
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                ours.close()
                for fd in close:
                    with contextlib.suppress(OSError):
                        os.close(fd)
                _zygote_loop(theirs, base)
                code = 0
            finally:
                os._exit(code)
        theirs.close()
        return cls(pid, ours)

    def fork_spare(self) -> Spare:
        self._send({"fork": True})
        while True:
            message, fds = self._receive()
            if "spare" in message:
                res_r, out_r, ctl_r, job_w = fds
                for fd in (res_r, out_r, ctl_r):
                    os.set_blocking(fd, False)
                return Spare(message["spare"], message["workdir"], job_w, (res_r, out_r, ctl_r))

    def locate(self, forbid: list[str]) -> None:
        """Have the zygote find the forbidden objects once, for every later child."""
        key = tuple(forbid)
        if key not in self.located:
            self.located.add(key)
            self._send({"locate": list(key)})

    def wait_exit(self, pid: int) -> tuple[int, float]:
        """The child's wait status and CPU seconds, once the zygote has reaped it."""
        while pid not in self.exits:
            self._receive()
        return self.exits.pop(pid)

    def close(self) -> None:
        self.sock.close()  # it kills its children and exits
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)

    def _send(self, message: dict[str, Any]) -> None:
        try:
            self.sock.send(json.dumps(message).encode())
        except OSError as error:
            raise ZygoteGone(f"the zygote is gone: {error}") from error

    def _receive(self) -> tuple[dict[str, Any], list[int]]:
        try:
            data, fds, _, _ = socket.recv_fds(self.sock, MESSAGE_BYTES, 4)
        except OSError as error:
            raise ZygoteGone(f"the zygote is gone: {error}") from error
        if not data:
            raise ZygoteGone("the zygote is gone")
        message = json.loads(data)
        if "exit" in message:
            self.exits[message["exit"]] = (message["status"], message["cpu"])
        return message, fds


# -- inside the zygote -----------------------------------------------------------------------


def _zygote_loop(sock: socket.socket, base: str) -> None:
    """Fork spares on request and report their ends, until the fork server hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # Its first steps as a process split some of the huge pages it shares with the fork
    # server (a write splits them for the writer): fold those again, once, before any fork.
    from tutor.grading.sandbox.huge_pages import collapse_anonymous_memory

    collapse_anonymous_memory()
    children: dict[int, int] = {}  # pidfd -> pid
    with selectors.DefaultSelector() as selector:
        selector.register(sock, selectors.EVENT_READ)
        try:
            while True:
                for key, _ in selector.select():
                    if key.fileobj is sock:
                        data = sock.recv(MESSAGE_BYTES)
                        if not data:
                            return
                        _obey(json.loads(data), sock, base, selector, children)
                    else:
                        _report_exit(key.fd, sock, selector, children)
        finally:
            for pid in children.values():
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)
                with contextlib.suppress(ChildProcessError):
                    os.waitpid(pid, 0)


def _obey(
    message: dict[str, Any],
    sock: socket.socket,
    base: str,
    selector: selectors.BaseSelector,
    children: dict[int, int],
) -> None:
    if "locate" in message:
        from tutor.grading.sandbox.forbid import locate

        with contextlib.suppress(Exception):  # a bad name is the child's error to report
            locate([str(name) for name in message["locate"]])
    if message.get("fork"):
        pid, workdir, ours = _fork_spare(base)
        pidfd = os.pidfd_open(pid)
        children[pidfd] = pid
        selector.register(pidfd, selectors.EVENT_READ)
        try:
            socket.send_fds(sock, [json.dumps({"spare": pid, "workdir": workdir}).encode()], ours)
        finally:
            for fd in ours:
                os.close(fd)


def _report_exit(
    pidfd: int, sock: socket.socket, selector: selectors.BaseSelector, children: dict[int, int]
) -> None:
    pid = children.pop(pidfd)
    selector.unregister(pidfd)
    os.close(pidfd)
    try:
        _, status, usage = os.wait4(pid, 0)
        cpu = usage.ru_utime + usage.ru_stime
    except ChildProcessError:
        status, cpu = 0, 0.0
    sock.send(json.dumps({"exit": pid, "status": status, "cpu": cpu}).encode())


def _fork_spare(base: str) -> tuple[int, str, list[int]]:
    """Fork one child that waits for its job; return its pid, workdir and our pipe ends."""
    from tutor.grading.sandbox.harness import run_child

    workdir = tempfile.mkdtemp(dir=base)
    uid_owned = os.getuid() == 0  # the child hands it to its own uid (confine.run_uid)
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    ctl_r, ctl_w = os.pipe()
    job_r, job_w = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            os.setpgid(0, 0)
            keep = {res_w, out_w, ctl_w, job_r}
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            for fd in _open_fds():
                if fd > 2 and fd not in keep:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            frame = _read_job(job_r)
            if frame is None:  # the server closed the pool
                code = 0
                return
            run = wire.decode(frame, max_bytes=1 << 32)
            run_child(run["job"], Limits.from_json(run["limits"]), workdir, res_w, ctl_w, uid_owned)
            code = 0
        finally:
            os._exit(code)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    for fd in (res_w, out_w, ctl_w, job_r):
        os.close(fd)
    return pid, workdir, [res_r, out_r, ctl_r, job_w]


def _read_job(fd: int) -> bytes | None:
    def exact(size: int) -> bytes | None:
        data = bytearray()
        while len(data) < size:
            chunk = os.read(fd, size - len(data))
            if not chunk:
                return None
            data.extend(chunk)
        return bytes(data)

    head = exact(_LEN.size)
    return None if head is None else exact(_LEN.unpack(head)[0])


def _open_fds() -> list[int]:
    try:
        return [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))
