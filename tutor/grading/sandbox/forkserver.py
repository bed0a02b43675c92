"""The pre-warmed parent: imports torch once, then has one child forked per run.

Started by `Sandbox` as `python -m tutor.grading.sandbox.forkserver FD`, it
talks over the socket FD: a request is a wire frame (job, limits); a reply is
a JSON header this process wrote (exit status, signal, timing, protections)
plus the child's raw result frame and its output, passed on undecoded. The
child is confined before any sandboxed code runs; this process enforces the
wall clock with SIGKILL and sweeps up whatever the child left behind.

Children are not forked by this process but by its **zygote**
(`tutor.grading.sandbox.zygote`), forked right after torch is warmed and
before the first request. A child is a copy of its parent's memory: forked
from here, it would inherit the last request's sources, cases and results
(on the stack, in freed memory), and learner code could read a classmate's
run. The zygote never receives a request, so there is nothing to inherit.
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
from tutor.grading.sandbox.limits import Limits
from tutor.grading.sandbox.zygote import Spare, Zygote, ZygoteGone

_LEN = struct.Struct("<Q")
PR_SET_CHILD_SUBREAPER = 36
SPARES = 2  # children kept forked ahead: a learner's run and the reference's
COUNT = struct.Struct("<I")  # replies in one message
REPLY = struct.Struct("<IQQ")  # header length, result length, output length


# Imported before forking: children run as an unprivileged user, who may not be
# able to read the interpreter's own library (e.g. a pyenv Python under /root).
PRELOAD = (
    "torch._subclasses.schema_check_mode",  # imported lazily when a tensor with grad_fn prints
    "torch.distributions",
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
    # Children run unprivileged and may not be able to read the installation (a venv
    # in a 0700 folder), so every module torch imports lazily on these paths must
    # be imported here: printing a tensor with a grad_fn, for one.
    logits = torch.randn(4, 3, requires_grad=True)
    loss = F.cross_entropy(logits, torch.tensor([0, 1, 2, 0]))
    repr(loss), repr(logits), repr(torch.tensor([1, 2])), repr(torch.tensor([True]))
    loss.backward()
    torch.log_softmax(logits.detach(), 1).gather(1, torch.zeros(4, 1, dtype=torch.long))
    with contextlib.suppress(RuntimeError):
        F.cross_entropy(logits, torch.tensor([0.0, 1.0, 2.0, 0.0]))  # the error path too
    for name in PRELOAD:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # The children's code, with the filesystem view's paths found at its import.
    importlib.import_module("tutor.grading.sandbox.harness").warm()  # guard modes, gradients
    gc.collect()
    gc.freeze()  # children then leave the parent's pages shared
    # Last, so the zygote forked from here shares the huge pages instead of copying them.
    from tutor.grading.sandbox.huge_pages import collapse_anonymous_memory

    collapse_anonymous_memory()


def recv_exact(sock: socket.socket, size: int) -> bytes | None:
    chunks = bytearray()
    while len(chunks) < size:
        chunk = sock.recv(min(size - len(chunks), 1 << 20))
        if not chunk:
            return None
        chunks.extend(chunk)
    return bytes(chunks)


def serve(sock: socket.socket, zygote: Zygote) -> None:
    pool = SparePool(zygote)
    try:
        pool.fill()
        while True:
            head = recv_exact(sock, _LEN.size)
            if head is None:
                return
            (size,) = _LEN.unpack(head)
            body = recv_exact(sock, size)
            if body is None:
                return
            leftovers: list[Child] = []
            try:
                request = wire.decode(body, max_bytes=1 << 32)
                replies = run_all(request["runs"], pool, leftovers)
            except ZygoteGone:
                raise  # nothing can run any more: exit, and the client starts a new server
            except Exception as error:  # a bad request must not end the server
                replies = [({"error": f"{type(error).__name__}: {error}"}, b"", b"")]
            message = bytearray(COUNT.pack(len(replies)))
            for header, result, output in replies:
                text = json.dumps(header).encode()
                message += REPLY.pack(len(text), len(result), len(output)) + text + result + output
            sock.sendall(message)
            # After replying, off the learner's clock: sweep up, then fork the next spares.
            for child in leftovers:
                child.clean_up(zygote)
            _kill_orphans({zygote.pid})
            _reap()
            pool.fill()
    finally:
        pool.close()
        zygote.close()


class SparePool:
    """Keeps SPARES children forked (by the zygote) and waiting.

    Forking a torch-sized process costs tens of milliseconds (its page tables
    are large); forking spares between requests takes that off the learner's wait.
    """

    def __init__(self, zygote: Zygote) -> None:
        self.zygote = zygote
        self.spares: list[Spare] = []

    def fill(self) -> None:
        while len(self.spares) < SPARES:
            self.spares.append(self.zygote.fork_spare())

    def take(self) -> Spare:
        return self.spares.pop(0) if self.spares else self.zygote.fork_spare()

    def close(self) -> None:
        for spare in self.spares:
            with contextlib.suppress(ZygoteGone):
                spare.discard(self.zygote)
        self.spares.clear()


class Child:
    """One forked run being watched: its pipes, what they carried, its deadline."""

    def __init__(self, spare: Spare, limits: Limits) -> None:
        self.pid, self.limits, self.workdir = spare.pid, limits, spare.workdir
        fds = spare.fds
        self.started = time.monotonic()
        self.deadline = self.started + limits.wall_seconds
        self.res_r, self.out_r, self.ctl_r = fds
        self.buffers = {fd: bytearray() for fd in fds}
        self.caps = {self.res_r: limits.result_bytes + 64, self.out_r: limits.output_bytes}
        self.caps[self.ctl_r] = 4096
        self.overflow = dict.fromkeys(fds, False)
        self.open = set(fds)
        self.exited = self.timed_out = self.too_large = self.reaped = False
        try:  # the zygote's child, not ours: a pidfd still tells us when it ends
            self.pidfd: int | None = os.pidfd_open(self.pid)
        except (AttributeError, OSError):  # kernels before 5.3: poll for the exit instead
            self.pidfd = None

    @property
    def result_complete(self) -> bool:
        """The child closed its result pipe after writing: no need to wait for its exit."""
        return self.res_r not in self.open and bool(self.buffers[self.res_r])

    @property
    def done(self) -> bool:
        return self.exited or self.timed_out or self.too_large or self.result_complete

    def pump(self, fd: int) -> bool:
        """Read once from fd; False at EOF or when nothing is waiting."""
        try:
            chunk = os.read(fd, 1 << 16)
        except BlockingIOError:
            return False
        except OSError:
            chunk = b""
        if not chunk:
            self.open.discard(fd)
            return False
        room = self.caps[fd] - len(self.buffers[fd])
        if len(chunk) > room:
            self.overflow[fd] = True
            chunk = chunk[: max(room, 0)]
        self.buffers[fd].extend(chunk)
        if self.overflow[self.res_r]:
            self.too_large = True
        return True

    def poll_exit(self) -> None:
        if self.pidfd is None and _has_ended(self.pid):
            self.exited = True

    def finish(self, zygote: Zygote) -> tuple[dict[str, Any], bytes, bytes]:
        early = not self.exited and self.result_complete and not self.timed_out
        if not self.exited:
            _kill(self.pid, signal.SIGKILL)
        _kill(-self.pid, signal.SIGKILL)  # its process group, at once; the rest in clean_up
        # Drain what is already in the pipes; a grandchild may keep them open, so never block.
        for fd in self.buffers:
            while self.pump(fd):
                pass
        wall = time.monotonic() - self.started
        status, cpu = None, 0.0
        if not early:
            # A child that sent its whole result is reaped after the reply (its exit,
            # tearing down a torch-sized address space, is off the learner's clock).
            status, cpu = zygote.wait_exit(self.pid)
            self.reaped = True
        for fd in (*self.buffers, self.pidfd):
            if fd is not None:
                os.close(fd)
        control = _control(bytes(self.buffers[self.ctl_r]))
        header = {
            "exit": _exit_code(status),
            "signal": os.WTERMSIG(status)
            if status is not None and os.WIFSIGNALED(status)
            else None,
            "timed_out": self.timed_out,
            "result_too_large": self.too_large,
            "output_truncated": self.overflow[self.out_r],
            "wall": wall,
            "cpu": cpu,
            "protections": control.get("protections", []),
        }
        result = b"" if self.too_large else bytes(self.buffers[self.res_r])
        return header, result, bytes(self.buffers[self.out_r])

    def clean_up(self, zygote: Zygote) -> None:
        """Wait for the child's end, kill what it left in its network namespace, remove its directory."""
        if not self.reaped:
            zygote.wait_exit(self.pid)
            self.reaped = True
        _sweep(self.pid, _netns(bytes(self.buffers[self.ctl_r])))
        shutil.rmtree(self.workdir, ignore_errors=True)


