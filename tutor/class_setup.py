"""`ce-tutor class init`: the class config, the service's unit and the sshd block, written once.

The README's class recipe, as files: `/etc/ce-tutor/class.toml` (which pack,
socket, editor, log, group or shared account), the systemd unit that runs
`ce-tutor serve` as root, and `/etc/ssh/sshd_config.d/ce-tutor.conf` with the
learners' `Match` block. The README prints `unit_text` and `sshd_block` for
`/opt/ce-tutor` (a test holds them equal), and `tests/e2e_ssh` runs what
`class init` writes. A database URL goes to `/etc/ce-tutor/db.env` (root's,
read by the unit), never into the class config, which learners' apps read.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from tutor.class_config import CLASS_SOCKET, DEFAULT_CONFIG
from tutor.i18n import _
from tutor.roster import Plan, account_exists, group_exists

UNIT = Path("/etc/systemd/system/ce-tutor.service")
SSHD_DROP_IN = Path("/etc/ssh/sshd_config.d/ce-tutor.conf")
REQUEST_LOG = Path("/var/log/ce-tutor/requests.jsonl")
DB_ENV = Path("/etc/ce-tutor/db.env")  # CE_TUTOR_DB for the service, root's alone (0600)
RESTRICTED_EDITORS = ("rnano", "rvim")  # the first installed is the class's editor


@dataclass
class ClassSetup:
    """What the admin chose; everything else has the README's defaults."""

    ce_tutor: str  # the install's `ce-tutor` (learners run it: it must be reachable)
    pack: Path | None = None  # None: the built-in course
    group: str = "students"  # set-up A
    shared_account: str | None = None  # set-up B instead
    socket: Path = CLASS_SOCKET
    request_log: Path = REQUEST_LOG
    editor: str | None = None  # None: the first restricted editor installed, else built-in
    db: str | None = None


# systemd's sandboxing of the service (`doctor --class` checks it): the whole file system
# read-only but its state, runtime and log folders; learners' homes out of sight; a /tmp of
# its own. Code a learner sends runs in the service's sandbox; this bounds what the service
# itself could touch if that sandbox failed.
HARDENING = {"ProtectSystem": "strict", "ProtectHome": "yes", "PrivateTmp": "yes"}
HOMES = (Path("/home"), Path("/root"))


def unit_text(ce_tutor: str, group: str, pack: Path | None = None) -> str:
    """The systemd unit: root's service, its socket for the class's group only.

    A pack kept under /home or /root stays readable (`ProtectHome=read-only`).
    """
    hardening = dict(HARDENING)
    if pack is not None and any(pack.is_relative_to(home) for home in HOMES):
        hardening["ProtectHome"] = "read-only"
    lines = "".join(f"{key}={value}\n" for key, value in hardening.items())
    return f"""[Unit]
Description=ce-tutor grading service
Before=ssh.service
[Service]
ExecStart={ce_tutor} serve --mode 660 --group {group}
Environment=CE_TUTOR_DB=/var/lib/ce-tutor/progress.sqlite3 CE_TUTOR_HOME=/var/lib/ce-tutor
EnvironmentFile=-/etc/ce-tutor/db.env
RuntimeDirectory=ce-tutor
StateDirectory=ce-tutor
LogsDirectory=ce-tutor
UMask=0077
{lines}Restart=on-failure
RestartSec=2
[Install]
WantedBy=multi-user.target
"""


def sshd_block(ce_tutor: str, group: str | None, shared_account: str | None = None) -> str:
    """The learners' sshd settings: the tutor as their only program, nothing forwarded.

    Set-up B's keys carry their own forced command (with the learner's
    token), so its block forces nothing but still closes the rest.
    """
    if shared_account:
        head = f"Match User {shared_account}\n"
    else:
        head = f"Match Group {group}\n    ForceCommand {ce_tutor}\n"
    return head + (
        "    DisableForwarding yes\n"
        "    PermitUserRC no\n"
        "    ClientAliveInterval 15\n"
        "    ClientAliveCountMax 4\n"
    )


def config_text(setup: ClassSetup, editor: str | None) -> str:
    lines = [f'grading_socket = "{setup.socket}"']
    if editor:
        lines.append(f'editor = "{editor}"')
    if setup.pack is not None:
        lines.append(f'pack = "{setup.pack}"')
    lines.append(f'request_log = "{setup.request_log}"')
    if setup.shared_account:
        lines.append(f'shared_account = "{setup.shared_account}"')
    else:
        lines.append(f'group = "{setup.group}"')
    return "\n".join(lines) + "\n"


def plan_init(setup: ClassSetup, root: Path = Path("/")) -> Plan:
    """The files to write (under `root`, for a dry run elsewhere) and accounts to make."""
    plan = Plan()
    editor = setup.editor or next((e for e in RESTRICTED_EDITORS if shutil.which(e)), None)
    group = setup.shared_account or setup.group
    if setup.shared_account and not account_exists(group):
        plan.commands.append(["adduser", "--disabled-password", "--gecos", "", group])
    elif not setup.shared_account and not group_exists(group):
        plan.commands.append(["addgroup", group])
    files = {
        # learners' apps read it (editor, socket): the database URL never goes in it
        DEFAULT_CONFIG: (config_text(setup, editor), 0o644),
        UNIT: (unit_text(setup.ce_tutor, group, setup.pack), 0o644),
        SSHD_DROP_IN: (
            sshd_block(setup.ce_tutor, setup.group, setup.shared_account) + "Match all\n",
            0o644,
        ),
    }
    if setup.db:
        files[DB_ENV] = (f'CE_TUTOR_DB="{setup.db}"\n', 0o600)
    for path, (text, mode) in files.items():
        target = root / path.relative_to("/")
        try:
            same = target.read_text(encoding="utf-8") == text
        except OSError:  # absent, or root's alone under --dry-run: planned as a write
            same = False
        if not same:
            plan.files[target] = (text, mode, "root")
    if editor is None:
        plan.notes.append(
            _("no restricted editor installed (rnano, rvim): the built-in editor only")
        )
    return plan
