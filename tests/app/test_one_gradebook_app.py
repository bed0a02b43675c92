"""A choice answered in a translation shows in the original, picked and graded (issue 18)."""

from __future__ import annotations

import shutil

from tests.app.conftest import PACK_DIR
from tests.app.helpers import exercise, open_step, text_of, verdict_after
from tutor.app.widgets.choice_answer import ChoiceAnswer
from tutor.app.widgets.verdict_view import VerdictView
from tutor.pack.loader import load_pack

WORDS = {"class indices": "类别索引", "class probabilities": "类别概率", "neither": "都不是"}


def _translation(tmp_path):
    """The app's test pack with the choice exercise's choices in Chinese, translating it."""
    root = tmp_path / "pack-zh"
    shutil.copytree(PACK_DIR, root)
    manifest = root / "pack.toml"
    text = manifest.read_text(encoding="utf-8").replace('"app-test-pack"', '"app-test-pack-zh"')
    manifest.write_text(text + 'translates = "app-test-pack"\n', encoding="utf-8")
    [lesson] = root.glob("*.md")
    text = lesson.read_text(encoding="utf-8")
    for english, chinese in WORDS.items():
        text = text.replace(f"  - text: {english}\n", f"  - text: {chinese}\n")
    lesson.write_text(text, encoding="utf-8")
    pack, errors = load_pack(root)
    assert errors == [] and pack.gradebook_id == "app-test-pack"
    assert [c.text for c in pack.lessons[0].exercise("pick").choices] == list(WORDS.values())
    return pack


async def test_a_choice_solved_in_chinese_shows_solved_and_picked_in_english(
    make_app, tmp_path
) -> None:
    chinese = make_app(pack=_translation(tmp_path))
    assert chinese.session.drafts.pack_id == "app-test-pack"  # drafts too: one record
    async with chinese.run_test(size=(80, 24)) as pilot:
        screen = await open_step(pilot, chinese, "Choice")
        view = await exercise(pilot, screen, "pick")
        view.focus_answer()
        await pilot.press("2", "enter")
        assert (await verdict_after(pilot, view)).startswith("✗")
        await pilot.press("1", "enter")
        assert (await verdict_after(pilot, view)).startswith("✓")
    english = make_app()
    async with english.run_test(size=(80, 24)) as pilot:
        lesson = english.pack.lessons[0]
        assert english.session.history(lesson, lesson.exercise("pick")).solved
        screen = await open_step(pilot, english, "Choice")
        view = await exercise(pilot, screen, "pick")
        assert view.query_one(ChoiceAnswer).highlighted == 0  # class indices, picked in Chinese
        shown = text_of(view.query_one(VerdictView))
        assert shown.startswith("✓") and "class indices" in shown, shown
        assert "Your last answer, from your record; answer again to practise." in shown
