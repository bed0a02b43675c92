"""Who is asking: the learner behind a connection, told by the kernel, never by the request.

A class's service records grades, so the name it records under must be one
the learner cannot choose. The kernel tells the service the uid of the
process at the other end of the Unix socket (`SO_PEERCRED`):

- set-up A (one account per learner): the learner is the account's name;
- set-up B (one shared account, one ssh key per learner): every learner has
  the same uid, so the admin gives each key a token in a file only root
  reads (`token learner` per line) and puts the token in the key's forced
  command (`CE_TUTOR_LEARNER_TOKEN=…`). A token is accepted only from a
  shared account's uid, and a shared account without a valid token is
  refused. Why this design: docs/class-trust.md.
"""

from __future__ import annotations

import hmac
import os
import pwd
import socket
import stat
import struct
from dataclasses import dataclass, field
from pathlib import Path

from tutor.grading.protocol import GradingFailed
from tutor.i18n import _
from tutor.progress.identity import TOKEN_ENV  # a learner's token on a shared account

TOKENS_FILE = Path("/etc/ce-tutor/learner-tokens")  # root-only: `token learner` per line
MIN_TOKEN = 16  # characters: a token shorter than this is refused when the file is read


@dataclass(frozen=True)
class Peer:
    """The process at the other end of a connection, as the kernel saw it connect."""

    pid: int
    uid: int
    gid: int


def peer_of(connection: socket.socket) -> Peer:
    """`SO_PEERCRED` of a connected Unix socket."""
    creds = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
    pid, uid, gid = struct.unpack("3i", creds)
    return Peer(pid, uid, gid)


def account_name(uid: int) -> str:
    """The account's name (set-up A's learner); a uid with no account is refused."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        raise GradingFailed(
            _("uid {uid} has no account on this machine").format(uid=uid), "refused"
        ) from None


@dataclass
class Identities:
    """Maps a peer (and, for a shared account, its token) to the learner it is."""

    shared_uids: frozenset[int] = frozenset()
    tokens: dict[str, str] = field(default_factory=dict)  # token -> learner

    def learner(self, peer: Peer, token: str | None) -> str:
        """The learner to record under; GradingFailed("refused") if there is none."""
        if peer.uid not in self.shared_uids:
            return account_name(peer.uid)  # whatever token or name the request carries
        if token:
            for known, learner in self.tokens.items():
                if hmac.compare_digest(known.encode(), token.encode()):
                    return learner
        raise GradingFailed(
            _(
                "this account is shared by a class: the learner's ssh key must give a token "
                "({name}); ask the teacher"
            ).format(name=TOKEN_ENV),
            "refused",
        )


def load_identities(shared_accounts: list[str], tokens_file: Path | None) -> Identities:
    """The service's map, read once at start; a tokens file others can read is refused.

    `tokens_file` None: the default place (TOKENS_FILE).
    """
    uids = set()
    for name in shared_accounts:
        try:
            uids.add(pwd.getpwnam(name).pw_uid)
        except KeyError:
            raise GradingFailed(
                _("no account `{name}` on this machine").format(name=name), "request"
            ) from None
    # tokens name learners of a shared account only: without one there is nothing to read
    tokens = read_tokens(tokens_file or TOKENS_FILE) if shared_accounts else {}
    return Identities(frozenset(uids), tokens)


def read_tokens(path: Path) -> dict[str, str]:
    """`token learner` per line (`#` comments); the file must be private to its owner."""
    try:
        info = path.stat()
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise GradingFailed(
            _("cannot read the learner tokens {path}: {error}").format(path=path, error=error),
            "request",
        ) from None
    if stat.S_IMODE(info.st_mode) & 0o077 or info.st_uid not in (0, os.geteuid()):
        raise GradingFailed(
            _("{path} must be readable by its owner only (chmod 600, owned by root)").format(
                path=path
            ),
            "request",
        )
    tokens: dict[str, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        words = line.split("#", 1)[0].split()
        if not words:
            continue
        if len(words) != 2 or len(words[0]) < MIN_TOKEN:
            raise GradingFailed(
                _(
                    "{path}:{line}: expected `TOKEN LEARNER` with a token of at least "
                    "{size} characters (`openssl rand -hex 16` makes one)"
                ).format(path=path, line=number, size=MIN_TOKEN),
                "request",
            )
        tokens[words[0]] = words[1]
    return tokens
