"""Each protection of the sandbox, tried from inside by hostile code."""

import contextlib
import os
import socket
import struct
import threading
import time
import uuid

import pytest
import torch

from tutor.grading.sandbox import FunctionCall, Limits, RunStatus


def test_snippet_output_and_values_come_back(sandbox):
    run = sandbox.run_snippet("print(torch.tensor([1.5, 2.0]).sum())")
    assert run.status is RunStatus.OK
    assert run.stdout == "tensor(3.5000)\n"
    x = torch.randn(3, 2, dtype=torch.float64)
    run = sandbox.run_function("def f(x):\n    return x * 2, x.argmax(1)\n", "f", {"x": x})
    doubled, index = run.cases[0].value
    assert torch.equal(doubled, x * 2) and doubled.dtype == torch.float64
    assert torch.equal(index, x.argmax(1)) and index.dtype == torch.int64


def test_infinite_loop_is_a_time_limit(sandbox):
    run = sandbox.run_function("def f():\n    while True:\n        pass\n", "f", {})
    assert run.status is RunStatus.LIMIT
    assert run.message.startswith("time limit")
    assert sandbox.run_snippet("print('alive')").stdout == "alive\n"


def test_sleeping_forever_hits_the_wall_clock(sandbox):
    run = sandbox.run_snippet("import time\ntime.sleep(60)")
    assert run.status is RunStatus.LIMIT
    assert run.message == "time limit, 3 s"
    assert run.wall_seconds < 5


@pytest.mark.parametrize(
    "hog",
    ["x = torch.empty(2**31)", "x = [0] * 2**31", "x = bytearray(2**32)"],
)
def test_memory_hog_is_a_memory_limit(sandbox, hog):
    run = sandbox.run_snippet(hog)
    assert run.status is RunStatus.LIMIT
    assert run.message == "memory limit"


def _processes_named(name: str) -> int:
    """Processes whose command name is `name`: the bomb's children mark themselves so
    the count is not disturbed by other sandboxes running in parallel tests."""
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/comm") as comm:
                    if comm.read().strip() == name:
                        count += 1
            except OSError:
                pass
    return count


def test_fork_bomb_is_bounded_and_swept_up(sandbox):
    mark = f"bomb{uuid.uuid4().hex[:10]}"
    bomb = (
        "import ctypes, os, time\n"
        "made = 0\n"
        "for _ in range(200):\n"
        "    try:\n"
        "        if os.fork() == 0:\n"
        "            os.setsid()\n"
        f"            ctypes.CDLL(None).prctl(15, b'{mark}', 0, 0, 0)\n"
        "            time.sleep(30)\n"
        "            os._exit(0)\n"
        "        made += 1\n"
        "    except OSError:\n"
        "        break\n"
        "time.sleep(0.3)\n"
        "seen = 0\n"
        "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
        "    try:\n"
        f"        seen += open(f'/proc/{{pid}}/comm').read().strip() == '{mark}'\n"
        "    except OSError:\n"
        "        pass\n"
        "print(made, seen)\n"
    )
    run = sandbox.run_snippet(bomb)
    assert run.status is RunStatus.OK
    assert "processes" in run.protections
    made, seen = map(int, run.stdout.split()[-2:])
    assert 0 < made < sandbox.limits.processes
    assert seen == made  # the mark works, so the sweep check below is not vacuous
    # The children escaped the process group with setsid; the sweep (just after the
    # reply) still finds them.
    deadline = time.monotonic() + 3
    while _processes_named(mark) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _processes_named(mark) == 0


def test_writing_outside_the_work_directory_is_refused(sandbox):
    escape = f"/tmp/ce-tutor-escape-{uuid.uuid4().hex}"
    code = (
        "open('mine.txt', 'w').write('ok')\n"
        "print(open('mine.txt').read())\n"
        f"for path in [{escape!r}, '/etc/ce-tutor-escape', os.path.expanduser('~root/x')]:\n"
        "    try:\n"
        "        open(path, 'w').write('escaped')\n"
        "    except OSError as error:\n"
        "        print(type(error).__name__)\n"
    )
    run = sandbox.run_snippet("import os\n" + code)
    assert run.stdout.splitlines()[0] == "ok"
    assert not os.path.exists("/etc/ce-tutor-escape")
    if "scratch" not in run.protections:
        os.path.exists(escape) and os.remove(escape)
        pytest.skip("no private /tmp on this OS (no user namespace)")
    assert not os.path.exists(escape)


