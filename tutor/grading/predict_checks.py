"""`validate`'s proof that a predict snippet has one outcome a learner can predict.

Each sandbox run is a child forked from a fork server, so two runs can share
the random state they inherited and agree by accident. The second run here
starts by drawing fresh random states (Python's `random` and torch's, from
the operating system), so a snippet that prints unseeded random numbers,
`torch.empty` garbage, the time or an address shows a different outcome,
and `validate` fails it: no learner can predict it, and the grader's own
answer would change between runs.
"""

from __future__ import annotations

import re

from tutor.i18n import _
from tutor.pack.model import PredictExercise

Problems = list[tuple[int, str]]
_SNIPPET_LINE = re.compile(r'(<snippet>:|"<snippet>", line )(\d+)')

# one line, so the snippet's own line numbers move by one only
RESEED = "import random as _r, torch as _t; _r.seed(); _t.seed()  # validate: fresh random states\n"


def outcome_and_second_run(exercise: PredictExercise, seed: int) -> tuple[object, object]:
    """The snippet's outcome for `seed`, and its run again from fresh random states.

    Two runs, two processes, sent in one request: the fork server runs the
    two children side by side. The first outcome is remembered for the
    grader (`predict.record_outcome`); SnippetError when it did not run.
    """
    from tutor.grading.predict import cached_outcome, record_outcome, snippet_env
    from tutor.grading.sandbox import SnippetRun, default_sandbox

    env = snippet_env(exercise, seed)
    again = SnippetRun(RESEED + exercise.code, env, filename="<snippet>")
    first = cached_outcome(exercise, seed)
    if first is not None:
        return first, default_sandbox().run_snippets([again])[0]
    once = SnippetRun(exercise.code, env, filename="<snippet>")
    run, second = default_sandbox().run_snippets([once, again])
    return record_outcome(exercise, seed, run), second


def check_deterministic(exercise: PredictExercise, run, first: object) -> Problems:
    """The second run (`outcome_and_second_run`) must have `first`'s outcome."""
    from tutor.grading.predict import Outcome
    from tutor.grading.sandbox import RunStatus

    if run.status is not RunStatus.OK:
        why = _("the snippet did not run a second time: {why}").format(why=run.message)
        return [(exercise.location.line, why)]
    raised = run.raised
    second = Outcome(
        _moved_back(run.stdout),
        raised.type if raised else None,
        _moved_back(raised.message) if raised else "",
    )
    if second == first:
        return []
    return [
        (
            exercise.location.line,
            _(
                "the snippet has a different outcome on a second run, so no learner can predict "
                "it:\n  first:  {first}\n  second: {second}\nSeed what is random "
                "(`torch.manual_seed(0)` at the top), or print something that does not depend "
                "on chance, time or memory addresses"
            ).format(first=_one_line(first.shown), second=_one_line(second.shown)),
        )
    ]


def _moved_back(text: str) -> str:
    """The second run's `<snippet>:N` (warnings, messages) as the snippet's own line N."""
    return _SNIPPET_LINE.sub(lambda m: f"{m.group(1)}{int(m.group(2)) - 1}", text)


def _one_line(text: str) -> str:
    text = text.replace("\n", " ⏎ ")
    return text if len(text) <= 100 else text[:97] + "…"
