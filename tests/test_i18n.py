"""Translations: every marked string has a Chinese entry, the .mo is the .po, the language is chosen right."""

from __future__ import annotations

import ast
import gettext
import os
import re
import string
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

import tutor
from tutor import i18n

SOURCE = Path(tutor.__file__).resolve().parent
ZH = SOURCE / "locale" / "zh_CN" / "LC_MESSAGES"
MARKERS = {"_", "N_", "ngettext"}


@pytest.fixture(autouse=True)
def back_to_the_environment():
    yield
    i18n.set_language(None)


def _catalog():
    with open(ZH / "ce-tutor.po", "rb") as po:
        return read_po(po, locale="zh_CN")


def _extracted() -> dict[str, tuple[str, int]]:
    found: dict[str, tuple[str, int]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE), method_map=[("**.py", "python")]
    ):
        key = message[0] if isinstance(message, tuple) else message
        found.setdefault(key, (filename, lineno))
    return found


def test_every_marked_string_has_a_chinese_translation() -> None:
    catalog = _catalog()
    missing = []
    for message, (filename, lineno) in sorted(_extracted().items()):
        entry = catalog.get(message)
        translated = entry is not None and not entry.fuzzy and entry.string
        if isinstance(translated, tuple | list):
            translated = all(translated)
        if not translated:
            missing.append(f"{filename}:{lineno}: {message!r}")
    assert not missing, "no zh_CN entry (see tutor/i18n.py for the commands):\n" + "\n".join(
        missing
    )


def test_every_command_line_help_text_has_a_chinese_translation() -> None:
    from tutor.cli import cli
    from tutor.cli_i18n import help_texts

    catalog = _catalog()
    missing = [text for text in help_texts(cli) if not (catalog.get(text) and catalog[text].string)]
    assert not missing, "run scripts/update_translations.py, then translate:\n" + "\n".join(missing)


def test_help_and_messages_in_chinese() -> None:
    run = subprocess.run(
        [sys.executable, "-m", "tutor", "--lang", "zh_CN", "show", "nowhere/x", "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "LANGUAGE": "en"},
    )
    assert "用法：" in run.stdout and "显示一道练习" in run.stdout, run.stdout
    env = {**os.environ, "LANGUAGE": "zh_CN"}
    run = subprocess.run(
        [sys.executable, "-m", "tutor", "show", "nowhere/x"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert "没有课程 `nowhere`" in run.stderr, run.stderr


def test_translations_keep_their_placeholders() -> None:
    fields = string.Formatter()

    def names(text: str) -> set[str]:
        return {name for _lit, name, _spec, _conv in fields.parse(text) if name is not None}

    for entry in _catalog():
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        for text in strings:
            assert names(text) == names(ids[-1]), entry.id


def test_the_compiled_catalog_is_the_po() -> None:
    """The .mo shipped in the wheel says what the .po says (run `pybabel compile` after editing)."""
    compiled = ZH / "ce-tutor.mo"
    with open(compiled, "rb") as mo:
        shipped = gettext.GNUTranslations(mo)
    fresh_path = ZH / "fresh.mo.tmp"
    try:
        with open(fresh_path, "wb") as out:
            write_mo(out, _catalog())
        with open(fresh_path, "rb") as mo:
            fresh = gettext.GNUTranslations(mo)
    finally:
        fresh_path.unlink(missing_ok=True)
    assert shipped._catalog == fresh._catalog  # type: ignore[attr-defined]


def test_markers_take_one_literal_string() -> None:
    """`_(f"…")` cannot be extracted: translate the template, then `.format()` it.

    `_(name)` is allowed: it translates a string marked with `N_` where it was written.
    """
    wrong = []
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            args = node.args
            literal = len(args) == 1 and isinstance(args[0], ast.Constant)
            if node.func.id == "N_" and not literal:
                wrong.append(f"{path}:{node.lineno}")
            if node.func.id == "_" and (len(args) != 1 or isinstance(args[0], ast.JoinedStr)):
                wrong.append(f"{path}:{node.lineno}")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            # Babel does not look inside f-strings (before Python 3.12): `f"{_('x')}"` is lost
            if isinstance(node, ast.JoinedStr):
                for inner in ast.walk(node):
                    if (
                        isinstance(inner, ast.Call)
                        and isinstance(inner.func, ast.Name)
                        and inner.func.id in ("_", "N_")
                        and inner.args
                        and isinstance(inner.args[0], ast.Constant)
                    ):
                        wrong.append(f"{path}:{inner.lineno} (inside an f-string)")
    assert not wrong, wrong


def test_language_from_the_environment(monkeypatch) -> None:
    for name in i18n.ENVIRONMENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    i18n.set_language(None)
    assert i18n._("Not quite.") == "还不对。"
    assert i18n.is_chinese()
    monkeypatch.setenv("LANGUAGE", "en")  # LANGUAGE comes first, as in GNU gettext
    i18n.set_language(None)
    assert i18n._("Not quite.") == "Not quite."
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    monkeypatch.delenv("LANGUAGE")
    i18n.set_language(None)
    assert i18n._("Not quite.") == "还不对。"


def test_lang_option_wins_and_unknown_languages_fall_back_to_english(monkeypatch) -> None:
    monkeypatch.setenv("LANGUAGE", "zh_CN")
    i18n.set_language("en")
    assert i18n._("Not quite.") == "Not quite."
    i18n.set_language("fr_FR")
    assert i18n._("Not quite.") == "Not quite."
    assert i18n.language() == "en"
    i18n.set_language("zh")
    assert i18n._("Not quite.") == "还不对。"


def test_a_service_thread_speaks_the_asking_learners_language() -> None:
    i18n.set_language("en")
    with i18n.speaking("zh_CN"):
        assert i18n._("Not quite.") == "还不对。"
    assert i18n._("Not quite.") == "Not quite."
    with i18n.speaking("../../etc/x"):  # no paths from a request
        assert i18n._("Not quite.") == "Not quite."


def test_the_catalog_is_opened_only_when_a_string_is_shown() -> None:
    code = (
        "import sys, tutor.i18n, tutor.cli; "
        "assert tutor.i18n._translation is None; "
        "assert 'babel' not in sys.modules and 'textual' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_the_wheel_ships_the_compiled_catalog() -> None:
    text = (SOURCE.parent / "pyproject.toml").read_text(encoding="utf-8")
    # hatch ships every file under `tutor/` that git does not ignore
    assert 'packages = ["tutor"]' in text
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(ZH / "ce-tutor.mo")], cwd=SOURCE.parent
    ).returncode
    assert ignored != 0
    assert re.search(r"babel", text, re.IGNORECASE)


def test_the_services_read_as_label_speaks_the_request_language() -> None:
    from tutor.grading.drawing import read_as

    with i18n.speaking("zh_CN"):
        assert read_as("", {}) == ("读作：（请输入公式）", "")
    with i18n.speaking("en"):
        assert read_as("", {})[0] == "Read as: (type a formula)"
