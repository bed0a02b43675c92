"""The pre-warmed parent: imports torch once, then forks one child per run.

Started by `Sandbox` as `python -m tutor.grading.sandbox.forkserver FD`, it
talks over the socket FD: a request is a wire frame (job, limits); a reply is
a JSON header this process wrote (exit status, signal, timing, protections)
plus the child's raw result frame and its output, passed on undecoded. The
child is confined before any sandboxed code runs; this process enforces the
wall clock with SIGKILL and sweeps up whatever the child left behind.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import selectors
import shutil
import signal
import socket
import struct
import sys
import tempfile
import time
from typing import Any

from tutor.grading.sandbox import wire
from tutor.grading.sandbox.confine import NOBODY
from tutor.grading.sandbox.forbid import locate
from tutor.grading.sandbox.limits import Limits

_LEN = struct.Struct("<Q")
PR_SET_CHILD_SUBREAPER = 36
REPLY = struct.Struct("<IQQ")  # header length, result length, output length


# Imported before forking: children run as an unprivileged user, who may not be
# able to read the interpreter's own library (e.g. a pyenv Python under /root).
PRELOAD = (
    "bisect",
    "collections",
    "copy",
    "dataclasses",
    "decimal",
    "encodings.idna",
    "fractions",
    "functools",
    "heapq",
    "itertools",
    "json",
    "math",
    "numbers",
    "numpy",
    "operator",
    "random",
    "re",
    "socket",
    "statistics",
    "string",
    "textwrap",
    "time",
    "typing",
    "warnings",
)


def warm() -> None:
    """Import torch once, single-threaded *before* any op (forked children can hang otherwise)."""
    import importlib

    import torch

    torch.set_num_threads(1)
    with contextlib.suppress(RuntimeError):
        torch.set_num_interop_threads(1)
    import torch.nn.functional as F

    # Touch the common code paths once so children find them paged in.
    logits = torch.randn(4, 3, requires_grad=True)
    F.cross_entropy(logits, torch.tensor([0, 1, 2, 0])).backward()
    torch.log_softmax(logits.detach(), 1).gather(1, torch.zeros(4, 1, dtype=torch.long))
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    gc.collect()
    gc.freeze()  # children then leave the parent's pages shared


def recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def serve(sock: socket.socket) -> None:
    base = tempfile.mkdtemp(prefix="ce-tutor-sandbox-")
    os.chmod(base, 0o711)  # the unprivileged child must reach its own directory
    try:
        while True:
            head = recv_exact(sock, _LEN.size)
            if head is None:
                return
            (size,) = _LEN.unpack(head)
            body = recv_exact(sock, size)
            if body is None:
                return
            try:
                request = wire.decode(body, max_bytes=1 << 32)
                header, result, output = run(request, base)
            except Exception as error:  # a bad request must not end the server
                header, result, output = {"error": f"{type(error).__name__}: {error}"}, b"", b""
            text = json.dumps(header).encode()
            sock.sendall(REPLY.pack(len(text), len(result), len(output)) + text + result + output)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def run(request: dict[str, Any], base: str) -> tuple[dict[str, Any], bytes, bytes]:
    from tutor.grading.sandbox.harness import run_child

    limits = Limits.from_json(request["limits"])
    job = request["job"]
    if job.get("forbid"):
        locate(job["forbid"])  # once here, inherited by every child
    workdir = tempfile.mkdtemp(dir=base)
    uid_owned = False
    if os.getuid() == 0:
        os.chown(workdir, NOBODY, NOBODY)
        uid_owned = True
    res_r, res_w = os.pipe()
    out_r, out_w = os.pipe()
    ctl_r, ctl_w = os.pipe()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 70
        try:
            os.setpgid(0, 0)
            keep = {res_w, out_w, ctl_w}
            devnull = os.open(os.devnull, os.O_RDONLY)
            os.dup2(devnull, 0)
            os.dup2(out_w, 1)
            os.dup2(out_w, 2)
            for fd in _open_fds():
                if fd > 2 and fd not in keep:
                    with contextlib.suppress(OSError):
                        os.close(fd)
            signal.signal(signal.SIGPIPE, signal.SIG_DFL)
            run_child(job, limits, workdir, res_w, ctl_w, uid_owned)
            code = 0
        finally:
            os._exit(code)
    with contextlib.suppress(OSError):
        os.setpgid(pid, pid)
    for fd in (res_w, out_w, ctl_w):
        os.close(fd)
    try:
        return _watch(pid, limits, started, res_r, out_r, ctl_r)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def _watch(pid: int, limits: Limits, started: float, res_r: int, out_r: int, ctl_r: int):
    deadline = started + limits.wall_seconds
    buffers = {res_r: bytearray(), out_r: bytearray(), ctl_r: bytearray()}
    caps = {res_r: limits.result_bytes + 64, out_r: limits.output_bytes, ctl_r: 4096}
    overflow = {res_r: False, out_r: False, ctl_r: False}
    selector = selectors.DefaultSelector()
    for fd in buffers:
        os.set_blocking(fd, False)
        selector.register(fd, selectors.EVENT_READ)
    try:
        pidfd: int | None = os.pidfd_open(pid)
        selector.register(pidfd, selectors.EVENT_READ)
    except (AttributeError, OSError):  # kernels before 5.3: poll for the exit instead
        pidfd = None
    timed_out = False
    too_large = False
    exited = False
    while not exited:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            timed_out = True
            break
        wait = min(remaining, 1.0 if pidfd is not None else 0.005)
        for key, _ in selector.select(wait):
            if key.fd == pidfd:
                exited = True
            else:
                _pump(key.fd, buffers, caps, overflow, selector)
        if pidfd is None and os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT):
            exited = True
        if overflow[res_r]:
            too_large = True
            break
    if not exited:
        _kill(pid, signal.SIGKILL)
    # Drain what is already in the pipes; a grandchild may keep them open, so never block.
    for fd in buffers:
        while _pump(fd, buffers, caps, overflow, None):
            pass
    _, status, usage = os.wait4(pid, 0)
    wall = time.monotonic() - started
    netns = _netns(bytes(buffers[ctl_r]))
    _sweep(pid, netns)
    _reap()
    selector.close()
    for fd in (res_r, out_r, ctl_r, pidfd):
        if fd is not None:
            os.close(fd)
    control = _control(bytes(buffers[ctl_r]))
    header = {
        "exit": os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None,
        "signal": os.WTERMSIG(status) if os.WIFSIGNALED(status) else None,
        "timed_out": timed_out,
        "result_too_large": too_large,
        "output_truncated": overflow[out_r],
        "wall": wall,
        "cpu": usage.ru_utime + usage.ru_stime,
        "protections": control.get("protections", []),
    }
    result = b"" if too_large else bytes(buffers[res_r])
    return header, result, bytes(buffers[out_r])


def _pump(fd, buffers, caps, overflow, selector) -> bool:
    """Read once from fd; False at EOF or when nothing is waiting."""
    try:
        chunk = os.read(fd, 1 << 16)
    except BlockingIOError:
        return False
    except OSError:
        chunk = b""
    if not chunk:
        if selector is not None:
            with contextlib.suppress(KeyError, ValueError):
                selector.unregister(fd)
        return False
    room = caps[fd] - len(buffers[fd])
    if len(chunk) > room:
        overflow[fd] = True
        chunk = chunk[: max(room, 0)]
    buffers[fd].extend(chunk)
    return True


def _control(raw: bytes) -> dict[str, Any]:
    try:
        data = json.loads(raw.decode() or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _netns(raw: bytes) -> int:
    netns = _control(raw).get("netns", 0)
    own = os.stat("/proc/self/ns/net").st_ino
    return netns if isinstance(netns, int) and netns != own else 0


def _sweep(pid: int, netns: int) -> None:
    """Kill everything the child left: its process group, and its network namespace."""
    _kill(-pid, signal.SIGKILL)
    if not netns:
        return
    for _ in range(20):
        found = False
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                if os.stat(f"/proc/{entry}/ns/net").st_ino == netns:
                    found = True
                    _kill(int(entry), signal.SIGKILL)
            except OSError:
                continue
        if not found:
            return
        time.sleep(0.005)


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def _open_fds() -> list[int]:
    try:
        return [int(fd) for fd in os.listdir("/proc/self/fd")]
    except OSError:
        return list(range(3, 256))


def main(argv: list[str]) -> None:
    sock = socket.socket(fileno=int(argv[1]))
    import ctypes

    # Orphans of a child (a fork bomb's leftovers) come to us, so we can reap them.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    warm()
    sock.sendall(b"R")  # ready: torch is loaded
    serve(sock)


if __name__ == "__main__":
    main(sys.argv)
