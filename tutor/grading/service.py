"""The grading service: one process that holds torch and the sandbox, and a client for the app.

`python -m tutor.grading.service` reads JSON requests, one per line, on
stdin and answers each with one JSON line on stdout:

    {"op": "grade", "id": 1, "pack": "<pack dir>", "lesson": "l", "exercise": "e",
     "answer": "...", "learner": "ada"}
        -> {"id": 1, "ok": true, "verdict": {...Verdict.to_json()...}}
    {"op": "run_example", "id": 2, "code": "print(torch.ones(2))"}
        -> {"id": 2, "ok": true, "example": {"status": "ok", "stdout": "...", "raised": null}}
    {"op": "show", "id": 3, "pack": ..., "lesson": ..., "exercise": ..., "learner": ...}
        -> {"id": 3, "ok": true, "shown": {...present_exercise(...)...}}
    {"op": "ping", "id": 4} -> {"id": 4, "ok": true}

A failure to grade is an answer too: `{"ok": false, "error": "...", "kind": "..."}`.
`GradingClient` runs that process for the Textual app (from a thread
worker): it never imports torch itself, and restarts the service if it dies.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from tutor.grading.verdict import GraderNotAvailable, Status, Verdict

START_TIMEOUT = 120.0  # torch's import on a cold page cache, twice (service and fork server)
REQUEST_TIMEOUT = 60.0


class GradingFailed(RuntimeError):
    """The service could not grade (unknown exercise, broken pack code, service gone)."""

    def __init__(self, message: str, kind: str = "error") -> None:
        super().__init__(message)
        self.kind = kind


@dataclass
class ExampleRun:
    """A lesson's `python` example, run in the sandbox."""

    status: str  # ok, limit, crashed, forbidden
    stdout: str = ""
    raised: str | None = None  # "RuntimeError: ..." if the example raised
    message: str = ""  # why the run did not end ok

    @property
    def shown(self) -> str:
        text = self.stdout.rstrip("\n")
        if self.raised:
            text = f"{text}\n{self.raised}" if text else self.raised
        return text


# ------------------------------------------------------------------------------- the service


