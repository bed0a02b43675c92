"""The app's progress in a class: asked of the class's service, never written by the app.

In a class (`ce-tutor serve` answering on the class socket) the service
grades, records and keeps each learner's place; the app opens no store and
reads no pack file. `ClassProgress` stands where `ProgressStore` stands for
`LearnerSession`: its reads come from what the service sent of this
learner's own rows, and its writes are requests (a hint, a solution, a
place) that the service records as the peer the kernel names. An answer is
recorded by the service when it is graded (`GradingLink.grade`), so here it
is only noted for the screen's counts.

No Textual here: `tutor.cli` opens the class before the app starts.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tutor.grading.protocol import GradingFailed
from tutor.pack.model import Pack
from tutor.pack.served import pack_from_service
from tutor.progress.errors import StoreError
from tutor.progress.store import (
    HINT_STATUS,
    NOT_ATTEMPTS,
    SOLUTION_STATUS,
    Attempt,
    ExerciseState,
    Position,
)


class NotRecorded(RuntimeError):
    """The service could not record a hint or a solution, so it is not shown."""


@dataclass
class _Snapshot:
    """One pack's rows of this learner, as the service sent them, plus what was added since."""

    pack: Pack
    attempts: list[Attempt] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    last: Position | None = None
    drafts: dict[tuple[str, str], str] = field(default_factory=dict)


class ClassProgress:
    """A `ProgressStore` look-alike whose writes the class's service makes."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.learner = ""  # who the service says we are (set by open_pack)
        self._packs: dict[str, _Snapshot] = {}

    def open_pack(self, root: str | Path) -> Pack:
        """The pack at `root` as served (answers removed), with this learner's progress."""
        pack = pack_from_service(self.client.class_pack(root))
        mine = self.client.my_progress(pack.root)
        self.learner = str(mine["learner"])
        snapshot = _Snapshot(pack, [Attempt(**row) for row in mine["attempts"]])
        snapshot.positions = {str(k): int(v) for k, v in mine["positions"].items()}
        if mine.get("last"):
            snapshot.last = Position(str(mine["last"][0]), int(mine["last"][1]))
        for lesson_id, exercise_id, text in mine.get("drafts", []):
            snapshot.drafts[(str(lesson_id), str(exercise_id))] = str(text)
        for lesson_id, exercise_id, text in mine.get("solutions", []):
            _set_solution(pack, lesson_id, exercise_id, text)
        for lesson_id, exercise_id, texts in mine.get("hints", []):
            _set_hints(pack, lesson_id, exercise_id, texts)
        self._packs[pack.gradebook_id] = snapshot  # keyed as the session asks: its records
        return pack

    def served_packs(self) -> list[Path]:
        """The packs the class's service serves (the packs screen lists these in a class)."""
        return [Path(root) for root in self.client.ping().get("packs") or []]

    # -- writes: asked of the service ----------------------------------------------------

    def record_attempt(self, attempt: Attempt) -> None:
        snapshot = self._packs[attempt.pack_id]
        where = (snapshot.pack.root, attempt.lesson_id, attempt.exercise_id)
        try:
            if attempt.status == HINT_STATUS:
                reply = self.client.hint(*where)
                _set_hints(snapshot.pack, attempt.lesson_id, attempt.exercise_id, reply["hints"])
                if reply["attempt"] is None:
                    return  # every hint was already seen
                attempt = Attempt(**reply["attempt"])
            elif attempt.status == SOLUTION_STATUS:
                reply = self.client.solution(*where)
                _set_solution(
                    snapshot.pack, attempt.lesson_id, attempt.exercise_id, reply["solution"]
                )
                attempt = Attempt(**reply["attempt"])
            # else: an answer, recorded by the service as it was graded
        except (GradingFailed, OSError) as error:
            raise NotRecorded(str(error)) from None
        snapshot.attempts.append(attempt)

    def save_position(self, learner: str, pack_id: str, lesson_id: str, step: int) -> None:
        snapshot = self._packs[pack_id]
        snapshot.positions[lesson_id] = step
        snapshot.last = Position(lesson_id, step)
        # a place not kept is found again by hand; the lesson goes on
        with contextlib.suppress(GradingFailed, OSError):
            self.client.save_position(snapshot.pack.root, lesson_id, step)

    def save_draft(
        self, learner: str, pack_id: str, lesson_id: str, exercise_id: str, text: str
    ) -> None:
        """Kept by the service (under the learner the kernel names); StoreError if it is not."""
        snapshot = self._packs[pack_id]
        try:
            self.client.save_draft(snapshot.pack.root, lesson_id, exercise_id, text)
        except (GradingFailed, OSError) as error:
            raise StoreError(str(error)) from None  # the draft waits in memory for the next save
        if text:
            snapshot.drafts[(lesson_id, exercise_id)] = text
        else:  # submitted or emptied: the service dropped it
            snapshot.drafts.pop((lesson_id, exercise_id), None)

    # -- reads: this learner's own rows -------------------------------------------------

    def drafts(self, learner: str, pack_id: str) -> dict[tuple[str, str], str]:
        return dict(self._packs[pack_id].drafts)

    def position(self, learner: str, pack_id: str, lesson_id: str) -> int:
        return self._packs[pack_id].positions.get(lesson_id, 0)

    def last_position(self, learner: str, pack_id: str) -> Position | None:
        return self._packs[pack_id].last

    def attempts(self, learner: str | None = None, pack_id: str | None = None) -> list[Attempt]:
        chosen = [self._packs[pack_id]] if pack_id is not None else list(self._packs.values())
        return [a for snapshot in chosen for a in snapshot.attempts]

    def exercise_states(self, learner: str, pack_id: str) -> dict[tuple[str, str], ExerciseState]:
        """As `ProgressStore.exercise_states`: rows that are not attempts are skipped."""
        states: dict[tuple[str, str], ExerciseState] = {}
        for a in self._packs[pack_id].attempts:
            if a.status in NOT_ATTEMPTS:
                continue
            key = (a.lesson_id, a.exercise_id)
            old = states.get(key, ExerciseState(0, False, 0.0))
            states[key] = ExerciseState(
                old.attempts + 1, old.solved or a.status == "correct", max(old.best_score, a.score)
            )
        return states

    def close(self) -> None:
        pass  # the service holds the store; nothing of it is open here


