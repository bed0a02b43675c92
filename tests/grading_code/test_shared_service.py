"""One grading service for a class: `ce-tutor serve`, reached by many clients over its socket."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.grading_code.test_service import GOOD, LESSON
from tutor.grading.client import GradingClient
from tutor.grading.protocol import MAX_LINE, GradingFailed, decode, encode
from tutor.grading.service import READY
from tutor.grading.verdict import Status

FORMULA_LESSON = """\
---
id: kl
title: KL
---

## A formula

```exercise
id: ce-formula
type: formula
prompt: Write the cross-entropy of q relative to p.
symbols:
  p: {kind: distribution, size: K}
  q: {kind: distribution, size: K}
answer: -sum(p*log(q))
```

## A derivation

```derivation
title: Cross-entropy splits
symbols:
  p: {kind: distribution, size: K}
  q: {kind: distribution, size: K}
steps:
  - expr: -sum(p*log(q))
    reason: the definition
  - expr: -sum(p*log(p)) + sum(p*log(p/q))
    reason: add and subtract sum(p log p)
```
"""

LOOP = "def cross_entropy(logits, target):\n    while True:\n        pass\n"


def _pack(root: Path, lessons: dict[str, str], pack_id: str) -> Path:
    root.mkdir()
    (root / "pack.toml").write_text(f'id = "{pack_id}"\ntitle = "T"\nversion = "0.1.0"\n')
    for name, text in lessons.items():
        (root / name).write_text(text)
    return root


@pytest.fixture(scope="module")
def packs(tmp_path_factory):
    base = tmp_path_factory.mktemp("shared")
    served = _pack(base / "served", {"01-ce.md": LESSON, "02-kl.md": FORMULA_LESSON}, "served")
    other = _pack(base / "other", {"01-ce.md": LESSON}, "other")
    return served, other


def _start(
    socket_path: Path, *packs: Path, sandboxes: int = 2, extra: list[str] | None = None
) -> subprocess.Popen:
    args = [sys.executable, "-m", "tutor", "serve", "--socket", str(socket_path), *(extra or [])]
    for pack in packs:
        args += ["--pack", str(pack)]
    # the service keeps the class's store: in the test's folder, never the user's
    home = str(socket_path.parent / "home")
    env = {**os.environ, "OMP_NUM_THREADS": "1", "CE_TUTOR_HOME": home}
    env.pop("CE_TUTOR_DB", None)
    return subprocess.Popen(
        [*args, "--sandboxes", str(sandboxes)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def _wait_ready(server: subprocess.Popen, socket_path: Path) -> list[str]:
    """The service's log up to its ready line."""
    lines = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        line = server.stderr.readline()
        if not line:
            raise AssertionError(f"the service ended: {''.join(lines)}")
        lines.append(line)
        if line.startswith(READY):
            assert socket_path.exists()
            return lines
    raise AssertionError("the service was not ready in time")


@pytest.fixture(scope="module")
def shared(packs, tmp_path_factory):
    served, _ = packs
    socket_path = tmp_path_factory.mktemp("sock") / "grading.sock"
    server = _start(socket_path, served)
    _wait_ready(server, socket_path)
    yield socket_path
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=30)


