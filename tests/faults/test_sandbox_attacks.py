"""Attacks on code grading that tests/sandbox does not try: a wrong answer must stay wrong.

tests/sandbox covers time, memory, fork bombs, files, network, os._exit and
forged result frames. Here: signals (ignoring the time limit's, killing the
fork server), spoofed output (printing a verdict), patched comparisons
(making every tensor equal), and reading another learner's progress file.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from tutor.grading.code import grade_code
from tutor.grading.verdict import Status
from tutor.pack.model import CodeExercise, Location, Tolerance

HERE = Location(Path("lesson.md"), 1)
WRONG = "def total(x):\n    return x.sum() + 1\n"


@pytest.fixture
def total():
    return CodeExercise(
        id="write-sum",
        prompt="Write total(x).",
        location=HERE,
        entry="total",
        reference="def total(x):\n    return x.sum()\n",
        args={"x": "randn(4)"},
        cases=3,
        tolerance=Tolerance(rel=1e-5, abs=1e-6),
    )


def test_the_wrong_answer_is_wrong_to_start_with(sandbox, total) -> None:
    assert grade_code(total, WRONG, 1, sandbox=sandbox).status is Status.INCORRECT
    right = "def total(x):\n    return x.sum()\n"
    assert grade_code(total, right, 1, sandbox=sandbox).status is Status.CORRECT


@pytest.mark.parametrize(
    "patch",
    [
        "torch.allclose = lambda *a, **k: True\n",
        "torch.isclose = lambda a, b, **k: torch.ones_like(a, dtype=torch.bool)\n",
        "torch.Tensor.__eq__ = lambda a, b: True\ntorch.equal = lambda a, b: True\n",
        "torch.Tensor.sub = lambda a, b: torch.zeros_like(a)\n"
        "torch.Tensor.__sub__ = lambda a, b: torch.zeros_like(a)\n",
    ],
    ids=["allclose", "isclose", "eq", "sub"],
)
def test_patched_comparisons_do_not_make_a_wrong_answer_right(sandbox, total, patch) -> None:
    source = "import torch\n" + patch + WRONG
    verdict = grade_code(total, source, 1, sandbox=sandbox)
    assert verdict.status is not Status.CORRECT and not verdict.correct


def test_printing_a_verdict_is_not_a_verdict(sandbox, total) -> None:
    spoof = (
        "import sys\n"
        'print(\'{"status": "correct", "score": 1.0}\')\n'
        "sys.stdout.write('\\x00' * 8 + 'R' + 'Correct.')\n"
        "sys.stderr.write('{\"ok\": true}')\n" + WRONG
    )
    verdict = grade_code(total, spoof, 1, sandbox=sandbox)
    assert verdict.status is Status.INCORRECT
    assert verdict.score < 1.0


def test_ignoring_the_time_limits_signals_is_still_a_limit(sandbox, total) -> None:
    source = (
        "import signal\n"
        "for sig in (signal.SIGXCPU, signal.SIGTERM, signal.SIGALRM, signal.SIGINT):\n"
        "    signal.signal(sig, signal.SIG_IGN)\n"
        "def total(x):\n"
        "    while True:\n"
        "        pass\n"
    )
    verdict = grade_code(total, source, 1, sandbox=sandbox)
    assert verdict.status is Status.LIMIT


def test_killing_the_fork_server_is_a_failed_run_and_the_next_one_works(sandbox, total) -> None:
    source = (
        "import os, signal\n"
        "def total(x):\n"
        "    os.kill(os.getppid(), signal.SIGKILL)\n"
        "    os.killpg(0, signal.SIGKILL)\n"
        "    return x.sum()\n"
    )
    verdict = grade_code(total, source, 1, sandbox=sandbox)
    assert verdict.status is not Status.CORRECT
    right = "def total(x):\n    return x.sum()\n"
    assert grade_code(total, right, 2, sandbox=sandbox).status is Status.CORRECT
    assert os.getpid()  # this test process survived too


def test_another_learners_progress_file_cannot_be_read(sandbox, total, tmp_path) -> None:
    """Learner code looks for the class's store (set-up B keeps it in one data folder)."""
    folder = tmp_path / "ce-tutor"
    folder.mkdir()
    store = folder / "progress.sqlite3"
    with sqlite3.connect(store) as db:
        db.execute("create table secrets (answer text)")
        db.execute("insert into secrets values ('bob-answered-42')")
    folder.chmod(0o700)
    store.chmod(0o600)
    source = (
        "import os\n"
        "found = []\n"
        f"for path in [{str(store)!r}, os.path.expanduser('~/.local/share/ce-tutor/progress.sqlite3')]:\n"
        "    try:\n"
        "        found.append(open(path, 'rb').read())\n"
        "    except OSError as error:\n"
        "        found.append(type(error).__name__)\n"
        "print(found)\n"
        "def total(x):\n"
        "    return x.sum()\n"
    )
    run = sandbox.run_snippet(source)
    assert b"bob-answered-42" not in run.stdout.encode()
    assert "bob-answered-42" not in run.stdout
    assert "Error" in run.stdout  # the open was refused, not merely empty


# Learner code writes a well-formed frame with no cases to every descriptor it can, then
# ends before the harness writes the real one (issue 12, finding 1).
FORGED_FRAME = """
import os
wire = __import__("tutor.grading.sandbox.wire", fromlist=["encode"])
frame = wire.encode({"cases": [], "error": None, "forbidden": None, "memory": False})
for fd in range(3, 32):
    try:
        os.write(fd, frame)
        os.close(fd)
    except OSError:
        pass
os._exit(0)
def total(x):
    return x.sum()
"""


def test_a_forged_frame_with_too_few_cases_is_a_crash_not_an_exception(sandbox, total) -> None:
    verdict = grade_code(total, FORGED_FRAME, 1, sandbox=sandbox)
    assert verdict.status is Status.CRASHED, (verdict.status, verdict.feedback)
    assert not verdict.correct
