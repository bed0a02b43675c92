"""Editing text in an external editor: the learner's own `$EDITOR`, or in a class the admin's.

In a class the learner's environment does not choose: `vi` runs `:!sh`, and
a shell next to the gradebook is what a class must not hand out. The class
config names a restricted editor, or none (the built-in editor only).

Whatever the editor does (missing, crashing, killed by a signal, Ctrl-C),
the app is resumed and the learner told: an exception inside `suspend()`
would leave the terminal handed over for good.
"""

from __future__ import annotations

import os
import shlex
import signal
import subprocess
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from textual.app import App, SuspendNotSupported

from tutor.i18n import N_, _

if TYPE_CHECKING:
    from tutor.class_config import ClassConfig


def editor_command() -> list[str]:
    """`$VISUAL`, else `$EDITOR`, else `vi`, split as a shell would."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


@dataclass(frozen=True)
class EditorChoice:
    """Which editor ctrl+o opens; `command` None means the built-in editor only."""

    command: tuple[str, ...] | None
    learners_own: bool = True  # False: the class's (the admin's choice)

    @classmethod
    def learners(cls) -> EditorChoice:
        return cls(None, learners_own=True)  # resolved from the environment at each use

    @classmethod
    def of_class(cls, config: ClassConfig | None) -> EditorChoice:
        return cls(config.editor if config is not None else None, learners_own=False)

    def resolve(self) -> list[str] | None:
        if self.learners_own:
            return editor_command()
        return list(self.command) if self.command else None


NO_EDITOR = N_("In this class code is edited here (no external editor); ctrl+r submits.")


def edit_externally(
    app: App, text: str, suffix: str = ".py", choice: EditorChoice | None = None
) -> str | None:
    """Suspend the app, edit `text` in the editor, return the new text (None if not possible)."""
    command = (choice or EditorChoice.learners()).resolve()
    if command is None:
        app.notify(_(NO_EDITOR), markup=False)
        return None
    handle, name = tempfile.mkstemp(prefix="ce-tutor-", suffix=suffix, text=True)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            with app.suspend():
                outcome = run_editor([*command, str(path)])
        except SuspendNotSupported:
            app.notify(_("This terminal cannot hand over to an editor."), severity="warning")
            return None
        if isinstance(outcome, str):
            app.notify(outcome, severity="error", markup=False)
            return None
        if outcome < 0:
            name = _signal_name(-outcome)
            app.notify(
                _("The editor was stopped by {signal}; code unchanged.").format(signal=name),
                markup=False,
            )
            return None
        if outcome != 0:
            app.notify(
                _("The editor exited with status {status}; code unchanged.").format(status=outcome),
                markup=False,
            )
            return None
        try:
            return path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            app.notify(
                _("Cannot read what the editor wrote: {error}").format(error=error), markup=False
            )
            return None
    finally:
        path.unlink(missing_ok=True)


def run_editor(argv: list[str]) -> int | str:
    """The editor's exit status (negative: the signal that ended it), or why it did not start.

    Never raises: it runs while the app is suspended. Ctrl-C belongs to the
    editor meanwhile, as a shell leaves it to its child: the app's handler
    is a no-op until the editor ends (a handler, not SIG_IGN, which the
    editor would inherit; asyncio's own handler would end the app).
    """
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, _ignore) if in_main else None
    try:
        return subprocess.call(argv)
    except OSError as error:
        return _("Cannot start the editor `{editor}`: {error}").format(
            editor=argv[0], error=error.strerror or error
        )
    except Exception as error:  # noqa: BLE001 - any failure must still resume the app
        return _("The editor failed: {error}").format(error=error)
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)


def _ignore(signum: int, frame: object) -> None:
    """Ctrl-C while the editor runs: the editor's, not the app's."""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"
