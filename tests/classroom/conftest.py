"""A class's grading service, as `ce-tutor serve` runs it, on a Unix socket in a temp folder.

In this process (a thread), so a test can read the service's own store and
change who is who; the socket, and the kernel's word on who connects, are real.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from tutor.grading.classroom import Classroom
from tutor.grading.peer import Identities
from tutor.grading.service import READY, serve_shared
from tutor.progress.store import ProgressStore

PACK_DIR = Path(__file__).resolve().parents[1] / "app" / "pack"


class ClassService:
    """The running service: its socket, its store, its classroom."""

    def __init__(self, base: Path) -> None:
        self.socket = base / "grading.sock"
        self.store = ProgressStore(base / "class" / "progress.sqlite3")
        self.classroom = Classroom(self.store, Identities())
        self.stop = threading.Event()
        self.lines: list[str] = []
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        def say(text: str) -> None:
            self.lines.append(text)
            if text.startswith(READY):
                self.ready.set()

        serve_shared(self.socket, [PACK_DIR], 0o600, say, self.stop, self.classroom)

    def rows(self, exercise: str) -> list:
        return [a for a in self.store.attempts() if a.exercise_id == exercise]


@pytest.fixture(scope="session")
def class_service(tmp_path_factory):
    (base := tmp_path_factory.mktemp("class")).joinpath("class").mkdir()
    service = ClassService(base)
    service.thread.start()
    assert service.ready.wait(180), service.lines
    yield service
    service.stop.set()
    service.thread.join(60)
    service.store.close()


@pytest.fixture
def identities(class_service):
    """Change who is who for one test; the service's own map is put back after."""
    before = class_service.classroom.identities
    yield class_service.classroom
    class_service.classroom.identities = before
