"""The terminal's end is the app's end: a Linux driver that quits when its terminal goes away.

Textual's input thread treats a read of nothing as "stdin is piped" and
reads again: when an SSH client goes away, that loop spins forever (about
a third of a core, orphaned under PID 1). A read of nothing (EOF) or an
error (EIO: the pty's other end is closed) here ends the app, the way `q`
would; so does SIGHUP. Progress is committed answer by answer, so there is
nothing left to save.

The input thread also sleeps while nothing is typed: Textual's wakes ten
times a second to see whether the app is ending, ≈ 1 ms of CPU a second,
which is a learner reading (most of a class's time) costing a tenth of a
core per hundred learners. Here it waits for a key, for the end of a
half-read escape sequence, or for the app to stop reading (a pipe wakes it).
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
from codecs import getincrementaldecoder
from threading import Event
from typing import Any

from textual._time import get_time
from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

HANGUP_RETURN_CODE = 129  # 128 + SIGHUP, as a shell reports a hung-up program


def quit_on_hangup(app: App) -> None:
    """Leave the app cleanly from the event loop (callable from any thread or a signal handler)."""
    app.exit(return_code=HANGUP_RETURN_CODE)


class _WakingEvent(Event):
    """The input thread's "stop reading" flag, which also wakes the thread to see it."""

    def __init__(self) -> None:
        super().__init__()
        self.wake_read, self.wake_write = os.pipe()  # not inherited by $EDITOR
        os.set_blocking(self.wake_read, False)
        os.set_blocking(self.wake_write, False)

    def set(self) -> None:
        super().set()
        with contextlib.suppress(BlockingIOError):  # a wake-up is already waiting
            os.write(self.wake_write, b"!")

    def drain(self) -> None:
        with contextlib.suppress(BlockingIOError):
            os.read(self.wake_read, 64)


POLL = 0.1  # Textual's interval, kept while a sequence is half read


def _until_pending(parser: XTermParser) -> float | None:
    """Seconds until the parser gives up on a half-read sequence (a lone Esc); None: no such."""
    if not hasattr(parser, "_timeout_time"):  # Textual's own: if it is gone, poll as Textual does
        return POLL
    due = parser._timeout_time
    return None if due is None else max(0.0, min(POLL, due - get_time()))


class HangupAwareDriver(LinuxDriver):
    """LinuxDriver whose input thread ends the app on EOF or EIO, and which handles SIGHUP."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.exit_event = _WakingEvent()

    def start_application_mode(self) -> None:
        super().start_application_mode()
        loop = self._loop

        def on_hangup(signum: int, frame: Any) -> None:
            loop.call_soon_threadsafe(quit_on_hangup, self._app)

        self._previous_hup = signal.signal(signal.SIGHUP, on_hangup)

    def stop_application_mode(self) -> None:
        with contextlib.suppress(OSError):  # the terminal may be gone: nothing left to restore
            super().stop_application_mode()
        previous = getattr(self, "_previous_hup", None)
        if previous is not None:
            signal.signal(signal.SIGHUP, previous)

    def run_input_thread(self) -> None:
        """Textual's input loop, except that the terminal's end ends the app."""
        waking = self.exit_event
        waking.drain()  # left from the last stop (the app was suspended for $EDITOR)
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        selector.register(waking.wake_read, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not waking.is_set():
                for key, mask in selector.select(_until_pending(parser)):
                    if key.fd == waking.wake_read:
                        waking.drain()  # the loop's test says whether to stop
                        continue
                    if not mask & selectors.EVENT_READ:
                        continue
                    try:
                        data = os.read(self.fileno, 4096)
                    except OSError:  # EIO: the pty's master (sshd) is gone
                        data = b""
                    if not data:  # EOF: nobody will ever type here again
                        self._loop.call_soon_threadsafe(quit_on_hangup, self._app)
                        return
                    for event in parser.feed(decode(data)):
                        self.process_message(event)
                for event in parser.tick():
                    self.process_message(event)
        finally:
            selector.close()
