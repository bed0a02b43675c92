"""The README's "Teaching a class over SSH", done as an admin does it, then attacked.

As root (CI runs as root): a venv made from the system's Python with the
README's commands, then `ce-tutor class init --pack …` (the class config,
the service's unit, the sshd block, the group, the pack made root's) and
`ce-tutor class add learners.csv` (real accounts, their keys). The service
runs with the `ExecStart` and `Environment` of the unit `class init` wrote,
and `sshd` includes the block it wrote, as Debian's `sshd_config` includes
`sshd_config.d`. Learners connect with `ssh -tt` in tmux panes of 80x24.
Then what a curious learner tries: the editor's `:!sh`, code that reads
what it must not, a request claiming a classmate, `ssh -T`, a dropped
connection. (`tests/classroom/test_class_init.py` holds the README's unit
and sshd block equal to what `class init` writes.)

Where the test differs from a real server, and why: `class init --root`
writes under one temporary folder instead of `/etc`, and the sockets,
store, pack and install live there too, so an `sshd` `Match` block adds
`SetEnv CE_TUTOR_CLASS_CONFIG=…` to name that folder's class config (a file
at `/etc/ce-tutor/class.toml` would make every other process on the CI
machine a class member while the test runs). It also sets `EDITOR=vi`, as a
learner who likes vi would have it: the app must ignore it.
"""

from __future__ import annotations

import grp
import json
import os
import pwd
import shlex
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.e2e_ssh.terminals import MISSING, Panes, Sshd, keygen, wait_for
from tutor.grading.choice import learner_order
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import ChoiceExercise, CodeExercise, Exercise, Pack
from tutor.progress.store import ProgressStore

REPO = Path(__file__).resolve().parents[2]
GROUP = "cetstudents"
ALICE, BOB = "cetalice", "cetbob"
LESSON, EXERCISE = "two-target-forms", "moco-zero-labels"
SYSTEM_PYTHON = "/usr/bin/python3"

pytestmark = [
    pytest.mark.skipif(bool(MISSING), reason="; ".join(MISSING) or "-"),
    pytest.mark.skipif(os.geteuid() != 0, reason="the class recipe makes accounts: run as root"),
    pytest.mark.skipif(not os.path.exists(SYSTEM_PYTHON), reason=f"no {SYSTEM_PYTHON}"),
    pytest.mark.skipif(shutil.which("adduser") is None, reason="no adduser (Debian's)"),
    pytest.mark.skipif(shutil.which("rvim") is None, reason="no rvim (apt-get install vim)"),
]


def run(*command: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=600, **kw)


def as_learner(user: str, *command: str, **kw) -> subprocess.CompletedProcess:
    """A command run by a learner with a shell (the attacks assume one)."""
    return run("runuser", "-u", user, "--", *command, **kw)


