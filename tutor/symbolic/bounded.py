"""Run a piece of sympy work with a hard deadline, in a forked child.

sympy's `simplify` can run for seconds on an innocent-looking identity, and
neither `signal.alarm` (late while numpy holds the GIL, main thread only)
nor a thread (keeps burning CPU after its timeout) bounds it. A forked child
killed with SIGKILL at the deadline is reliable and costs a few ms, so the
work that may be slow runs there; the cheap work stays in-process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import Any

NOT_DONE = object()  # the work did not finish (deadline, crash, or no fork on this platform)


def run_bounded(fn: Callable[..., Any], *args: Any, seconds: float) -> Any:
    """`fn(*args)`'s (picklable) result, or NOT_DONE if it did not end within `seconds`."""
    if not hasattr(os, "fork"):
        return NOT_DONE
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: compute, send, leave without running any parent cleanup
        os.close(read_end)
        try:
            data = pickle.dumps(fn(*args))
        except BaseException:  # noqa: BLE001 - any failure is just "not done"
            data = b""
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(write_end, view) :]
        finally:
            os._exit(0)
    os.close(write_end)
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return NOT_DONE
            ready, _, _ = select.select([read_end], [], [], left)
            if not ready:
                return NOT_DONE
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
        data = b"".join(chunks)
        return pickle.loads(data) if data else NOT_DONE
    finally:
        os.close(read_end)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
