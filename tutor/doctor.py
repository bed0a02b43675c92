"""`ce-tutor doctor`: is this installation ready for a class? Each check says what to fix.

The checks run the real things: torch is imported in a child process, the
sandbox runs a loop, a memory hog, a network attempt and a write outside its
folder, the data folder is written to, the store is opened and asked its
schema. Nothing here imports torch into the calling process.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING

from tutor.i18n import N_, _

if TYPE_CHECKING:
    from tutor.class_config import ClassConfig


class Outcome(str, Enum):
    OK = "ok"
    WARN = "warn"  # works, but a class would notice
    FAIL = "fail"


@dataclass
class Check:
    name: str
    outcome: Outcome
    detail: str
    fix: str = ""
    essential: bool = True  # a failure here makes `doctor` exit 1

    @property
    def blocking(self) -> bool:
        return self.outcome is Outcome.FAIL and self.essential


def check_torch(python: str | None = None, timeout: float = 180.0) -> Check:
    """torch imports in a fresh interpreter (as the grading service will do it)."""
    code = "import time; t = time.perf_counter(); import torch; print(torch.__version__, time.perf_counter() - t)"
    try:
        done = subprocess.run(
            [python or sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout
        )
    except OSError as error:
        return Check("torch", Outcome.FAIL, _("cannot run {python}: {error}").format(python=python or sys.executable, error=error.strerror),
                     _("reinstall ce-tutor into a working Python environment"))  # fmt: skip
    except subprocess.TimeoutExpired:
        return Check("torch", Outcome.FAIL, _("importing torch took over {seconds} s").format(seconds=f"{timeout:.0f}"),
                     _("check the disk and the CPU load; a cold import should take seconds"))  # fmt: skip
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [_("unknown error")])[-1]
        return Check("torch", Outcome.FAIL, _("torch does not import: {error}").format(error=last),
                     "pip install torch --index-url https://download.pytorch.org/whl/cpu")  # fmt: skip
    version, seconds = done.stdout.split()[-2:]
    return Check(
        "torch",
        Outcome.OK,
        _("torch {version} imports ({seconds} s)").format(
            version=version, seconds=f"{float(seconds):.1f}"
        ),
    )


LOOP = "while True:\n    pass\n"
HOG = "x = bytearray(2**33)\nprint('allocated')\n"
NETWORK = (
    "import socket\n"
    "try:\n"
    "    socket.create_connection(('127.0.0.1', {port}), timeout=1)\n"
    "    print('connected')\n"
    "except OSError as error:\n"
    "    print('refused', error.errno)\n"
)
ESCAPE = (
    "try:\n"
    "    open({path!r}, 'w').write('escaped')\n"
    "    print('written')\n"
    "except OSError as error:\n"
    "    print('refused', type(error).__name__)\n"
)


def _listening() -> tuple[socket.socket, threading.Thread, list]:
    """A local port that records whether anyone connected."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    server.settimeout(3.0)
    accepted: list = []

    def accept() -> None:
        with contextlib.suppress(OSError):
            accepted.append(server.accept())

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    return server, thread, accepted


