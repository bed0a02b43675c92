"""`ce-tutor` in a class starts only from the class's service: no store, no pack of its own."""

from __future__ import annotations

from click.testing import CliRunner

from tests.classroom.conftest import PACK_DIR
from tutor.cli import cli


def test_with_the_class_service_away_the_app_waits_then_says_so_and_opens_nothing(
    tmp_path, monkeypatch
) -> None:
    monkeypatch.setattr("tutor.cli._need_a_terminal", lambda: None)  # CliRunner has no tty
    monkeypatch.setattr("tutor.cli.CLASS_WAIT_S", 0.0)
    opened = []
    monkeypatch.setattr("tutor.cli._open_progress", lambda db: opened.append("store"))
    monkeypatch.setattr("tutor.cli._open_pack", lambda root: opened.append("pack"))
    monkeypatch.setenv("CE_TUTOR_DB", str(tmp_path / "progress.sqlite3"))
    away = tmp_path / "grading.sock"
    result = CliRunner().invoke(cli, ["--grading-socket", str(away), str(PACK_DIR)])
    assert result.exit_code == 2, result.output
    assert "is not answering" in result.output and str(away) in result.output
    assert opened == [] and not (tmp_path / "progress.sqlite3").exists()


def test_the_app_starts_from_the_class_service(class_service, monkeypatch) -> None:
    started = {}

    class FakeApp:
        return_code = 0

        def __init__(self, pack, learner, store=None, grading=None, editor=None, **preview):
            started.update(pack=pack, learner=learner, store=store, link=grading)

        def run(self, mouse: bool) -> None:
            pass

    monkeypatch.setattr("tutor.app.tutor_app.TutorApp", FakeApp)
    monkeypatch.setattr("tutor.cli._need_a_terminal", lambda: None)
    monkeypatch.setattr("tutor.cli._open_progress", lambda db: 1 / 0)
    sock = str(class_service.socket)
    result = CliRunner().invoke(cli, ["--grading-socket", sock, "--learner", "bob", str(PACK_DIR)])
    assert result.exit_code == 0, result.output
    assert started["learner"] != "bob"  # the service says who this is, not the command line
    assert started["link"].in_class and hasattr(started["store"], "served_packs")
    assert not started["pack"].lessons[0].exercise("ce-formula").answer
    started["store"].client.close()
