"""Sandboxes side by side (a class: one per learner) never touch each other's runs."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from tutor.grading.sandbox import Limits, RunStatus, Sandbox

SNIPPET = "import torch\nprint(torch.arange(3).sum())\n"


def test_two_fork_servers_running_at_once_leave_each_others_children_alone(sandbox) -> None:
    # Each run ends with a sweep of what its child left behind; the sweep must
    # never reach the neighbour's children (namespace numbers are reused).
    neighbour = Sandbox(limits=Limits(cpu_seconds=2, wall_seconds=20.0))
    neighbour.start()
    try:

        def many(box: Sandbox) -> list[tuple[RunStatus, str]]:
            results = []
            for _ in range(25):
                run = box.run_snippet(SNIPPET, limits=Limits(cpu_seconds=2, wall_seconds=20.0))
                results.append((run.status, run.message or run.stdout.strip()))
            return results

        with ThreadPoolExecutor(2) as pool:
            outcomes = [
                *pool.submit(many, sandbox).result(),
                *pool.submit(many, neighbour).result(),
            ]
    finally:
        neighbour.close()
    assert outcomes == [(RunStatus.OK, "tensor(3)")] * 50


def test_a_run_cannot_signal_another_learners_run(sandbox) -> None:
    # Each run is a user of its own, so kill(-1) reaches nothing but itself.
    patient = "import time\ntime.sleep(1.5)\nprint('survived')\n"
    killer = (
        "import os, signal, time\n"
        "time.sleep(0.3)\n"
        "if os.getuid() == 0:\n"  # never fire as root: that would end this machine's processes
        "    print('still root')\n"
        "else:\n"
        "    try:\n"
        "        os.kill(-1, signal.SIGKILL)\n"
        "    except OSError as error:\n"
        "        print('refused', error.errno)\n"
    )
    neighbour = Sandbox(limits=Limits(cpu_seconds=2, wall_seconds=10.0))
    neighbour.start()
    try:
        with ThreadPoolExecutor(2) as pool:
            waiting = pool.submit(sandbox.run_snippet, patient, limits=Limits(wall_seconds=10.0))
            attack = pool.submit(neighbour.run_snippet, killer, limits=Limits(wall_seconds=10.0))
            survived, attacked = waiting.result(), attack.result()
    finally:
        neighbour.close()
    assert (survived.status, survived.stdout) == (RunStatus.OK, "survived\n")
    assert "user" in attacked.protections and "still root" not in attacked.stdout