def _set_solution(pack: Pack, lesson_id: str, exercise_id: str, text: str) -> None:
    exercise = pack.find_exercise(lesson_id, exercise_id)
    if exercise is not None:
        exercise.solution = text


def _set_hints(pack: Pack, lesson_id: str, exercise_id: str, texts: list[str]) -> None:
    """The hints the service counted as seen, in place of their placeholders."""
    exercise = pack.find_exercise(lesson_id, exercise_id)
    if exercise is not None:
        exercise.hints[: len(texts)] = [str(text) for text in texts]


@dataclass
class ClassStart:
    """What the app needs to start in a class, all of it from the service."""

    pack: Pack
    progress: ClassProgress
    learner: str
    client: Any


def open_class(socket_path: Path, pack_dir: str | None) -> ClassStart:
    """Connect to the class's service and fetch the pack and this learner's progress.

    GradingFailed (with the service's own words) when it is not answering or
    refuses; the caller says so in one line.
    """
    from tutor.grading.client import GradingClient
    from tutor.pack.discovery import default_pack_dir

    client = GradingClient(socket_path=socket_path)
    progress = ClassProgress(client)
    try:
        if pack_dir:
            root = Path(pack_dir).absolute()
        else:  # the class's pack, as the service knows it (the config may be root's alone)
            root = Path(client.ping().get("class_pack") or default_pack_dir())
        pack = progress.open_pack(root)
    except BaseException:
        client.close()
        raise
    return ClassStart(pack, progress, progress.learner, client)
