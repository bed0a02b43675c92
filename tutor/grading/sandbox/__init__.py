"""Running pack and learner code away from the tutor's process.

`Sandbox` starts one or more fork servers that import torch once and fork a
confined child per run (CPU, wall-clock, memory, process and file-size limits, a
fresh working directory, an unprivileged user, no network, a clean
environment). Importing this package does not import torch.
"""

from tutor.grading.sandbox.client import (
    FunctionCall,
    Sandbox,
    SandboxUnavailable,
    SnippetRun,
    configure_default_sandbox,
    default_sandbox,
)
from tutor.grading.sandbox.limits import CaseOutcome, Limits, Raised, RunResult, RunStatus

__all__ = [
    "CaseOutcome",
    "FunctionCall",
    "Limits",
    "Raised",
    "RunResult",
    "RunStatus",
    "Sandbox",
    "SandboxUnavailable",
    "SnippetRun",
    "configure_default_sandbox",
    "default_sandbox",
]