def test_many_clients_grade_side_by_side_in_one_service(shared, packs):
    served, _ = packs
    clients = [GradingClient(socket_path=shared) for _ in range(6)]
    verdicts: list[Status] = []

    def learner(client: GradingClient, name: str) -> None:
        verdicts.append(client.grade(served, "ce", "write-ce", GOOD, name).status)
        verdicts.append(client.grade(served, "kl", "ce-formula", "sum(p*log(1/q))", name).status)

    threads = [threading.Thread(target=learner, args=(c, f"l{i}")) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert verdicts == [Status.CORRECT] * 12
    pids = {client.ping()["pid"] for client in clients}
    assert len(pids) == 1 and all(client.pid is None for client in clients)  # no private ones
    about = clients[0].ping()
    assert about["shared"] is True
    grades = about["timings"]["grade"]
    assert grades["count"] >= 12 and 0 < grades["p50_ms"] <= grades["p95_ms"]
    for client in clients:
        client.close()


FAST_LEARNER = """
import sys, time
from pathlib import Path
from tutor.grading.client import GradingClient
client = GradingClient(socket_path=Path(sys.argv[1]))
served = Path(sys.argv[2])
print("ready", flush=True)
sys.stdin.readline()  # go: the classmate's loop is running by now
formula = client.grade(served, "kl", "ce-formula", "-sum(p*log(q))", "fast").correct
formula_at = time.monotonic()
code = client.grade(served, "ce", "write-ce", sys.argv[3], "fast").correct
print(formula, formula_at, code, time.monotonic())
"""


def test_a_learners_endless_loop_holds_up_nobody_else(packs, tmp_path, monkeypatch):
    """Two learners of a shared account, told apart by their keys' tokens (set-up B)."""
    import pwd

    served, _ = packs
    tokens = tmp_path / "tokens"
    tokens.write_text("slow-learner-token-0001 slow\nfast-learner-token-0002 fast\n")
    tokens.chmod(0o600)
    socket_path = tmp_path / "grading.sock"
    me = pwd.getpwuid(os.getuid()).pw_name
    server = _start(
        socket_path, served, extra=["--shared-account", me, "--learner-tokens", str(tokens)]
    )
    try:
        _wait_ready(server, socket_path)
        monkeypatch.setenv("CE_TUTOR_LEARNER_TOKEN", "slow-learner-token-0001")
        looping = GradingClient(socket_path=socket_path)
        finished: list[tuple[str, float]] = []

        def run_loop() -> None:
            verdict = looping.grade(served, "ce", "write-ce", LOOP, "slow")
            finished.append(("loop", time.monotonic()))
            assert verdict.status is Status.LIMIT

        env = {**os.environ, "CE_TUTOR_LEARNER_TOKEN": "fast-learner-token-0002"}
        fast = subprocess.Popen(
            [sys.executable, "-c", FAST_LEARNER, str(socket_path), str(served), GOOD],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, env=env,
        )  # fmt: skip
        assert fast.stdout.readline().strip() == "ready"  # its imports are done
        thread = threading.Thread(target=run_loop)
        thread.start()
        time.sleep(0.5)  # the loop is in a sandbox by now
        out, err = fast.communicate("go\n", timeout=120)
        formula, formula_at, code, code_at = out.split()
        assert formula == "True" and code == "True", err[-2000:]
        finished += [("formula", float(formula_at)), ("code", float(code_at))]
        thread.join(timeout=120)
        order = [name for name, _ in sorted(finished, key=lambda item: item[1])]
        assert order == ["formula", "code", "loop"]
        looping.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


def test_the_service_draws_math_previews_and_proved_derivations(shared, packs):
    served, _ = packs
    client = GradingClient(socket_path=shared)
    drawn = client.draw_math(r"-\sum_i p_i \log q_i")
    assert "\\" not in drawn and len(drawn.splitlines()) >= 2  # 2-D, no raw LaTeX
    assert client.draw_math(r"\frac{a}{b}", ascii=True).isascii()
    label, body = client.read_as(served, "kl", "ce-formula", "-sum(p*log(q")
    assert label.startswith("Cannot read yet") and body == ""
    label, body = client.read_as(served, "kl", "ce-formula", "-sum(p*log(q))")
    assert label == "Read as:" and "log" in body
    line = FORMULA_LESSON.splitlines().index("```derivation") + 2  # its first line inside
    derivation = client.derivation(served, "kl", line, prove=True)
    assert derivation["title"] == "Cross-entropy splits" and derivation["proved"]
    assert len(derivation["renderings"]) == 2 and "✓" in derivation["renderings"][1]
    with pytest.raises(GradingFailed, match="no derivation at line 3"):
        client.derivation(served, "kl", 3)
    client.close()


def test_a_pack_the_service_was_not_started_with_is_refused(shared, packs):
    _, other = packs
    client = GradingClient(socket_path=shared)
    with pytest.raises(GradingFailed, match="does not serve the pack") as refused:
        client.grade(other, "ce", "write-ce", GOOD, "ada")
    assert refused.value.kind == "request"
    client.close()


def test_bad_and_oversized_requests_get_an_answer_not_a_crash(shared):
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(30)
        sock.connect(str(shared))
        reader = sock.makefile("rb")
        sock.sendall(b"[1, 2]\n")
        assert decode(reader.readline())["kind"] == "request"
        sock.sendall(encode({"op": ["grade"], "id": 6}))  # not even a name
        assert decode(reader.readline())["kind"] == "request"
        sock.sendall(encode({"op": "grade", "id": 7}))  # no pack
        reply = decode(reader.readline())
        assert (reply["id"], reply["ok"], reply["kind"]) == (7, False, "request")
        sock.sendall(b"x" * (MAX_LINE + 10) + b"\n")
        reply = decode(reader.readline())
        assert reply["kind"] == "request" and "at most" in reply["error"]
        assert reader.readline() == b""  # and that connection is closed
    assert GradingClient(socket_path=shared).ping()["ready"]  # the service lives on


def test_a_shared_service_that_is_not_there_is_reported_not_started(tmp_path, packs):
    served, _ = packs
    client = GradingClient(socket_path=tmp_path / "nobody.sock")
    began = time.monotonic()
    with pytest.raises(GradingFailed, match="class's grading service .* is not answering"):
        client.grade(served, "ce", "write-ce", GOOD, "ada")
    assert time.monotonic() - began < 10 and client.pid is None and client.starts == 0


def test_a_second_service_on_the_same_socket_is_refused_and_stop_cleans_up(tmp_path, packs):
    served, _ = packs
    socket_path = tmp_path / "grading.sock"
    first = _start(socket_path, served, sandboxes=1)
    try:
        _wait_ready(first, socket_path)
        second = _start(socket_path, served, sandboxes=1)
        _, err = second.communicate(timeout=120)
        assert second.returncode == 2 and "already answers" in err
        assert GradingClient(socket_path=socket_path).ping()["pid"] == first.pid
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=30)
    assert first.returncode == 0 and not socket_path.exists()


