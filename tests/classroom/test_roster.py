"""`ce-tutor class add | remove | list`: learners in, learners out, twice the same is nothing new."""

from __future__ import annotations

import os
import pwd
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli
from tutor.grading.peer import TOKEN_ENV
from tutor.roster import (
    RosterError,
    plan_accounts,
    plan_remove_account,
    plan_remove_shared,
    plan_shared,
    read_learners,
    read_tokens,
)

KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIG5vdGFyZWFsa2V5bm90YXJlYWxrZXlub3Rh alice@laptop"
KEY_B = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGFub3RoZXJrZXlhbm90aGVya2V5YW5vdGhl bob@laptop"
root_only = pytest.mark.skipif(os.geteuid() != 0, reason="makes accounts: run as root")


def test_the_learners_file_is_read_with_its_errors_on_their_line() -> None:
    learners = read_learners(f"name,key\nalice,{KEY}\n\n# bob later\nbob,{KEY_B}\n")
    assert [(x.name, x.key) for x in learners] == [("alice", KEY), ("bob", KEY_B)]
    for text, message in [
        (f"Alice,{KEY}", "learners file:1: `Alice` is not a usable account name"),
        (f"alice,{KEY}\nbob,not a key", "learners file:2: the key of bob is not an OpenSSH"),
        (f"alice,{KEY}\nalice,{KEY_B}", "learners file:2: alice is listed twice"),
        ("alice", "learners file:1: expected `name,public key`"),
        (f"../etc,{KEY}", "is not a usable account name"),
    ]:
        with pytest.raises(RosterError) as error:
            read_learners(text)
        assert message in str(error.value)


def test_a_new_learner_is_planned_as_the_readme_recipe_does_it_by_hand() -> None:
    plan = plan_accounts(read_learners(f"cetnobody9,{KEY}"), "cetnogroup9")
    assert plan.commands == [
        ["addgroup", "cetnogroup9"],
        ["adduser", "--disabled-password", "--gecos", "", "cetnobody9"],
        ["adduser", "cetnobody9", "cetnogroup9"],
    ]
    keys = Path("/home/cetnobody9/.ssh/authorized_keys")
    assert plan.files == {keys: (KEY + "\n", 0o600, "cetnobody9")}
    with pytest.raises(RosterError, match="system account"):
        plan_accounts(read_learners(f"daemon,{KEY}"), "students")


@pytest.fixture
def config(tmp_path, monkeypatch):
    def write(text: str) -> None:
        path = tmp_path / "class.toml"
        path.write_text(text)
        monkeypatch.setenv("CE_TUTOR_CLASS_CONFIG", str(path))

    return write


@root_only
def test_accounts_are_added_idempotently_and_removed_keeping_the_account(tmp_path, config):
    name, group = f"cetr{os.getpid() % 100000}", f"cetg{os.getpid() % 100000}"
    learners = tmp_path / "learners.csv"
    learners.write_text(f"name,key\n{name},{KEY}\n")
    config(f'group = "{group}"\n')
    try:
        dry = CliRunner().invoke(cli, ["class", "add", str(learners), "--dry-run"])
        assert dry.exit_code == 0 and "would run: adduser --disabled-password" in dry.stdout
        with pytest.raises(KeyError):
            pwd.getpwnam(name)  # a dry run changes nothing
        added = CliRunner().invoke(cli, ["class", "add", str(learners)])
        assert added.exit_code == 0, added.output
        home = Path(pwd.getpwnam(name).pw_dir)
        keys = home / ".ssh" / "authorized_keys"
        assert keys.read_text() == KEY + "\n"
        for path, mode in ((home, 0o700), (keys.parent, 0o700), (keys, 0o600)):
            status = path.stat()
            assert status.st_mode & 0o777 == mode and status.st_uid == pwd.getpwnam(name).pw_uid
        again = CliRunner().invoke(cli, ["class", "add", str(learners)])
        assert "nothing to change" in again.stdout  # twice is once
        assert CliRunner().invoke(cli, ["class", "list"]).stdout.split() == [name]
        removed = CliRunner().invoke(cli, ["class", "remove", name])
        assert removed.exit_code == 0, removed.output
        assert keys.read_text() == "" and pwd.getpwnam(name)
        assert CliRunner().invoke(cli, ["class", "list"]).stdout.split() == []
    finally:
        subprocess.run(["deluser", "--remove-home", name], capture_output=True)
        subprocess.run(["delgroup", group], capture_output=True)


@root_only
def test_a_shared_account_gets_one_key_line_and_token_per_learner(tmp_path):
    account = f"cets{os.getpid() % 100000}"
    tokens_file = tmp_path / "etc" / "learner-tokens"
    subprocess.run(["adduser", "--disabled-password", "--gecos", "", account],
                   capture_output=True, check=True)  # fmt: skip
    try:
        learners = read_learners(f"alice,{KEY}\nbob,{KEY_B}")
        plan_shared(learners, account, "/opt/ce-tutor/bin/ce-tutor", tokens_file).apply()
        tokens = read_tokens(tokens_file)
        assert sorted(tokens.values()) == ["alice", "bob"]
        assert all(len(token) == 32 for token in tokens)
        assert tokens_file.stat().st_mode & 0o777 == 0o600 and tokens_file.stat().st_uid == 0
        home = Path(pwd.getpwnam(account).pw_dir)
        lines = (home / ".ssh" / "authorized_keys").read_text().splitlines()
        alice_token = next(t for t, n in tokens.items() if n == "alice")
        assert lines[0] == (f'command="{TOKEN_ENV}={alice_token} /opt/ce-tutor/bin/ce-tutor",'
                            f"restrict,pty {KEY} alice")  # fmt: skip
        # twice is once: the same tokens, nothing to write
        assert not plan_shared(learners, account, "/opt/ce-tutor/bin/ce-tutor", tokens_file).files
        plan_remove_shared("alice", account, tokens_file).apply()
        assert list(read_tokens(tokens_file).values()) == ["bob"]
        assert "alice" not in (home / ".ssh" / "authorized_keys").read_text()
        with pytest.raises(RosterError, match="no learner carol"):
            plan_remove_shared("carol", account, tokens_file)
    finally:
        subprocess.run(["deluser", "--remove-home", account], capture_output=True)


def test_remove_names_an_unknown_account() -> None:
    with pytest.raises(RosterError, match="no account cetnobody9"):
        plan_remove_account("cetnobody9", "students")
