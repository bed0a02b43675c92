"""The app's side of grading: a verdict for an answer, never computed by guesswork.

Choice exercises are graded in-process (pure Python, instant). Every other
type, the learner's own numbers in a prompt, and running a lesson's
example go through the grading service: a separate process where torch
lives, started in the background when the app opens. Until that service
exists, or for a type its graders do not cover, the answer is refused with
`GraderNotAvailable` and the app says so plainly; a verdict is never faked.

It also draws math for the app (lesson formulas, the read-as preview,
derivations): sympy lives in the service, not in every learner's app. With
no service at all (a test's offline client), drawing falls back to the
symbolic engine in this process, so the lesson still reads right.

Every method here may block: call them from a thread worker.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tutor.grading.verdict import GraderNotAvailable, Verdict
from tutor.i18n import N_, _
from tutor.pack.model import (
    ChoiceExercise,
    CodeExample,
    Derivation,
    Exercise,
    FormulaExercise,
    Lesson,
    Pack,
)

NO_SERVICE = N_("the grading service has not landed in this build")
CLASS_WAITING = N_("{error}. Waiting for it: nothing is graded or counted meanwhile")


class ServiceWaiting(GraderNotAvailable):
    """The class's service is not answering (stopped, restarting): wait for it, grade nothing.

    In a class the app never grades on its own: a private service would run
    learner code as the learner's account, next to the gradebook.
    """


@dataclass(frozen=True)
class ExampleRun:
    """What running a lesson's `python` example printed (and raised), or why it did not end."""

    output: str
    problem: str | None = None  # a limit, a forbidden call: why the run did not end normally


class GradingLink:
    """Grades answers, presents exercises and runs examples for the app."""

    def __init__(
        self,
        pack: Pack,
        learner: str,
        client: Any | None = None,
        socket_path: Path | None = None,
    ):
        self.pack = pack
        self.learner = learner
        # the class's shared service; None: start a private one (never in a class)
        self.socket_path = socket_path
        self._client = client
        self._owns_client = client is None  # a client handed in is closed by its owner
        self._lock = threading.Lock()
        self._problem: str | None = None

    # the service's life

    def start(self) -> None:
        """Start the grading service in the background (non-blocking)."""
        with self._lock:
            if self._client is not None:
                return
            try:
                from tutor.grading.client import GradingClient
            except ImportError:
                self._problem = _(NO_SERVICE)
                return
            self._client = GradingClient(socket_path=self.socket_path)
        self._client.start()

    def close(self) -> None:
        if not self._owns_client:
            return
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()

    @property
    def problem(self) -> str | None:
        """Why the service cannot be used, if it cannot."""
        return self._problem

    def _service(self) -> Any:
        if self._client is None:
            self.start()
        if self._client is None:
            raise GraderNotAvailable(self._problem or _(NO_SERVICE))
        return self._client

    # what the app asks

    @property
    def in_class(self) -> bool:
        """Connected to (or waiting for) the class's service; never a private one."""
        return self.socket_path is not None

    def grade(self, lesson: Lesson, exercise: Exercise, answer: str) -> Verdict:
        if self.in_class:  # the class's service grades and records it (choices too)
            return self._waiting_for_class(
                lambda service: self._answer(service, lesson, exercise, answer)
            )
        if isinstance(exercise, ChoiceExercise):
            from tutor.grading.choice import grade_choice, learner_order

            order = learner_order(self.pack, lesson, exercise, self.learner)
            return grade_choice(exercise, answer, order)
        return self._waiting_for_class(
            lambda service: service.grade(
                self.pack.root, lesson.id, exercise.id, answer, self.learner
            )
        )

    def _answer(self, service: Any, lesson: Lesson, exercise: Exercise, answer: str) -> Verdict:
        from tutor.grading.protocol import verdict_from_json

        reply = service.answer(self.pack.root, lesson.id, exercise.id, answer)
        return verdict_from_json(reply["verdict"])

    def present(self, lesson: Lesson, exercise: Exercise) -> dict[str, Any]:
        """The exercise as this learner sees it: prompt with their numbers, choices, starter."""
        from tutor.grading.presentation import exercise_params, present_exercise

        if not exercise_params(exercise):
            # nothing to draw, so nothing that needs torch: answer here, at once
            return present_exercise(self.pack, lesson, exercise, self.learner)
        return self._waiting_for_class(
            lambda service: service.show(self.pack.root, lesson.id, exercise.id, self.learner)
        )

    def _waiting_for_class(self, ask: Callable[[Any], Any]) -> Any:
        """Ask the service; in a class, its absence is a wait (ServiceWaiting), not a failure."""
        from tutor.grading.protocol import GradingFailed

        try:
            return ask(self._service())
        except GradingFailed as error:
            if self.in_class and error.kind == "service":
                raise ServiceWaiting(_(CLASS_WAITING).format(error=error)) from None
            raise

    def run_example(self, example: CodeExample) -> ExampleRun:
        run = self._service().run_example(example.code)
        problem = None if run.status == "ok" else (run.message or run.status)
        return ExampleRun(run.shown, problem)

    # drawing math: in the service when there is one

    def draw_math(self, latex: str, ascii: bool) -> str:
        """A lesson's display math, 2-D."""
        client = self._drawing_client("draw_math")
        if client is not None:
            return client.draw_math(latex, ascii)
        from tutor.grading.drawing import draw_math

        return draw_math(latex, ascii)

    def read_as(
        self, lesson: Lesson, exercise: FormulaExercise, text: str, ascii: bool
    ) -> tuple[str, str]:
        """(label, 2-D drawing) of how a formula answer reads so far."""
        from tutor.grading.drawing import NOTHING_TYPED, read_as

        if not text.strip():
            return _(NOTHING_TYPED), ""  # no round trip for an empty line
        client = self._drawing_client("read_as")
        if client is not None:
            return client.read_as(self.pack.root, lesson.id, exercise.id, text, ascii)
        return read_as(text, exercise.symbols, ascii)

    def derivation(
        self, lesson: Lesson, block: Derivation, ascii: bool, prove: bool
    ) -> dict[str, Any]:
        """title, renderings (the first k + 1 steps each), proved, problem."""
        client = self._drawing_client("derivation")
        if client is not None:
            return client.derivation(self.pack.root, lesson.id, block.location.line, ascii, prove)
        from tutor.grading.drawing import derivation_view

        return derivation_view(block, ascii, prove)

    def _drawing_client(self, method: str) -> Any | None:
        """The service's client if it draws math; None: draw here (no service in this build)."""
        try:
            client = self._service()
        except GraderNotAvailable:
            return None
        return client if hasattr(client, method) else None
