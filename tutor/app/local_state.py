"""What the app keeps on this machine besides the gradebook: drafts and the chosen theme.

A draft is an answer typed and not submitted yet. It lives in one small
JSON file per learner and pack in the data folder (`$CE_TUTOR_HOME`), written
a moment after typing stops and replaced atomically (`os.replace`), so a
quit, a `kill -9` or a dropped SSH connection leaves the last version there.
Drafts are not grades: nothing here is sent anywhere or read by the service.

Under a class's shared account (set-up B) the app keeps no drafts on disk
(`Drafts(None)`): its learners share one data folder, and a draft is half an
answer another learner could read. A learner with an account of their own
(solo, or set-up A) keeps them in their own data folder.

    drafts = Drafts.for_learner("ada", "ce-tutor-builtin")
    drafts.put("softmax", "derive", "exp(z)/sum(exp(z))")
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from pathlib import Path


class Drafts:
    """Unsubmitted answers by (lesson id, exercise id); `path` None keeps them in memory only."""

    def __init__(self, path: Path | None, where: Callable[[], Path | None] | None = None):
        """`where`: finds the file at the first draft read or written, not at start."""
        self.path = path
        self._where = where
        self._drafts: dict[str, str] | None = None
        self._unsaved = False

    @classmethod
    def for_learner(cls, learner: str, pack_id: str) -> Drafts:
        """The learner's drafts file; none on disk under a class's shared account."""

        def where() -> Path | None:
            from tutor.progress.identity import TOKEN_ENV, data_dir

            if os.environ.get(TOKEN_ENV):  # set-up B: every classmate runs as this user
                return None
            return data_dir() / "drafts" / f"{_safe(pack_id)}--{_safe(learner)}.json"

        return cls(None, where)

    def _all(self) -> dict[str, str]:
        if self._drafts is None:
            if self._where is not None:
                self.path, self._where = self._where(), None
            self._drafts = {}
            if self.path is not None:
                try:
                    loaded = json.loads(self.path.read_text(encoding="utf-8"))
                except (OSError, ValueError):
                    loaded = {}
                if isinstance(loaded, dict):
                    self._drafts = {str(k): str(v) for k, v in loaded.items()}
        return self._drafts

    def get(self, lesson_id: str, exercise_id: str) -> str | None:
        return self._all().get(_key(lesson_id, exercise_id))

    def put(self, lesson_id: str, exercise_id: str, text: str, *, write: bool = True) -> None:
        """Keep a draft; `write=False` leaves the file for a later `save()`."""
        drafts = self._all()
        key = _key(lesson_id, exercise_id)
        if drafts.get(key) != text:
            drafts[key] = text
            self._unsaved = True
        if write:
            self.save()

    def clear(self, lesson_id: str, exercise_id: str, *, write: bool = True) -> None:
        if self._all().pop(_key(lesson_id, exercise_id), None) is not None:
            self._unsaved = True
        if write:
            self.save()

    def save(self) -> None:
        """Write the file if anything changed since the last write."""
        if self.path is None or not self._unsaved:
            return
        self._unsaved = False
        _write_json(self.path, self._all())


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
        pass  # a read-only data folder: the draft stays in memory for this session


def _key(lesson_id: str, exercise_id: str) -> str:
    return f"{lesson_id}/{exercise_id}"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", name)
