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

import contextlib
import grp
import json
import os
import pwd
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.e2e_ssh.terminals import MISSING, Panes, Sshd, keygen, wait_for
from tutor.doctor_class import parse_unit
from tutor.grading.choice import learner_order
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import ChoiceExercise, CodeExercise, Exercise, FormulaExercise, Pack
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
    pytest.mark.skipif(
        shutil.which("bwrap") is None, reason="no bwrap (apt-get install bubblewrap)"
    ),
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
    db: Path | str  # /var/lib/ce-tutor/progress.sqlite3, or PostgreSQL's URL
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


def _from_init(base: Path) -> tuple[list[str], dict[str, str]]:
    """The service's command, as systemd would start it from the unit `class init` wrote.

    The environment is the unit's `Environment=`, with its state folder moved
    under the test's root (systemd's StateDirectory= would be /var/lib/ce-tutor).
    The command runs under `bwrap` with the mounts the unit's hardening asks
    systemd for (there is no systemd in CI): `ProtectSystem=strict`, every
    file read-only but the unit's state, runtime and log folders;
    `ProtectHome=yes`, /home and /root empty; `PrivateTmp=yes`, a /tmp of its
    own (not /var/tmp: the test's root lives there).
    """
    unit = parse_unit((base / "etc/systemd/system/ce-tutor.service").read_text())
    env = {}
    for assignment in shlex.split(unit["Environment"]):
        name, value = assignment.split("=", 1)
        env[name] = value.replace("/var/lib/ce-tutor", str(base / "var/lib/ce-tutor"))
    env_file = base / unit["EnvironmentFile"].lstrip("-/")  # "-": optional; it overrides
    if env_file.exists():
        env |= dict(a.split("=", 1) for a in shlex.split(env_file.read_text()))
    mounts = ["--dev-bind", "/", "/"]
    if unit.get("ProtectSystem") == "strict":
        mounts = ["--ro-bind", "/", "/", "--dev-bind", "/dev", "/dev", "--proc", "/proc"]
        for key, folder in (("StateDirectory", "var/lib"), ("RuntimeDirectory", "run"),
                            ("LogsDirectory", "var/log")):  # fmt: skip
            writable = base / folder / unit[key]
            writable.mkdir(mode=0o755, parents=True, exist_ok=True)  # as systemd makes them
            mounts += ["--bind", str(writable), str(writable)]
    if unit.get("ProtectHome") == "yes":
        mounts += ["--tmpfs", "/home", "--tmpfs", "/root"]
    if unit.get("PrivateTmp") == "yes":
        mounts += ["--tmpfs", "/tmp"]
    command = ["bwrap", *mounts, "--cap-add", "ALL", "--", *shlex.split(unit["ExecStart"])]
    return command, env


def _service_pid(bwrap: subprocess.Popen) -> int:
    """The service's own process (bwrap's child), in the mounts the unit asks for."""
    children = Path(f"/proc/{bwrap.pid}/task/{bwrap.pid}/children")
    return int(wait_for(lambda: children.read_text().split(), "the service under bwrap", 30)[0])


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
        exec_start, _env = _from_init(base)
        assert exec_start[exec_start.index("--") + 1] == ce_tutor and "--group" in exec_start
        assert exec_start[exec_start.index("/home") - 1 :][:2] == ["--tmpfs", "/home"]
        service = _start_service(base, admin)
        sshd = _start_sshd(base, config)
        yield ClassServer(
            base, prefix, course, config, socket_path, db, sshd, panes, service, keys,
            load_pack(course)[0],
        )  # fmt: skip
    finally:
        panes.close()
        if sshd is not None:
            sshd.close()
        if service is not None:
            _stop_service(service)
        for user in (ALICE, BOB):
            run("pkill", "-KILL", "-u", user)
            run("deluser", "--remove-home", user)
        run("delgroup", GROUP)
        if not os.environ.get("CE_TUTOR_KEEP_E2E"):
            shutil.rmtree(base, ignore_errors=True)


def _start_service(base: Path, admin: dict[str, str]) -> subprocess.Popen:
    """The service as systemd would run the unit `class init` wrote under `base`; once ready."""
    exec_start, unit_env = _from_init(base)
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
    return service


def _start_sshd(base: Path, config: Path) -> Sshd:
    """A real sshd including the drop-in `class init` wrote, as Debian's sshd_config does."""
    return Sshd(
        base,
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM yes\n"
        f"Include {base / 'etc/ssh/sshd_config.d/ce-tutor.conf'}\n"
        f"Match Group {GROUP}\n    SetEnv CE_TUTOR_CLASS_CONFIG={config} EDITOR=vi\n",
    )


