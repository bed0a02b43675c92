"""The class's learners as the machine knows them: accounts (set-up A) or keys and tokens (B).

`ce-tutor class add learners.csv` turns a list of names and public keys into
what the README's recipe otherwise has an admin type by hand: in set-up A an
account per learner (`adduser`, the class's group, `~/.ssh/authorized_keys`
owned by the learner, 0700/0600, or sshd refuses it); in set-up B one key
line per learner in the shared account's `authorized_keys`, its forced
command carrying a token the service knows (`/etc/ce-tutor/learner-tokens`,
root's alone). Every change is planned first (`--dry-run` prints the plan),
every file is written whole and atomically, and running it twice changes
nothing the second time.
"""

from __future__ import annotations

import csv
import grp
import io
import os
import pwd
import re
import secrets
import shlex
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tutor.grading.peer import TOKEN_ENV, TOKENS_FILE
from tutor.i18n import _

NAME = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")  # what adduser accepts without --force-badname
KEY = re.compile(
    r"^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d+|sk-[a-z0-9@.-]+) [A-Za-z0-9+/=]+( .*)?$"
)


class RosterError(ValueError):
    """A learners file or a request the roster cannot carry out; says which line."""


@dataclass(frozen=True)
class Learner:
    name: str
    key: str  # one OpenSSH public key line


@dataclass
class Plan:
    """What `class add`/`remove` will do: commands to run and files to write, in order."""

    commands: list[list[str]] = field(default_factory=list)
    files: dict[Path, tuple[str, int, str]] = field(default_factory=dict)  # text, mode, owner
    notes: list[str] = field(default_factory=list)
    then: list[list[str]] = field(default_factory=list)  # commands run after the files

    def describe(self) -> list[str]:
        run = _("run: {command}")
        lines = [run.format(command=shlex.join(command)) for command in self.commands]
        lines += [_("write: {path} ({mode}, {owner})").format(path=path, mode=oct(mode)[2:], owner=owner)
                  for path, (_text, mode, owner) in self.files.items()]  # fmt: skip
        lines += [run.format(command=shlex.join(command)) for command in self.then]
        return lines + self.notes

    @property
    def empty(self) -> bool:
        return not (self.commands or self.files or self.then)

    def apply(self, run: Callable[[list[str]], None] | None = None) -> None:
        run = run or _run
        for command in self.commands:
            run(command)
        for path, (text, mode, owner) in self.files.items():
            write_private(path, text, mode, owner)
        for command in self.then:
            run(command)


def read_learners(text: str, source: str | None = None) -> list[Learner]:
    """`name,public key` per row (a header row `name,key` is allowed); errors say the line."""
    source = source or _("learners file")
    learners: list[Learner] = []
    seen: set[str] = set()
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not "".join(row).strip() or row[0].lstrip().startswith("#"):
            continue
        if number == 1 and [c.strip().lower() for c in row[:2]] == ["name", "key"]:
            continue
        if len(row) < 2:
            raise RosterError(
                _("{where}: expected `name,public key`").format(where=f"{source}:{number}")
            )
        name, key = row[0].strip(), ",".join(row[1:]).strip()
        if not NAME.match(name):
            raise RosterError(
                _("{where}: `{name}` is not a usable account name (lower-case letters, digits, "
                  "- and _, starting with a letter; at most 32)").format(where=f"{source}:{number}", name=name)
            )  # fmt: skip
        if not KEY.match(key):
            raise RosterError(_("{where}: the key of {name} is not an OpenSSH public key").format(
                where=f"{source}:{number}", name=name))  # fmt: skip
        if name in seen:
            raise RosterError(_("{where}: {name} is listed twice").format(where=f"{source}:{number}", name=name))  # fmt: skip
        seen.add(name)
        learners.append(Learner(name, key))
    return learners


# -- set-up A: an account per learner -----------------------------------------------------------


def plan_accounts(learners: list[Learner], group: str) -> Plan:
    plan = Plan()
    if not group_exists(group):
        plan.commands.append(["addgroup", group])
    for learner in learners:
        try:
            entry = pwd.getpwnam(learner.name)
        except KeyError:
            plan.commands.append(["adduser", "--disabled-password", "--gecos", "", learner.name])
            home = Path("/home") / learner.name
        else:
            home = Path(entry.pw_dir)
            if entry.pw_uid < 1000:
                raise RosterError(_("{name} is a system account; pick another name").format(name=learner.name))  # fmt: skip
        if not _in_group(learner.name, group):
            plan.commands.append(["adduser", learner.name, group])
        keys = home / ".ssh" / "authorized_keys"
        if _read(keys) != learner.key + "\n" or _mode(keys) != 0o600:
            plan.files[keys] = (learner.key + "\n", 0o600, learner.name)
    return plan


