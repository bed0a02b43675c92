"""The class's records, kept by the class's service: the learner's app only asks.

In a class the service, not the learner's process, holds the gradebook: it
grades an answer and records it in one step, records each hint revealed and
each solution shown, and keeps each learner's place. The learner it records
under comes from the kernel (`tutor.grading.peer`), never from the request,
so a learner can neither write under another's name nor change a score;
and the app never needs the store, its file or its password.

Every handler takes the request after `Service.handle` has overwritten its
`learner` with the peer's own name.
"""

from __future__ import annotations

import threading
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tutor.grading.choice import learner_order, recorded_answer
from tutor.grading.peer import Identities, Peer, load_identities
from tutor.grading.protocol import GradingFailed
from tutor.i18n import _
from tutor.pack.model import ChoiceExercise
from tutor.pack.served import served_pack
from tutor.progress.store import HINT_STATUS, SOLUTION_STATUS, Attempt, ProgressStore

if TYPE_CHECKING:
    from tutor.grading.service import Service

MAX_DRAFT = 20_000  # characters: a long code answer; a request is at most MAX_LINE bytes anyway

# ops answered for the learner at the other end of the socket (their `learner` is replaced)
PEER_OPS = frozenset(
    {
        "grade",
        "show",
        "answer",
        "hint",
        "solution",
        "position",
        "draft",
        "my_progress",
        "class_pack",
    }
)