def check_sandbox(sandbox_factory: Callable[[], object] | None = None) -> list[Check]:
    """Hostile code through the real sandbox; one line per protection that held or not."""
    from tutor.grading.sandbox import Limits, RunStatus, Sandbox, SandboxUnavailable

    make = sandbox_factory or (lambda: Sandbox(limits=Limits(cpu_seconds=1, wall_seconds=3.0)))
    sandbox = make()
    try:
        try:
            sandbox.start()
        except SandboxUnavailable as error:
            return [Check("sandbox", Outcome.FAIL, _("the sandbox does not start: {error}").format(error=error),
                          _("run `ce-tutor doctor` again after checking torch imports"))]  # fmt: skip
        checks = []
        run = sandbox.run_snippet(LOOP)
        checks.append(
            Check(
                "sandbox: time",
                Outcome.OK,
                _("an endless loop was stopped ({message})").format(message=run.message),
            )
            if run.status is RunStatus.LIMIT
            else Check(
                "sandbox: time",
                Outcome.FAIL,
                _("an endless loop ended as {status}").format(status=run.status.value),
                _("the fork server could not set RLIMIT_CPU; report this platform"),
            )  # fmt: skip
        )
        run = sandbox.run_snippet(HOG)
        checks.append(
            Check(
                "sandbox: memory",
                Outcome.OK,
                _("an 8 GB allocation was refused ({message})").format(message=run.message),
            )
            if run.status is RunStatus.LIMIT and "allocated" not in run.stdout
            else Check(
                "sandbox: memory",
                Outcome.FAIL,
                _("an 8 GB allocation ended as {status}").format(status=run.status.value),
                _("RLIMIT_AS is not enforced here (a container with its own limits?)"),
            )  # fmt: skip
        )
        server, thread, accepted = _listening()
        port = server.getsockname()[1]
        run = sandbox.run_snippet(NETWORK.format(port=port))
        server.close()
        thread.join(timeout=4)
        if run.stdout.startswith("refused") and not accepted:
            checks.append(Check("sandbox: network", Outcome.OK,
                                _("a connection to this machine was refused")))  # fmt: skip
        else:
            checks.append(Check("sandbox: network", Outcome.WARN,
                                _("learner code can open network connections"),
                                _("allow user namespaces (sysctl kernel.unprivileged_userns_clone=1) "
                                  "or run the tutor as root, which confines each run, then drops it to a uid of its own"),
                                essential=False))  # fmt: skip
        target = Path(tempfile.gettempdir()) / f"ce-tutor-doctor-{uuid.uuid4().hex}"
        run = sandbox.run_snippet(ESCAPE.format(path=str(target)))
        escaped = target.exists()
        with contextlib.suppress(OSError):
            target.unlink()
        if run.stdout.startswith("refused") or not escaped:
            checks.append(Check("sandbox: files", Outcome.OK,
                                _("a write outside the sandbox's folder did not land")))  # fmt: skip
        else:
            checks.append(Check("sandbox: files", Outcome.WARN,
                                _("learner code wrote {path}").format(path=target),
                                _("the sandbox has no private /tmp here (no user namespace); "
                                  "keep learners' data folders private (0700)"), essential=False))  # fmt: skip
        checks.append(check_what_a_run_sees(sandbox))
        return checks
    finally:
        sandbox.close()


SEES = (
    "import json, socket\n"
    "seen = []\n"
    "for path in {paths!r}:\n"
    "    try:\n"
    "        open(path, 'rb').read(1)\n"
    "        seen.append(path)\n"
    "    except OSError:\n"
    "        pass\n"
    "for path in {sockets!r}:\n"
    "    client = socket.socket(socket.AF_UNIX)\n"
    "    try:\n"
    "        client.connect(path)\n"
    "        seen.append(path)\n"
    "    except OSError:\n"
    "        pass\n"
    "print('SEEN', json.dumps(seen))\n"
)


def check_what_a_run_sees(sandbox: object) -> Check:
    """From inside a real run: a pack file, another process's command line, a store, sockets.

    A learner's code must find none of them: the pack holds every answer, the
    store every grade, a command line may hold a password, and the grading
    and database sockets are the class's authority.
    """
    from tutor.pack.discovery import builtin_pack_dir

    pack_files = sorted(str(path) for path in builtin_pack_dir().glob("*.md"))[:1]
    store = Path(tempfile.mkdtemp(prefix="ce-tutor-doctor-")) / "progress.sqlite3"
    store.write_bytes(b"SQLite format 3\x00")
    listening = socket.socket(socket.AF_UNIX)
    sock_path = str(store.parent / "grading.sock")
    listening.bind(sock_path)
    listening.listen(1)
    for path in (store.parent, store, Path(sock_path)):
        os.chmod(path, 0o777 if path.is_dir() or path.is_socket() else 0o666)
    sockets = [sock_path] + [
        path
        for path in ("/run/ce-tutor/grading.sock", "/run/postgresql/.s.PGSQL.5432")
        if os.path.exists(path)
    ]
    paths = [*pack_files, str(store), "/proc/1/cmdline", "/etc/hostname"]
    try:
        run = sandbox.run_snippet(SEES.format(paths=paths, sockets=sockets))
    finally:
        listening.close()
        shutil.rmtree(store.parent, ignore_errors=True)
    seen_lines = [line for line in run.stdout.splitlines() if line.startswith("SEEN ")]
    if not seen_lines:
        return Check("sandbox: what a run sees", Outcome.FAIL,
                     _("the probe did not finish ({status} {message})").format(status=run.status.value, message=run.message).strip(),
                     _("run `ce-tutor doctor` again; report this platform if it persists"))  # fmt: skip
    seen = json.loads(seen_lines[0][len("SEEN ") :])
    if not seen:
        return Check("sandbox: what a run sees", Outcome.OK,
                     _("a pack file, a store, /proc/1/cmdline and the sockets were all out of reach"))  # fmt: skip
    return Check("sandbox: what a run sees", Outcome.FAIL if os.getuid() == 0 else Outcome.WARN,
                 _("learner code reached {paths}").format(paths=", ".join(seen)),
                 _("run the grading service as root (`ce-tutor serve` from systemd): each run then "
                   "gets a filesystem view of its own"), essential=os.getuid() == 0)  # fmt: skip


