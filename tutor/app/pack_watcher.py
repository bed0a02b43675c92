"""`ce-tutor PACK --watch`: the pack read again after each save, for an author's preview.

The app polls the pack's files (tutor/pack/watch.py: stat only, on the UI
thread) and reads a changed pack in a thread worker; what it read goes back
to the app, which keeps the learner where they were. A pack that no longer
loads is reported by its first problem, and the app keeps what it shows.

    watcher = PackWatcher(pack.root)
    files = watcher.saved()       # cheap: every half second
    if files:
        reread = watcher.read(files)  # blocking: in a thread worker
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tutor.pack.errors import PackError, PackNotFound
from tutor.pack.model import Pack
from tutor.pack.watch import Snapshot, changed, snapshot

EVERY = 0.5  # seconds between two looks at the pack's files


@dataclass(frozen=True)
class Reread:
    """The pack as the files now say (None when it no longer loads), and why not."""

    files: frozenset[Path]
    pack: Pack | None
    problems: list[PackError | str]


@dataclass
class PackWatcher:
    """Which of a pack's files were saved since the last look, and the pack they make."""

    root: Path
    last: Snapshot = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()
        self.last = snapshot(self.root)

    def saved(self) -> set[Path]:
        """Files added, removed or rewritten since the last call."""
        now = snapshot(self.root)
        files = changed(self.last, now)
        self.last = now
        return files

    def read(self, files: set[Path]) -> Reread:
        """The pack read again (through the start cache, which a save makes stale)."""
        from tutor.pack.cache import load_pack_cached
        from tutor.progress.identity import cache_dir

        try:
            pack, errors = load_pack_cached(self.root, cache_dir())
        except PackNotFound as error:
            return Reread(frozenset(files), None, [str(error)])
        if errors:
            return Reread(frozenset(files), None, list(errors))
        return Reread(frozenset(files), pack, [])
