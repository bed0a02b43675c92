"""The grading service's wire contract, shared by the service and its clients.

A request and a reply are each one JSON object on one line (UTF-8, `\\n`),
over a Unix socket:

    {"op": "grade", "id": 1, "pack": "<pack dir>", "lesson": "l", "exercise": "e",
     "answer": "...", "learner": "ada"}
        -> {"id": 1, "ok": true, "verdict": {...Verdict.to_json()...}}
    {"op": "show", ..., "learner": "ada"}     -> {"ok": true, "shown": {...}}
    {"op": "run_example", "code": "print(1)"} -> {"ok": true, "example": {...ExampleRun...}}
    {"op": "draw_math", "latex": "...", "ascii": false} -> {"ok": true, "text": "..."}
    {"op": "read_as", "pack", "lesson", "exercise", "text", "ascii"}
        -> {"ok": true, "label": "Read as:", "body": "<2-D math>"}
    {"op": "derivation", "pack", "lesson", "line", "ascii", "prove"}
        -> {"ok": true, "title": "...", "renderings": [...], "proved": bool,
            "problem": null | "..."}
    {"op": "ping"} -> {"ok": true, "service": {"pid": ..., "shared": bool, ...}}

A failure is an answer too: `{"ok": false, "error": "...", "kind": "..."}`,
where kind is `request` (a bad or refused request), `not-available` (no
grader for that type), `busy` (the service is at its limit of
connections), `refused` (a connection from the sandbox) or `error`. A
reply whose `id` is not the request's (null) is about the connection,
which the service closes after it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tutor.grading.verdict import Status, Verdict
from tutor.i18n import _

MAX_LINE = 1 << 20  # bytes in one request: a code answer is far smaller; more is refused


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


def encode(message: dict[str, Any]) -> bytes:
    return (json.dumps(message) + "\n").encode("utf-8")


def decode(line: bytes) -> dict[str, Any]:
    """One message; ValueError if it is not a JSON object."""
    message = json.loads(line.decode("utf-8"))
    if not isinstance(message, dict):
        raise ValueError(_("a message is a JSON object"))
    return message


def failure(error: str, kind: str, id: Any = None) -> dict[str, Any]:
    """A reply saying why a request was not answered."""
    return {"id": id, "ok": False, "error": error, "kind": kind}


def verdict_from_json(data: dict[str, Any]) -> Verdict:
    return Verdict(
        status=Status(data["status"]),
        score=float(data.get("score", 0.0)),
        feedback=str(data.get("feedback", "")),
        mistake=data.get("mistake"),
        read_as=data.get("read_as"),
        details=dict(data.get("details") or {}),
    )