def check_terminal(env: dict[str, str] | None = None) -> list[Check]:
    """Colours and UTF-8 as the app will see them; the app falls back, so these only warn."""
    from tutor.app.terminal import declared_locale

    given = env
    env = dict(os.environ if env is None else env)
    term, colorterm = env.get("TERM", ""), env.get("COLORTERM", "")
    locale = declared_locale(given)  # not Python's own coercion of a C locale to C.UTF-8
    checks = []
    if not term or term == "dumb":
        checks.append(Check("terminal: colours", Outcome.WARN, _("TERM is {term}").format(term=term or _("unset")),
                            _("set TERM=xterm-256color (ssh -t passes the client's TERM)"),
                            essential=False))  # fmt: skip
    elif colorterm in ("truecolor", "24bit"):
        checks.append(
            Check(
                "terminal: colours", Outcome.OK, _("TERM={term}, 24-bit colour").format(term=term)
            )
        )
    elif "256color" in term:
        checks.append(Check("terminal: colours", Outcome.OK,
                            _("TERM={term}, 256 colours (COLORTERM unset: themes are approximated)").format(term=term)))  # fmt: skip
    else:
        checks.append(Check("terminal: colours", Outcome.WARN, _("TERM={term}: few colours").format(term=term),
                            _("set TERM=xterm-256color if the terminal supports it"),
                            essential=False))  # fmt: skip
    if "utf-8" in locale.lower() or "utf8" in locale.lower():
        checks.append(
            Check("terminal: UTF-8", Outcome.OK, _("locale {locale}").format(locale=locale))
        )
    else:
        checks.append(Check("terminal: UTF-8", Outcome.WARN,
                            _("locale {locale} is not UTF-8: the app draws ASCII, and Chinese "
                              "(any non-ASCII) lesson text shows as ?").format(locale=locale or _("unset")),
                            _("export LANG=C.UTF-8 (or zh_CN.UTF-8); over SSH the server sees no "
                              "LANG unless the client sends it (`ssh -o SendEnv=LANG`) and sshd "
                              "accepts it (`AcceptEnv LANG LC_*`), or the forced command sets it"),
                            essential=False))  # fmt: skip
    return checks


def check_data_dir(directory: Path | None = None) -> Check:
    """The data folder exists (or can be made) and takes a file."""
    from tutor.progress.identity import data_dir

    folder = directory or data_dir()
    probe = folder / f".doctor-{os.getpid()}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
    except OSError as error:
        return Check("data folder", Outcome.FAIL, _("{folder} is not writable: {error}").format(folder=folder, error=error.strerror),
                     _("make it writable by this user, or point CE_TUTOR_HOME at a folder "
                       "that is (now: {folder})").format(folder=folder))  # fmt: skip
    return Check("data folder", Outcome.OK, _("{folder} is writable").format(folder=folder))


def check_store(db: str | None = None) -> Check:
    """The progress store opens and answers (`--db`, CE_TUTOR_DB, or the data folder's file)."""
    from tutor.progress.store import StoreError, open_store, store_location

    where = store_location(url=db)
    shown = str(where).split("@")[-1] if "://" in str(where) else str(where)  # no password
    start = time.perf_counter()
    try:
        with open_store(url=db) as store:
            version = store.schema_version()
            dialect = store.dialect
    except StoreError as error:
        return Check("progress store", Outcome.FAIL, str(error),
                     _("fix --db / CE_TUTOR_DB, or move the file aside"))  # fmt: skip
    except Exception as error:  # noqa: BLE001 - a driver's error, shown as one line
        return Check("progress store", Outcome.FAIL, f"{type(error).__name__}: {error}",
                     _("check --db / CE_TUTOR_DB and that the database is up"))  # fmt: skip
    elapsed = (time.perf_counter() - start) * 1000
    return Check("progress store", Outcome.OK,
                 _("{dialect} at {where} answers (schema {version}, {ms} ms)").format(
                     dialect=dialect, where=shown, version=version, ms=f"{elapsed:.0f}"))  # fmt: skip


