"""One sandbox, several fork servers: a class's runs go side by side, not in one queue."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from tutor.grading.sandbox import (
    Limits,
    RunResult,
    RunStatus,
    Sandbox,
    SandboxUnavailable,
    client,
    configure_default_sandbox,
    default_sandbox,
)
from tutor.grading.sandbox.client import servers_from_env

# Runs until its limit: seconds of one server's time, like a learner's `while True: pass`.
ENDLESS = "while True:\n    pass\n"
SLOW = Limits(cpu_seconds=2, wall_seconds=3.0)


@pytest.fixture(scope="module")
def pair():
    box = Sandbox(limits=Limits(cpu_seconds=1, wall_seconds=3.0), servers=2)
    box.start()
    yield box
    box.close()


def _wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.01)


def _slow_then_quick(box: Sandbox) -> tuple[RunResult, RunResult, list[str]]:
    """An endless loop in one thread, then `print(1)` in another once the loop holds a server."""
    finished: list[str] = []  # names in the order the runs came back

    def run(name: str, source: str, limits: Limits | None) -> RunResult:
        result = box.run_snippet(source, limits=limits)
        finished.append(name)
        return result

    with ThreadPoolExecutor(2) as pool:
        slow = pool.submit(run, "slow", ENDLESS, SLOW)
        _wait_for(lambda: box.busy == 1)  # the loop has its server: the quick run comes second
        quick = pool.submit(run, "quick", "print(1)", None)
        return slow.result(), quick.result(), finished


def test_a_quick_run_does_not_wait_for_an_endless_loop_on_another_server(pair) -> None:
    slow, quick, finished = _slow_then_quick(pair)
    assert (quick.status, quick.stdout) == (RunStatus.OK, "1\n")
    assert slow.status is RunStatus.LIMIT
    assert finished == ["quick", "slow"]


def test_with_one_server_the_quick_run_waits_for_the_loop(sandbox) -> None:
    # The same scene on the session's one-server sandbox: this is what the pool removes,
    # and it shows the test above can fail.
    slow, quick, finished = _slow_then_quick(sandbox)
    assert (quick.status, quick.stdout) == (RunStatus.OK, "1\n")
    assert slow.status is RunStatus.LIMIT
    assert finished == ["slow", "quick"]


def test_more_callers_than_servers_all_get_their_run(pair) -> None:
    with ThreadPoolExecutor(5) as pool:
        runs = list(pool.map(lambda n: pair.run_snippet(f"print({n} * 2)"), range(10)))
    assert [run.stdout for run in runs] == [f"{n * 2}\n" for n in range(10)]
    assert pair.busy == 0


def test_a_killed_fork_server_is_started_anew_and_runs_go_on(pair) -> None:
    pids = pair.pids
    assert len(pids) == 2 and None not in pids
    starts = pair.starts
    os.kill(pids[0], signal.SIGKILL)
    _wait_for(lambda: not pair.running)
    # Servers take turns, so two runs in a row reach the killed one too.
    runs = [pair.run_snippet(f"print({n})") for n in range(3)]
    assert [(run.status, run.stdout) for run in runs] == [
        (RunStatus.OK, f"{n}\n") for n in range(3)
    ]
    assert pair.starts == starts + 1
    assert pair.running and pids[0] not in pair.pids and pids[1] in pair.pids


def test_a_server_that_cannot_start_is_given_back_to_the_pool() -> None:
    box = Sandbox(python="/nonexistent/python3", servers=2)
    for _ in range(3):  # more failures than servers: a lost server would hang here
        with pytest.raises(SandboxUnavailable):
            box.run_snippet("print(1)")
    assert box.busy == 0 and box.starts == 0 and not box.running


def test_a_sandbox_needs_a_server() -> None:
    with pytest.raises(ValueError):
        Sandbox(servers=0)


@pytest.mark.parametrize(
    ("value", "servers"),
    [
        (None, 1),
        ("", 1),
        ("3", 3),
        (" 2\n", 2),
        ("1", 1),
        ("0", 1),
        ("-4", 1),
        ("9", 8),
        ("1000", 8),
        ("three", 1),
        ("2.5", 1),
        ("0x3", 1),
    ],
)
def test_servers_variable_is_read_and_clamped(value, servers) -> None:
    assert servers_from_env(value) == servers


@pytest.fixture
def no_default(monkeypatch):
    """A fresh module state: no default sandbox yet, none configured."""
    monkeypatch.setattr(client, "_default", None)
    monkeypatch.setattr(client, "_default_servers", None)
    monkeypatch.setattr(client.atexit, "register", lambda *args: None)


def test_default_sandbox_reads_the_variable(no_default, monkeypatch) -> None:
    monkeypatch.setenv("CE_TUTOR_SANDBOX_SERVERS", "3")
    box = default_sandbox()
    assert box.servers == 3 and default_sandbox() is box
    assert not box.running  # created, not started: its first run starts it


def test_default_sandbox_has_one_server_without_the_variable(no_default, monkeypatch) -> None:
    monkeypatch.delenv("CE_TUTOR_SANDBOX_SERVERS", raising=False)
    assert default_sandbox().servers == 1


def test_configure_before_first_use_wins_over_the_variable(no_default, monkeypatch) -> None:
    monkeypatch.setenv("CE_TUTOR_SANDBOX_SERVERS", "5")
    configure_default_sandbox(3)
    assert default_sandbox().servers == 3
    configure_default_sandbox(3)  # the same count again is harmless
    with pytest.raises(RuntimeError, match="already exists"):
        configure_default_sandbox(2)
    assert default_sandbox().servers == 3


def test_configure_refuses_a_count_out_of_range(no_default) -> None:
    for servers in (0, 9):
        with pytest.raises(ValueError):
            configure_default_sandbox(servers)