def run_all(
    runs: list[dict[str, Any]], pool: SparePool, leftovers: list[Child]
) -> list[tuple[dict[str, Any], bytes, bytes]]:
    """Start every run at once (they are independent), then watch them all."""
    children = leftovers
    try:
        for run in runs:
            if run["job"].get("forbid"):
                pool.zygote.locate(run["job"]["forbid"])  # cached there, inherited by later spares
            limits = Limits.from_json(run["limits"])
            spare = pool.take()
            try:
                spare.send(run)
            except OSError:  # the spare died while waiting: fork a fresh one
                spare.discard(pool.zygote)
                spare = pool.zygote.fork_spare()
                spare.send(run)
            children.append(Child(spare, limits))
        watch(children)
    finally:
        replies = [child.finish(pool.zygote) for child in children]
    return replies


def watch(children: list[Child]) -> None:
    """Read every child's pipes until each has exited, timed out or sent too much."""
    while True:
        live = [child for child in children if not child.done]
        if not live:
            return
        now = time.monotonic()
        for child in live:
            if now >= child.deadline:
                child.timed_out = True
        live = [child for child in live if not child.done]
        if not live:
            return
        owners: dict[int, tuple[Child, str]] = {}
        for child in live:
            for fd in child.open:
                owners[fd] = (child, "pipe")
            if child.pidfd is not None:
                owners[child.pidfd] = (child, "exit")
        polling = any(child.pidfd is None for child in live)
        wait = min(child.deadline for child in live) - now
        wait = min(wait, 0.005 if polling else 1.0)
        with selectors.DefaultSelector() as selector:
            for fd in owners:
                selector.register(fd, selectors.EVENT_READ)
            for key, _ in selector.select(max(wait, 0)):
                child, kind = owners[key.fd]
                if kind == "exit":
                    child.exited = True
                else:
                    child.pump(key.fd)
        for child in live:
            child.poll_exit()


