"""The authoring guide's own sample lesson validates: an instructor can copy it."""

from __future__ import annotations

import re
from pathlib import Path

from tests.pack.helpers import write_pack
from tutor.grading.pack_checks import check_pack
from tutor.pack.discovery import builtin_pack_dir
from tutor.pack.loader import load_pack

GUIDE = builtin_pack_dir() / "README.md"


def _sample_lesson() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"````markdown\n(---\n.*?)````", text, re.DOTALL)
    assert match, "the guide's complete sample lesson is missing"
    return match.group(1)


def _sample_manifest() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    match = re.search(r"```toml\n(id = .*?)```", text, re.DOTALL)
    assert match, "the guide's pack.toml is missing"
    return match.group(1).replace('["01-entropy.md", "02-cross-entropy.md"]', '["01-surprise.md"]')


def test_the_guides_sample_lesson_and_manifest_validate(tmp_path: Path) -> None:
    root = write_pack(
        tmp_path / "guide-pack", {"01-surprise.md": _sample_lesson()}, _sample_manifest()
    )
    pack, errors = load_pack(root)
    assert errors == []
    assert [e.id for e in pack.lessons[0].exercises] == ["half"]
    assert check_pack(pack).errors == []


def _yaml_blocks() -> list[tuple[str, str]]:
    """Every ```yaml example of the guide, with the block kind it documents."""
    text = GUIDE.read_text(encoding="utf-8")
    blocks = []
    for body in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL):
        if "\ntype: " in body:
            blocks.append(("exercise", body))
        elif "steps:" in body or body.startswith("use:"):
            blocks.append(("derivation", body))
        elif "range:" in body:
            blocks.append(("plot", body))
    return blocks


def test_every_documented_block_example_validates(tmp_path: Path) -> None:
    blocks = _yaml_blocks()
    kinds = [kind for kind, _ in blocks]
    assert kinds.count("exercise") == 5 and "derivation" in kinds and "plot" in kinds
    fenced = "\n".join(f"```{kind}\n{body}```\n" for kind, body in blocks)
    lesson = f"---\nid: guide\ntitle: Guide examples\n---\n\n## Every example\n\n{fenced}"
    pack, errors = load_pack(write_pack(tmp_path / "guide-blocks", {"01-guide.md": lesson}))
    assert errors == []
    types = sorted(e.type for e in pack.lessons[0].exercises)
    assert types == ["choice", "code", "formula", "number", "predict"]
    assert check_pack(pack).errors == []
