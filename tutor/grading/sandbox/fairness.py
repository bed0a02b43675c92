"""Whose run this is, so one learner's flood costs that learner and not the class.

The grading service sets `runner` to the learner it is answering (a context
variable: each connection has its own thread and context), and `Sandbox`
keeps one run in flight per runner and hands free fork servers to waiting
runners in the order they came. A learner who submits four endless loops
holds one fork server; their other runs wait behind their own, and a
classmate's run takes the next free server. Callers outside a service (the
CLI, `validate`) set nothing and each run stands alone.
"""

from __future__ import annotations

from contextvars import ContextVar

runner: ContextVar[str | None] = ContextVar("runner", default=None)
