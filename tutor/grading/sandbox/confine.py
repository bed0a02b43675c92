"""Shutting a freshly forked child in, before any sandboxed code runs.

Order matters: limits first (while still privileged), then the unprivileged
user (RLIMIT_NPROC does not bind root), then new user, network and mount
namespaces (they only work in a single-threaded process, which a forked
child is), a filesystem view of its own (`root_view`: the Python install
read-only, its folder, fresh tmpfs, a /proc showing only its processes;
where refused, at least private tmpfs over the world-writable directories),
and finally no capabilities and no new privileges. Each step that the OS refuses is
skipped; `confine` returns the names of those that held.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource

from tutor.grading.sandbox.limits import Limits
from tutor.grading.sandbox.root_view import (
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_REC,
    enter_private_root,
)

# As root, each run becomes a user of its own: uid RUN_UID_BASE + its pid. Runs
# that shared `nobody` could signal one another (a learner's kill(-1) would end
# every other learner's run) and would share one RLIMIT_NPROC count.
RUN_UID_BASE = 1_900_000_000


def run_uid(pid: int | None = None) -> int:
    """The unprivileged uid (and gid) a run with this pid drops to; unique while it lives."""
    return RUN_UID_BASE + (os.getpid() if pid is None else pid)


CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
PR_SET_DUMPABLE, PR_SET_NO_NEW_PRIVS = 4, 38
SCRATCH_DIRS = ("/tmp", "/var/tmp", "/dev/shm", "/run/lock")
NETWORK_NAMESPACE = 0  # set by _private_files


def _libc() -> ctypes.CDLL:
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mount.argtypes = [
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_char_p,
        ctypes.c_ulong,
        ctypes.c_char_p,
    ]
    return libc


def confine(
    workdir: str, limits: Limits, uid_owned: bool, *, as_root_first: bool = True
) -> list[str]:
    """Apply every protection this OS allows; return the names of those applied.

    Started as root, the child makes its namespaces while still root (that
    works where unprivileged user namespaces are disabled, as under some
    AppArmor policies), then becomes a uid of its own (`run_uid`), which also
    clears every capability. `workdir` is handed to that uid. Otherwise it makes a user namespace of its own to get them.
    """
    applied = ["wall"]
    libc = _libc()
    os.chdir(workdir)
    applied.append("tmpdir")
    _set_limits(limits, applied)
    root = os.getuid() == 0 and uid_owned
    if root and as_root_first and libc.unshare(CLONE_NEWNET | CLONE_NEWNS) == 0:
        applied.append("network")
        _private_files(libc, workdir, applied)
    if root:
        # Fail closed: learner code never runs as root (kill(-1) would end the machine).
        uid = run_uid()
        try:
            os.chown(".", uid, uid)  # the work directory; its path may sit under a fresh /tmp
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
        except OSError as error:
            raise PermissionError(f"could not become an unprivileged user: {error}") from None
        applied.append("user")
        # setuid made us undumpable, which hides a run's own children from it in its
        # /proc (hidepid); the uid is the run's alone, so nobody else gains by this.
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)
    if "user" in applied or os.getuid() != 0:
        # The NPROC limit counts the user's processes; for root it is void.
        applied.append("processes")
    if "network" not in applied:
        libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0)  # lets us write our own uid_map
        if _unshare_user(libc):
            applied.append("network")
            _private_files(libc, workdir, applied)
        libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0)
    if _drop_capabilities(libc):
        applied.append("capabilities")
    if libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0:
        applied.append("no-new-privs")
    _clean_environment(workdir)
    applied.append("environment")
    return applied


def _set_limits(limits: Limits, applied: list[str]) -> None:
    def limit(kind: int, soft: int, hard: int | None = None) -> bool:
        try:
            resource.setrlimit(kind, (soft, soft if hard is None else hard))
            return True
        except (ValueError, OSError):
            return False

    if limit(resource.RLIMIT_CPU, limits.cpu_seconds, limits.cpu_seconds + 1):
        applied.append("cpu")
    if limit(resource.RLIMIT_AS, limits.memory_mb * 1024 * 1024):
        applied.append("memory")
    limit(resource.RLIMIT_FSIZE, limits.file_bytes)
    limit(resource.RLIMIT_CORE, 0)
    limit(resource.RLIMIT_NOFILE, 256)
    nproc = limits.processes
    if os.getuid() != 0:
        nproc += _processes_of(os.getuid())  # the user's own processes count too
    limit(resource.RLIMIT_NPROC, nproc)


def _processes_of(uid: int) -> int:
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                pass
    return count


def _unshare_user(libc: ctypes.CDLL) -> bool:
    """New user, network and mount namespaces, as an unprivileged process."""
    uid, gid = os.getuid(), os.getgid()
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWNS) != 0:
        return False
    try:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    except OSError:
        return True  # the network namespace holds even if the map could not be written
    return True


def _private_files(libc: ctypes.CDLL, workdir: str, applied: list[str]) -> None:
    """The run's own filesystem view; where the OS refuses it, at least a private /tmp."""
    global NETWORK_NAMESPACE
    with contextlib.suppress(OSError):  # read now: /proc is not part of the view
        NETWORK_NAMESPACE = os.stat("/proc/self/ns/net").st_ino
    if enter_private_root(libc, workdir):
        applied += ["files", "scratch"]
    elif _private_scratch(libc):
        applied.append("scratch")


def network_namespace() -> int:
    """The run's network namespace (its inode), read before /proc went out of view."""
    if NETWORK_NAMESPACE:
        return NETWORK_NAMESPACE
    try:
        return os.stat("/proc/self/ns/net").st_ino
    except OSError:
        return 0


def _private_scratch(libc: ctypes.CDLL) -> bool:
    """tmpfs over /tmp and friends, so only the work directory (our cwd) is shared."""
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    ok = True
    for path in SCRATCH_DIRS:
        if os.path.isdir(path):
            flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
            if libc.mount(b"tmpfs", path.encode(), b"tmpfs", flags, b"size=16m,mode=1777") != 0:
                ok = False
    return ok


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def _drop_capabilities(libc: ctypes.CDLL) -> bool:
    """No capabilities left, so the mounts above cannot be undone from inside."""
    header = _CapHeader(0x20080522, 0)
    data = (_CapData * 2)()
    return libc.capset(ctypes.byref(header), data) == 0


def _clean_environment(workdir: str) -> None:
    os.environ.clear()
    os.environ.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": workdir,
            "TMPDIR": workdir,
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
        }
    )


def _write(path: str, text: str) -> None:
    with open(path, "w") as handle:
        handle.write(text)
