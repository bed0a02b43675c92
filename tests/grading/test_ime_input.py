"""What a Chinese IME types is read as meant: full-width digits, `，` `、` between picks, `（）`."""

from __future__ import annotations

from pathlib import Path

import pytest

from tutor import i18n
from tutor.grading.choice import grade_choice, read_choice
from tutor.numeric.answers import NotANumber, read_number
from tutor.pack.model import Choice, ChoiceExercise, Location

SEVERAL = ChoiceExercise(
    id="q",
    prompt="?",
    location=Location(Path("lesson.md"), 1),
    choices=[Choice("交叉熵", correct=True), Choice("熵"), Choice("KL 散度", correct=True)],
    multiple=True,
)


@pytest.mark.parametrize(
    "answer", ["１，３", "1、3", "1，3", "（1）（3）", "ａ，ｃ", "1；3", "１ ３"]
)
def test_several_picks_as_an_ime_writes_them(answer: str) -> None:
    assert read_choice(SEVERAL, answer) == [0, 2]


def test_a_choice_by_its_text_in_full_width_forms() -> None:
    assert read_choice(SEVERAL, "ＫＬ 散度\n交叉熵") == [0, 2]


@pytest.mark.parametrize(
    ("answer", "value"),
    [("１．２９", 1.29), ("－０．５", -0.5), ("1。29", 1.29), ("tensor（1.5）", 1.5)],
)
def test_full_width_numbers(answer: str, value: float) -> None:
    read = read_number(answer)
    assert not isinstance(read, NotANumber) and read.value == value


def test_superscripts_are_not_flattened() -> None:
    assert isinstance(read_number("1.3×10⁻⁴"), NotANumber)  # NFKC would read 1.3×10-4


def test_the_reader_answers_in_chinese() -> None:
    i18n.set_language("zh_CN")
    try:
        assert grade_choice(SEVERAL, "1").feedback == "到目前为止是对的，但还有 1 个选项也正确。"
        assert "不是一个数" in read_number("abc").message
    finally:
        i18n.set_language(None)
