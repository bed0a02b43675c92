"""Which files of a pack changed since the last look: `validate --watch` re-checks those.

Polling the folder's `pack.toml` and `*.md` (size and modification time) is
enough for an author's editor and needs no inotify; a saved lesson is seen
within one poll.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

Snapshot = dict[Path, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """(size, mtime in ns) of `pack.toml` and every `*.md` in the folder."""
    found: Snapshot = {}
    for path in [root / "pack.toml", *sorted(root.glob("*.md"))]:
        try:
            stat = path.stat()
        except OSError:
            continue
        found[path.resolve()] = (stat.st_size, stat.st_mtime_ns)
    return found


def changed(before: Snapshot, after: Snapshot) -> set[Path]:
    """Files added, removed or rewritten between two snapshots."""
    return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}


def watch(
    root: Path,
    on_change: Callable[[set[Path]], None],
    *,
    every: float = 0.5,
    rounds: int | None = None,
) -> None:
    """Call `on_change(files)` after each save, until interrupted (or after `rounds` polls)."""
    last = snapshot(root)
    done = 0
    while rounds is None or done < rounds:
        time.sleep(every)
        done += 1
        now = snapshot(root)
        files = changed(last, now)
        if files:
            last = now
            on_change(files)