def _stop_service(service: subprocess.Popen) -> None:
    with contextlib.suppress(OSError, ValueError, IndexError, AssertionError):
        os.kill(_service_pid(service), signal.SIGTERM)  # bwrap does not pass it on
    try:
        service.wait(30)
    except subprocess.TimeoutExpired:
        service.kill()


def _tab_until(panes: Panes, pane: str, text: str, what: str) -> None:
    """Tab through the step (an example may come first) until `text` shows in a field."""
    for _tab in range(6):
        if text in panes.screen(pane):
            return
        panes.keys(pane, "Tab")
        time.sleep(0.5)
    wait_for(lambda: text in panes.screen(pane), what, 10, lambda: panes.screen(pane))


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


def test_the_service_runs_in_the_sandbox_its_unit_asks_systemd_for(server: ClassServer) -> None:
    """As the unit's ProtectSystem/ProtectHome/PrivateTmp: it can write only its own folders."""
    pid = _service_pid(server.service)

    def inside(*command: str) -> subprocess.CompletedProcess:
        return run("nsenter", "-t", str(pid), "-m", "--", *command)

    refused = inside("touch", "/etc/ce-tutor-probe")
    assert refused.returncode != 0 and "Read-only file system" in refused.stderr
    assert not Path("/etc/ce-tutor-probe").exists()
    assert inside("ls", "-A", "/home").stdout.strip() == ""  # learners' homes out of sight
    assert Path(pwd.getpwnam(ALICE).pw_dir).exists()  # (they are there, outside)
    assert inside("touch", str(server.db.parent / "probe")).returncode == 0  # its state folder
    (server.db.parent / "probe").unlink()


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


def test_a_draft_survives_a_dropped_connection(server: ClassServer) -> None:
    """Half a formula typed, the laptop lid closed: reconnecting shows it again in its field."""
    lesson_id, step = _first_step_starting_with(server.pack, FormulaExercise)
    pane, screen = _at_step(server, ALICE, lesson_id, step)
    typed = "-sum(p*log(q_"
    server.panes.keys(pane, "Tab")
    server.panes.keys(pane, typed, literal=True)
    wait_for(lambda: typed in screen(), "the typed text", 10, screen)
    time.sleep(1.5)  # a pause in typing: the draft is sent 0.4 s after the last key
    server.panes.drop(pane)
    wait_for(lambda: not server.processes(ALICE), f"no process of {ALICE} left", 5)
    pane, screen = _at_step(server, ALICE, lesson_id, step)
    _tab_until(server.panes, pane, typed, "the draft, back in its field")
    server.panes.drop(pane)


def test_doctor_checks_the_class_as_a_learner_and_as_sshd_sees_it(server: ClassServer) -> None:
    """`doctor --class`: green on the recipe as written, red when the pack is opened to others."""
    unit = server.base / "etc/systemd/system/ce-tutor.service"
    command = ("doctor", "--ascii", "--class", "--sshd-config", str(server.base / "sshd_config"),
               "--unit", str(unit))  # fmt: skip
    checked = server.ce_tutor(*command)
    lines = checked.stdout.splitlines()
    for name in ("class pack", "class editor", "install", "grading service", "class: install",
                 "class: service", "class: the class's pack", "class: the store",
                 "class: sshd forced command", "class: sshd forwarding", "class: sshd user rc",
                 "class: sshd keep-alive", "class: service hardening"):  # fmt: skip
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


# -- several servers, one gradebook ----------------------------------------------------------


