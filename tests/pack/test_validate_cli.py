"""`ce-tutor validate`'s reach and report: one lesson, stdout summary, plurals (issue 15)."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from tests.pack.helpers import CLEAN_LESSON, write_pack
from tutor.cli import cli

BROKEN = CLEAN_LESSON.replace("id: tiny", "id: broken").replace("type: choice", "type: choise")


def _pack(tmp_path: Path) -> Path:
    return write_pack(tmp_path / "p", {"01-tiny.md": CLEAN_LESSON, "02-broken.md": BROKEN})


def _validate(*args: str):
    return CliRunner().invoke(cli, ["validate", "--no-cache", *args])


def test_one_lesson_by_id_is_checked_alone(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    result = _validate("--lesson", "tiny", str(root))
    assert result.exit_code == 0, result.stdout
    assert result.stdout == f"test-pack ({root}): clean — checked 1 choice exercise\n"
    assert _validate("--lesson", "broken", str(root)).exit_code == 1


def test_one_lesson_by_its_file(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    assert _validate(str(root / "01-tiny.md")).exit_code == 0
    result = _validate(str(root / "02-broken.md"))
    assert result.exit_code == 1
    assert "02-broken.md" in result.stdout and "01-tiny.md" not in result.stdout


def test_an_unknown_lesson_gets_did_you_mean(tmp_path: Path) -> None:
    result = _validate("--lesson", "tinny", str(_pack(tmp_path)))
    assert result.exit_code == 2 and "did you mean `tiny`" in result.stderr


def test_problems_and_the_count_go_to_stdout_progress_to_stderr(tmp_path: Path) -> None:
    root = _pack(tmp_path)
    result = _validate(str(root))
    assert result.exit_code == 1
    assert result.stdout.endswith(f"1 problem in test-pack ({root})\n")
    assert "checking tiny" in result.stderr and "checking" not in result.stdout


def test_show_prints_the_predict_snippet_and_the_formula_symbols() -> None:
    predict = CliRunner().invoke(cli, ["show", "softmax/log-of-softmax-predict"])
    assert "print(torch.log(torch.softmax(x, dim=0)))" in predict.output
    formula = CliRunner().invoke(cli, ["show", "information/entropy-formula", "--json"])
    assert '"p": "distribution of size K' in formula.output


def test_new_pack_takes_the_pack_id_it_is_given(tmp_path: Path) -> None:
    root = tmp_path / "My Course"
    result = CliRunner().invoke(cli, ["new-pack", str(root), "--id", "entropy-101"])
    assert result.exit_code == 0, result.output
    assert 'id = "entropy-101"' in (root / "pack.toml").read_text(encoding="utf-8")


def test_new_pack_refuses_an_id_that_cannot_key_a_gradebook(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new-pack", str(tmp_path / "p"), "--id", "My Course"])
    assert result.exit_code == 2 and "lowercase letters, digits" in result.output


def test_new_pack_without_an_id_says_where_it_came_from(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["new-pack", str(tmp_path / "My Course")])
    assert result.exit_code == 0
    assert "pack id `my-course`, from the folder's name" in result.output
