"""Runs made ahead, in one request, and handed out when grading asks for them.

`validate` grades a code exercise's reference, each misconception and the
solution one after another, as a learner's answer is graded: each grade
asks the sandbox for one run, a round trip of its own, with the checking
thread waiting on it. The runs each grade will ask for are known in
advance, so `validate` sends them all in the exercise's first request, a
child each side by side, and grading then finds its run here instead of
making it.

A run is handed out only for a call identical to the one made ahead (the
same source, function, cases to the byte, forbidden names, comparison,
argument order and gradient flag), and only once; any other call runs as
it would have. A run made ahead is a fresh child like any other, so what
grading receives is what it would have run itself.
"""

from __future__ import annotations

from collections.abc import Sequence

from tutor.grading.sandbox import wire
from tutor.grading.sandbox.client import FunctionCall, Sandbox
from tutor.grading.sandbox.limits import RunResult


def call_key(call: FunctionCall) -> tuple:
    """Everything that decides a run's outcome, as a hashable value."""
    return (
        call.source,
        call.entry,
        wire.encode(call.cases),
        tuple(call.forbid),
        call.compare,
        call.filename,
        repr(call.limits),
        tuple(call.order),
        call.gradients,
    )


class Prefetched:
    """A sandbox that makes the runs asked for ahead with its next request, and hands them out.

    `ahead(calls)` queues runs; the next `run_functions` sends them beside
    its own, in one request (a child each), and keeps their results. A later
    call identical to one made ahead gets that result, once.
    """

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self._queued: dict[tuple, FunctionCall] = {}
        self._made: dict[tuple, RunResult] = {}

    def ahead(self, calls: Sequence[FunctionCall]) -> None:
        """Make these runs with the next request (identical calls once)."""
        for call in calls:
            key = call_key(call)
            if key not in self._made:
                self._queued.setdefault(key, call)

    def run_functions(self, calls: Sequence[FunctionCall]) -> list[RunResult]:
        """Each call's run made ahead, if any; the others now, with the queued runs."""
        keys = [call_key(call) for call in calls]
        found = {index: self._made.pop(key) for index, key in enumerate(keys) if key in self._made}
        missing = [call for index, call in enumerate(calls) if index not in found]
        for index, key in enumerate(keys):
            if index not in found:
                self._queued.pop(key, None)  # asked for now: made now, not twice
        queued, self._queued = self._queued, {}
        sent = missing + list(queued.values())
        results = self.sandbox.run_functions(sent) if sent else []
        self._made.update(zip(queued, results[len(missing) :], strict=True))
        ran = iter(results[: len(missing)])
        return [found[index] if index in found else next(ran) for index in range(len(calls))]