class Service:
    """Answers requests in the process that owns torch and the sandbox."""

    def __init__(self) -> None:
        from tutor.grading.sandbox import default_sandbox

        self.sandbox = default_sandbox()
        self._packs: dict[Path, tuple[float, Any]] = {}

    def start(self) -> None:
        starter = threading.Thread(target=self.sandbox.start, daemon=True)
        starter.start()  # the fork server imports torch while we do the same here
        import torch

        torch.set_num_threads(1)  # grading compares small tensors; keep the CPU for children
        warm_formula_engine()
        starter.join()

    def handle(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request.get("op")
        reply: dict[str, Any] = {"id": request.get("id")}
        try:
            if op == "grade":
                reply["verdict"] = self.grade(request).to_json()
            elif op == "show":
                reply["shown"] = self.show(request)
            elif op == "run_example":
                reply["example"] = self.run_example(str(request["code"])).__dict__
            elif op == "ping":
                pass
            else:
                raise GradingFailed(f"unknown op {op!r}", "request")
            reply["ok"] = True
        except GraderNotAvailable as error:
            reply.update(ok=False, error=str(error), kind="not-available")
        except GradingFailed as error:
            reply.update(ok=False, error=str(error), kind=error.kind)
        except Exception as error:  # the service must outlive any one request
            reply.update(ok=False, error=f"{type(error).__name__}: {error}", kind="error")
        return reply

    def grade(self, request: dict[str, Any]) -> Verdict:
        from tutor.grading import grade

        pack, lesson, exercise = self._find(request)
        answer, learner = str(request.get("answer", "")), str(request.get("learner", ""))
        return grade(pack, lesson, exercise, answer, learner)

    def show(self, request: dict[str, Any]) -> dict[str, Any]:
        """The exercise as this learner sees it (their drawn numbers filled in)."""
        from tutor.grading.presentation import present_exercise

        pack, lesson, exercise = self._find(request)
        return present_exercise(pack, lesson, exercise, str(request.get("learner", "")))

    def _find(self, request: dict[str, Any]) -> tuple[Any, Any, Any]:
        pack = self._pack(Path(str(request["pack"])))
        lesson = pack.lesson(str(request["lesson"]))
        if lesson is None:
            raise GradingFailed(f"no lesson `{request['lesson']}` in {pack.root}", "request")
        exercise = lesson.exercise(str(request["exercise"]))
        if exercise is None:
            raise GradingFailed(f"no exercise `{request['exercise']}` in `{lesson.id}`", "request")
        return pack, lesson, exercise

    def run_example(self, code: str) -> ExampleRun:
        run = self.sandbox.run_snippet(code, filename="<example>")
        raised = str(run.raised) if run.raised else None
        return ExampleRun(run.status.value, run.stdout, raised, run.message)

    def _pack(self, root: Path) -> Any:
        """Packs are loaded once, and again when a file in them changes."""
        from tutor.pack.loader import load_pack

        root = root.resolve()
        stamp = max((p.stat().st_mtime for p in root.rglob("*") if p.is_file()), default=0.0)
        cached = self._packs.get(root)
        if cached is None or cached[0] != stamp:
            pack, _errors = load_pack(root)
            self._packs[root] = (stamp, pack)
        return self._packs[root][1]


def warm_formula_engine() -> None:
    """Import sympy and build the formula engine's caches before the first answer.

    Otherwise a learner's first formula answer pays ~2 s of imports and
    set-up (measured by `ce-tutor bench`); here it is paid while they read.
    """
    from tutor.grading.formula import grade_formula
    from tutor.pack.model import FormulaExercise, Location
    from tutor.symbolic.domain import SymbolKind, SymbolSpec

    symbols = {name: SymbolSpec(name, SymbolKind.DISTRIBUTION, "K") for name in ("p", "q")}
    exercise = FormulaExercise(
        id="warm-up",
        prompt="",
        location=Location(Path("<warm-up>"), 1),
        answer="-sum(p*log(q))",
        symbols=symbols,
    )
    grade_formula(exercise, "sum(p*log(1/q))")


def serve(stdin: IO[str], stdout: IO[str]) -> None:
    service = Service()
    service.start()
    stdout.write(json.dumps({"ready": True, "pid": os.getpid()}) + "\n")
    stdout.flush()
    for line in stdin:
        if not line.strip():
            continue
        try:
            request = json.loads(line)
            if not isinstance(request, dict):
                raise ValueError("a request is a JSON object")
        except ValueError as error:
            reply = {"id": None, "ok": False, "error": f"bad request: {error}", "kind": "request"}
        else:
            reply = service.handle(request)
        stdout.write(json.dumps(reply) + "\n")
        stdout.flush()


def main() -> None:
    # Replies go on a private copy of stdout; anything else printing (a library's
    # warning) lands on stderr and cannot corrupt the protocol.
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    serve(sys.stdin, replies)


# -------------------------------------------------------------------------------- the client


class GradingClient:
    """The app's handle on the grading service; safe to call from one or several threads.

    Example::

        client = GradingClient()
        client.start()                      # returns at once; torch loads in the service
        verdict = client.grade(pack_dir, "cross-entropy", "write-ce", source, "ada")
        client.close()
    """

    def __init__(self, python: str | None = None, env: dict[str, str] | None = None) -> None:
        self.python = python or sys.executable
        self.env = env
        self._process: subprocess.Popen | None = None
        self._lock = threading.Lock()
        self._next_id = 0
        self._ready = False
        self.starts = 0

    def start(self) -> None:
        """Launch the service in the background (it loads torch); does not wait for it."""
        with self._lock:
            if not self._alive():
                self._launch()

    def wait_ready(self, timeout: float = START_TIMEOUT) -> None:
        with self._lock:
            self._ensure(timeout)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def grade(
        self, pack: str | Path, lesson: str, exercise: str, answer: str, learner: str
    ) -> Verdict:
        """The verdict for one answer, graded in the service."""
        reply = self._ask(
            {
                "op": "grade",
                "pack": str(Path(pack).resolve()),
                "lesson": lesson,
                "exercise": exercise,
                "answer": answer,
                "learner": learner,
            }
        )
        data = reply["verdict"]
        return Verdict(
            status=Status(data["status"]),
            score=float(data.get("score", 0.0)),
            feedback=str(data.get("feedback", "")),
            mistake=data.get("mistake"),
            read_as=data.get("read_as"),
            details=dict(data.get("details") or {}),
        )

    def show(self, pack: str | Path, lesson: str, exercise: str, learner: str) -> dict[str, Any]:
        """The exercise as this learner sees it: prompt with their numbers, params, choices."""
        request = {
            "op": "show",
            "pack": str(Path(pack).resolve()),
            "lesson": lesson,
            "exercise": exercise,
            "learner": learner,
        }
        return self._ask(request)["shown"]

    def run_example(self, code: str) -> ExampleRun:
        """Run a lesson's `python` example in the service's sandbox."""
        data = self._ask({"op": "run_example", "code": code})["example"]
        return ExampleRun(**data)

    def ping(self) -> bool:
        return bool(self._ask({"op": "ping"}).get("ok"))

    def close(self) -> None:
        with self._lock:
            self._stop()

    # -- internals --------------------------------------------------------------------------

    def _ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            for attempt in range(2):
                self._ensure(START_TIMEOUT)
                self._next_id += 1
                request["id"] = self._next_id
                try:
                    reply = self._exchange(request)
                except (OSError, EOFError, TimeoutError) as error:
                    self._stop()  # dead or stuck: the next attempt starts a new service
                    if attempt:
                        raise GradingFailed(
                            f"the grading service failed: {error}", "service"
                        ) from None
                    continue
                if not reply.get("ok"):
                    if reply.get("kind") == "not-available":
                        raise GraderNotAvailable(reply.get("error", ""))
                    raise GradingFailed(
                        reply.get("error", "unknown error"), reply.get("kind", "error")
                    )
                return reply
        raise AssertionError("unreachable")

    def _exchange(self, request: dict[str, Any]) -> dict[str, Any]:
        assert self._process is not None and self._process.stdin and self._process.stdout
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        while True:
            reply = json.loads(self._read_line(REQUEST_TIMEOUT))
            if reply.get("id") == request["id"]:
                return reply

    def _read_line(self, timeout: float) -> str:
        assert self._process is not None and self._process.stdout
        stream = self._process.stdout
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no answer from the grading service")
            ready, _, _ = select.select([stream], [], [], remaining)
            if ready:
                line = stream.readline()
                if not line:
                    raise EOFError("the grading service stopped")
                return line

    def _alive(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def _launch(self) -> None:
        env = dict(self.env if self.env is not None else os.environ)
        env.setdefault("OMP_NUM_THREADS", "1")
        self._process = subprocess.Popen(
            [self.python, "-m", "tutor.grading.service"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            bufsize=1,
            env=env,
            start_new_session=True,  # Ctrl-C in the terminal is the app's, not the service's
        )
        self._ready = False
        self.starts += 1

    def _ensure(self, timeout: float) -> None:
        if not self._alive():
            self._stop()
            self._launch()
        if not self._ready:
            try:
                hello = json.loads(self._read_line(timeout))
            except (OSError, EOFError, TimeoutError, ValueError) as error:
                self._stop()
                raise GradingFailed(
                    f"the grading service did not start: {error}", "service"
                ) from None
            if not hello.get("ready"):
                self._stop()
                raise GradingFailed("the grading service did not start", "service")
            self._ready = True

    def _stop(self) -> None:
        process, self._process, self._ready = self._process, None, False
        if process is None:
            return
        if process.stdin:
            # The service ends at EOF, and its fork server with it.
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout:
            process.stdout.close()


if __name__ == "__main__":
    main()
