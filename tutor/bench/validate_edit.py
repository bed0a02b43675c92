"""How long an author waits for `validate` after saving one edited lesson.

A copy of the built-in pack, with a check cache of its own, is checked once
(every block: the whole-pack figure). Then `validate --watch` runs on it as an
author leaves it running, and one exercise is edited at a time (a number
exercise, then a code exercise: the two kinds whose checks take longest);
the time from the save to the closing line is the figure. The watch polls
every 0.5 s, so that wait is part of it, as it is for the author. A cold
`validate` of the pack after one more edit is measured too: it imports torch
and sympy for the one block it checks again.
"""

from __future__ import annotations

import os
import selectors
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

# (lesson file, a line of the exercise's prompt to change)
EDITS = (
    ("02-cross-entropy-and-kl.md", "  What is $D_{KL}(p \\| q)$ in nats?"),
    ("03-softmax.md", "  Write `log_softmax(z)` for a batch of logits `z` of shape `(N, C)`: the"),
)
CLEAN = ": clean — checked"
TIMEOUT_S = 180.0


@dataclass
class EditTimes:
    whole_pack_s: float  # the first check of the copy: every block
    watch_s: list[float]  # per edit, from the save to the closing line under --watch
    cold_s: float  # a fresh `validate` after one more edit


def measure() -> EditTimes:
    """Every figure above, on a fresh copy of the built-in pack."""
    from tutor.pack.discovery import builtin_pack_dir

    with tempfile.TemporaryDirectory(prefix="ce-tutor-bench-edit-") as folder:
        pack = Path(folder) / "pack"
        shutil.copytree(builtin_pack_dir(), pack)
        # English, so the closing line reads as `CLEAN` says
        env = dict(os.environ, CE_TUTOR_HOME=str(Path(folder) / "home"), LANGUAGE="en")
        command = [sys.executable, "-m", "tutor", "validate", str(pack)]
        whole = _timed(command, env)
        watcher = subprocess.Popen(
            [*command, "--watch"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            text=True,
        )
        try:
            _closing_line(watcher)  # the first check: every block found in the cache
            time.sleep(8.0)  # the engines warm while the author reads (`warm_engines`)
            watch_s = []
            for number, (name, line) in enumerate(EDITS):
                started = _edit(pack / name, line, f" (edit {number})")
                _closing_line(watcher)
                watch_s.append(time.perf_counter() - started)
        finally:
            watcher.terminate()
            watcher.wait(timeout=30)
        name, line = EDITS[0]
        _edit(pack / name, line, " (cold)")
        cold = _timed(command, env)
    return EditTimes(whole, watch_s, cold)


def _timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=TIMEOUT_S)
    elapsed = time.perf_counter() - start
    if CLEAN not in done.stdout:
        raise RuntimeError(f"validate did not end clean: {done.stdout[-500:]}{done.stderr[-500:]}")
    return elapsed


def _edit(path: Path, line: str, suffix: str) -> float:
    """Append `suffix` to `line` (which must be in the file); the time of the save."""
    text = path.read_text(encoding="utf-8")
    if line not in text:
        raise RuntimeError(f"{path.name} no longer has the line the bench edits: {line!r}")
    started = time.perf_counter()
    path.write_text(text.replace(line, line + suffix, 1), encoding="utf-8")
    return started


def _closing_line(watcher: subprocess.Popen) -> None:
    """Read the watcher's output until a check ends clean (anything else is a failure)."""
    assert watcher.stdout is not None
    deadline = time.monotonic() + TIMEOUT_S
    with selectors.DefaultSelector() as selector:
        selector.register(watcher.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = watcher.stdout.readline()
            if not line:
                raise RuntimeError("validate --watch ended before its check did")
            if CLEAN in line:
                return
            if " problem" in line:
                raise RuntimeError(f"validate --watch found problems: {line.strip()}")
    raise RuntimeError("validate --watch did not finish a check in time")
