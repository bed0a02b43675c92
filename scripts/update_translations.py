"""Bring the translation catalogs up to date with the source, then compile them.

    python scripts/update_translations.py        # needs Babel (the test extra)

1. extracts every `_()`, `N_()` and `ngettext()` string from `tutor/`
   (Babel's Python extractor) plus the command line's help texts, which are
   written as docstrings and `help=` (tutor/cli_i18n.py);
2. merges them into each `tutor/locale/<lang>/LC_MESSAGES/ce-tutor.po`:
   new strings arrive untranslated; translations of strings no longer used
   are kept (other branches may still use them) unless `--prune` is given;
3. compiles each `.po` to the `.mo` beside it (shipped in the wheel).

Then translate the empty entries (`msgstr ""`) and run it again;
tests/test_i18n.py fails while any is left.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tutor.i18n import DOMAIN, LOCALE_DIR  # noqa: E402


def template() -> Catalog:
    """Every string the source marks, and every help text of the command line."""
    from tutor.cli import cli
    from tutor.cli_i18n import help_texts

    catalog = Catalog(project="ce-tutor", domain=DOMAIN)
    source = ROOT / "tutor"
    for filename, lineno, message, _comments, context in extract_from_dir(
        str(source), method_map=[("**.py", "python")]
    ):
        catalog.add(message, locations=[(f"tutor/{filename}", lineno)], context=context)
    for text in help_texts(cli):
        catalog.add(text, locations=[("tutor/cli.py", 0)])
    return catalog


def update(po_path: Path, pot: Catalog, prune: bool = False) -> list[str]:
    """Merge `pot` into the catalog at `po_path`, compile it; the untranslated msgids."""
    lang = po_path.parent.parent.name
    with open(po_path, "rb") as po:
        catalog = read_po(po, locale=lang)
    catalog.update(pot, no_fuzzy_matching=True)
    if not prune:  # keep translations of strings gone from this tree: a branch may still use them
        for message in catalog.obsolete.values():
            if message.string:
                catalog[message.id] = message
    catalog.obsolete.clear()
    catalog.fuzzy = False
    with open(po_path, "wb") as po:
        write_po(po, catalog, width=100, no_location=True, sort_output=True)
    with open(po_path.with_suffix(".mo"), "wb") as mo:
        write_mo(mo, catalog)
    return [str(m.id) for m in catalog if m.id and not _translated(m.string)]


def _translated(string: str | tuple[str, ...]) -> bool:
    return all(string) if isinstance(string, tuple) else bool(string)


def main() -> int:
    prune = "--prune" in sys.argv[1:]
    pot = template()
    untranslated = 0
    for po_path in sorted(LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        missing = update(po_path, pot, prune)
        untranslated += len(missing)
        print(f"{po_path.relative_to(ROOT)}: {len(missing)} untranslated")
        for msgid in missing:
            print(f"  {msgid!r}")
    return 1 if untranslated else 0


if __name__ == "__main__":
    sys.exit(main())
