"""Random and mutated lesson packs: every outcome is a list of PackErrors or a valid model."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tutor.pack.errors import PackError, PackNotFound
from tutor.pack.loader import load_pack
from tutor.pack.model import Exercise, Pack

SEED_PACK = Path(__file__).resolve().parents[2] / "tutor" / "bench" / "pack"
LESSON = (SEED_PACK / "01-class.md").read_text(encoding="utf-8")
MANIFEST = (SEED_PACK / "pack.toml").read_text(encoding="utf-8")
BOUNDED = settings(max_examples=120, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
# the YAML, TOML and Markdown characters that change structure
NASTY = st.sampled_from(
    ["\n", "---", "```", "```exercise", "## ", ":", "- ", "  ", "\t", "{", "}", "[", "]", "'",
     '"', "|", ">", "&a", "*a", "!!python/object:os.system", "\x00", "\ufeff", "é", "🙂",
     "type: code", "type: nope", "id:", "1e999", "~", "null", "= ", "[[x]]", "\r"]
)  # fmt: skip


@st.composite
def mutated(draw, text: str) -> str:
    """`text` with a few edits: lines dropped, duplicated or swapped, tokens inserted."""
    lines = text.split("\n")
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.integers(0, max(0, len(lines) - 1)))
        action = draw(st.sampled_from(["drop", "dup", "swap", "insert", "cut", "replace"]))
        if action == "drop" and lines:
            del lines[where]
        elif action == "dup" and lines:
            lines.insert(where, lines[where])
        elif action == "swap" and len(lines) > 1:
            other = draw(st.integers(0, len(lines) - 1))
            lines[where], lines[other] = lines[other], lines[where]
        elif action == "insert" and lines:
            line = lines[where]
            col = draw(st.integers(0, len(line)))
            lines[where] = line[:col] + draw(NASTY) + line[col:]
        elif action == "cut":
            lines = lines[: where + 1]
        elif action == "replace" and lines:
            lines[where] = draw(st.text(max_size=30))
    return "\n".join(lines)


def _load(manifest: str | bytes, lesson: str | bytes) -> tuple[Pack | None, list[PackError]]:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        for name, content in (("pack.toml", manifest), ("01-class.md", lesson)):
            if isinstance(content, bytes):
                (root / name).write_bytes(content)
            else:
                (root / name).write_text(content, encoding="utf-8", errors="surrogatepass")
        try:
            return load_pack(root)
        except PackNotFound:
            return None, []


def _check_outcome(pack: Pack | None, errors: list[PackError]) -> None:
    assert isinstance(errors, list)
    for error in errors:
        assert isinstance(error, PackError)
        assert str(error).strip()  # a readable file:line: message
        assert error.line >= 0
    if pack is not None and not errors:
        for lesson in pack.lessons:
            assert lesson.id and isinstance(lesson.title, str)
            for exercise in lesson.exercises:
                assert isinstance(exercise, Exercise) and exercise.id


def test_the_seed_pack_is_clean() -> None:
    pack, errors = _load(MANIFEST, LESSON)
    assert errors == [] and pack is not None
    assert [e.type for e in pack.lessons[0].exercises] == ["number", "formula", "code"]


@BOUNDED
@given(mutated(LESSON))
def test_a_mutated_lesson_loads_or_is_reported(lesson: str) -> None:
    _check_outcome(*_load(MANIFEST, lesson))


@BOUNDED
@given(mutated(MANIFEST), st.booleans())
def test_a_mutated_manifest_loads_or_is_reported(manifest: str, keep_lesson: bool) -> None:
    _check_outcome(*_load(manifest, LESSON if keep_lesson else ""))


@settings(max_examples=60, deadline=3000)
@given(st.binary(max_size=400), st.text(max_size=200))
def test_random_bytes_and_text_are_reported_not_raised(raw: bytes, text: str) -> None:
    _check_outcome(*_load(MANIFEST, raw))
    _check_outcome(*_load(MANIFEST, "---\n" + text))