def plan_remove_account(name: str, group: str) -> Plan:
    """Out of the class: out of its group, its key gone (the account and the grades stay)."""
    plan = Plan()
    if _in_group(name, group):
        plan.commands.append(["deluser", name, group])
    try:
        home = Path(pwd.getpwnam(name).pw_dir)
    except KeyError:
        raise RosterError(_("no account {name}").format(name=name)) from None
    keys = home / ".ssh" / "authorized_keys"
    if keys.exists():
        plan.files[keys] = ("", 0o600, name)
    plan.notes.append(_("kept: the account {name} and its rows in the gradebook").format(name=name))
    return plan


def accounts_in(group: str) -> list[str]:
    try:
        return sorted(grp.getgrnam(group).gr_mem)
    except KeyError:
        return []


# -- set-up B: one shared account, a key and a token per learner --------------------------------


def plan_shared(
    learners: list[Learner], account: str, ce_tutor: str, tokens_file: Path = TOKENS_FILE
) -> Plan:
    tokens = read_tokens(tokens_file)
    by_name = {name: token for token, name in tokens.items()}
    for learner in learners:
        by_name.setdefault(learner.name, secrets.token_hex(16))
    home = Path(pwd.getpwnam(account).pw_dir)
    keys_file = home / ".ssh" / "authorized_keys"
    lines = _key_lines(_read(keys_file))
    for learner in learners:
        command = f"{TOKEN_ENV}={by_name[learner.name]} {ce_tutor}"
        lines[learner.name] = f'command="{command}",restrict,pty {learner.key} {learner.name}'
    plan = Plan()
    tokens_text = "".join(f"{token} {name}\n" for name, token in sorted(by_name.items()))
    if _read(tokens_file) != tokens_text:
        plan.files[tokens_file] = (tokens_text, 0o600, "root")
    keys_text = "".join(line + "\n" for line in lines.values())
    if _read(keys_file) != keys_text or _mode(keys_file) != 0o600:
        plan.files[keys_file] = (keys_text, 0o600, account)
    if plan.files:
        plan.notes.append(_("restart the service to read new tokens: systemctl restart ce-tutor"))
    return plan


def plan_remove_shared(name: str, account: str, tokens_file: Path = TOKENS_FILE) -> Plan:
    tokens = {t: n for t, n in read_tokens(tokens_file).items() if n != name}
    home = Path(pwd.getpwnam(account).pw_dir)
    keys_file = home / ".ssh" / "authorized_keys"
    lines = _key_lines(_read(keys_file))
    if name not in lines and name not in read_tokens(tokens_file).values():
        raise RosterError(
            _("no learner {name} among {account}'s keys").format(name=name, account=account)
        )
    lines.pop(name, None)
    plan = Plan()
    plan.files[tokens_file] = ("".join(f"{t} {n}\n" for t, n in sorted(tokens.items())), 0o600, "root")  # fmt: skip
    plan.files[keys_file] = ("".join(line + "\n" for line in lines.values()), 0o600, account)
    plan.notes.append(_("restart the service to forget the token: systemctl restart ce-tutor"))
    return plan


def read_tokens(path: Path) -> dict[str, str]:
    """token -> learner, from `TOKEN LEARNER` lines."""
    tokens: dict[str, str] = {}
    for line in _read(path).splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("#"):
            tokens[parts[0]] = parts[1]
    return tokens


def _key_lines(text: str) -> dict[str, str]:
    """The shared account's key lines by learner (the comment we write last); others kept."""
    lines: dict[str, str] = {}
    for number, line in enumerate(text.splitlines()):
        if not line.strip():
            continue
        owner = line.rsplit(" ", 1)[-1] if TOKEN_ENV in line else f"#other-{number}"
        lines[owner] = line
    return lines


# -- files and commands -------------------------------------------------------------------------


def write_private(path: Path, text: str, mode: int, owner: str) -> None:
    """Write `text` whole (a temp file renamed over), `mode`, owned by `owner` with its folder."""
    user = pwd.getpwnam(owner)
    folder = path.parent
    made = not folder.exists()
    folder.mkdir(parents=True, exist_ok=True)
    if folder.name == ".ssh":  # sshd's StrictModes: the owner's, 0700
        os.chown(folder, user.pw_uid, user.pw_gid)
        folder.chmod(0o700)
    elif made:
        folder.chmod(0o755)  # /etc/ce-tutor: learners' apps read the class config
    temporary = folder / f".{path.name}.ce-tutor-new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.chown(temporary, user.pw_uid, user.pw_gid)
    os.chmod(temporary, mode)
    os.replace(temporary, path)


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        raise RosterError(
            _("{command} failed: {error}").format(
                command=shlex.join(command), error=done.stderr.strip() or done.stdout.strip()
            )
        )


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return ""


def _mode(path: Path) -> int | None:
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        return None


def account_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def group_exists(group: str) -> bool:
    try:
        grp.getgrnam(group)
    except KeyError:
        return False
    return True


def _in_group(name: str, group: str) -> bool:
    return name in accounts_in(group)
