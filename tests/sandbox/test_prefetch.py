"""Runs made ahead are handed out only for identical calls, once; validate needs one request."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from tests.pack.helpers import line_of, validate_lesson
from tutor.grading.sandbox import FunctionCall, RunResult, RunStatus, client
from tutor.grading.sandbox.prefetch import Prefetched


class Recording:
    """A stand-in sandbox: each request is recorded; a run's message names its source."""

    def __init__(self) -> None:
        self.requests: list[list[str]] = []

    def run_functions(self, calls):
        self.requests.append([call.source for call in calls])
        return [RunResult(RunStatus.OK, message=f"{call.source} #{len(self.requests)}") for call in calls]  # fmt: skip


def _call(source: str, x: float = 1.0, **changes) -> FunctionCall:
    return FunctionCall(source, "f", [{"x": torch.tensor([x])}], **changes)


def test_a_run_made_ahead_goes_with_the_next_request_and_is_handed_out_once() -> None:
    box = Recording()
    ahead = Prefetched(box)
    ahead.ahead([_call("a"), _call("b"), _call("a")])  # the same call twice: made once
    first = ahead.run_functions([_call("now")])
    assert box.requests == [["now", "a", "b"]]
    assert first[0].message == "now #1"
    later = ahead.run_functions([_call("b"), _call("a")])
    assert [r.message for r in later] == ["b #1", "a #1"] and len(box.requests) == 1
    again = ahead.run_functions([_call("a")])  # handed out once: this one runs
    assert again[0].message == "a #2" and box.requests[-1] == ["a"]


def test_only_an_identical_call_gets_the_run_made_ahead() -> None:
    box = Recording()
    ahead = Prefetched(box)
    ahead.ahead([_call("a")])
    ahead.run_functions([_call("start")])
    for different in (
        _call("a", x=2.0),  # other case values
        _call("a", forbid=["torch.log_softmax"]),
        _call("a", gradients=True),
        _call("a", order=["x"]),
        _call("a", compare="result.sum()"),
        _call("a", filename="<pack code>"),
    ):
        assert ahead.run_functions([different])[0].message != "a #1"
    assert ahead.run_functions([_call("a")])[0].message == "a #1"


def test_a_queued_call_asked_for_at_once_runs_once() -> None:
    box = Recording()
    ahead = Prefetched(box)
    ahead.ahead([_call("a"), _call("b")])
    ahead.run_functions([_call("a")])
    assert box.requests == [["a", "b"]]


LESSON = """\
---
id: one-request
title: A code exercise checked in one request
---

## Step

```exercise
id: logsm
type: code
entry: log_softmax
prompt: Return log-softmax over the last dimension.
args:
  x: randn(2, 3)
edge_cases:
  - x: 1000 * randn(2, 3)
forbid: [torch.log_softmax, F.log_softmax]
reference: |
  def log_softmax(x):
      return x - x.logsumexp(-1, keepdim=True)
misconceptions:
  - tag: no-shift
    code: |
      def log_softmax(x):
          return x - x.exp().sum(-1, keepdim=True)
    feedback: Log of the sum, not the sum.
  - tag: softmax-not-log
    code: |
      def log_softmax(x):
          return x.exp() / x.exp().sum(-1, keepdim=True)
    feedback: That is softmax.
solution: |
  def log_softmax(x):
      return x - x.logsumexp(-1, keepdim=True)
```
"""


@pytest.fixture
def sent(monkeypatch) -> list[int]:
    """How many runs each sandbox request carried, request by request."""
    counts: list[int] = []
    original = client.Sandbox._run

    def counted(self, jobs):
        counts.append(len(jobs))
        return original(self, jobs)

    monkeypatch.setattr(client.Sandbox, "_run", counted)
    return counts


def test_a_code_exercise_is_checked_in_one_request(tmp_path: Path, sent: list[int]) -> None:
    """Reference, misconceptions and solution graded with no round trip of their own;
    a misconception named wrong is still reported (the runs are the same runs)."""
    assert validate_lesson(tmp_path / "clean", LESSON) == []
    assert len(sent) == 1, sent
    # the checks still see each run: a misconception that is right after all is caught
    wrong = LESSON.replace("return x.exp() / x.exp().sum(-1, keepdim=True)", "return x - x.logsumexp(-1, keepdim=True)")  # fmt: skip
    errors = validate_lesson(tmp_path / "wrong", wrong)
    assert [e.line for e in errors] == [line_of(wrong, "tag: softmax-not-log")], errors
    assert "passes every case" in errors[0].message


def test_pack_code_remembered_is_not_run_ahead_again(tmp_path: Path, sent: list[int]) -> None:
    """`validate --watch` checks an edited exercise again in the same process: the pack code's
    outcomes on the validating learner's cases are remembered, so they are not run again."""
    lesson = LESSON.replace("id: one-request", "id: checked-twice")  # seeds of its own
    assert validate_lesson(tmp_path / "first", lesson) == []
    assert validate_lesson(tmp_path / "again", lesson) == []
    # the reference and the two misconceptions: remembered from the first check
    assert sent == [sent[0], sent[0] - 3], sent
