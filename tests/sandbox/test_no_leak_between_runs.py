"""One learner's run finds nothing of the run before it (issue 12, finding 0).

A probe runs right after another run on the same fork server and looks for
that run's secret everywhere learner code can look: up the stack, in every
object the garbage collector knows, in every module's globals, in its open
descriptors, and in its whole readable memory (`/proc/self/mem`, which also
holds freed memory). The secret is never built whole inside the probe: it
looks for the first half and compares what follows with the second half.
"""

from __future__ import annotations

import json

from tutor.grading.sandbox import FunctionCall, Limits, Sandbox

HEAD, TAIL = "QZXJ-LEAK-", "7f3a9c2e51"
PROBE_LIMITS = Limits(cpu_seconds=20, wall_seconds=30.0, memory_mb=2048)

# The probe reaches `sys` without naming it (the source check refuses the name).
PROBE = r"""
import gc, os, json, warnings
warnings.simplefilter("ignore")
_sys = __import__("s" + "ys")
HEAD, TAIL = "@HEAD@", "@TAIL@"
hb, tb = HEAD.encode(), TAIL.encode()

def found(data, head, tail):  # head then tail in data (str or bytes), never head + tail
    start = data.find(head)
    while start != -1:
        if data[start + len(head): start + len(head) + len(tail)] == tail:
            return True
        start = data.find(head, start + 1)
    return False

def found_in_text(text):
    return found(text, HEAD, TAIL)

def found_in_bytes(data):
    return found(data, hb, tb)

def look(value):
    if isinstance(value, str):
        return found_in_text(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return found_in_bytes(bytes(value))
    return False

report = {"stack": False, "objects": False, "globals": False, "memory": False, "fds": []}
frame = getattr(_sys, "_get" + "frame")(0)
while frame is not None:
    for value in list(frame.f_locals.values()) + list(frame.f_globals.values()):
        if look(value) or (isinstance(value, (dict, list, tuple)) and found_in_text(repr(value))):
            report["stack"] = True
    frame = getattr(frame, "f_" + "back")
for obj in gc.get_objects():
    try:
        if look(obj) or (isinstance(obj, dict) and any(look(v) for v in obj.values())):
            report["objects"] = True
            break
    except Exception:
        pass
for module in list(_sys.modules.values()):
    for value in list(getattr(module, "__dict__", {}).values()):
        if look(value):
            report["globals"] = True
try:
    fds = sorted(int(fd) for fd in os.listdir("/proc/self/fd"))
except OSError:
    fds = list(range(64))
import stat
for fd in fds:
    try:
        mode = os.fstat(fd).st_mode
    except OSError:
        continue
    report["fds"].append([fd, "socket" if stat.S_ISSOCK(mode) else "other"])
try:
    mem = os.open("/proc/self/mem", os.O_RDONLY)
    with open("/proc/self/maps") as maps:
        regions = maps.read().splitlines()
    for line in regions:
        parts = line.split()
        if "r" not in parts[1] or (len(parts) > 5 and parts[5].startswith("[v")):
            continue
        start, end = (int(x, 16) for x in parts[0].split("-"))
        offset = start
        while offset < end:
            size = min(end - offset, 1 << 22)
            try:
                chunk = os.pread(mem, size + len(hb) + len(tb), offset)
            except OSError:
                break
            if found_in_bytes(chunk):
                report["memory"] = True
            offset += size
except OSError:
    report["memory"] = "unreadable"
print(json.dumps(report))
""".replace("@HEAD@", HEAD).replace("@TAIL@", TAIL)

VICTIM = f'''
SECRET = "{HEAD}" "{TAIL}"
def answer(logits):
    kept = [SECRET] * 3
    return SECRET + str(logits)
'''


def _probe(box: Sandbox) -> dict:
    """Probe SPARES + 1 times: the spares forked before the classmate's run come first."""
    merged: dict = {"stack": False, "objects": False, "globals": False, "memory": False}
    merged["fds"] = []
    for _ in range(3):
        result = box.run_snippet(PROBE, limits=PROBE_LIMITS)
        assert result.ok, (result.status, result.message, result.raised)
        report = _report(result.stdout)
        for key in ("stack", "objects", "globals"):
            merged[key] = merged[key] or report[key]
        if report["memory"] is True:
            merged["memory"] = True
        merged["fds"] += report["fds"]
    return merged


def _report(stdout: str) -> dict:
    lines = [line for line in stdout.splitlines() if line.startswith('{"stack"')]
    assert lines, stdout[-2000:]
    return json.loads(lines[-1])


def test_a_probe_after_a_classmates_run_finds_nothing_of_it(sandbox):
    # The classmate's run: the secret in its source, its cases and its result.
    call = FunctionCall(VICTIM, "answer", [{"logits": HEAD + TAIL}] * 2, filename="<alice>")
    (victim,) = sandbox.run_functions([call])
    assert victim.ok and victim.cases[0].value.startswith(HEAD + TAIL)  # the secret travelled
    report = _probe(sandbox)
    assert report["stack"] is False
    assert report["objects"] is False
    assert report["globals"] is False
    assert report["memory"] is not True
    assert not [fd for fd, kind in report["fds"] if kind == "socket"], report["fds"]


def test_the_probe_does_find_the_secret_in_its_own_run(sandbox):
    """The probe is able to see a secret: the test above could fail."""
    planted = f'kept = "{HEAD}" + "{TAIL}"\n' + PROBE
    result = sandbox.run_snippet(planted, limits=PROBE_LIMITS)
    assert result.ok, (result.status, result.message, result.raised)
    report = _report(result.stdout)
    assert report["globals"] or report["objects"]
    assert report["memory"] is True or report["memory"] == "unreadable"