def test_a_service_killed_and_started_again_is_found_by_the_same_client(tmp_path, packs):
    """`systemctl restart` mid-class: the socket file is left behind, apps keep their client."""
    served, _ = packs
    socket_path = tmp_path / "grading.sock"
    first = _start(socket_path, served, sandboxes=1)
    _wait_ready(first, socket_path)
    client = GradingClient(socket_path=socket_path)
    assert client.ping()["pid"] == first.pid
    first.kill()  # no clean-up: the socket file stays, nobody listens
    first.wait(timeout=30)
    assert socket_path.exists()
    with pytest.raises(GradingFailed, match="not answering"):
        client.ping()
    second = _start(socket_path, served, sandboxes=1)
    try:
        _wait_ready(second, socket_path)
        assert client.ping()["pid"] == second.pid
        assert client.grade(served, "kl", "ce-formula", "-sum(p*log(q))", "ada").correct
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=30)
        client.close()


def test_the_machines_class_socket_is_used_only_when_a_socket_is_there(tmp_path, monkeypatch):
    from tutor import class_config  # the one place that finds the class's socket

    default = tmp_path / "grading.sock"
    monkeypatch.setattr(class_config, "CLASS_SOCKET", default)
    monkeypatch.delenv("CE_TUTOR_GRADING_SOCKET", raising=False)
    assert class_config.class_socket() is None  # nothing there: a private service
    default.write_text("not a socket")
    assert class_config.class_socket() is None
    default.unlink()
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(default))
    try:
        assert class_config.class_socket() == default
        assert class_config.class_socket("/elsewhere.sock") == Path("/elsewhere.sock")
        monkeypatch.setenv("CE_TUTOR_GRADING_SOCKET", "/from-env.sock")
        assert class_config.class_socket() == Path("/from-env.sock")
    finally:
        listener.close()


def test_code_in_the_sandbox_cannot_use_the_service_it_runs_for(packs):
    """The class's socket is in /run, outside the sandbox's private /tmp: refuse its runs."""
    import shutil
    import tempfile

    served, _ = packs
    if not os.access("/run", os.W_OK):
        pytest.skip("needs a folder outside /tmp the sandbox can see (/run, as root)")
    folder = Path(tempfile.mkdtemp(prefix="ce-tutor-test-", dir="/run"))
    folder.chmod(0o755)
    socket_path = folder / "grading.sock"
    server = _start(socket_path, served, sandboxes=1)
    try:
        _wait_ready(server, socket_path)
        client = GradingClient(socket_path=socket_path)
        probe = (
            "import socket\n"
            "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
            "try:\n"
            f"    s.connect({str(socket_path)!r})\n"
            "except OSError as error:\n"
            "    print('unreachable', type(error).__name__)\n"
            "else:\n"
            '    s.sendall(b\'{"op": "ping", "id": 1}\\n\')\n'
            "    print(s.makefile().readline())\n"
        )
        run = client.run_example(probe)
        assert run.status == "ok", run
        if run.stdout.startswith("unreachable"):  # the run's own filesystem has no /run
            assert run.stdout.split()[1] in ("FileNotFoundError", "PermissionError"), run.stdout
        else:  # no private filesystem here: the service itself refuses its sandbox's runs
            reply = json.loads(run.stdout)
            assert reply["ok"] is False and reply["kind"] == "refused"
        assert client.ping()["ready"]  # the app itself is still served
        client.close()
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


def test_an_answer_too_large_to_send_is_refused_and_the_next_one_still_graded(shared, packs):
    """Refused by the client, with the limit named: the service would cut the connection."""
    served, _ = packs
    client = GradingClient(socket_path=shared)
    huge = "def cross_entropy(logits, target):\n" + "    x = 1\n" * 200_000
    with pytest.raises(GradingFailed, match="at most") as refused:
        client.grade(served, "ce", "write-ce", huge, "ada")
    assert refused.value.kind == "request"
    assert client.grade(served, "ce", "write-ce", GOOD, "ada").correct
    client.close()


def test_sigterm_while_derivations_are_proved_stops_the_service_at_once(tmp_path):
    """`systemctl restart` sends SIGTERM; the service must not first prove every derivation."""
    from tutor.pack.discovery import builtin_pack_dir

    socket_path = tmp_path / "grading.sock"
    server = _start(socket_path, builtin_pack_dir(), sandboxes=1)  # 14 derivations to prove
    _wait_ready(server, socket_path)
    server.send_signal(signal.SIGTERM)
    try:
        _out, log = server.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        server.kill()
        raise
    assert server.returncode == 0, log
    assert "grading service stopped" in log
    assert "every derivation of the served packs is proved" not in log  # stopped in between
    assert not socket_path.exists()
