"""`ce-tutor doctor --class`: the class's set-up checked the way a learner and sshd see it.

Run as root. Each check is done as the learner's account where that is what
matters (`runuser`): can they run the install, read the class config, reach
the service (of this version), and not read the pack, the store, the tokens
or the request log? And as sshd would apply it to them (`sshd -T -C
user=…`): the forced command, nothing forwarded, no `~/.ssh/rc`, a
keep-alive that ends a frozen session. `ce-tutor doctor` then adds the
service-side checks (store, pack modes, what a run sees).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tutor.class_config import ClassConfig
from tutor.doctor import Check, Outcome
from tutor.grading.peer import TOKENS_FILE
from tutor.i18n import N_, _

SSHD = shutil.which("sshd") or "/usr/sbin/sshd"
PROBE = """
import json, sys
from tutor import __version__
from tutor.grading.client import GradingClient
client = GradingClient(socket_path=sys.argv[1])
about = client.ping()
print(json.dumps({"version": __version__, "class_pack": about.get("class_pack")}))
"""


# the checks' names, for the catalog: they are translated where printed (doctor.format_check)
CHECK_NAMES = (
    N_("class"), N_("class: learner"), N_("class: install"), N_("class: service"),
    N_("class: the class's pack"), N_("class: the request log"), N_("class: the learner tokens"),
    N_("class: the store"), N_("class: sshd"), N_("class: sshd forced command"),
    N_("class: sshd forwarding"), N_("class: sshd user rc"), N_("class: sshd keep-alive"),
    N_("class: service hardening"),
)  # fmt: skip


def class_checks(
    config: ClassConfig,
    learner: str | None = None,
    sshd_config: Path | None = None,
    unit: Path | None = None,
) -> list[Check]:
    if os.geteuid() != 0:
        return [Check("class", Outcome.FAIL, _("doctor --class checks as each account: run it as root"),
                      "sudo ce-tutor doctor --class")]  # fmt: skip
    learner = learner or _a_learner(config)
    if learner is None:
        return [Check("class: learner", Outcome.FAIL, _("no learner to check as (the class is empty)"),
                      _("ce-tutor class add learners.csv, or --learner NAME"))]  # fmt: skip
    checks = [_runs_the_install(learner), _reaches_the_service(config, learner)]
    checks += _cannot_read(config, learner)
    checks += sshd_checks(learner, config, sshd_config)
    checks.append(service_hardening(unit))
    return checks


def _a_learner(config: ClassConfig) -> str | None:
    if config.shared_account:
        return config.shared_account
    from tutor.roster import accounts_in

    members = accounts_in(config.group)
    return members[0] if members else None


def _as(learner: str, *command: str) -> subprocess.CompletedProcess:
    return subprocess.run(["runuser", "-u", learner, "--", *command], capture_output=True,
                          text=True, timeout=120, cwd="/")  # fmt: skip


def _runs_the_install(learner: str) -> Check:
    ce_tutor = str(Path(sys.executable).with_name("ce-tutor"))
    done = _as(learner, ce_tutor, "--version")
    if done.returncode != 0:
        return Check("class: install", Outcome.FAIL,
                     _("{learner} cannot run {program}: {error}").format(
                         learner=learner, program=ce_tutor, error=(done.stderr or done.stdout).strip()),
                     _("make the venv from a Python every account can run: /usr/bin/python3 -m venv"))  # fmt: skip
    return Check("class: install", Outcome.OK,
                 _("{learner} runs {program}").format(learner=learner, program=ce_tutor))  # fmt: skip


def _reaches_the_service(config: ClassConfig, learner: str) -> Check:
    import json

    from tutor import __version__

    done = _as(learner, sys.executable, "-c", PROBE, str(config.grading_socket))
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or [_("no answer")])[-1]
        return Check("class: service", Outcome.FAIL,
                     _("{learner} cannot reach {socket}: {error}").format(
                         learner=learner, socket=config.grading_socket, error=last),
                     _("systemctl status ce-tutor; the socket's --mode/--group must let the class in"))  # fmt: skip
    about = json.loads(done.stdout.strip().splitlines()[-1])
    if about["version"] != __version__:
        return Check("class: service", Outcome.FAIL,
                     _("{learner} runs ce-tutor {version}").format(learner=learner, version=about["version"]))  # fmt: skip
    pack = about.get("class_pack") or _("the built-in course")
    return Check("class: service", Outcome.OK,
                 _("{learner} reaches {socket}, which serves {pack}").format(
                     learner=learner, socket=config.grading_socket, pack=pack))  # fmt: skip


def _cannot_read(config: ClassConfig, learner: str) -> list[Check]:
    from tutor.progress.store import store_location

    secrets = {"the class's pack": config.pack, "the request log": config.request_log,
               "the learner tokens": TOKENS_FILE}  # fmt: skip
    location = store_location(None, config.db)
    if isinstance(location, Path):
        secrets["the store"] = location
    checks = []
    for what, path in secrets.items():
        if path is None or not Path(path).exists():
            continue
        readable = _as(learner, "test", "-r", str(path)).returncode == 0
        if Path(path).is_dir():
            readable = readable or _as(learner, "test", "-x", str(path)).returncode == 0
        checks.append(
            Check(
                f"class: {what}",
                Outcome.FAIL,
                _("{learner} can read {path}").format(learner=learner, path=path),
                f"chown -R root: {path}; chmod -R go-rwx {path}",
            )  # fmt: skip
            if readable
            else Check(
                f"class: {what}",
                Outcome.OK,
                _("{path} is closed to {learner}").format(path=path, learner=learner),
            )  # fmt: skip
        )
    return checks


def sshd_checks(learner: str, config: ClassConfig, sshd_config: Path | None) -> list[Check]:
    """What sshd applies to the learner's connections, from `sshd -T -C user=…`."""
    command = [SSHD, "-T", "-C", f"user={learner},host=localhost,addr=127.0.0.1"]
    if sshd_config is not None:
        command[1:1] = ["-f", str(sshd_config)]
    done = subprocess.run(command, capture_output=True, text=True, timeout=30)
    if done.returncode != 0:
        return [Check("class: sshd", Outcome.FAIL,
                      _("sshd -T failed: {error}").format(error=done.stderr.strip()[:200]),
                      _("sshd -t shows the problem"))]  # fmt: skip
    return judge_sshd(parse_sshd_t(done.stdout), config)