def _exit_code(status: int | None) -> int | None:
    if status is None:
        return 0  # it had sent its whole result; how it then exits is of no interest
    return os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else None


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
                # A namespace's inode number is reused once it is gone, maybe by another
                # fork server's child at this very moment: kill only our own descendants.
                if os.stat(f"/proc/{entry}/ns/net").st_ino == netns and _ours(int(entry)):
                    found = True
                    _kill(int(entry), signal.SIGKILL)
            except OSError:
                continue
        if not found:
            return
        time.sleep(0.005)


def _ours(pid: int) -> bool:
    """Whether `pid` descends from this fork server (walking up the parent chain)."""
    me = os.getpid()
    for _ in range(64):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                # the command name may hold spaces and parentheses: split after the last `)`
                pid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            return False
        if pid == me:
            return True
        if pid <= 1:
            return False
    return False


def _kill_orphans(keep: set[int]) -> None:
    """Kill every child of ours but the spares.

    We are a child subreaper, so a process that escaped its run's process
    group (setsid) is re-parented to us once its parent dies: this finds it
    even where no network namespace marks it.
    """
    for _ in range(20):
        found = False
        for pid in _children():
            if pid not in keep:
                found = True
                _kill(pid, signal.SIGKILL)
        _reap()
        if not found:
            return
        time.sleep(0.002)


def _children() -> list[int]:
    pids: list[int] = []
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    for tid in tasks:
        try:
            with open(f"/proc/self/task/{tid}/children") as handle:
                pids.extend(int(pid) for pid in handle.read().split())
        except OSError:
            continue
    return pids


def _reap() -> None:
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _has_ended(pid: int) -> bool:
    """Whether `pid` is a zombie or gone (for kernels without pidfds)."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (OSError, IndexError):
        return True


def _kill(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def main(argv: list[str]) -> None:
    sock = socket.socket(fileno=int(argv[1]))
    import ctypes

    # Orphans of a child (a fork bomb's leftovers) come to us, so we can reap them.
    ctypes.CDLL(None).prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
    warm()
    base = tempfile.mkdtemp(prefix="ce-tutor-sandbox-")
    os.chmod(base, 0o711)  # the unprivileged child must reach its own directory
    try:
        # Before the first request: the zygote's memory never holds one.
        zygote = Zygote.start(base, close=[sock.fileno()])
        sock.sendall(b"R")  # ready: torch is loaded
        serve(sock, zygote)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv)