def check_grading_service(
    socket_path: str | Path | None = None, config: ClassConfig | None = None
) -> Check:
    """The class's shared grading service answers, or there is none (each app has its own)."""
    from tutor.class_config import class_socket
    from tutor.grading.client import GradingClient
    from tutor.grading.protocol import GradingFailed

    path = class_socket(socket_path, config)
    if path is None:
        return Check(
            "grading service",
            Outcome.WARN,
            _("none shared: each learner's app starts its own (two torch processes each)"),
            _("for a class, run `ce-tutor serve` (README: The class's grading service)"),
            essential=False,
        )
    client = GradingClient(socket_path=path)
    try:
        about = client.ping()
    except GradingFailed as error:
        return Check(
            "grading service",
            Outcome.FAIL,
            str(error),
            (
                _(
                    "start it (`systemctl start ce-tutor` or `ce-tutor serve`); "
                    "the class config {path} makes every app wait for it"
                ).format(path=config.path)
                if config is not None
                else _(
                    "start it (`systemctl start ce-tutor` or `ce-tutor serve`), "
                    "or unset CE_TUTOR_GRADING_SOCKET to let each app grade on its own"
                )
            ),
        )
    finally:
        client.close()
    packs = about.get("packs") or []
    return Check(
        "grading service",
        Outcome.OK,
        _(
            "shared at {path}: pid {pid}, up {uptime} s, {requests} requests, {packs} pack(s)"
        ).format(
            path=path,
            pid=about.get("pid"),
            uptime=about.get("uptime_s"),
            requests=about.get("requests"),
            packs=len(packs),
        ),
    )


def check_class_config(config: ClassConfig | None) -> list[Check]:
    """The class's editor cannot start a shell and is installed; no password readable by all."""
    from tutor.class_config import password_in_url, readable_by_others

    if config is None:
        return []
    if not config.readable:
        return [Check("class config", Outcome.OK,
                      _("{path} is root's: learners get its defaults (built-in editor, {socket})").format(
                          path=config.path, socket=config.grading_socket))]  # fmt: skip
    checks = [
        Check(
            "class config",
            Outcome.OK,
            _("{path}: class mode, no private services").format(path=config.path),
        )
    ]
    if password_in_url(config.db) and readable_by_others(config.path):
        checks.append(Check("class config: db", Outcome.FAIL,
                            _("{path} holds a database password and others can read it").format(path=config.path),
                            _("chmod 600 {path} (root's), or put the URL in the service's "
                              "environment (CE_TUTOR_DB)").format(path=config.path)))  # fmt: skip
    checks.append(check_class_editor(config.editor))
    return checks


def check_class_editor(command: tuple[str, ...] | None) -> Check:
    """ctrl+o opens the admin's editor: one that cannot run `:!sh`, and that is installed."""
    import shutil

    from tutor.class_config import editor_escape

    if command is None:
        return Check(
            "class editor", Outcome.OK, _("none: learners edit code in the built-in editor")
        )
    shown = " ".join(command)
    if shutil.which(command[0]) is None:
        return Check("class editor", Outcome.FAIL, _("`{editor}` is not installed").format(editor=shown),
                     _("install it (apt install nano) or remove `editor` from the class config"))  # fmt: skip
    escape = editor_escape(command)
    if escape is not None:
        return Check("class editor", Outcome.FAIL, escape,
                     _('set editor = "rnano" (or "nano --restricted"), or remove it: '
                       "the built-in editor only"))  # fmt: skip
    return Check(
        "class editor", Outcome.OK, _("`{editor}` (restricted: no shell)").format(editor=shown)
    )


