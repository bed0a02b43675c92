"""The class config and its refusals: no private service, no shell editor, no password in argv."""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor import class_config
from tutor.class_config import (
    ClassConfig,
    ClassConfigError,
    class_socket,
    editor_escape,
    load_class_config,
    password_in_url,
)
from tutor.cli import cli
from tutor.doctor import Outcome, check_class_config, check_class_editor, check_grading_service
from tutor.progress.store import ProgressStore


@pytest.fixture
def config_file(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "class.toml"
    monkeypatch.setenv(class_config.CONFIG_ENV, str(path))
    monkeypatch.delenv(class_config.SOCKET_ENV, raising=False)
    monkeypatch.setattr(class_config, "CLASS_SOCKET", tmp_path / "no-default.sock")
    return path


def test_no_config_no_socket_is_not_a_class(config_file) -> None:
    assert load_class_config() is None
    assert class_socket(None, None) is None  # a private service, as on a laptop


def test_a_config_file_means_a_class_even_while_its_socket_is_absent(config_file) -> None:
    config_file.write_text('editor = "nano --restricted"\npack = "/srv/course"\n')
    config = load_class_config()
    assert config is not None and config.editor == ("nano", "--restricted")
    assert config.pack == Path("/srv/course")
    assert not config.grading_socket.exists()
    assert class_socket(None, config) == config.grading_socket  # waits for it; never private
    config_file.write_text('grading_socket = "/run/elsewhere.sock"\n')
    config = load_class_config()
    assert config.editor is None  # no editor named: the built-in one only
    assert class_socket(None, config) == Path("/run/elsewhere.sock")
    assert class_socket("/given.sock", config) == Path("/given.sock")


def test_the_machines_socket_alone_also_means_a_class(config_file, tmp_path) -> None:
    default = tmp_path / "no-default.sock"
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind(str(default))
        assert class_socket(None, None) == default


@pytest.mark.parametrize(
    "text", ['editor = "vi"\nunknown = "x"\n', "editor = [1]\n", "editor = \n"]
)
def test_a_config_that_says_something_unusable_is_refused(config_file, text) -> None:
    config_file.write_text(text)
    with pytest.raises(ClassConfigError):
        load_class_config()


def test_an_unreadable_config_is_still_a_class_with_safe_defaults(config_file, monkeypatch) -> None:
    config_file.write_text('editor = "vi"\n')

    def refused(self):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Path, "read_bytes", refused)
    config = load_class_config()
    assert config is not None and not config.readable and config.editor is None


@pytest.mark.parametrize(
    ("command", "escapes"),
    [
        (("vi",), True),
        (("vim",), True),
        (("/usr/bin/nvim",), True),
        (("emacs", "-nw"), True),
        (("nano",), True),
        (("nano", "--restricted"), False),
        (("nano", "-R"), False),
        (("rnano",), False),
        (("rvim",), False),
        (("vim", "-Z"), False),
        (("sh", "-c", "vi"), True),
    ],
)
def test_which_editors_can_start_a_shell(command, escapes) -> None:
    assert (editor_escape(command) is not None) == escapes


def test_passwords_are_found_in_database_urls() -> None:
    assert password_in_url("postgresql://ce:secret@db.example.org/class")
    assert not password_in_url("postgresql://ce@db.example.org/class")
    assert not password_in_url("postgresql:///class?host=/run/postgresql")
    assert not password_in_url("/home/ada/progress.sqlite3")
    assert not password_in_url(None)


# the command line


def test_a_password_in_argv_is_refused_and_told_where_to_go(config_file) -> None:
    url = "postgresql://ce:secret@db.example.org/class"
    result = CliRunner().invoke(cli, ["--db", url, "list"])
    assert result.exit_code == 2
    assert "CE_TUTOR_DB" in result.output and str(config_file) in result.output
    assert "secret" not in result.output and "Traceback" not in result.output


