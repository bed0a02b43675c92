"""`ce-tutor class init`: the README's recipe as files, written once, under a test root."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor import doctor
from tutor.class_config import load_class_config
from tutor.class_setup import sshd_block, unit_text
from tutor.cli import cli
from tutor.doctor import Check, Outcome

README = Path(__file__).resolve().parents[2] / "README.md"


@pytest.fixture(autouse=True)
def usable_install(monkeypatch):
    """The test venv's Python is pyenv's, under /root: the real check would refuse it."""
    ok = Check("install", Outcome.OK, "runs")
    monkeypatch.setattr(doctor, "check_install_reachable", lambda *a: ok)


def init(root: Path, *args: str, code: int = 0):
    result = CliRunner().invoke(cli, ["class", "init", "--root", str(root), *args])
    assert result.exit_code == code, result.output
    return result


def test_init_writes_the_config_the_unit_and_the_sshd_block_once(tmp_path) -> None:
    root, pack = tmp_path / "root", tmp_path / "course"
    from tutor.pack.starter import write_starter_pack

    write_starter_pack(pack)
    dry = init(root, "--pack", str(pack), "--group", "users", "--dry-run")
    assert "would write: " + str(root / "etc/ce-tutor/class.toml") in dry.stdout
    assert not root.exists()  # a dry run writes nothing
    init(root, "--pack", str(pack), "--group", "users", "--editor", "rnano")
    config = load_class_config(root / "etc/ce-tutor/class.toml")
    assert config is not None
    assert (config.pack, config.group, config.editor) == (pack.resolve(), "users", ("rnano",))
    assert str(config.request_log) == "/var/log/ce-tutor/requests.jsonl"
    assert (root / "etc/ce-tutor").stat().st_mode & 0o777 == 0o755  # learners' apps read it
    ce_tutor = str(Path(__import__("sys").executable).with_name("ce-tutor"))
    unit = (root / "etc/systemd/system/ce-tutor.service").read_text()
    assert unit == unit_text(ce_tutor, "users")
    block = (root / "etc/ssh/sshd_config.d/ce-tutor.conf").read_text()
    assert block.startswith(f"Match Group users\n    ForceCommand {ce_tutor}\n")
    assert block.endswith("Match all\n")  # the main sshd_config's later lines apply to all again
    again = init(root, "--pack", str(pack), "--group", "users", "--editor", "rnano")
    assert "nothing to change" in again.stdout


def test_a_shared_account_set_up_forces_nothing_in_sshd_and_names_the_account(tmp_path) -> None:
    root = tmp_path / "root"
    dry = init(root, "--shared-account", "cetnobody9", "--dry-run")
    assert "would run: adduser --disabled-password --gecos '' cetnobody9" in dry.stdout
    init(root, "--shared-account", "root")  # an account that exists: nothing to make
    block = (root / "etc/ssh/sshd_config.d/ce-tutor.conf").read_text()
    assert block.startswith("Match User root\n") and "ForceCommand" not in block
    assert load_class_config(root / "etc/ce-tutor/class.toml").shared_account == "root"


def test_init_refuses_an_editor_with_a_shell_and_a_bad_name(tmp_path) -> None:
    assert "learners would get a shell" in init(tmp_path, "--editor", "vi", code=2).stderr
    assert "not a usable" in init(tmp_path, "--group", "Bad Name", code=2).stderr


def test_init_refuses_an_install_learners_cannot_run(tmp_path, monkeypatch) -> None:
    closed = Check("install", Outcome.FAIL, "learners cannot run /root/x", "use /usr/bin/python3")
    monkeypatch.setattr(doctor, "check_install_reachable", lambda *a: closed)
    refused = init(tmp_path, code=2)
    assert "learners cannot run /root/x" in refused.stderr and not (tmp_path / "etc").exists()


def test_the_readme_prints_what_init_writes() -> None:
    """The README's unit and sshd block are init's, for /opt/ce-tutor and the group students."""
    text = README.read_text(encoding="utf-8")
    ce_tutor = "/opt/ce-tutor/bin/ce-tutor"
    assert unit_text(ce_tutor, "students") in text
    assert sshd_block(ce_tutor, "students") + "Match all\n" in text


def test_a_database_url_goes_to_a_root_only_file_never_into_the_class_config(tmp_path) -> None:
    root = tmp_path / "root"
    url = "postgresql://srv1:secret@db.example.org/class?sslmode=verify-full"
    result = CliRunner().invoke(cli, ["class", "init", "--root", str(root), "--group", "users"],
                                env={"CE_TUTOR_DB": url})  # fmt: skip
    assert result.exit_code == 0, result.output
    config = root / "etc/ce-tutor/class.toml"
    assert "secret" not in config.read_text() and config.stat().st_mode & 0o777 == 0o644
    env = root / "etc/ce-tutor/db.env"
    assert env.read_text() == f'CE_TUTOR_DB="{url}"\n' and env.stat().st_mode & 0o777 == 0o600
    assert (
        "EnvironmentFile=-/etc/ce-tutor/db.env"
        in (root / "etc/systemd/system/ce-tutor.service").read_text()
    )


def test_instructor_commands_read_the_services_db_env_on_a_class_machine(
    tmp_path, monkeypatch
) -> None:
    from tutor import class_setup
    from tutor.progress.store import Attempt, ProgressStore

    store = tmp_path / "class.sqlite3"
    with ProgressStore(store) as opened:
        opened.record_attempt(Attempt("dana", "ce-tutor-builtin", "1", "l", "e", "", "correct", 1))
    env = tmp_path / "db.env"
    env.write_text(f'CE_TUTOR_DB="{store}"\n')
    monkeypatch.setattr(class_setup, "DB_ENV", env)
    (tmp_path / "class.toml").write_text("")
    monkeypatch.setenv("CE_TUTOR_CLASS_CONFIG", str(tmp_path / "class.toml"))
    monkeypatch.delenv("CE_TUTOR_DB", raising=False)
    shown = CliRunner().invoke(cli, ["export", "--format", "csv"])
    assert shown.exit_code == 0, shown.output
    assert f"reading {store}" in shown.stderr and "dana" in shown.stdout


def test_the_unit_sandboxes_the_service_and_doctor_fails_without_it(tmp_path) -> None:
    """ProtectSystem/ProtectHome/PrivateTmp are written, verified by systemd, checked by doctor."""
    import shutil
    import subprocess

    from tutor.doctor_class import service_hardening

    root = tmp_path / "root"
    init(root, "--group", "users")
    unit = root / "etc/systemd/system/ce-tutor.service"
    text = unit.read_text()
    for line in ("ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes"):
        assert f"\n{line}\n" in text
    if shutil.which("systemd-analyze"):  # systemd's own reading of the unit: no complaint
        verified = subprocess.run(["systemd-analyze", "verify", str(unit)],
                                  capture_output=True, text=True, timeout=60)  # fmt: skip
        complaints = [line for line in verified.stderr.splitlines() if str(unit) in line]
        assert verified.returncode == 0 and not complaints, verified.stderr
    assert service_hardening(unit).outcome is Outcome.OK
    unit.write_text(text.replace("ProtectHome=yes\n", "").replace("=strict", "=full"))
    weakened = service_hardening(unit)
    assert weakened.outcome is Outcome.FAIL
    assert "ProtectSystem=strict" in weakened.detail and "ProtectHome=yes" in weakened.detail
    assert "PrivateTmp" not in weakened.detail
    absent = service_hardening(tmp_path / "no.service")
    assert absent.outcome is Outcome.WARN and "not checked" in absent.detail


def test_a_pack_under_home_stays_readable_to_the_service() -> None:
    assert "ProtectHome=read-only" in unit_text("/opt/x/bin/ce-tutor", "s", Path("/home/t/course"))
    assert "ProtectHome=yes" in unit_text("/opt/x/bin/ce-tutor", "s", Path("/srv/course"))
