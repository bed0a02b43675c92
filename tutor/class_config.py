"""The class's configuration: what the admin decided, not what a learner's environment says.

A machine set up for a class has `/etc/ce-tutor/class.toml` (or the file
named by `CE_TUTOR_CLASS_CONFIG`). Its existence alone means class mode:
the app never starts a private grading service (learner code would run as
the learner's account, next to the gradebook) and never opens the
learner's `$EDITOR` (`vi` can run `:!sh`). The file may say:

    grading_socket = "/run/ce-tutor/grading.sock"   # the class's `ce-tutor serve`
    editor = "rnano"          # a restricted editor for ctrl+o; absent: the built-in one only
    pack = "/srv/course"      # the pack learners open by default
    db = "postgresql://…"     # only in a file readable by root alone (see `doctor`)
    request_log = "/var/log/ce-tutor/requests.jsonl"  # what `ce-tutor class log` reads
    group = "students"        # set-up A: the learners' group (`ce-tutor class add`)
    shared_account = "tutor"  # set-up B instead: the shared account

A file the learner cannot read (mode 0600, root's) still means class mode,
with those defaults.
"""

from __future__ import annotations

import os
import shlex
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tutor.i18n import _

CONFIG_ENV = "CE_TUTOR_CLASS_CONFIG"
DEFAULT_CONFIG = Path("/etc/ce-tutor/class.toml")
CLASS_SOCKET = Path("/run/ce-tutor/grading.sock")  # where `ce-tutor serve` listens as root
SOCKET_ENV = "CE_TUTOR_GRADING_SOCKET"
KEYS = frozenset(
    {"grading_socket", "editor", "pack", "db", "request_log", "group", "shared_account"}
)


class ClassConfigError(ValueError):
    """The class configuration exists but says something unusable."""


@dataclass(frozen=True)
class ClassConfig:
    path: Path
    grading_socket: Path = CLASS_SOCKET
    editor: tuple[str, ...] | None = None  # None: the built-in editor only
    pack: Path | None = None
    db: str | None = None
    request_log: Path | None = None  # the service's JSON lines, read by `ce-tutor class log`
    group: str = "students"  # set-up A: the learners' accounts are its members
    shared_account: str | None = None  # set-up B: the one account every learner logs in as
    readable: bool = True  # False: root's file; the defaults above apply


def config_path() -> Path:
    return Path(os.environ.get(CONFIG_ENV) or DEFAULT_CONFIG)


def load_class_config(path: Path | None = None) -> ClassConfig | None:
    """The class configuration, or None on a machine that is not set up for a class."""
    path = path or config_path()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except PermissionError:
        return ClassConfig(path=path, readable=False)
    except OSError as error:
        raise ClassConfigError(f"cannot read {path}: {error.strerror or error}") from None
    # imported only here: a learner's own machine has no class config, and pays nothing
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - Python 3.10
        import tomli as tomllib
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ClassConfigError(f"{path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - KEYS)
    if unknown:
        raise ClassConfigError(f"{path}: unknown key(s) {', '.join(unknown)}")
    for key, value in data.items():
        if not isinstance(value, str):
            raise ClassConfigError(f"{path}: `{key}` must be a string")
    editor = tuple(shlex.split(data.get("editor", ""))) or None
    return ClassConfig(
        path=path,
        grading_socket=Path(data.get("grading_socket") or CLASS_SOCKET),
        editor=editor,
        pack=Path(data["pack"]) if data.get("pack") else None,
        db=data.get("db") or None,
        request_log=Path(data["request_log"]) if data.get("request_log") else None,
        group=data.get("group") or "students",
        shared_account=data.get("shared_account") or None,
    )


def class_socket(
    explicit: str | Path | None = None, config: ClassConfig | None = None
) -> Path | None:
    """The class's grading service: named, from the class config, or the machine's default.

    None means "not a class": start a private service. With a class config
    the answer is never None, even while the socket is absent (the service
    restarting): the app waits for it rather than grading on its own.
    """
    named = explicit or os.environ.get(SOCKET_ENV)
    if named:
        return Path(named)
    if config is not None:
        return config.grading_socket
    try:
        if stat.S_ISSOCK(CLASS_SOCKET.stat().st_mode):
            return CLASS_SOCKET
    except OSError:
        pass
    return None


def password_in_url(url: str | None) -> bool:
    """True for a database URL that carries a password (`scheme://user:secret@host/db`)."""
    if not url or "://" not in url:
        return False
    try:
        return bool(urlsplit(url).password)
    except ValueError:
        return True  # unparseable but URL-shaped: do not risk it


ARGV_PASSWORD = (
    "a database password on the command line is readable by every local user "
    "(/proc/*/cmdline); put the URL in the environment variable CE_TUTOR_DB, or as "
    '`db = "…"` in the class config ({path}) readable by root only'
)


SHELL_EDITORS = {"vi", "vim", "nvim", "view", "ex", "emacs", "nano", "pico", "ed", "micro", "joe"}
SAFE_EDITORS = {"rnano", "rvim", "rview", "red"}
RESTRICTED_FLAGS = {
    "nano": {"--restricted", "-R"},
    "pico": {"--restricted", "-R"},
    "vim": {"-Z"},  # vi may be nvi or busybox (no restricted mode): use rvim
}


def editor_escape(command: tuple[str, ...]) -> str | None:
    """Why this editor can hand a learner a shell, or None when it cannot (as far as known)."""
    name = Path(command[0]).name
    if name in SAFE_EDITORS:
        return None
    flags = set(command[1:])
    if name in RESTRICTED_FLAGS and flags & RESTRICTED_FLAGS[name]:
        return None
    if name in RESTRICTED_FLAGS:
        wanted = _(" or ").join(sorted(RESTRICTED_FLAGS[name])) or _("a restricted editor")
        return _("`{editor}` can start a shell (needs {flags})").format(
            editor=" ".join(command), flags=wanted
        )
    if name in SHELL_EDITORS:
        return _("`{editor}` can start a shell").format(editor=" ".join(command))
    return _(
        "`{editor}` is not an editor known to be restricted (use rnano or `nano --restricted`)"
    ).format(editor=name)


def readable_by_others(path: Path) -> bool:
    try:
        return bool(path.stat().st_mode & (stat.S_IRGRP | stat.S_IROTH))
    except OSError:
        return False
