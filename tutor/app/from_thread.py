"""Handing a result from a background thread to the app, which may have quit meanwhile.

A proof, a grade, a preview or an example's run can finish after the learner
quit. Textual's `call_from_thread` then raises, and first builds a coroutine
that nobody awaits (a RuntimeWarning at exit). There is nobody left to show
the result to, so it is dropped quietly. Not for a verdict: that is recorded
by the app while it shuts down (`ExerciseView._graded` calls the app itself).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from textual.app import App


def tell_app(app: App, callback: Callable[..., Any], *args: Any) -> None:
    """Run `callback(*args)` on the app's thread, unless the app is no longer running."""
    if not app.is_running:
        return
    with contextlib.suppress(RuntimeError):  # it quit between the check and the call
        app.call_from_thread(callback, *args)
