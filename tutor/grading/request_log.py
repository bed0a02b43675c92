"""The class's request log: one JSON line per request the service answered or refused.

What an admin needs after a class to find out what happened ("my answer was
not counted", "the tutor was slow at 10:05", "someone flooded the sandbox"):
who asked (as the kernel named them), what, the outcome, how long it took,
and every refusal with its reason. Never the answer itself or a verdict's
feedback: a log is read by more people than the gradebook.

Written by the service only, rotated at `MAX_BYTES` (`KEEP` old files), read
by `ce-tutor class log`.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MAX_BYTES = 10 * 1024 * 1024
KEEP = 5
FIELDS = ("op", "pack", "lesson", "exercise")


@dataclass
class Entry:
    """One line of the log, as `ce-tutor class log` shows it."""

    time: float
    who: str
    op: str
    outcome: str  # a verdict's status, "ok", or the failure's kind
    ms: float
    where: str = ""  # lesson/exercise
    reason: str = ""  # a refusal's or failure's message

    def line(self) -> str:
        stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(self.time))
        text = f"{stamp}  {self.who:<20} {self.op:<12} {self.where:<36} {self.outcome:<10} "
        text += f"{self.ms:>7.0f} ms"
        return f"{text}  {self.reason}" if self.reason else text


class _PrivateRotatingHandler(logging.handlers.RotatingFileHandler):
    """Every file it makes (the first, and each after a rotation) is 0600: it names learners."""

    def _open(self):  # type: ignore[override]
        fd = os.open(self.baseFilename, os.O_CREAT | os.O_APPEND | os.O_WRONLY, 0o600)
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)


class RequestLog:
    """Appends entries from many threads at once (logging's handler holds the lock)."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._logger = logging.Logger(f"ce-tutor.requests.{path}")
        handler = _PrivateRotatingHandler(
            path, maxBytes=MAX_BYTES, backupCount=KEEP, encoding="utf-8"
        )
        handler.setFormatter(logging.Formatter("%(message)s"))
        self._logger.addHandler(handler)

    def record(
        self,
        who: str | None,
        request: dict[str, Any],
        reply: dict[str, Any],
        seconds: float,
    ) -> None:
        entry: dict[str, Any] = {"t": round(time.time(), 3), "who": who or "?"}
        for key in FIELDS:
            value = request.get(key)
            if isinstance(value, str):
                entry[key] = value[:200]
        if reply.get("ok") is False:
            entry["outcome"] = str(reply.get("kind", "error"))
            entry["reason"] = str(reply.get("error", ""))[:300]
        else:
            verdict = reply.get("verdict")
            entry["outcome"] = verdict.get("status", "ok") if isinstance(verdict, dict) else "ok"
        entry["ms"] = round(seconds * 1000, 1)
        self._logger.info(json.dumps(entry, ensure_ascii=False))

    def close(self) -> None:
        for handler in list(self._logger.handlers):
            handler.close()
            self._logger.removeHandler(handler)


def read_entries(path: Path, learner: str | None = None) -> Iterator[Entry]:
    """The log's entries, oldest first (rotated files included), one learner's if asked."""
    files = [Path(f"{path}.{n}") for n in range(KEEP, 0, -1)] + [path]
    for file in files:
        if file.exists():
            with file.open(encoding="utf-8", errors="replace") as lines:
                yield from _entries(lines, learner)


def _entries(lines: Any, learner: str | None) -> Iterator[Entry]:
    for raw in lines:
        try:
            data = json.loads(raw)
        except ValueError:
            continue  # a line cut by a crash: the rest is still worth reading
        entry = _entry(data)
        if entry is not None and (learner is None or _is(entry.who, learner)):
            yield entry


def follow(path: Path, learner: str | None, stop: Any) -> Iterator[Entry]:
    """New entries as they are written, until `stop()` is true (polled every 0.5 s)."""
    with path.open(encoding="utf-8", errors="replace") as lines:
        lines.seek(0, os.SEEK_END)
        while not stop():
            chunk = lines.readlines()
            if chunk:
                yield from _entries(chunk, learner)
            else:
                time.sleep(0.5)


def _is(who: str, learner: str) -> bool:
    return who == f"learner {learner}" or who.endswith(f" {learner}")


def _entry(data: dict[str, Any]) -> Entry | None:
    try:
        where = "/".join(str(data[k]) for k in ("lesson", "exercise") if data.get(k))
        return Entry(
            time=float(data["t"]),
            who=str(data.get("who", "?")),
            op=str(data.get("op", "?")),
            outcome=str(data.get("outcome", "?")),
            ms=float(data.get("ms", 0.0)),
            where=where,
            reason=str(data.get("reason", "")),
        )
    except (KeyError, TypeError, ValueError):
        return None
