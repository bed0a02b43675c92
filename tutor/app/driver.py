"""The terminal's end is the app's end: a Linux driver that quits when its terminal goes away.

Textual's input thread treats a read of nothing as "stdin is piped" and
reads again: when an SSH client goes away, that loop spins forever (about
a third of a core, orphaned under PID 1). A read of nothing (EOF) or an
error (EIO: the pty's other end is closed) here ends the app, the way `q`
would; so does SIGHUP. Progress is committed answer by answer, so there is
nothing left to save.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import signal
from codecs import getincrementaldecoder
from typing import Any

from textual._xterm_parser import XTermParser
from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

HANGUP_RETURN_CODE = 129  # 128 + SIGHUP, as a shell reports a hung-up program


def quit_on_hangup(app: App) -> None:
    """Leave the app cleanly from the event loop (callable from any thread or a signal handler)."""
    app.exit(return_code=HANGUP_RETURN_CODE)


class HangupAwareDriver(LinuxDriver):
    """LinuxDriver whose input thread ends the app on EOF or EIO, and which handles SIGHUP."""

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
        selector = selectors.SelectSelector()
        selector.register(self.fileno, selectors.EVENT_READ)
        parser = XTermParser(self._debug)
        decode = getincrementaldecoder("utf-8")().decode
        try:
            while not self.exit_event.is_set():
                for _key, mask in selector.select(0.1):
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