class Classroom:
    """The class's store and who is who; safe to call from many connections at once."""

    def __init__(self, store: ProgressStore, identities: Identities) -> None:
        self.store = store
        self.identities = identities
        # a hint's count and an answer's "hints used" are read, then written: one at a time
        self._write = threading.Lock()
        self._adopted: set[tuple[str, str]] = set()  # (pack id, version) whose old rows are in
        self._adopting = threading.Lock()

    def _records(self, pack) -> str:
        """The id the pack's work is recorded under (`Pack.gradebook_id`), its older rows
        folded in the first time the service meets this version of it."""
        from tutor.grading.gradebook_rows import adopt_course_rows

        seen = (pack.id, pack.version)
        if seen not in self._adopted:
            with self._adopting:
                if seen not in self._adopted:
                    adopt_course_rows(self.store, pack)
                    self._adopted.add(seen)
        return pack.gradebook_id

    def learner(self, peer: Peer | None, token: Any) -> str:
        """Who the peer is; refused when the kernel did not say (no socket)."""
        if peer is None:
            raise GradingFailed(
                _("a class's service answers learners on its socket only"), "refused"
            )
        return self.identities.learner(peer, token if isinstance(token, str) else None)

    # -- ops ------------------------------------------------------------------------------

    def answer(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        """Grade and record in one step; the verdict is returned once it is committed."""
        pack, lesson, exercise = service._find(request)
        answer = str(request.get("answer", ""))
        verdict = service.grade_only(pack, lesson, exercise, answer, request["learner"])
        if isinstance(exercise, ChoiceExercise):  # the choice itself, not its shown position
            order = learner_order(pack, lesson, exercise, request["learner"])
            answer = recorded_answer(exercise, answer, order)
        with self._write:
            attempt = self._row(
                request["learner"], pack, lesson, exercise, answer, verdict.status.value
            )
            attempt = _with(attempt, score=verdict.score, mistake=verdict.mistake)
            self.store.record_attempt(attempt)
        return {"verdict": verdict.to_json(), "attempt": asdict(attempt)}

    def hint(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        """One more hint seen, counted here (capped at the exercise's hints)."""
        pack, lesson, exercise = service._find(request)
        with self._write:
            before = self._history(request["learner"], pack, lesson, exercise)[0]
            shown = min(before + 1, len(exercise.hints))
            attempt = None
            if shown > before:
                attempt = _with(
                    self._row(request["learner"], pack, lesson, exercise, "", HINT_STATUS),
                    hints_used=shown,
                )
                self.store.record_attempt(attempt)
        return {
            "hints_used": shown,
            "hints": list(exercise.hints[:shown]),  # sent once counted, never before
            "attempt": asdict(attempt) if attempt else None,
        }

    def solution(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        """The solution, sent only once its showing is recorded."""
        pack, lesson, exercise = service._find(request)
        if not exercise.solution:
            raise GradingFailed(
                _("`{id}` has no written solution").format(id=exercise.id), "request"
            )
        with self._write:
            attempt = _with(
                self._row(request["learner"], pack, lesson, exercise, "", SOLUTION_STATUS),
                solution_shown=True,
            )
            self.store.record_attempt(attempt)
        return {"solution": exercise.solution, "attempt": asdict(attempt)}

    def position(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        pack = service.pack_at(request)
        lesson = pack.lesson(str(request["lesson"]))
        if lesson is None:
            raise GradingFailed(
                _("no lesson `{lesson}` in {pack}").format(
                    lesson=request["lesson"], pack=pack.root
                ),
                "request",
            )
        step = int(request["step"])
        if not 0 <= step < max(len(lesson.steps), 1):
            raise GradingFailed(
                _("no step {step} in `{lesson}`").format(step=step, lesson=lesson.id), "request"
            )
        self.store.save_position(request["learner"], self._records(pack), lesson.id, step)
        return {"saved": True}

    def draft(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        """Keep the learner's unsubmitted answer to one exercise of a served pack ("" drops it).

        One per exercise, each at most MAX_DRAFT characters: what a learner can
        make the store hold is bounded by the pack.
        """
        pack, lesson, exercise = service._find(request)
        text = request.get("text", "")
        if not isinstance(text, str):
            raise GradingFailed(_("a draft is text"), "request")
        if len(text) > MAX_DRAFT:
            raise GradingFailed(
                _("a draft is at most {count} characters").format(count=MAX_DRAFT), "request"
            )
        self.store.save_draft(request["learner"], self._records(pack), lesson.id, exercise.id, text)
        return {"saved": True}

    def my_progress(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        """The asking learner's own rows, places and the solutions they were shown."""
        pack = service.pack_at(request)
        learner = request["learner"]
        records = self._records(pack)
        attempts = self.store.attempts(learner=learner, pack_id=records)
        steps = {
            lesson: step
            for (who, lesson), step in self.store.positions(records).items()
            if who == learner
        }
        last = self.store.last_position(learner, records)
        shown = {(a.lesson_id, a.exercise_id) for a in attempts if a.status == SOLUTION_STATUS}
        seen: dict[tuple[str, str], int] = {}
        for a in attempts:
            key = (a.lesson_id, a.exercise_id)
            seen[key] = max(seen.get(key, 0), a.hints_used)
        hints = []
        for (lesson_id, exercise_id), count in sorted(seen.items()):
            exercise = pack.find_exercise(lesson_id, exercise_id)
            if exercise is not None and count:
                hints.append([lesson_id, exercise_id, list(exercise.hints[:count])])
        solutions = []
        for lesson_id, exercise_id in sorted(shown):
            exercise = pack.find_exercise(lesson_id, exercise_id)
            if exercise is not None and exercise.solution:
                solutions.append([lesson_id, exercise_id, exercise.solution])
        drafts = [[*key, text] for key, text in sorted(self.store.drafts(learner, records).items())]
        return {
            "learner": learner,
            "drafts": drafts,
            "attempts": [asdict(a) for a in attempts],
            "positions": steps,
            "last": [last.lesson_id, last.step] if last else None,
            "solutions": solutions,
            "hints": hints,
        }

    def class_pack(self, service: Service, request: dict[str, Any]) -> dict[str, Any]:
        """The pack to show, answers removed (`tutor.pack.served`), to an app of our version.

        The served pack's shape and every later request follow this
        version's protocol; an app of another version would misread them.
        """
        from tutor import __version__

        theirs = request.get("version")
        if theirs != __version__:
            theirs = theirs or _("an older version")
            raise GradingFailed(
                _("the class's grading service runs ce-tutor {ours}, this app is {theirs}: ask "
                  "the admin to restart the service after upgrading (or to upgrade this install)"
                  ).format(ours=__version__, theirs=theirs),
                "version",
            )  # fmt: skip
        return {"served": served_pack(service.pack_at(request))}

    OPS = {
        "answer": answer,
        "grade": answer,  # in a class an answer graded is an answer recorded
        "hint": hint,
        "solution": solution,
        "position": position,
        "draft": draft,
        "my_progress": my_progress,
        "class_pack": class_pack,
    }

    # -- rows -----------------------------------------------------------------------------

    def _history(self, learner: str, pack, lesson, exercise) -> tuple[int, bool]:
        """(hints seen, solution shown) of one learner on one exercise, from the store."""
        rows = [
            a
            for a in self.store.attempts(learner=learner, pack_id=self._records(pack))
            if a.lesson_id == lesson.id and a.exercise_id == exercise.id
        ]
        hints = max((a.hints_used for a in rows), default=0)
        shown = any(a.solution_shown or a.status == SOLUTION_STATUS for a in rows)
        return min(hints, len(exercise.hints)), shown

    def _row(self, learner: str, pack, lesson, exercise, answer: str, status: str) -> Attempt:
        from tutor.grading import learner_seed

        hints, shown = self._history(learner, pack, lesson, exercise)
        return Attempt(
            learner=learner,
            pack_id=self._records(pack),
            pack_version=pack.version,
            lesson_id=lesson.id,
            exercise_id=exercise.id,
            answer=answer,
            status=status,
            score=0.0,
            hints_used=hints,
            solution_shown=shown,
            created_at=time.time(),
            seed=learner_seed(pack, lesson, exercise, learner),
        )


def _with(attempt: Attempt, **changes: Any) -> Attempt:
    return replace(attempt, **changes)


CLASS_OPS = Classroom.OPS
CLASS_ONLY_OPS = frozenset(CLASS_OPS) - {"grade"}  # a service without records refuses these


def open_classroom(
    store: ProgressStore, shared_accounts: list[str], tokens_file: Path | None
) -> Classroom:
    """`ce-tutor serve`'s records: the store, and who is who (`tutor.grading.peer`).

    The tokens file (default TOKENS_FILE) is read when there is a shared account.
    """
    try:
        identities = load_identities(shared_accounts, tokens_file)
    except BaseException:
        store.close()
        raise
    return Classroom(store, identities)