def check_install_reachable(executable: str | None = None) -> Check:
    """Every account can run this Python: a venv made from a Python under /root (pyenv) is not.

    `doctor` run as root passes every other check there, while each learner
    gets "Permission denied" from the forced command.
    """
    python = Path(os.path.realpath(executable or sys.executable))
    blocked = [folder for folder in python.parents if not os.stat(folder).st_mode & stat.S_IXOTH]
    if not os.stat(python).st_mode & stat.S_IXOTH:
        blocked.insert(0, python)
    if blocked:
        return Check("install", Outcome.FAIL,
                     _("learners cannot run {python}: {path} is closed to other accounts").format(
                         python=python, path=blocked[0]),
                     _("make the venv from a Python every account can run: "
                       "/usr/bin/python3 -m venv /opt/ce-tutor"))  # fmt: skip
    return Check("install", Outcome.OK, _("{python} runs for every account").format(python=python))


def check_class_pack(config: ClassConfig | None) -> Check | None:
    """The class's pack holds every answer: only the service (root) may read its files."""
    if config is None or config.pack is None:
        return None
    if os.geteuid() != 0:
        files = [config.pack, *_pack_files(config.pack)]
        readable = [p for p in files if os.access(p, os.R_OK)]
        if readable:
            return Check("class pack", Outcome.FAIL,
                         _("this account can read {path} (answers and solutions)").format(path=readable[0]),
                         _("as root: chown -R root: {pack}; chmod -R go-rwx {pack}").format(pack=config.pack))  # fmt: skip
        return Check(
            "class pack", Outcome.OK, _("{pack} is closed to this account").format(pack=config.pack)
        )
    if not config.pack.is_dir():
        return Check("class pack", Outcome.FAIL, _("{pack} is not a folder").format(pack=config.pack),
                     _("point `pack` in the class config at the class's lesson pack"))  # fmt: skip
    open_to_others = [
        p for p in [config.pack, *_pack_files(config.pack)]
        if os.stat(p).st_mode & (stat.S_IRWXG | stat.S_IRWXO) or os.stat(p).st_uid != 0
    ]  # fmt: skip
    if open_to_others:
        return Check("class pack", Outcome.FAIL,
                     _("{path} is open to other accounts (answers and solutions)").format(path=open_to_others[0]),
                     _("chown -R root: {pack}; chmod -R go-rwx {pack}").format(pack=config.pack))  # fmt: skip
    return Check("class pack", Outcome.OK, _("{pack} is root's alone").format(pack=config.pack))


def _pack_files(root: Path, limit: int = 10_000) -> list[Path]:
    try:
        return list(itertools.islice(root.rglob("*"), limit))
    except OSError:
        return []


def run_checks(
    db: str | None = None,
    sandbox: bool = True,
    grading_socket: str | None = None,
    config: ClassConfig | None = None,
) -> list[Check]:
    checks = [check_torch()]
    if sandbox and checks[0].outcome is Outcome.OK:
        checks += check_sandbox()
    checks += check_terminal()
    checks.append(check_data_dir())
    checks.append(check_store(db))
    checks += check_class_config(config)
    if config is not None or os.geteuid() == 0:
        checks.append(check_install_reachable())
    pack = check_class_pack(config)
    if pack is not None:
        checks.append(pack)
    checks.append(check_grading_service(grading_socket, config))
    return checks


# the checks' names, for the catalog: they are translated where printed
CHECK_NAMES = (
    N_("torch"), N_("sandbox"), N_("sandbox: time"), N_("sandbox: memory"),
    N_("sandbox: network"), N_("sandbox: files"), N_("sandbox: what a run sees"),
    N_("terminal: colours"), N_("terminal: UTF-8"), N_("data folder"), N_("progress store"),
    N_("class config"), N_("class config: db"), N_("class editor"), N_("class pack"),
    N_("install"),
)  # fmt: skip


def format_check(check: Check, ascii_only: bool = False) -> str:
    marks = {Outcome.OK: ("✓", "ok"), Outcome.WARN: ("!", "warn"), Outcome.FAIL: ("✗", "FAIL")}
    mark = marks[check.outcome][1 if ascii_only else 0]
    line = mark + " " + _("{name}: {detail}").format(name=_(check.name), detail=check.detail)
    if check.fix and check.outcome is not Outcome.OK:
        line += "\n    " + _("fix: {fix}").format(fix=check.fix)
    return line


def print_checks(checks: list[Check], ascii_only: bool = False) -> bool:
    """Print one line per check; returns False if an essential check failed."""
    for check in checks:
        print(format_check(check, ascii_only), flush=True)
    blocking = [c for c in checks if c.blocking]
    if blocking:
        print(
            _("{count} essential check(s) failed: fix them before the class.").format(
                count=len(blocking)
            )
        )
    return not blocking
