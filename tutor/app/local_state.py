"""What the app keeps besides graded answers: drafts, and the chosen theme.

A draft is an answer typed and not submitted yet. It is kept where the
learner's progress is (`DraftKeeper`): in their own progress store when the
app runs alone, and by the class's service in a class (which records it
under the learner the kernel names, so a shared account's learners never
see each other's, and a learner who lands on another class server finds
theirs). It is written a moment after typing stops, so a quit, a `kill -9`
or a dropped SSH connection leaves the last version. Drafts are not grades.

    drafts = Drafts(store, "ada", "ce-tutor-builtin")
    drafts.put("softmax", "derive", "exp(z)/sum(exp(z))")
"""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Protocol

from tutor.progress.errors import StoreError


class DraftKeeper(Protocol):
    """Where drafts live: a `ProgressStore`, or a class's `ClassProgress`."""

    def drafts(self, learner: str, pack_id: str) -> dict[tuple[str, str], str]: ...

    def save_draft(
        self, learner: str, pack_id: str, lesson_id: str, exercise_id: str, text: str
    ) -> None: ...


class Drafts:
    """One learner's unsubmitted answers in one pack; `keeper` None keeps them in memory only."""

    def __init__(self, keeper: DraftKeeper | None, learner: str = "", pack_id: str = ""):
        self.keeper = keeper
        self.learner = learner
        self.pack_id = pack_id
        self._drafts: dict[tuple[str, str], str] | None = None  # read at first use
        self._changed: set[tuple[str, str]] = set()

    def _all(self) -> dict[tuple[str, str], str]:
        if self._drafts is None:
            self._drafts = {}
            if self.keeper is not None:
                # a store that cannot be read: this session's drafts stay in memory
                with contextlib.suppress(StoreError):
                    self._drafts = dict(self.keeper.drafts(self.learner, self.pack_id))
        return self._drafts

    def get(self, lesson_id: str, exercise_id: str) -> str | None:
        return self._all().get((lesson_id, exercise_id))

    def put(self, lesson_id: str, exercise_id: str, text: str, *, write: bool = True) -> None:
        """Keep a draft; `write=False` leaves it for a later `save()`."""
        drafts = self._all()
        key = (lesson_id, exercise_id)
        if drafts.get(key) != text:
            drafts[key] = text
            self._changed.add(key)
        if write:
            self.save()

    def clear(self, lesson_id: str, exercise_id: str, *, write: bool = True) -> None:
        key = (lesson_id, exercise_id)
        if self._all().pop(key, None) is not None:
            self._changed.add(key)
        if write:
            self.save()

    def save(self) -> None:
        """Hand the keeper what changed since the last save; what it could not keep waits."""
        if self.keeper is None or not self._changed:
            return
        drafts = self._all()
        for key in sorted(self._changed):
            try:
                self.keeper.save_draft(self.learner, self.pack_id, *key, drafts.get(key, ""))
            except StoreError:
                return  # tried again at the next save; the text is still in memory
            self._changed.discard(key)


def saved_theme() -> str | None:
    """The theme the learner last chose in the palette, if any."""
    try:
        settings = json.loads(_settings_path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    theme = settings.get("theme") if isinstance(settings, dict) else None
    return theme if isinstance(theme, str) else None


def save_theme(name: str) -> None:
    _write_json(_settings_path(), {"theme": name})


def _settings_path() -> Path:
    from tutor.progress.identity import data_dir

    return data_dir() / "settings.json"


def _write_json(path: Path, data: dict) -> None:
    """Replace the file whole: a reader (or a kill -9 mid-write) never sees half of it."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, path)
    except OSError:
        pass  # a read-only data folder: the theme holds for this session
