"""The command-line contract of architecture.md."""

from __future__ import annotations

import json
from pathlib import Path

import click
from click.testing import CliRunner

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tests.symbolic.test_derivations import REQUIRED as REQUIRED_DERIVATIONS
from tutor import __version__
from tutor.cli import cli


def run(*args: str) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args))


def test_version() -> None:
    result = run("--version")
    assert result.exit_code == 0 and __version__ in result.output


def test_list_json_has_the_contract_shape() -> None:
    result = run("list", "--json")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["pack"]["id"] == "ce-tutor-builtin"
    lesson = next(item for item in data["lessons"] if item["id"] == "two-target-forms")
    assert {"id": "moco-zero-labels", "type": "choice"} in lesson["exercises"]


def test_validate_builtin_is_clean() -> None:
    result = run("validate")
    assert result.exit_code == 0, result.output


def test_validate_reports_every_fault_and_exits_1(tmp_path: Path) -> None:
    lesson = (
        "---\nid: x\ntitle: X\n---\n\n## S\n\n"
        "```exercise\nid: a\ntype: formla\nprompt: p\n```\n\n"
        "```exercise\nid: b\ntype: choice\nprompt: p\nchoices: [a, b]\n```\n"
    )
    root = write_pack(
        tmp_path / "p",
        {"01-x.md": lesson},
        'id = "p"\ntitle = "P"\nlessons = ["gone.md", "01-x.md"]\n',
    )
    result = run("validate", str(root))
    assert result.exit_code == 1
    lines = [
        line for line in result.output.splitlines() if ": " in line and line.startswith(str(root))
    ]
    assert [line.split(": ")[0].rsplit("/", 1)[1] for line in lines] == [
        "01-x.md:10",
        "01-x.md:18",
        "pack.toml:3",
    ]
    assert "Traceback" not in result.output


def test_validate_a_folder_that_is_not_a_pack(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path))
    assert result.exit_code == 1 and "no pack.toml" in result.output


def test_grade_choice_right_and_wrong_as_json() -> None:
    # positions are the learner's own (choices are shuffled per learner), as `show` lists them
    where = ("two-target-forms/moco-zero-labels", "--learner", "ada", "--json")
    shown = json.loads(run("show", *where).output)["choices"]
    at = {text.split()[1]: str(n) for n, text in enumerate(shown, start=1)}  # Positive, Zero...
    right = run("grade", *where, "--answer", at["positive"])
    assert right.exit_code == 0
    verdict = json.loads(right.output)
    assert verdict["status"] == "correct" and verdict["correct"] is True and verdict["score"] == 1.0
    assert set(verdict) >= {"status", "correct", "score", "feedback", "mistake", "read_as"}
    wrong = json.loads(run("grade", *where, "--answer", at["labels"]).output)
    assert wrong["status"] == "incorrect" and wrong["mistake"] == "zero-means-ignore"
    assert "denominator" in wrong["feedback"]


def test_grade_unreadable_choice_is_a_verdict() -> None:
    result = run("grade", "two-target-forms/moco-zero-labels", "--answer", "7", "--json")
    assert result.exit_code == 0
    assert json.loads(result.output)["status"] == "unreadable"


def test_grade_bad_calls_exit_2(tmp_path: Path) -> None:
    assert run("grade", "two-target-forms/nope", "--answer", "1").exit_code == 2
    assert run("grade", "nope/nope", "--answer", "1").exit_code == 2
    assert run("grade", "two-target-forms/moco-zero-labels").exit_code == 2
    code = tmp_path / "f.py"
    code.write_text("x = 1\n")
    both = run(
        "grade", "two-target-forms/moco-zero-labels", "--answer", "1", "--code-file", str(code)
    )
    assert both.exit_code == 2


def test_show_json_gives_prompt_and_choices() -> None:
    result = run("show", "two-target-forms/index-target-dtype", "--json")
    assert result.exit_code == 0
    shown = json.loads(result.output)
    assert shown["type"] == "choice" and shown["params"] == {}
    assert shown["choices"][0].startswith("raises RuntimeError")


