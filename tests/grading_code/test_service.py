"""The grading service, driven through GradingClient against a real service process."""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from tutor.grading.client import GradingClient
from tutor.grading.protocol import GradingFailed
from tutor.grading.verdict import Status

LESSON = textwrap.dedent(
    """\
    ---
    id: ce
    title: Cross-entropy
    ---

    ## Write it

    Write the loss yourself.

    ```exercise
    id: write-ce
    type: code
    prompt: Write `cross_entropy(logits, target)` without F.cross_entropy.
    entry: cross_entropy
    args:
      logits: randn(4, 3)
      target: randint(0, 3, shape=(4,))
    cases: 2
    edge_cases:
      - {logits: "1000 * randn(2, 5)", target: "randint(0, 5, shape=(2,))"}
    reference: |
      def cross_entropy(logits, target):
          return F.cross_entropy(logits, target)
    forbid: [F.cross_entropy, nn.CrossEntropyLoss, F.nll_loss]
    ```

    ## Predict it

    ```exercise
    id: float-indices
    type: predict
    prompt: What happens?
    code: |
      x = torch.randn(3, 4)
      y = torch.tensor([3., 2., 1.])
      print(nn.CrossEntropyLoss()(x, y))
    ```

    ```exercise
    id: argmax
    type: predict
    prompt: "For logits {logits}, what does this print?"
    params:
      logits: randn(4)
    code: |
      print(logits.argmax().item())
    ```
    """
)

GOOD = (
    "def cross_entropy(logits, target):\n"
    "    return -torch.log_softmax(logits, 1)[torch.arange(len(target)), target].mean()\n"
)


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    root = tmp_path_factory.mktemp("pack")
    (root / "pack.toml").write_text('id = "svc-test"\ntitle = "Service test"\nversion = "0.1.0"\n')
    (root / "01-ce.md").write_text(LESSON)
    return root


@pytest.fixture(scope="module")
def client():
    client = GradingClient()
    client.start()
    yield client
    client.close()


def test_client_grades_code_and_predict_in_the_service(client, pack):
    verdict = client.grade(pack, "ce", "write-ce", GOOD, "ada")
    assert verdict.status is Status.CORRECT, verdict.feedback
    cheat = "def cross_entropy(logits, target):\n    return F.cross_entropy(logits, target)\n"
    assert client.grade(pack, "ce", "write-ce", cheat, "ada").status is Status.FORBIDDEN
    verdict = client.grade(pack, "ce", "float-indices", "RuntimeError", "ada")
    assert verdict.correct
    assert verdict.details["actual"].startswith("RuntimeError")


def test_show_and_predict_with_the_learners_own_numbers(client, pack):
    ada = client.show(pack, "ce", "argmax", "ada")
    assert ada == client.show(pack, "ce", "argmax", "ada")
    assert ada["params"] != client.show(pack, "ce", "argmax", "bob")["params"]
    logits = ada["params"]["logits"]
    answer = str(logits.index(max(logits)))
    assert client.grade(pack, "ce", "argmax", answer, "ada").correct
    wrong = str((logits.index(max(logits)) + 1) % 4)
    assert client.grade(pack, "ce", "argmax", wrong, "ada").status is Status.INCORRECT


def test_unknown_exercise_is_a_clear_failure(client, pack):
    with pytest.raises(GradingFailed, match="no exercise `nope`"):
        client.grade(pack, "ce", "nope", "1", "ada")


def test_run_example(client):
    run = client.run_example("print(torch.tensor([1, 2]).sum())")
    assert (run.status, run.stdout) == ("ok", "tensor(3)\n")
    run = client.run_example("torch.zeros(2)[5]")
    assert run.raised.startswith("IndexError")


def test_service_is_restarted_if_it_dies(client, pack):
    client.wait_ready()
    first = client.pid
    starts = client.starts
    os.kill(first, signal.SIGKILL)
    verdict = client.grade(pack, "ce", "write-ce", GOOD, "ada")
    assert verdict.correct
    assert client.pid != first and client.starts == starts + 1


def test_learner_code_cannot_take_the_service_down(client, pack):
    hostile = (
        "import os, signal\ndef cross_entropy(logits, target):\n    os.kill(os.getppid(), 9)\n"
    )
    client.grade(pack, "ce", "write-ce", hostile, "ada")
    pid = client.pid
    assert client.grade(pack, "ce", "write-ce", GOOD, "ada").correct
    assert client.pid == pid


def test_client_never_imports_torch():
    code = (
        "import sys\n"
        "from tutor.grading.client import GradingClient\n"
        "import tutor.grading.sandbox\n"
        "GradingClient()\n"
        "print(sorted(m for m in ('torch', 'numpy', 'sympy') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            return handle.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_an_app_killed_abruptly_leaves_no_service_behind():
    code = (
        "import os, sys\n"
        "from tutor.grading.client import GradingClient\n"
        "client = GradingClient()\n"
        "client.wait_ready()\n"
        "pid = client.pid\n"
        "kids = open(f'/proc/{pid}/task/{pid}/children').read().split()\n"
        "print(pid, *kids, flush=True)\n"
        "os._exit(0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    pids = [int(p) for p in out.stdout.split()]
    assert len(pids) >= 2  # the service and its fork server
    deadline = time.monotonic() + 10
    while any(_alive(p) for p in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(p) for p in pids)