def test_a_password_from_the_environment_or_the_config_is_accepted(config_file) -> None:
    url = "postgresql://ce:secret@db.example.org/class"
    assert CliRunner().invoke(cli, ["list"], env={"CE_TUTOR_DB": url}).exit_code == 0
    config_file.write_text(f'db = "{url}"\n')
    config_file.chmod(0o600)
    assert CliRunner().invoke(cli, ["list"]).exit_code == 0


def test_a_password_free_url_or_a_file_in_argv_is_fine(config_file, tmp_path) -> None:
    db = tmp_path / "grades.sqlite3"
    ProgressStore(db).close()  # progress reads a store; it never makes an empty one
    result = CliRunner().invoke(cli, ["--db", str(db), "progress", "--json"])
    assert result.exit_code == 0, result.output


# doctor


def _installed(tmp_path, monkeypatch, *names: str) -> None:
    """Editors on PATH as empty scripts: the check must not depend on this machine's."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    for name in names:
        program = folder / name
        program.write_text("#!/bin/sh\n")
        program.chmod(0o755)
    monkeypatch.setenv("PATH", str(folder))


@pytest.mark.parametrize(
    ("command", "outcome"),
    [
        (None, Outcome.OK),
        (("rnano",), Outcome.OK),
        (("nano", "--restricted"), Outcome.OK),
        (("nano",), Outcome.FAIL),
        (("vi",), Outcome.FAIL),
        (("vim",), Outcome.FAIL),
        (("emacs",), Outcome.FAIL),
        (("rvim",), Outcome.FAIL),  # restricted, but not installed here
    ],
)
def test_doctor_fails_an_editor_that_escapes_or_is_missing(
    tmp_path, monkeypatch, command, outcome
) -> None:
    _installed(tmp_path, monkeypatch, "rnano", "nano", "vi", "vim", "emacs")
    check = check_class_editor(command)
    assert check.outcome is outcome, check
    if outcome is Outcome.FAIL:
        assert check.blocking and check.fix


def test_doctor_fails_a_class_whose_socket_is_not_answering(tmp_path) -> None:
    config = ClassConfig(path=tmp_path / "class.toml", grading_socket=tmp_path / "absent.sock")
    check = check_grading_service(None, config)
    assert check.outcome is Outcome.FAIL and check.blocking
    assert "not answering" in check.detail and "wait" in check.fix


def test_doctor_fails_a_password_others_can_read(tmp_path) -> None:
    path = tmp_path / "class.toml"
    path.write_text("")
    config = ClassConfig(path=path, db="postgresql://ce:secret@db/class")
    path.chmod(0o644)
    failed = [c for c in check_class_config(config) if c.blocking]
    assert [c.name for c in failed] == ["class config: db"]
    path.chmod(0o600)
    assert not [c for c in check_class_config(config) if c.blocking]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_a_shared_accounts_learner_never_gets_a_private_service(config_file, monkeypatch, tmp_path):
    """A token from the key's forced command means set-up B: the class's service or nothing."""
    from tests.pack.helpers import CLEAN_LESSON, write_pack

    asked: dict[str, object] = {}

    class PrivateApp:  # reached only without a class socket: what must not happen
        def __init__(self, *args, grading=None, **kwargs):
            asked["socket"] = grading.socket_path

        def run(self, mouse: bool) -> None:
            pass

    monkeypatch.setattr("tutor.app.tutor_app.TutorApp", PrivateApp)

    def join_class(socket_path, pack_dir):
        asked["socket"] = socket_path
        raise SystemExit(0)  # no service in this test: stop before the TUI

    monkeypatch.setattr("tutor.app.class_progress.open_class", join_class)
    monkeypatch.setattr("tutor.cli._need_a_terminal", lambda: None)
    monkeypatch.setenv("CE_TUTOR_LEARNER_TOKEN", "3f9a")
    root = write_pack(tmp_path / "p", {"01-a.md": CLEAN_LESSON})
    CliRunner().invoke(cli, [str(root)])
    assert asked["socket"] == class_config.CLASS_SOCKET
