"""The whole Chinese course at 80x24, every line as the app draws it (issue 18, Deliver 2).

Measured on every step of every lesson of `ce-tutor-builtin-zh`, in the app
at 80x24 with its own widgets (so its own widths and wrapping): lesson prose
and prompts (Markdown paragraphs), choices (their text column), feedback
(choices' and misconceptions', in the verdict), hints and solutions.

- No line starts with closing punctuation (`，。）”` …) nor ends with opening
  punctuation (`（“` …).
- Every wrapped line fills at least 90 % of its width, except a paragraph's
  (an option's, a feedback line's) last.

The one exception, `UNBREAKABLE`: a line may end short when the line after it
starts with a run that cannot be broken and does not fit in the room left
(one cell counted for the space before it): a run of Latin letters, digits,
code or math with no space and no Chinese character in it, with the
punctuation kinsoku glues to it (`nn.CrossEntropyLoss`,
`（reduction='mean'，`, `F.cross_entropy。`). Code is not broken inside a
name. A Latin compound breaks after its hyphen (`log-` | `softmax`), so only
its part before the hyphen counts.
"""

from __future__ import annotations

import re

from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets._markdown import MarkdownParagraph

from tests.app.helpers import wait_until
from tests.app.test_chinese_typesetting import CLOSING, FILL, OPENING
from tutor import i18n
from tutor.app.screens.lesson import LessonScreen
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.exercise_view import ExerciseView
from tutor.app.widgets.hint_list import HintList
from tutor.app.widgets.verdict_view import VerdictView
from tutor.grading.verdict import Status, Verdict
from tutor.pack.discovery import builtin_zh_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import ChoiceExercise

# no space, no ideograph: what a line of Chinese cannot break inside (but see the hyphen)
UNBREAKABLE = re.compile(r"[^\s\u3400-\u9fff\uf900-\ufaff]+")
HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z]-)(?=[A-Za-z])")
LABEL = re.compile(r"\s*\S?\s*\d+\. (?:\[[ x]\] )?")  # a choice's pointer and number


def unbreakable_head(line: str) -> str:
    """What the line starts with that no break may cut (UNBREAKABLE, up to a compound's hyphen)."""
    head = UNBREAKABLE.match(line.strip())
    return HYPHEN_BREAK.split(head.group(0))[0] if head else ""


def faults(where: str, lines: list[str], width: int) -> list[str]:
    """The lines of one paragraph that break the two rules, each said with why."""
    found = []
    lines = [line.rstrip() for line in lines if line.strip()]
    pad = min((len(line) - len(line.lstrip(" ")) for line in lines), default=0)  # the widget's
    lines = [line[pad:] for line in lines]  # an indent of the text's own (code) is measured
    for index, line in enumerate(lines):
        if line.strip()[0] in CLOSING:
            found.append(f"{where}: starts with closing punctuation: {line}")
        if line[-1] in OPENING:
            found.append(f"{where}: ends with opening punctuation: {line}")
        if index == len(lines) - 1 or cell_len(line) >= FILL * width:
            continue
        head = unbreakable_head(lines[index + 1])
        if cell_len(line) + 1 + cell_len(head) <= width:
            found.append(
                f"{where}: {cell_len(line)} of {width} cells: {line} | next: {lines[index + 1]}"
            )
    return found


def source_lines(text: str) -> list[str]:
    """A feedback's, hint's or solution's lines as written: each is a paragraph (code too)."""
    return [line for line in (text or "").strip().split("\n") if line.strip()]


def drawn(widget, height: int | None = None) -> list[str]:
    width, shown = widget.outer_size
    return [s.text.rstrip() for s in widget.render_lines(Region(0, 0, width, height or shown))]


def choice_faults(where: str, choices: ChoiceAnswer) -> list[str]:
    """Each option: all of its text (none cut with `…`), its number with it, its wrapped lines
    under it, then the rules."""
    found, options = [], []
    for line in drawn(choices, choices.virtual_size.height):
        if LABEL.match(line):
            options.append([line])
        elif line.strip() and options:
            options[-1].append(line)
    for index, (first, *rest) in enumerate(options):
        column = LABEL.match(first).end()
        shown = "".join(line[column:] for line in [first, *rest]).replace(" ", "")
        text = choices.entry_text(index)
        if shown != text[ChoiceAnswer.HANG.match(text).end() :].replace(" ", ""):
            found.append(f"{where}: a choice not shown whole: {' / '.join([first, *rest])}")
        if not first[column:].strip():
            found.append(f"{where}: a choice's number alone on its line: {first}")
        for line in rest:
            if line[:column].strip() or line[column] == " ":
                found.append(f"{where}: a wrapped choice line not under its text: {line}")
        text_width = choices.scrollable_content_region.width - column
        found += faults(where, [line[column:] for line in [first, *rest]], text_width)
    return found


