"""What a sandbox run may use, and what came back from it.

These are plain data: the client, the fork server and the graders all share
them, and none of them needs torch to read them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import Enum
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Bounds for one run. Defaults suit grading one small torch function."""

    cpu_seconds: int = 2  # RLIMIT_CPU: SIGXCPU, then SIGKILL one second later
    wall_seconds: float = 4.0  # the fork server kills the child at this deadline
    memory_mb: int = 1024  # RLIMIT_AS; torch needs ≈ 700 MB of address space
    processes: int = 16  # RLIMIT_NPROC for the unprivileged sandbox user
    output_bytes: int = 64 * 1024  # stdout/stderr kept; the rest is dropped
    file_bytes: int = 16 * 1024 * 1024  # RLIMIT_FSIZE: largest file the code may write
    result_bytes: int = 64 * 1024 * 1024  # largest encoded result accepted

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Limits:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        return cls(**known)


class RunStatus(str, Enum):
    """How a sandbox run ended, before any grading."""

    OK = "ok"  # the job ran to its end (a learner exception is data, see CaseOutcome)
    LIMIT = "limit"  # time, memory or output limit
    CRASHED = "crashed"  # the child died, or raised outside the learner's calls
    FORBIDDEN = "forbidden"  # a forbidden call, in the source or at run time


@dataclass
class Raised:
    """An exception raised by sandboxed code, with the sandbox's own frames removed."""

    type: str
    message: str
    traceback: str = ""  # the last lines, learner frames only

    def __str__(self) -> str:
        return f"{self.type}: {self.message}" if self.message else self.type


@dataclass
class CaseOutcome:
    """One call of the function: its (compared) value, or what it raised.

    `after` holds the tensor arguments as the call left them (None for the
    others), in call order; `grads`, per argument in call order, the gradient
    of the (weighted) output with respect to it (None for a non-float
    argument), or is None when the output is not differentiable or
    gradients were not asked for.
    """

    value: Any = None
    raised: Raised | None = None
    after: list[Any] | None = None
    grads: list[Any] | None = None


@dataclass
class RunResult:
    """What came back from one run.

    `message` says why a run did not end `ok` ("time limit, 2 s",
    "memory limit", "forbidden: F.cross_entropy", "killed by SIGSEGV").
    `protections` names what was actually in force (e.g. `network` is missing
    where the OS refused a new network namespace), so callers can say so.
    """

    status: RunStatus
    message: str = ""
    stdout: str = ""
    cases: list[CaseOutcome] = field(default_factory=list)  # run_function
    raised: Raised | None = None  # run_snippet: the exception the snippet raised
    protections: list[str] = field(default_factory=list)
    wall_seconds: float = 0.0
    cpu_seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return self.status is RunStatus.OK