def parse_sshd_t(text: str) -> dict[str, str]:
    settings: dict[str, str] = {}
    for line in text.splitlines():
        key, _sep, value = line.partition(" ")
        settings.setdefault(key.lower(), value.strip())
    return settings


def judge_sshd(settings: dict[str, str], config: ClassConfig) -> list[Check]:
    """The learner's effective sshd settings against what the class needs."""
    wanted = Path(sys.executable).with_name("ce-tutor")
    checks = []
    forced = settings.get("forcecommand", "none")
    if config.shared_account:
        checks.append(Check("class: sshd forced command", Outcome.OK,
                            _("set-up B: each key's command= runs the tutor")))  # fmt: skip
    elif forced.split()[:1] == [str(wanted)]:
        checks.append(Check("class: sshd forced command", Outcome.OK, forced))
    else:
        checks.append(Check("class: sshd forced command", Outcome.FAIL,
                            _("ForceCommand is {value}: a learner gets a shell").format(value=repr(forced)),
                            _("ce-tutor class init writes /etc/ssh/sshd_config.d/ce-tutor.conf")))  # fmt: skip
    forwarding = all(settings.get(k, "yes") == "no" for k in
                     ("allowtcpforwarding", "x11forwarding", "allowagentforwarding",
                      "allowstreamlocalforwarding"))  # fmt: skip
    checks.append(
        Check("class: sshd forwarding", Outcome.OK, _("nothing forwarded"))
        if forwarding or settings.get("disableforwarding") == "yes"
        else Check(
            "class: sshd forwarding",
            Outcome.FAIL,
            _("forwarding is allowed"),
            _("DisableForwarding yes in the class's Match block"),
        )  # fmt: skip
    )
    checks.append(
        Check("class: sshd user rc", Outcome.OK, _("~/.ssh/rc is not run"))
        if settings.get("permituserrc") == "no"
        else Check(
            "class: sshd user rc",
            Outcome.FAIL,
            _("~/.ssh/rc runs before the tutor"),
            _("PermitUserRC no in the class's Match block"),
        )  # fmt: skip
    )
    alive = int(settings.get("clientaliveinterval", "0") or 0)
    checks.append(
        Check(
            "class: sshd keep-alive",
            Outcome.OK,
            _("a frozen session ends after {seconds} s").format(
                seconds=alive * int(settings.get("clientalivecountmax", "3"))
            ),
        )
        if alive > 0
        else Check(
            "class: sshd keep-alive",
            Outcome.WARN,
            _("a frozen laptop keeps its app running"),
            _("ClientAliveInterval 15 in the class's Match block"),
            essential=False,
        )  # fmt: skip
    )
    return checks


