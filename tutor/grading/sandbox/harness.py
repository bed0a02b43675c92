"""What runs inside a sandbox child, after it is confined.

It executes the source in a fresh namespace (`torch`, `nn`, `F`, `math`
preloaded, as in lesson examples), calls the entry function on each case or
runs the snippet, and writes one wire frame with the outcomes. The grader
never trusts this frame beyond its values: learner code shares the process
and could forge it, which gains nothing, since the comparison with the
reference happens in the grader.
"""

from __future__ import annotations

import builtins
import contextlib
import json
import linecache
import math
import os
import sys
import traceback
from typing import Any

from tutor.grading.sandbox import case_checks, wire
from tutor.grading.sandbox.confine import confine, network_namespace
from tutor.grading.sandbox.forbid import ForbiddenCall, Guards
from tutor.grading.sandbox.limits import Limits

PACK_FILE = "<pack code>"  # the reference and misconceptions: never shown to a learner
MEMORY_MARKERS = ("can't allocate memory", "not enough memory", "DefaultCPUAllocator")


def run_child(
    job: dict, limits: Limits, workdir: str, result_fd: int, ctl_fd: int, uid_owned: bool
) -> None:
    """Confine, report the protections on the control pipe, then run the job."""
    protections = confine(workdir, limits, uid_owned)
    netns = network_namespace()
    os.write(ctl_fd, json.dumps({"protections": protections, "netns": netns}).encode())
    os.close(ctl_fd)
    sys.stdout = open(1, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stderr = open(2, "w", encoding="utf-8", errors="replace", closefd=False)  # noqa: SIM115
    sys.stdin = open(os.devnull)  # noqa: SIM115
    outcome = _run(job)
    try:
        frame = wire.encode(outcome)
    except Exception as error:  # an unsendable value: say so instead of dying
        frame = wire.encode({"error": _raised(error, "<harness>"), "cases": []})
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    view = memoryview(frame)
    while view:
        written = os.write(result_fd, view)
        view = view[written:]
    os.close(result_fd)


def warm() -> None:
    """Do once, in the fork server, what every child does first: children inherit it warm.

    Under the guard modes each aten op pays a first-use lookup (about 0.5 ms,
    tens per case), and autograd its first gradient; measured, a forbid
    exercise's verdict took 3x as long when each child paid them anew.
    """
    import torch

    from tutor.grading.sandbox.forbid import warm_modes

    for dtype in (torch.float32, torch.float64):  # every grade has a float64 case too
        _warm_case(torch.randn(4, 3, dtype=dtype), torch.tensor([0, 2, 1, 0]), warm_modes)


def _warm_case(logits: Any, target: Any, warm_modes: Any) -> None:
    import torch
    import torch.nn.functional as F

    call = case_checks.prepare({"logits": logits, "target": target}, [], gradients=True)
    x, y = call.values
    with warm_modes():
        m = x.max(dim=1, keepdim=True).values
        ops = [
            x - m - torch.log(torch.exp(x - m).sum(dim=1, keepdim=True)),
            torch.logsumexp(x, dim=1) - x[torch.arange(4), y],
            F.cross_entropy(x, y) + F.nll_loss(F.log_softmax(x, 1), y),
            torch.softmax(x, 1) - F.one_hot(y, 3) / 4,
            x.log_softmax(1).gather(1, y[:, None]).mean(),
            torch.cat([x, x @ torch.ones(3, 2, dtype=x.dtype)], dim=1) / 0.5,
            F.binary_cross_entropy_with_logits(x, torch.sigmoid(x).detach()),
            F.kl_div(F.log_softmax(x, 1), F.softmax(x, 1), reduction="batchmean"),
            torch.xlogy(torch.softmax(x, 1), x.abs()).sum() + torch.log1p(x.clamp(min=0)).sum(),
            x.permute(1, 0).reshape(-1).sum() * 2,
        ]
        case_checks.gradients([t.sum() for t in ops], call, torch.autograd.grad)
    case_checks.after(call)


def _namespace() -> dict[str, Any]:
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    return {
        "torch": torch,
        "nn": nn,
        "F": F,
        "math": math,
        "__name__": "__sandbox__",
        "__builtins__": builtins,
    }


def _run(job: dict) -> dict[str, Any]:
    guards = Guards(list(job.get("forbid") or []))
    filename = job.get("filename") or "<code>"
    source = job["source"]
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace = _namespace()
    out: dict[str, Any] = {"cases": [], "error": None, "forbidden": None, "memory": False}
    try:
        code = compile(source, filename, "exec")
    except SyntaxError as error:
        out["error"] = _raised(error, filename)
        return out
    namespace.update(job.get("env") or {})
    import torch

    grad = torch.autograd.grad  # the harness's own, taken before any guard replaces it
    guards.install()
    tripped = _Tripwire(guards)
    try:
        with guards.watching():
            exec(code, namespace)
    except BaseException as error:  # noqa: BLE001 - whatever the code raises is data
        if tripped.check(error, out):
            return out
        out["error"] = _raised(error, filename)
        out["memory"] = _is_memory(error)
        return out
    if job["kind"] == "snippet":
        return out
    entry = namespace.get(job["entry"])
    if not callable(entry):
        out["error"] = {
            "type": "NameError",
            "traceback": "",
            "message": f"no function named {job['entry']!r} was defined",
        }
        return out
    compare_src = job.get("compare") or "result"
    compare = compile(compare_src, "<compare>", "eval")
    needs_originals = job.get("compare_uses_forbidden", False)
    order = list(job.get("order") or [])
    wants_grads = bool(job.get("gradients")) and guards.autograd is None
    for case in job["cases"]:
        try:
            call = case_checks.prepare(case, order, wants_grads)
            with guards.watching():
                result = entry(*call.values)  # positionally, in the prompt's order
            # Unwatched (the name guards stay): a backward can change gradients, never values.
            grads = case_checks.gradients(result, call, grad) if wants_grads else None
            checked = {"after": case_checks.after(call), "grads": grads}
            if compare_src != "result":
                guards.armed = not needs_originals
                try:
                    result = eval(compare, {**_namespace(), "result": result})
                finally:
                    guards.armed = True
            wire.check(result)  # fail here, per case, if the value cannot be sent
            wire.check(checked)
            out["cases"].append({"value": result, **checked})
        except BaseException as error:  # noqa: BLE001
            if tripped.check(error, out):
                return out
            out["cases"].append({"raised": _raised(error, filename)})
            if _is_memory(error):
                out["memory"] = True
                return out
        if tripped.check(None, out):
            return out
    return out


class _Tripwire:
    """A forbidden call counts even if the learner caught the exception."""

    def __init__(self, guards: Guards) -> None:
        self.guards = guards

    def check(self, error: BaseException | None, out: dict) -> bool:
        hit = self.guards.hits[0] if self.guards.hits else None
        if hit is None and isinstance(error, ForbiddenCall):
            hit = error.name
        if hit is not None:
            out["forbidden"] = hit
            return True
        return False


def _is_memory(error: BaseException) -> bool:
    if isinstance(error, MemoryError):
        return True
    return isinstance(error, RuntimeError) and any(m in str(error) for m in MEMORY_MARKERS)


def _raised(error: BaseException, filename: str) -> dict[str, str]:
    """Type, message and the last traceback lines of the run's own code.

    Frames of the sandbox, of torch and of any other file are left out (they
    show the server's paths), and pack code keeps none: its lines are the
    hidden reference, and a learner's verdict shows what it raised.
    """
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if f.filename == filename and filename != PACK_FILE
    ]
    lines = traceback.format_list(frames[-4:])
    if isinstance(error, SyntaxError) and error.filename == filename:
        lines = traceback.format_exception_only(type(error), error)[:-1]
    try:
        message = str(error)
    except Exception:
        message = ""
    return {
        "type": type(error).__name__,
        "message": message[:2000],
        "traceback": "".join(lines)[-4000:],
    }