async def verdict_faults(pilot, where: str, view: ExerciseView) -> list[str]:
    """Every feedback the exercise can give, one line of it at a time, in a verdict beside its
    own (same width); every hint and the solution, a line at a time, likewise."""
    exercise = view.exercise
    texts = [m.feedback for m in exercise.misconceptions]
    if isinstance(exercise, ChoiceExercise):
        texts += [choice.feedback for choice in exercise.choices]
    feedback = [line for text in texts for line in source_lines(text)]
    hints = [line for hint in exercise.hints for line in source_lines(hint)]
    solution = source_lines(exercise.solution)
    verdicts = [VerdictView(classes="verdict") for _line in feedback]
    hint_lists = [HintList(classes="hints") for _line in hints + solution]
    await view.mount_all(verdicts + hint_lists)
    for verdict, line in zip(verdicts, feedback, strict=True):
        verdict.show_verdict(Verdict(Status.INCORRECT, feedback=line))
    for hint_list, line in zip(hint_lists, hints + solution, strict=True):
        hint_list.show(*(([line], 1) if line in hints else ([], 0, line)))
    await pilot.pause()
    found = []
    for verdict in verdicts:
        lines = [line for line in drawn(verdict) if line.strip()][1:]  # under the headline
        found += faults(f"{where} feedback", lines, verdict.content_size.width)
    for hint_list in hint_lists:
        found += faults(f"{where} hint", drawn(hint_list), hint_list.content_size.width)
    await view.remove_children([*verdicts, *hint_lists])
    return found


def _step_shown(app, lesson, index: int) -> bool:
    screen = app.screen
    if not (isinstance(screen, LessonScreen) and screen.lesson is lesson and screen.step == index):
        return False
    if screen._mounting is None or not screen._mounting.done():
        return False
    views = list(screen.query(ExerciseView))
    return all(v.query(".answer > *") and not v.query(".drawing") for v in views)


async def test_every_line_of_the_chinese_course_is_well_set(make_app, service) -> None:
    pack, errors = load_pack(builtin_zh_pack_dir())
    assert errors == []
    i18n.set_language("zh_CN")
    app = make_app(client=service, pack=pack)
    found: list[str] = []
    measured = {"paragraphs": 0, "choices": 0, "exercises": 0}
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            for lesson in pack.lessons:
                for index in range(len(lesson.steps)):
                    app.open_lesson(lesson.id, index)
                    await wait_until(pilot, lambda: _step_shown(app, lesson, index), 60)  # noqa: B023
                    await pilot.pause()
                    where = f"{lesson.id} step {index + 1}"
                    for paragraph in app.screen.query(MarkdownParagraph):
                        width = paragraph.content_size.width
                        found += faults(where, drawn(paragraph), width)
                        measured["paragraphs"] += 1
                    for choices in app.screen.query(ChoiceAnswer):
                        found += choice_faults(f"{where} choice", choices)
                        measured["choices"] += 1
                    for view in app.screen.query(ExerciseView):
                        found += await verdict_faults(pilot, where, view)
                        measured["exercises"] += 1
    finally:
        i18n.set_language(None)
    exercises = sum(len(lesson.exercises) for lesson in pack.lessons)
    assert measured["exercises"] == exercises and measured["paragraphs"] > 300, measured
    assert not found, "\n".join(found)


def test_the_exception_is_a_run_that_cannot_break() -> None:
    assert unbreakable_head("nn.CrossEntropyLoss 接受") == "nn.CrossEntropyLoss"
    assert unbreakable_head("（reduction='mean'，这是") == "（reduction='mean'，"
    assert unbreakable_head("log-softmax。logits") == "log-"
    assert unbreakable_head("交叉熵 nn") == ""
    short = ["对每一行求", "log-softmax。"]
    assert faults("x", short, 20) and not faults("x", ["对每一行求", "nn.CrossEntropyLoss"], 20)
    assert faults("x", ["，开头"], 20) and faults("x", ["结尾（", "好"], 4)
