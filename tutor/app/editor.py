"""Editing text in the learner's own `$EDITOR` (vim over SSH is a habit worth keeping)."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from pathlib import Path

from textual.app import App, SuspendNotSupported


def editor_command() -> list[str]:
    """`$VISUAL`, else `$EDITOR`, else `vi`, split as a shell would."""
    return shlex.split(os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi")


def edit_externally(app: App, text: str, suffix: str = ".py") -> str | None:
    """Suspend the app, edit `text` in the editor, return the new text (None if not possible)."""
    handle, name = tempfile.mkstemp(prefix="ce-tutor-", suffix=suffix, text=True)
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(text)
        try:
            with app.suspend():
                status = subprocess.call([*editor_command(), str(path)])
        except SuspendNotSupported:
            app.notify("This terminal cannot hand over to an editor.", severity="warning")
            return None
        except OSError as error:
            app.notify(f"Cannot start the editor: {error}", severity="error", markup=False)
            return None
        if status != 0:
            app.notify(f"The editor exited with status {status}; code unchanged.", markup=False)
            return None
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)
