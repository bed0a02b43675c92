"""Chinese at 80x24: lines break between characters, never before `，。`, titles fit the line."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Static
from textual.widgets._markdown import MarkdownParagraph

from tests.app.helpers import open_step, wait_until
from tutor import i18n
from tutor.app import cjk
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.step_indicator import StepIndicator
from tutor.app.widgets.title_bar import TitleBar
from tutor.pack.loader import load_pack

PACK_ZH = Path(__file__).parent / "pack_zh"
CLOSING = "，。、；：！？）」』】》〉”’"
OPENING = "（「『【《〈“‘"
FILL = 0.9


@pytest.fixture
def chinese(make_app):
    pack, errors = load_pack(PACK_ZH)
    assert errors == []
    i18n.set_language("zh_CN")
    yield make_app(pack=pack, learner="小明同学")
    i18n.set_language(None)


def _lines(widget) -> list[str]:
    width, height = widget.outer_size  # padding included: it is drawn too
    return [strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height))]


def test_break_opportunities_follow_kinsoku() -> None:
    pieces = [word for _s, _e, word in cjk.words("交叉熵（cross-entropy）是概念，“熵”。")]
    assert pieces == ["交", "叉", "熵", "（cross-", "entropy）", "是", "概", "念，", "“熵”。"]
    # a Latin compound breaks after its hyphen (UAX #14), a minus sign or `-1` does not
    pieces = [word for _s, _e, word in cjk.words("求 log-softmax，即 -log q 或 x-1")]
    assert pieces == ["求 ", "log-", "softmax，", "即 ", "-log ", "q ", "或 ", "x-1"]
    english = "A plain English line, wrapped as Rich always did."
    assert list(cjk.words(english)) == [
        (m.start(), m.end(), m.group()) for m in __import__("re").finditer(r"\s*\S+\s*", english)
    ]


def test_soft_line_breaks_join_between_chinese_characters_only() -> None:
    assert cjk.join_soft_breaks("聚焦参数。\n写出公式") == "聚焦参数。写出公式"
    assert cjk.join_soft_breaks("用 torch\n计算") == "用 torch\n计算"
    assert cjk.join_soft_breaks("一\n\n二") == "一\n\n二"  # a paragraph break stays


def test_a_folded_yaml_space_between_chinese_characters_goes() -> None:
    """`why: >` folds a line break into one space: "只在 q = s 时\n为 0" came out "时 为"."""
    from tutor.app.prose import plain_math

    folded = "只在 q = s 时 为 0，否则为正。"  # the fold between 时 and 为
    assert cjk.join_soft_breaks(folded) == "只在 q = s 时为 0，否则为正。"
    assert plain_math(folded, lambda m: m) == "只在 q = s 时为 0，否则为正。"
    assert cjk.join_soft_breaks("log 2 nats, not bits") == "log 2 nats, not bits"
    assert cjk.join_soft_breaks("한국어 문장") == "한국어 문장"  # Korean keeps its spaces


def test_fit_measures_display_width() -> None:
    assert cjk.fit("交叉熵的两种目标形式", 9) == "交叉熵的…"
    assert cell_len(cjk.fit("交叉熵的两种目标形式", 9)) <= 9
    assert cjk.fit("short", 9) == "short"


async def test_prose_lines_fill_the_width_and_never_start_with_closing_punctuation(
    chinese,
) -> None:
    async with chinese.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, chinese, chinese.pack.lessons[0].steps[0].title)
        paragraphs = list(chinese.screen.query(MarkdownParagraph))
        assert len(paragraphs) >= 3
        text = " ".join("".join(line.strip() for line in _lines(p)) for p in paragraphs)
        assert "衡量用分布" in text and "正是相对熵" in text  # joined where the source broke
        for paragraph in paragraphs:
            lines = [line for line in _lines(paragraph) if line]
            width = paragraph.content_size.width
            assert len(lines) >= 2
            for line in lines[:-1]:
                assert cell_len(line.strip()) >= FILL * width, (line, width)
            for line in lines:
                assert line.strip()[0] not in CLOSING, line
                assert line.strip()[-1] not in OPENING, line
            # the soft line breaks of the source are gone: no space between two characters
            joined = "".join(line.strip() for line in lines)
            assert "。 " not in joined and "衡量 用" not in joined and "正是 相对熵" not in joined


async def test_long_titles_are_cut_and_keep_the_learners_name(chinese) -> None:
    async with chinese.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, chinese, chinese.pack.lessons[0].steps[0].title)
        (title,) = _lines(chinese.screen.query_one(TitleBar))[:1]
        assert title.endswith("小明同学") and "…" in title
        assert cell_len(title) <= 80
        step = _lines(chinese.screen.query_one(StepIndicator))[0]
        assert step.strip().startswith("第 1/2 步") and step.endswith("…")
        assert cell_len(step) <= 80


def _options(lines: list[str]) -> list[list[str]]:
    """The drawn lines of each option: an option starts at its number."""
    options: list[list[str]] = []
    for line in lines:
        if re.match(r"\s*\S?\s*\d+\. ", line):
            options.append([line])
        elif line.strip():
            options[-1].append(line)
    return options


async def test_a_long_choice_keeps_its_hanging_indent(chinese) -> None:
    """Chinese, English and code alike: the number with its text, the wrapped lines under it."""
    async with chinese.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, chinese, "选择题")
        await wait_until(pilot, lambda: bool(chinese.screen.query(ChoiceAnswer)))
        choices = chinese.screen.query_one(ChoiceAnswer)
        width, _height = choices.outer_size
        lines = [s.text.rstrip() for s in choices.render_lines(Region(0, 0, width, 20))]
        options = _options(lines)
        assert len(options) == 4
        wrapped = [option for option in options if len(option) > 1]
        assert len(wrapped) == 3, options  # two in Chinese, one in English and code
        assert "类别索引" in options[0][0] and "Neither:" in options[3][0]  # not "1." alone
        for first, *rest in options:
            column = re.match(r"\s*\S?\s*\d+\. ", first).end()  # where the text starts
            for line in rest:
                assert line[:column].strip() == "" and line[column] != " ", (first, line)
            for line in [first, *rest]:
                assert line[column:].strip()[0] not in CLOSING, line
                assert cell_len(line) <= width
        shown = " ".join(line[column:].strip() for line in options[3])
        assert "label_smoothing=0.0) reads a long target" in shown  # nothing cut, no `…`


def test_a_full_line_of_chinese_is_not_cut_with_an_ellipsis() -> None:
    """Rich measured a wrapped line's trailing space in characters, not cells: a line of
    Chinese that filled its column before a space lost its last character to `…`."""
    from rich.console import Console

    from tutor.app.widgets.marked_option_list import Hanging

    cjk.install()
    console = Console(width=72, record=True)
    console.print(
        Hanging(
            "  2. [ ] ", "类别索引 [3, 2, 1] 与 1 分别在 3、2、1 处的独热行给出相同的损失 1.2914"
        )
    )
    shown = [line.rstrip() for line in console.export_text().splitlines()]
    assert shown == [
        "  2. [ ] 类别索引 [3, 2, 1] 与 1 分别在 3、2、1 处的独热行给出相同的损失",
        "         1.2914",
    ]


async def test_the_keys_speak_chinese(chinese) -> None:
    async with chinese.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = " ".join(str(s.render()) for s in chinese.screen.query(Static))
        assert "继续" in text and "退出" in text


async def test_a_chinese_plot_legend_keeps_the_frame_whole(chinese) -> None:
    from tutor.app.widgets.plot_view import PlotView

    async with chinese.run_test(size=(80, 24)) as pilot:
        await open_step(pilot, chinese, chinese.pack.lessons[0].steps[0].title)
        await wait_until(pilot, lambda: bool(chinese.screen.query(PlotView)))
        plot = chinese.screen.query_one(PlotView)
        await pilot.pause()
        lines = [line.rstrip() for line in _lines(plot)]
        width = plot.outer_size.width
        assert any("奈特" in line for line in lines)
        framed = [line for line in lines if line.endswith(("│", "┐", "┘"))]
        assert len({cell_len(line) for line in framed}) == 1, lines  # one right border
        assert all(cell_len(line) <= width for line in lines)


async def test_a_terminal_that_is_not_utf8_is_told_once_what_to_set(make_app) -> None:
    from tutor.app.terminal import LOCALE_HINT

    pack, _errors = load_pack(PACK_ZH)
    i18n.set_language("zh_CN")
    try:
        app = make_app(pack=pack, ascii=True)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            said = [n.message for n in app._notifications]
            assert said.count(LOCALE_HINT) == 1 and LOCALE_HINT.isascii()
            assert "SendEnv=LANG" in LOCALE_HINT and "AcceptEnv" in LOCALE_HINT
            assert i18n._("Quit") == "Quit"  # Chinese would be all `?` in this terminal
    finally:
        i18n.set_language(None)


def test_a_utf8_lang_on_a_server_without_that_locale_is_still_a_utf8_terminal() -> None:
    """Python coerces a missing locale to C.UTF-8 itself; the terminal is what LANG declares."""
    import subprocess
    import sys

    from tutor.app.terminal import unicode_terminal

    assert unicode_terminal({"LANG": "zh_CN.UTF-8", "LC_CTYPE": "C.UTF-8"}, coerced=True)
    assert not unicode_terminal({"LANG": "C", "LC_CTYPE": "C.UTF-8"}, coerced=True)
    code = "from tutor.app.terminal import unicode_terminal as u; print(u())"
    for lang, expected in (("zh_CN.UTF-8", "True"), ("C", "False")):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "PYTHONUTF8"))}
        env.update(LANG=lang)
        env.pop("CE_TUTOR_ASCII", None)
        out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert out.stdout.strip() == expected, (lang, out.stdout, out.stderr)


def test_inline_math_may_wrap_onto_the_next_source_line() -> None:
    from tutor.app.prose import convert_inline

    shown = convert_inline("计算的是 $a +\nb$。", lambda latex: f"«{latex}»")
    assert shown == "计算的是 «a + b»。"
    assert convert_inline("$a$ b\n\n$ c", lambda latex: f"«{latex}»") == "«a» b\n\n$ c"


def test_chinese_punctuation_after_a_matrix_stays_with_it() -> None:
    """`logits = {logits}，target = …`: the prose after the matrix's block started with `，`."""
    from tutor.app.matrices import prompt_with_matrices

    shown = prompt_with_matrices(
        "logits = {logits}，target = {target}。", {"logits": [[1, 2], [3, 4]], "target": [1, 0]}
    )
    block, rest = shown.split("```text\n")[1].split("\n```\n")
    assert block.endswith("]]，") and rest.strip() == "target = [1, 0]。"
    english = prompt_with_matrices("x = {x}, then y.", {"x": [[1, 2], [3, 4]]})
    assert english.split("\n```\n")[1].strip() == "then y."