def service_hardening(unit: Path | None = None) -> Check:
    """systemd's sandbox of the service: as systemd applies it, else as the unit file says."""
    from tutor.class_setup import UNIT

    name = "class: service hardening"
    settings = _systemd_settings() if unit is None else None
    if settings is None:
        unit = unit or UNIT
        try:
            settings = parse_unit(unit.read_text(encoding="utf-8"))
        except OSError:
            return Check(name, Outcome.WARN,
                         _("no systemd unit at {path}: the service's sandboxing is not checked").format(path=unit),
                         _("ce-tutor class init writes it"), essential=False)  # fmt: skip
    missing = weak_hardening(settings)
    if missing:
        return Check(name, Outcome.FAIL,
                     _("the service runs without {settings}").format(settings=", ".join(missing)),
                     _("ce-tutor class init writes the unit with them"))  # fmt: skip
    return Check(name, Outcome.OK, ", ".join(f"{k}={settings[k]}" for k in ("ProtectSystem",
                 "ProtectHome", "PrivateTmp")))  # fmt: skip


def weak_hardening(settings: dict[str, str]) -> list[str]:
    """The hardening settings missing or weaker than the unit `class init` writes."""
    from tutor.class_setup import HARDENING

    truthy = {"yes", "true", "on", "1"}
    wanted = {
        "ProtectSystem": lambda v: v == "strict",
        "ProtectHome": lambda v: v in truthy | {"read-only", "tmpfs"},
        "PrivateTmp": lambda v: v in truthy,
    }
    return [
        f"{key}={HARDENING[key]}"
        for key, good in wanted.items()
        if not good(settings.get(key, "").strip().lower())
    ]


def parse_unit(text: str) -> dict[str, str]:
    """A unit file's `[Service]` settings (the last of a repeated one wins, as in systemd)."""
    settings: dict[str, str] = {}
    section = ""
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            section = line
        elif section == "[Service]" and "=" in line and not line.startswith(("#", ";")):
            key, _sep, value = line.partition("=")
            settings[key.strip()] = value.strip()
    return settings


def _systemd_settings() -> dict[str, str] | None:
    """The service's effective settings (drop-ins included), when systemd runs this machine."""
    if not Path("/run/systemd/system").is_dir() or shutil.which("systemctl") is None:
        return None
    keys = ["-p", "ProtectSystem", "-p", "ProtectHome", "-p", "PrivateTmp", "-p", "LoadState"]
    done = subprocess.run(["systemctl", "show", "ce-tutor.service", *keys],
                          capture_output=True, text=True, timeout=30)  # fmt: skip
    settings = dict(line.split("=", 1) for line in done.stdout.splitlines() if "=" in line)
    return settings if done.returncode == 0 and settings.get("LoadState") == "loaded" else None
