"""Every string a person reads, in their language: gettext, loaded on first use.

    from tutor.i18n import _
    print(_("Not quite."))          # 还不对。 under LANG=zh_CN.UTF-8

The language comes from `--lang` (`set_language`), else `LANGUAGE`,
`LC_ALL`, `LC_MESSAGES`, `LANG`, in that order, as GNU gettext reads them;
English when no catalog matches. The catalog is opened at the first
translated string, not at import, so a start that shows nothing pays
nothing, and it is one small `.mo` file (no Babel, no Textual at run time).

A grading service answers learners of several languages at once: a request
carries the learner's language and the service grades inside
`speaking(lang)`, a context variable, so each thread speaks its own.

Strings defined at import time (key tables, bindings) are marked with `N_`
for extraction and translated where they are shown.

Catalogs: `tutor/locale/<lang>/LC_MESSAGES/ce-tutor.po`, compiled to `.mo`
beside it (both committed; a test checks they agree and that every marked
string is translated). After changing strings: `python
scripts/update_translations.py` (Babel), translate the new entries, run it again.
"""

from __future__ import annotations

import gettext
import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

DOMAIN = "ce-tutor"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
ENVIRONMENT = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")

_chosen: str | None = None
_translation: gettext.NullTranslations | None = None
_speaking: ContextVar[str | None] = ContextVar("speaking", default=None)
_catalogs: dict[str, gettext.NullTranslations] = {}
_TAG = re.compile(r"[a-z]{2,3}(_[A-Z]{2})?")  # what a request may name: no paths, few catalogs


def set_language(lang: str | None) -> None:
    """Use `lang` (e.g. "zh_CN", "en") instead of the environment; None: the environment."""
    global _chosen, _translation
    _chosen = lang or None
    _translation = None


def requested() -> list[str]:
    """The languages asked for, most wanted first (`LANGUAGE` may list several: `zh_CN:en`)."""
    if _chosen:
        return [_chosen]
    for name in ENVIRONMENT:
        value = os.environ.get(name)
        if value:
            return [lang for lang in value.split(":") if lang]
    return []


def translation() -> gettext.NullTranslations:
    """The catalog in use, opened once (a plain pass-through for English)."""
    global _translation
    spoken = _speaking.get()
    if spoken is not None:
        if spoken not in _catalogs:
            _catalogs[spoken] = _open([spoken])
        return _catalogs[spoken]
    if _translation is None:
        _translation = _open(requested())
    return _translation


def _open(languages: list[str]) -> gettext.NullTranslations:
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=languages or ["en"], fallback=True)


@contextmanager
def speaking(lang: str | None) -> Iterator[None]:
    """Within this block (this thread, this task) speak `lang`; None: as set globally."""
    token = _speaking.set(lang if isinstance(lang, str) and _TAG.fullmatch(lang) else None)
    try:
        yield
    finally:
        _speaking.reset(token)


def language() -> str:
    """The language the UI speaks: "en", or the catalog's, such as "zh_CN"."""
    found = translation()
    if isinstance(found, gettext.GNUTranslations):
        return found.info().get("language", "") or "en"
    return "en"


def is_chinese() -> bool:
    return language().startswith("zh")


def _(message: str) -> str:
    """`message` in the learner's language."""
    return translation().gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The right form for `count` (Chinese has one; English two)."""
    return translation().ngettext(singular, plural, count)


def N_(message: str) -> str:
    """Mark `message` for the catalog; it is translated later, where shown."""
    return message