def test_network_is_refused(sandbox):
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(0.5)
    port = server.getsockname()[1]
    accepted = []

    def accept():
        with contextlib.suppress(OSError):
            accepted.append(server.accept())

    thread = threading.Thread(target=accept)
    thread.start()
    code = (
        "import socket\n"
        "try:\n"
        f"    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
        "    print('connected')\n"
        "except OSError as error:\n"
        "    print('refused', error.errno)\n"
    )
    run = sandbox.run_snippet(code)
    thread.join()
    server.close()
    if "network" not in run.protections:
        pytest.skip("this OS refused a new network namespace")
    assert run.stdout.startswith("refused")
    assert accepted == []


def test_environment_is_clean(sandbox):
    os.environ["CE_TUTOR_SECRET"] = "hunter2"
    try:
        run = sandbox.run_snippet("import os\nprint(sorted(os.environ))")
    finally:
        del os.environ["CE_TUTOR_SECRET"]
    assert "CE_TUTOR_SECRET" not in run.stdout
    assert "HOME" in run.stdout


def test_os_exit_before_returning_is_a_crash_not_a_pass(sandbox):
    run = sandbox.run_function("import os\ndef f():\n    os._exit(0)\n", "f", {})
    assert run.status is RunStatus.CRASHED
    assert "ended before returning" in run.message
    assert run.cases == []


def test_killing_the_parent_does_not_stop_the_tutor(sandbox):
    code = "import os, signal\nfor sig in (signal.SIGKILL, signal.SIGTERM):\n"
    code += "    try:\n        os.kill(os.getppid(), sig)\n    except OSError as e:\n"
    code += "        print(type(e).__name__)\n"
    sandbox.run_snippet(code)
    run = sandbox.run_snippet("print('still here')")
    assert run.stdout == "still here\n"


def test_forged_result_bytes_are_a_crash_not_an_exception(sandbox):
    code = (
        "import os\n"
        "def f():\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            os.write(fd, b'CEW1' + b'\\xff' * 64)\n"
        "        except OSError:\n"
        "            pass\n"
        "    os._exit(0)\n"
    )
    run = sandbox.run_function(code, "f", {})
    assert run.status is RunStatus.CRASHED
    assert run.cases == []


def test_crash_reports_the_learner_line_without_sandbox_frames(sandbox):
    code = "def f(x):\n    y = x + 1\n    return y[10]\n"
    run = sandbox.run_function(code, "f", {"x": torch.zeros(3)})
    raised = run.cases[0].raised
    assert raised.type == "IndexError"
    assert "return y[10]" in raised.traceback
    assert "harness" not in raised.traceback and "sandbox" not in raised.traceback


def test_syntax_error_is_reported(sandbox):
    run = sandbox.run_function("def f(x)\n    return x\n", "f", {"x": 1})
    assert run.raised is not None and run.raised.type == "SyntaxError"


def test_too_large_a_result_is_a_limit(sandbox):
    limits = Limits(cpu_seconds=1, wall_seconds=3.0, result_bytes=1 << 20)
    source = "def f():\n    return torch.zeros(1_000_000)\n"
    run = sandbox.run_function(source, "f", {}, limits=limits)
    assert run.status is RunStatus.LIMIT
    assert run.message == "the result is too large to send"


def test_a_bad_request_does_not_stop_the_fork_server(sandbox):
    garbage = b"CEW1 this is not a frame"
    with sandbox._borrow() as server:
        server.sock.sendall(struct.pack("<Q", len(garbage)) + garbage)
        [(header, result, output)] = server.receive()
    assert header["error"].startswith("WireError")
    assert sandbox.run_snippet("print(2)").stdout == "2\n"
    assert sandbox.starts == 1


def test_tensor_subclass_result_is_refused(sandbox):
    code = "class T(torch.Tensor):\n    pass\ndef f():\n    return torch.ones(2).as_subclass(T)\n"
    run = sandbox.run_function(code, "f", {})
    assert run.cases[0].raised is not None
    assert "subclass" in run.cases[0].raised.message


def test_runs_side_by_side_are_independent(sandbox):
    calls = [
        FunctionCall("def f():\n    while True:\n        pass\n", "f", {}),
        FunctionCall("def f(x):\n    return x + 1\n", "f", {"x": 1}),
        FunctionCall(
            "def f():\n    return F.cross_entropy(1, 2)\n", "f", {}, forbid=["F.cross_entropy"]
        ),
    ]
    looping, adding, cheating = sandbox.run_functions(calls)
    assert looping.status is RunStatus.LIMIT
    assert adding.status is RunStatus.OK and adding.cases[0].value == 2
    assert cheating.status is RunStatus.FORBIDDEN