@pytest.fixture(scope="module")
def pg_servers(server: ClassServer) -> Iterator[tuple[ClassServer, ClassServer]]:
    """Two more class servers of this class, each set up as the README says for PostgreSQL.

    The same install, pack, accounts and keys ("identical servers"); each its
    own `class init --root … ` with CE_TUTOR_DB naming one PostgreSQL (so its
    db.env, root's alone), its own service under the unit's sandbox, its own
    sshd. The database is the CI's, in a fresh schema.
    """
    from tests.progress.conftest import _pg_admin, pg_base_url

    admin_db = _pg_admin()
    schema = f"e2e_{uuid.uuid4().hex[:12]}"
    admin_db.execute(f"CREATE SCHEMA {schema}")
    url = pg_base_url() + ("&" if "?" in pg_base_url() else "?")
    url += urlencode({"options": f"-csearch_path={schema}"})
    added = run(str(server.prefix / "bin" / "pip"), "install", "--quiet", "psycopg[binary]")
    assert added.returncode == 0, added.stderr  # the README: "add psycopg[binary] for PostgreSQL"
    made: list[ClassServer] = []
    try:
        for name in ("server1", "server2"):
            base = server.base / name
            socket_path = base / "run" / "ce-tutor" / "grading.sock"
            admin = {"PATH": os.environ["PATH"], "HOME": "/root",
                     "CE_TUTOR_CLASS_CONFIG": str(base / "etc/ce-tutor/class.toml")}  # fmt: skip
            initialised = run(
                str(server.prefix / "bin" / "ce-tutor"), "class", "init",
                "--pack", str(server.course), "--group", GROUP, "--socket", str(socket_path),
                "--request-log", f"{base}/var/log/ce-tutor/requests.jsonl", "--editor", "rvim",
                "--root", str(base), env={**admin, "CE_TUTOR_DB": url},
            )  # fmt: skip
            assert initialised.returncode == 0, initialised.stdout + initialised.stderr
            assert (base / "etc/ce-tutor/db.env").stat().st_mode & 0o077 == 0
            socket_path.parent.mkdir(parents=True, exist_ok=True)
            for made_dir in [socket_path.parent, *socket_path.parent.parents]:
                if made_dir == server.base:
                    break
                made_dir.chmod(0o755)
            service = _start_service(base, admin)
            config = base / "etc/ce-tutor/class.toml"
            made.append(ClassServer(
                base, server.prefix, server.course, config, socket_path, url,
                _start_sshd(base, config), server.panes, service, server.keys, server.pack,
            ))  # fmt: skip
        yield made[0], made[1]
    finally:
        for each in made:
            each.sshd.close()
            _stop_service(each.service)
        admin_db.execute(f"DROP SCHEMA {schema} CASCADE")
        admin_db.close()


def test_a_learner_moves_between_two_class_servers_mid_lesson(pg_servers) -> None:
    """Over ssh: an answer and a draft on server 1; server 2 resumes the step, the draft with it."""
    one, two = pg_servers
    lesson_id, step = _first_step_starting_with(one.pack, FormulaExercise)
    exercise = next(
        b for b in one.pack.lesson(lesson_id).steps[step].blocks if isinstance(b, Exercise)
    )
    assert isinstance(exercise, FormulaExercise)
    pane, screen = _at_step(one, ALICE, lesson_id, step)
    one.panes.keys(pane, "Tab")
    one.panes.keys(pane, "0", "Enter")  # a wrong answer, recorded in the one gradebook
    wait_for(lambda: one.rows(ALICE, exercise.id), "the answer in PostgreSQL", 30, screen)
    one.panes.keys(pane, "C-u")
    typed = "-sum(p*log("
    one.panes.keys(pane, typed, literal=True)
    wait_for(lambda: typed in screen(), "the typed text", 10, screen)
    time.sleep(1.5)  # a pause: the draft goes to server 1's service, and so to PostgreSQL
    one.panes.drop(pane)

    pane = two.connect(ALICE)  # the balancer sends the learner to the other server
    screen = lambda: two.panes.screen(pane)  # noqa: E731
    wait_for(lambda: "ontinue" in screen(), "server 2's home screen", 60, screen)
    two.panes.keys(pane, "c")
    wait_for(lambda: f"{step + 1}/" in screen(), f"step {step + 1} on server 2", 20, screen)
    _tab_until(two.panes, pane, typed, "the draft, typed on server 1")
    two.panes.keys(pane, "C-u")
    two.panes.keys(pane, exercise.answer, literal=True)
    two.panes.keys(pane, "Enter")
    wait_for(lambda: len(one.rows(ALICE, exercise.id)) == 2, "the second answer", 30, screen)
    two.panes.drop(pane)
    assert [a.status for a in one.rows(ALICE, exercise.id)] == ["incorrect", "correct"]
    with ProgressStore(one.db) as store:
        assert store.drafts(ALICE, one.pack.id) == {}  # submitted on server 2: gone everywhere
    exported = two.ce_tutor("export", "--format", "json")
    assert exported.returncode == 0, exported.stderr
    row = next(r for r in json.loads(exported.stdout) if r["exercise_id"] == exercise.id)
    assert (row["learner"], row["attempts"], row["solved"]) == (ALICE, 2, True)
