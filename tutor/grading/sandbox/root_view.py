"""The filesystem a run sees: the Python installation read-only, its own folder, nothing else.

Built in the child's private mount namespace, before it drops privileges: a
tmpfs becomes the new root, the system's libraries and the Python install
are bound into it read-only, the run's work directory read-write, fresh
tmpfs at /tmp and friends, four device nodes, and `pivot_root` leaves the old
root behind. What is not bound does not exist for the run: /home (every
learner's store), /srv and the packs, /etc beyond the loader's cache, /run
(the grading and database sockets), and /proc (no other process, no command
line with a password in it). Packs shipped inside the installation are
covered with an empty directory.
"""

from __future__ import annotations

import ctypes
import functools
import os
import platform
import sys
import sysconfig

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC = 1, 2, 4, 8
MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = 32, 4096, 16384, 1 << 18
MNT_DETACH = 2
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}

SYSTEM_PATHS = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/libx32", "/sbin")
SYSTEM_FILES = ("/etc/ld.so.cache", "/etc/localtime")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
SCRATCH = ("/tmp", "/var/tmp", "/dev/shm")
PROC_OPTIONS = b"hidepid=invisible,subset=pid"  # Linux 5.8: other users' processes hidden
PACKS_INSIDE = ("_builtin_lessons",)  # folders of the tutor package a run must not read


@functools.cache
def python_paths() -> tuple[str, ...]:
    """Every folder the interpreter and its packages load from (not the work tree's packs)."""
    import tutor

    found = {sys.base_prefix, sys.prefix, sys.exec_prefix}
    for name in ("stdlib", "platstdlib", "purelib", "platlib"):
        path = sysconfig.get_paths().get(name)
        if path:
            found.add(path)
    # An editable install loads `tutor` from the work tree: bind the package, not the tree.
    found.add(os.path.dirname(os.path.abspath(tutor.__file__)))
    real = {os.path.realpath(path) for path in found if os.path.isdir(path)}
    return tuple(sorted(real))


@functools.cache
def hidden_paths() -> tuple[str, ...]:
    """Pack folders inside the bound install, covered by an empty one."""
    import tutor

    package = os.path.realpath(os.path.dirname(os.path.abspath(tutor.__file__)))
    return tuple(
        os.path.join(package, name)
        for name in PACKS_INSIDE
        if os.path.isdir(os.path.join(package, name))
    )


def enter_private_root(libc: ctypes.CDLL, workdir: str) -> bool:
    """Make the view and move into it; False (and nothing half-done visible) if refused.

    Call in a fresh mount namespace while holding CAP_SYS_ADMIN in it (root,
    or a user namespace of our own). The current directory is `workdir`.
    """
    if libc.mount(b"none", b"/", None, MS_REC | MS_PRIVATE, None) != 0:
        return False
    # The view's folders (/dev, /etc, the workdir's parents) must be open to the run's own
    # uid: under systemd's UMask=0077 they were made 0700 and a run could not open /dev/null.
    os.umask(0o022)
    new_root = os.path.join(workdir, ".root")
    os.makedirs(new_root, exist_ok=True)
    if libc.mount(b"tmpfs", new_root.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, b"mode=0755") != 0:
        return False
    try:
        for path in SCRATCH:  # first: an install under /tmp is bound inside the fresh one
            os.makedirs(_inside(new_root, path), exist_ok=True)
            flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
            _mount(libc, b"tmpfs", _inside(new_root, path), b"tmpfs", flags, b"size=16m,mode=1777")
        bound: list[str] = []
        for path in (*SYSTEM_PATHS, *python_paths()):
            if not any(path == done or path.startswith(done + "/") for done in bound):
                _bind_into(libc, new_root, path)
                bound.append(path)
        for path in SYSTEM_FILES + DEVICES:
            _bind_into(libc, new_root, path, writable=path.startswith("/dev/"))
        for path in hidden_paths():
            _mount(libc, b"tmpfs", _inside(new_root, path), b"tmpfs", MS_RDONLY, b"size=4k")
        if os.getuid() == 0:  # a proc of its own, showing the run's processes only
            os.makedirs(_inside(new_root, "/proc"), exist_ok=True)
            flags = MS_NOSUID | MS_NODEV | MS_NOEXEC
            if libc.mount(b"proc", _inside(new_root, "/proc"), b"proc", flags, PROC_OPTIONS) != 0:
                os.rmdir(_inside(new_root, "/proc"))
        os.makedirs(_inside(new_root, workdir), exist_ok=True)
        _mount(libc, workdir.encode(), _inside(new_root, workdir), None, MS_BIND, None)
        _pivot(libc, new_root)
    except OSError:
        return False
    os.chdir(workdir)
    return True


def _inside(new_root: str, path: str) -> bytes:
    return (new_root + path).encode()


def _bind_into(libc: ctypes.CDLL, new_root: str, path: str, writable: bool = False) -> None:
    """Bind `path` at the same place under `new_root`, read-only; symlinks are copied."""
    target = new_root + path
    if os.path.islink(path):
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.lexists(target):
            os.symlink(os.readlink(path), target)
        return
    if not os.path.exists(path):
        return
    if os.path.isdir(path):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        if not os.path.exists(target):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    _mount(libc, path.encode(), target.encode(), None, MS_BIND | MS_REC, None)
    if not writable:
        # Best effort: a bind in a user namespace may keep flags it cannot drop.
        flags = MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID
        libc.mount(None, target.encode(), None, flags, None)


def _mount(libc, source, target, fstype, flags, data) -> None:
    if libc.mount(source, target, fstype, flags, data) != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"mount {target!r}: {os.strerror(error)}")


def _pivot(libc: ctypes.CDLL, new_root: str) -> None:
    """Swap roots and detach the old one, so no path leads back to it."""
    number = SYS_PIVOT_ROOT.get(platform.machine())
    if number is None:
        raise OSError(0, "pivot_root: unknown architecture")
    os.chdir(new_root)
    if libc.syscall(number, b".", b".") != 0:
        error = ctypes.get_errno()
        raise OSError(error, f"pivot_root: {os.strerror(error)}")
    if libc.umount2(b".", MNT_DETACH) != 0:  # the old root, stacked under the new one
        error = ctypes.get_errno()
        raise OSError(error, f"umount old root: {os.strerror(error)}")
    os.chdir("/")


# Known before any fork: a child that has dropped its privileges may no longer be able
# to import what finding them needs (sysconfig's data under a private /root).
python_paths()
hidden_paths()