def test_pack_option_reads_another_pack(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", {"01-a.md": CLEAN_LESSON})
    result = run("grade", "tiny/pick", "--pack", str(root), "--answer", "2", "--json")
    verdict = json.loads(result.output)
    assert verdict["mistake"] == "not-normalised"


def test_broken_pack_is_refused_with_its_problems(tmp_path: Path) -> None:
    root = write_pack(
        tmp_path / "p", {"01-a.md": CLEAN_LESSON.replace("type: choice", "type: choise")}
    )
    result = run("list", "--pack", str(root))
    assert result.exit_code == 2
    assert "unknown exercise type `choise`" in result.output and "Traceback" not in result.output


def test_first_word_may_be_a_pack_dir(tmp_path: Path, monkeypatch) -> None:
    opened = {}

    class FakeApp:
        return_code = 0

        def __init__(self, pack, learner, store=None, grading=None, editor=None, **preview):
            opened.update(pack=pack.id, learner=learner, socket=grading.socket_path)

        def run(self, mouse: bool) -> None:
            opened["mouse"] = mouse

    import tutor.app.tutor_app

    monkeypatch.setattr(tutor.app.tutor_app, "TutorApp", FakeApp)
    monkeypatch.setattr("tutor.cli._need_a_terminal", lambda: None)  # CliRunner has no tty
    monkeypatch.delenv("CE_TUTOR_GRADING_SOCKET", raising=False)
    monkeypatch.setattr("tutor.class_config.CLASS_SOCKET", tmp_path / "no-class.sock")
    root = write_pack(tmp_path / "p", {"01-a.md": CLEAN_LESSON})

    def join_class(socket_path, pack_dir):  # the class's service sends the pack in a class
        from tutor.app.class_progress import ClassStart
        from tutor.pack.loader import load_pack

        opened["asked_for"] = pack_dir
        return ClassStart(load_pack(Path(pack_dir))[0], None, "ada", None)

    monkeypatch.setattr("tutor.app.class_progress.open_class", join_class)
    result = run("--learner", "ada", str(root), "--no-mouse")
    assert result.exit_code == 0, result.output
    assert opened == {"pack": "test-pack", "learner": "ada", "mouse": False, "socket": None}
    # the class's service: named by the option, or by the environment
    result = run("--grading-socket", "/srv/class.sock", str(root))
    assert result.exit_code == 0, result.output
    assert opened["socket"] == Path("/srv/class.sock") and opened["asked_for"] == str(root)
    monkeypatch.setenv("CE_TUTOR_GRADING_SOCKET", "/srv/env.sock")
    assert run(str(root)).exit_code == 0 and opened["socket"] == Path("/srv/env.sock")


def test_derive_lists_the_builtin_derivations() -> None:
    result = run("derive", "--list")
    assert result.exit_code == 0
    assert set(result.output.split()) >= REQUIRED_DERIVATIONS


def test_derive_prints_proved_steps_with_reasons() -> None:
    result = run("derive", "kl-as-ce-minus-entropy", "--ascii")
    assert result.exit_code == 0, result.output
    assert "[proved]" in result.output and "log(a/b) = log a - log b" in result.output
    assert "\\log" not in result.output and "\\sum" not in result.output


def test_derive_unknown_name_is_a_bad_call() -> None:
    result = run("derive", "kl-as-ce-minus-entropie")
    assert result.exit_code == 2 and "did you mean `kl-as-ce-minus-entropy`" in result.output


def test_serve_refuses_a_broken_pack_before_loading_anything(tmp_path: Path) -> None:
    root = write_pack(tmp_path / "p", {"01-a.md": "---\nid: a\n---\n\n## s\n\nNo title above.\n"})
    sock = tmp_path / "grading.sock"
    result = run("serve", "--socket", str(sock), "--pack", str(root))
    assert result.exit_code == 2
    assert "front matter is missing the required key `title`" in result.output
    assert "has problems" in result.output and not sock.exists()
    result = run("serve", "--socket", str(sock), "--mode", "rw-rw-rw-")
    assert result.exit_code == 2 and "octal" in result.output and not sock.exists()