@dataclass
class ClassServer:
    base: Path
    prefix: Path  # the README's /opt/ce-tutor
    course: Path  # /srv/course
    config: Path  # /etc/ce-tutor/class.toml
    socket: Path  # /run/ce-tutor/grading.sock
    db: Path  # /var/lib/ce-tutor/progress.sqlite3
    sshd: Sshd
    panes: Panes
    service: subprocess.Popen
    keys: dict[str, Path]
    pack: Pack

    def ce_tutor(self, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
        """The admin's `ce-tutor` (as root, with the unit's environment)."""
        return run(str(self.prefix / "bin" / "ce-tutor"), *args, env={**self._env(), **(env or {})})

    def _env(self) -> dict[str, str]:
        return {
            "PATH": os.environ["PATH"],
            "HOME": "/root",
            "CE_TUTOR_DB": str(self.db),
            "CE_TUTOR_CLASS_CONFIG": str(self.config),
        }

    def connect(self, user: str) -> str:
        return self.panes.open(self.sshd.command(user, self.keys[user], "-tt"))

    def rows(self, learner: str, exercise: str = EXERCISE) -> list:
        with ProgressStore(self.db) as store:
            return [a for a in store.attempts(learner=learner) if a.exercise_id == exercise]

    def processes(self, user: str) -> list[str]:
        shown = run("ps", "-o", "pid=,args=", "-u", user)
        return [line.strip() for line in shown.stdout.splitlines() if line.strip()]


def _from_init(base: Path) -> tuple[list[str], dict[str, str], Path]:
    """The service's command and environment from the unit `class init` wrote, and its sshd file.

    Only the unit's state folder is moved under the test's root (systemd's
    StateDirectory= would be /var/lib/ce-tutor).
    """
    unit = (base / "etc/systemd/system/ce-tutor.service").read_text()
    values = dict(line.split("=", 1) for line in unit.splitlines() if "=" in line)
    exec_start = shlex.split(values["ExecStart"])
    name, value = values["Environment"].split("=", 1)
    env = {name: value.replace("/var/lib/ce-tutor", str(base / "var/lib/ce-tutor"))}
    return exec_start, env, base / "etc/ssh/sshd_config.d/ce-tutor.conf"


def _install(prefix: Path) -> None:
    """The README's install, with the CI's CPU torch (no internet here for download.pytorch.org)."""
    steps = [
        [SYSTEM_PYTHON, "-m", "venv", str(prefix)],
        [str(prefix / "bin" / "pip"), "install", "--quiet", "torch==2.13.0"],
        [str(prefix / "bin" / "pip"), "install", "--quiet", str(REPO)],
    ]
    for step in steps:
        done = run(*step, cwd=tempfile.gettempdir())
        assert done.returncode == 0, f"{step}: {done.stderr[-2000:]}"


@pytest.fixture(scope="module")
def server() -> Iterator[ClassServer]:
    base = Path(tempfile.mkdtemp(prefix="ce-class-", dir="/var/tmp"))
    base.chmod(0o755)
    prefix, course = base / "opt" / "ce-tutor", base / "srv" / "course"
    config, socket_path = base / "etc" / "ce-tutor" / "class.toml", base / "run" / "ce-tutor"
    db = base / "var" / "lib" / "ce-tutor" / "progress.sqlite3"
    for folder in (prefix.parent, course.parent, config.parent, socket_path, db.parent):
        folder.mkdir(parents=True, mode=0o755)  # systemd's RuntimeDirectory= and StateDirectory=
        for made in [folder, *folder.parents]:
            if made == base:
                break
            made.chmod(0o755)
    socket_path = socket_path / "grading.sock"
    panes, sshd, service = Panes(), None, None
    try:
        _install(prefix)
        shutil.copytree(builtin_pack_dir(), course)  # the instructor's pack, as copied
        for user in (ALICE, BOB):
            run("deluser", "--remove-home", user)  # a run that died left them behind
        run("delgroup", GROUP)
        admin = {"PATH": os.environ["PATH"], "HOME": "/root", "CE_TUTOR_CLASS_CONFIG": str(config)}
        ce_tutor = str(prefix / "bin" / "ce-tutor")
        initialised = run(
            ce_tutor, "class", "init", "--pack", str(course), "--group", GROUP,
            "--socket", str(socket_path), "--request-log", f"{base}/var/log/ce-tutor/requests.jsonl",
            "--editor", "rvim", "--root", str(base), env=admin,
        )  # fmt: skip
        assert initialised.returncode == 0, initialised.stdout + initialised.stderr
        assert course.stat().st_mode & 0o077 == 0 and course.stat().st_uid == 0  # root's alone
        keys_dir = base / "keys"
        keys_dir.mkdir(mode=0o700)
        keys = {user: keygen(keys_dir / user) for user in (ALICE, BOB)}
        roster = base / "learners.csv"
        roster.write_text("name,key\n" + "".join(
            f"{user},{key.with_suffix('.pub').read_text().strip()}\n" for user, key in keys.items()
        ))  # fmt: skip
        added = run(ce_tutor, "class", "add", str(roster), env=admin)
        assert added.returncode == 0, added.stdout + added.stderr
        exec_start, unit_env, drop_in = _from_init(base)
        assert exec_start[0] == ce_tutor and "--group" in exec_start
        service = subprocess.Popen(
            exec_start,
            env={**admin, **unit_env},
            stderr=open(base / "serve.log", "wb"),  # noqa: SIM115 - closed with the process
            preexec_fn=lambda: os.umask(0o077),  # the unit's UMask=0077
        )
        wait_for(
            lambda: "every derivation" in (base / "serve.log").read_text() or service.poll(),
            "the service to be ready",
            300,
            lambda: (base / "serve.log").read_text(),
        )
        assert service.poll() is None, (base / "serve.log").read_text()
        sshd = Sshd(
            base,
            "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\n"
            f"Include {drop_in}\n"  # as Debian's sshd_config includes sshd_config.d/*.conf
            f"Match Group {GROUP}\n    SetEnv CE_TUTOR_CLASS_CONFIG={config} EDITOR=vi\n",
        )
        yield ClassServer(
            base, prefix, course, config, socket_path, db, sshd, panes, service, keys,
            load_pack(course)[0],
        )  # fmt: skip
    finally:
        panes.close()
        if sshd is not None:
            sshd.close()
        if service is not None:
            service.terminate()
            try:
                service.wait(30)
            except subprocess.TimeoutExpired:
                service.kill()
        for user in (ALICE, BOB):
            run("pkill", "-KILL", "-u", user)
            run("deluser", "--remove-home", user)
        run("delgroup", GROUP)
        if not os.environ.get("CE_TUTOR_KEEP_E2E"):
            shutil.rmtree(base, ignore_errors=True)


def _first_step_starting_with(pack: Pack, kind: type[Exercise]) -> tuple[str, int]:
    """(lesson, step) of the first step whose first exercise is of `kind` (Tab focuses it)."""
    for lesson in pack.lessons:
        for index, step in enumerate(lesson.steps):
            exercises = [b for b in step.blocks if isinstance(b, Exercise)]
            if exercises and isinstance(exercises[0], kind):
                return lesson.id, index
    raise AssertionError(f"no step starts with a {kind.__name__}")


def _at_step(server: ClassServer, user: str, lesson_id: str, step: int) -> tuple[str, object]:
    """A learner connected, on `step` of the lesson (bookmarked in the service's store)."""
    with ProgressStore(server.db) as store:
        store.save_position(user, server.pack.id, lesson_id, step)
    pane = server.connect(user)
    screen = lambda: server.panes.screen(pane)  # noqa: E731
    wait_for(lambda: "ontinue" in screen(), "the home screen", 60, screen)
    server.panes.keys(pane, "c")
    on_step = lambda: f"{step + 1}/" in screen() and "Continue" not in screen()  # noqa: E731
    wait_for(on_step, f"step {step + 1}", 20, screen)
    return pane, screen


def _position_of_right_choice(pack: Pack, exercise: ChoiceExercise, learner: str) -> int:
    lesson = pack.lesson(LESSON)
    right = next(i for i, c in enumerate(exercise.choices) if c.correct)
    return learner_order(pack, lesson, exercise, learner).index(right) + 1


def test_the_install_and_the_pack_are_as_the_readme_says(server: ClassServer) -> None:
    """Learners can run the install; they cannot read the pack, the store or the config's db."""
    assert as_learner(BOB, str(server.prefix / "bin" / "ce-tutor"), "--version").returncode == 0
    lesson_file = next(server.course.glob("*.md"))
    refused = as_learner(BOB, "cat", str(lesson_file))
    assert refused.returncode != 0 and "Permission denied" in refused.stderr
    assert as_learner(BOB, "cat", str(server.db)).returncode != 0
    socket_mode = server.socket.stat()
    assert (socket_mode.st_mode & 0o777, socket_mode.st_gid) == (0o660, grp.getgrnam(GROUP).gr_gid)
    assert server.db.stat().st_mode & 0o077 == 0  # UMask=0077: root's alone


def test_learners_answer_over_ssh_and_the_service_records_each_under_their_account(
    server: ClassServer,
) -> None:
    index, moco = next(
        (i, b)
        for i, step in enumerate(server.pack.lesson(LESSON).steps)
        for b in step.blocks
        if isinstance(b, Exercise) and b.id == EXERCISE
    )
    assert isinstance(moco, ChoiceExercise)
    for user, right in ((ALICE, True), (BOB, False)):
        pane, screen = _at_step(server, user, LESSON, index - 1)
        server.panes.keys(pane, "n")
        wait_for(lambda s=screen: "MoCo" in s(), "MoCo's step", 20, screen)
        position = _position_of_right_choice(server.pack, moco, user)
        pick = position if right else position % len(moco.choices) + 1
        server.panes.keys(pane, "Tab", str(pick), "Enter")
        rows = wait_for(lambda u=user: server.rows(u), f"{user}'s attempt in the store", 20, screen)
        assert rows[-1].status == ("correct" if right else "incorrect"), rows[-1]
        server.panes.drop(pane)  # a closed laptop lid; the answer is already recorded

    # back the next day: the same step, and the instructor's export has both
    pane, screen = _at_step(server, ALICE, LESSON, index)
    assert "MoCo" in screen()
    server.panes.keys(pane, "q")
    exported = server.ce_tutor("export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    assert f"reading {server.db}" in exported.stderr
    rows = [r for r in json.loads(exported.stdout) if r["exercise_id"] == EXERCISE]
    assert {(r["learner"], r["solved"]) for r in rows} == {(ALICE, True), (BOB, False)}
    logged = server.ce_tutor("class", "log")
    assert logged.returncode == 0, logged.stderr
    answers = [line for line in logged.stdout.splitlines() if f"{LESSON}/{EXERCISE}" in line]
    assert any(f"learner {ALICE}" in a and " correct" in a for a in answers), logged.stdout
    assert any(f"learner {BOB}" in a and "incorrect" in a for a in answers), logged.stdout


def test_the_editor_is_the_admins_and_cannot_start_a_shell(server: ClassServer) -> None:
    """ctrl+o opens the class's rvim, not the learner's vi; `:!` is refused; the app comes back."""
    lesson_id, step = _first_step_starting_with(server.pack, CodeExercise)
    pane, screen = _at_step(server, BOB, lesson_id, step)
    marker = Path(tempfile.gettempdir()) / f"ce-escape-{os.getpid()}"
    server.panes.keys(pane, "Tab", "C-o")
    wait_for(lambda: "~" in screen(), "the editor", 20, screen)
    server.panes.keys(pane, "Escape")
    server.panes.keys(pane, f":!touch {marker}", literal=True)
    server.panes.keys(pane, "Enter")
    wait_for(lambda: "E145" in screen(), "rvim refusing the shell command", 10, screen)
    assert not marker.exists()
    assert not any(" vi " in f" {p} " for p in server.processes(BOB))
    server.panes.keys(pane, "Escape")
    server.panes.keys(pane, ":q!", literal=True)
    server.panes.keys(pane, "Enter")
    wait_for(lambda: f"{step + 1}/" in screen(), "the app, back from the editor", 20, screen)
    server.panes.drop(pane)


PROBE = """
import os, socket
def read(path):
    try:
        with open(path, 'rb') as f:
            return 'READ ' + f.read(200).decode('latin-1')
    except Exception as error:
        return type(error).__name__
def reach(path):
    try:
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        return 'CONNECTED'
    except Exception as error:
        return type(error).__name__
def {entry}(*args, **kwargs):
    seen = {{name: read(path) for name, path in {paths!r}.items()}}
    seen.update({{name: reach(path) for name, path in {sockets!r}.items()}})
    raise RuntimeError('probe-report ' + repr(seen))
"""


def test_learner_code_reads_nothing_it_must_not(server: ClassServer) -> None:
    """A code answer with a shell's worth of curiosity: every read and connect refused."""
    exercise = next(
        e for le in server.pack.lessons for e in le.exercises if isinstance(e, CodeExercise)
    )
    lesson = next(le for le in server.pack.lessons if exercise in le.exercises)
    alice_home = Path(pwd.getpwnam(ALICE).pw_dir)
    paths = {
        "pack": str(next(server.course.glob("*.md"))),
        "proc1": "/proc/1/cmdline",
        "store": str(server.db),
        "classmate": str(alice_home / ".ssh" / "authorized_keys"),
        "sshd_config": str(server.base / "sshd_config"),
    }
    sockets = {"grading": str(server.socket)}
    if Path("/var/run/postgresql").is_dir():
        sockets |= {
            f"pg{i}": str(p) for i, p in enumerate(Path("/var/run/postgresql").glob(".s.*"))
        }
    source = PROBE.format(entry=exercise.entry, paths=paths, sockets=sockets)
    script = server.base / "probe_client.py"
    script.write_text(
        "import json, sys\n"
        "from tutor.grading.client import GradingClient\n"
        f"client = GradingClient(socket_path={str(server.socket)!r})\n"
        f"reply = client.answer({str(server.course)!r}, {lesson.id!r}, {exercise.id!r}, "
        "sys.stdin.read())\n"
        "print(json.dumps(reply))\n"
    )
    script.chmod(0o644)
    done = as_learner(BOB, str(server.prefix / "bin" / "python"), str(script), input=source)
    assert done.returncode == 0, done.stderr
    reply = done.stdout
    assert "probe-report" in reply, reply  # the probe ran and its report came back...
    for name in [*paths, *sockets]:
        assert f"'{name}': 'READ" not in reply and f"'{name}': 'CONNECTED'" not in reply, name
    secrets = [next(server.course.glob("*.md")).read_text()[:40], "ForceCommand", "ssh-ed25519"]
    for secret in secrets:
        assert secret not in reply, secret  # ...and carried nothing it must not


def test_a_request_claiming_a_classmate_is_recorded_as_its_sender(server: ClassServer) -> None:
    script = server.base / "forge.py"
    script.write_text(
        "import json\n"
        "from tutor.grading.client import GradingClient\n"
        f"client = GradingClient(socket_path={str(server.socket)!r})\n"
        f"asked = {{'op': 'answer', 'pack': {str(server.course)!r}, 'lesson': {LESSON!r}, "
        f"'exercise': {EXERCISE!r}, 'answer': '3', 'learner': {ALICE!r}}}\n"
        "print(json.dumps(client._ask(asked)))\n"
    )
    script.chmod(0o644)
    before = len(server.rows(ALICE)), len(server.rows(BOB))
    done = as_learner(BOB, str(server.prefix / "bin" / "python"), str(script))
    assert done.returncode == 0, done.stderr
    assert (len(server.rows(ALICE)), len(server.rows(BOB))) == (before[0], before[1] + 1)


def test_ssh_without_a_terminal_says_so_and_leaves_no_process(server: ClassServer) -> None:
    command = server.sshd.command(BOB, server.keys[BOB], "-T")
    done = run(*command, stdin=subprocess.DEVNULL)
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert "ssh -t" in done.stderr
    wait_for(lambda: not server.processes(BOB), f"no process of {BOB} left", 5)


def test_a_dropped_connection_leaves_no_process_within_seconds(server: ClassServer) -> None:
    pane = server.connect(BOB)
    screen = lambda: server.panes.screen(pane)  # noqa: E731
    wait_for(lambda: "ontinue" in screen() or "essons" in screen(), "the home screen", 60, screen)
    assert any("ce-tutor" in p for p in server.processes(BOB))
    server.panes.drop(pane)
    began = time.monotonic()
    wait_for(lambda: not server.processes(BOB), f"no process of {BOB} left", 5)
    assert time.monotonic() - began < 5


def test_doctor_checks_the_class_as_a_learner_and_as_sshd_sees_it(server: ClassServer) -> None:
    """`doctor --class`: green on the recipe as written, red when the pack is opened to others."""
    command = ("doctor", "--ascii", "--class", "--sshd-config", str(server.base / "sshd_config"))
    checked = server.ce_tutor(*command)
    lines = checked.stdout.splitlines()
    for name in ("class pack", "class editor", "install", "grading service", "class: install",
                 "class: service", "class: the class's pack", "class: the store",
                 "class: sshd forced command", "class: sshd forwarding", "class: sshd user rc",
                 "class: sshd keep-alive"):  # fmt: skip
        line = next((line for line in lines if line[3:].startswith(name + ":")
                     or line[5:].startswith(name + ":")), "")  # fmt: skip
        assert line.startswith("ok "), f"{name}: {line or checked.stdout}"
    server.course.chmod(0o755)  # an admin's slip: the pack's folder opened to everyone
    try:
        slipped = server.ce_tutor(*command)
    finally:
        server.course.chmod(0o700)
    assert slipped.returncode == 1
    assert (
        f"FAIL class: the class's pack: {BOB}" in slipped.stdout
        or "FAIL class: the class's pack" in slipped.stdout
    )
