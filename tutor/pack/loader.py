"""Load a pack folder into the model, collecting every problem on the way.

`load_pack` never raises for a bad pack: it returns what it could read and a
sorted list of `PackError`s, so `ce-tutor validate` can print them all at
once and the app can refuse a broken pack with a clear message.
"""

from __future__ import annotations

from pathlib import Path

import tomllib

from tutor.i18n import _
from tutor.pack.blocks import build_derivation, build_exercise, build_plot
from tutor.pack.errors import PackError, PackNotFound, did_you_mean
from tutor.pack.fields import Fields
from tutor.pack.lesson_text import FencedBlock, split_lesson
from tutor.pack.model import Block, CodeExample, Lesson, Location, Pack, Prose, Step
from tutor.pack.yaml_lines import LineDict, YamlProblem, load_yaml, silent_cuts

PACK_FILE = "pack.toml"
PACK_KEYS = {
    "id", "title", "version", "authors", "description", "requires", "lessons", "translates",
}  # fmt: skip
LESSON_KEYS = {"id", "title", "summary", "minutes"}


def load_pack(root: Path | str) -> tuple[Pack, list[PackError]]:
    """Read a pack folder: `pack.toml`, then each lesson in order."""
    root = Path(root)
    manifest = root / PACK_FILE
    if not manifest.is_file():
        raise PackNotFound(
            _("{root} is not a lesson pack: it has no {file}").format(root=root, file=PACK_FILE)
        )
    errors: list[PackError] = []
    pack = _read_manifest(manifest, errors)
    seen: dict[str, Path] = {}
    for path in _lesson_files(pack, manifest, errors):
        lesson = load_lesson(path, errors)
        if lesson is None:
            continue
        if lesson.id in seen:
            errors.append(
                PackError(
                    path,
                    2,
                    _("duplicate lesson id `{id}` (also in {other})").format(
                        id=lesson.id, other=seen[lesson.id]
                    ),
                )
            )
            continue
        seen[lesson.id] = path
        pack.lessons.append(lesson)
    return pack, sorted(set(errors))


def _read_manifest(manifest: Path, errors: list[PackError]) -> Pack:
    root = manifest.parent
    text = _read_text(manifest, errors)
    data: dict = {}
    if text is not None:
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            errors.append(
                PackError(manifest, _toml_line(error), _("bad TOML: {error}").format(error=error))
            )
    line_of = _toml_key_lines(text or "")
    for key in data:
        if key not in PACK_KEYS:
            errors.append(
                PackError(
                    manifest,
                    line_of.get(key, 1),
                    _("unknown key `{key}` in {what}").format(key=key, what=PACK_FILE)
                    + did_you_mean(key, PACK_KEYS),
                )
            )
    for key in ("id", "title"):
        if text is not None and data is not None and not isinstance(data.get(key), str):
            errors.append(
                PackError(
                    manifest,
                    line_of.get(key, 1),
                    _("{file} needs `{key}` (text)").format(file=PACK_FILE, key=key),
                )
            )
    requires = data.get("requires")
    if requires is not None:
        problem = _check_requires(requires)
        if problem:
            errors.append(PackError(manifest, line_of.get("requires", 1), problem))
    authors = data.get("authors", [])
    if not isinstance(authors, list):
        authors = [str(authors)]
    pack = Pack(
        id=str(data.get("id") or root.name),
        title=str(data.get("title") or root.name),
        root=root,
        version=str(data.get("version", "0.0.0")),
        authors=[str(a) for a in authors],
        description=str(data.get("description", "")),
        requires=str(requires) if requires is not None else None,
        translates=str(data["translates"]) if data.get("translates") else None,
    )
    pack.extra["lesson_order"] = data.get("lessons")
    pack.extra["lesson_order_line"] = line_of.get("lessons", 1)
    pack.extra["translates_line"] = line_of.get("translates", 1)
    return pack


def _check_requires(requires: object) -> str | None:
    """A `requires = ">=0.1"` range must parse and admit this ce-tutor."""
    from packaging.specifiers import InvalidSpecifier, SpecifierSet

    from tutor import __version__

    try:
        spec = SpecifierSet(str(requires))
    except InvalidSpecifier:
        return _('`requires` is not a version range: `{requires}` (e.g. ">=0.1,<1")').format(
            requires=requires
        )
    if __version__ not in spec:
        return _("this pack requires ce-tutor {requires}, but this is ce-tutor {version}").format(
            requires=requires, version=__version__
        )
    return None


def _lesson_files(pack: Pack, manifest: Path, errors: list[PackError]) -> list[Path]:
    root = manifest.parent
    order = pack.extra.get("lesson_order")
    if order is None:
        return sorted(p for p in root.glob("*.md") if p.name.lower() != "readme.md")
    line = pack.extra["lesson_order_line"]
    if not isinstance(order, list) or not all(isinstance(name, str) for name in order):
        errors.append(PackError(manifest, line, _("`lessons` must be a list of file names")))
        return []
    files = []
    available = [p.name for p in root.glob("*.md")]
    for name in order:
        path = root / name
        if not path.is_file():
            errors.append(
                PackError(
                    manifest,
                    line,
                    _("`lessons` names `{name}`, which does not exist").format(name=name)
                    + did_you_mean(name, available),
                )
            )
        else:
            files.append(path)
    return files


def load_lesson(path: Path, errors: list[PackError]) -> Lesson | None:
    """Read one lesson file; its problems are appended to `errors`."""
    text = _read_text(path, errors)
    if text is None:
        return None
    split = split_lesson(text)
    errors.extend(PackError(path, line, message) for line, message in split.problems)
    meta = _front_matter(path, split.front_matter, split.front_matter_line, errors)
    if meta is None:
        return None
    lesson = Lesson(
        id=str(meta.get("id", "")),
        title=str(meta.get("title", "")),
        path=path,
        summary=str(meta.get("summary", "") or ""),
        minutes=meta.get("minutes") if isinstance(meta.get("minutes"), int) else None,
        intro=split.intro,
    )
    exercise_ids: dict[str, int] = {}
    for raw in split.steps:
        step = Step(title=raw.title, location=Location(path, raw.line))
        blocks: list[Block] = []
        for part in raw.parts:
            if isinstance(part, tuple):
                line, prose = part
                blocks.append(Prose(text=prose, location=Location(path, line)))
            else:
                block = _build_block(part, path, blocks, errors)
                if block is not None:
                    blocks.append(block)
        step.blocks = blocks
        for exercise in step.exercises:
            if exercise.id in exercise_ids:
                errors.append(
                    PackError(
                        path,
                        exercise.location.line,
                        _("duplicate exercise id `{id}` (first at line {line})").format(
                            id=exercise.id, line=exercise_ids[exercise.id]
                        ),
                    )
                )
            else:
                exercise_ids[exercise.id] = exercise.location.line
        lesson.steps.append(step)
    return lesson


def _front_matter(
    path: Path, text: str | None, first_line: int, errors: list[PackError]
) -> LineDict | None:
    if text is None:
        return None
    try:
        data = load_yaml(text)
    except YamlProblem as problem:
        errors.append(
            PackError(
                path,
                first_line + problem.line - 1,
                _("front matter: {problem}").format(problem=problem.message),
            )
        )
        return None
    if not isinstance(data, LineDict):
        errors.append(
            PackError(path, first_line, _("front matter must be a YAML mapping (id, title)"))
        )
        return None
    fields = Fields(data, first_line, _("front matter"))
    fields.check_keys(LESSON_KEYS, {"id", "title"})
    lesson_id = data.get("id")
    if lesson_id is not None:
        from tutor.pack.blocks import ID_PATTERN

        if not isinstance(lesson_id, str) or not ID_PATTERN.match(lesson_id):
            fields.problem(
                "id",
                _("lesson id `{id}` must be lowercase letters, digits, - or _").format(
                    id=lesson_id
                ),
            )
    if "minutes" in data:
        fields.integer("minutes", 0, minimum=1)
    errors.extend(PackError(path, line, message) for line, message in fields.problems)
    return data


def _build_block(
    block: FencedBlock, path: Path, previous: list[Block], errors: list[PackError]
) -> Block | None:
    if block.kind == "python":
        return CodeExample(code=block.body, location=Location(path, block.line))
    if block.kind == "output":
        example = previous[-1] if previous else None
        if not isinstance(example, CodeExample) or example.output is not None:
            errors.append(
                PackError(
                    path, block.line, _("an `output` block must directly follow a `python` block")
                )
            )
        else:
            example.output = block.body
            example.output_location = Location(path, block.line)
        return None
    try:
        data = load_yaml(block.body)
    except YamlProblem as problem:
        errors.append(
            PackError(
                path,
                block.body_line + problem.line - 1,
                _("{kind}: {problem}").format(kind=block.kind, problem=problem.message),
            )
        )
        return None
    if not isinstance(data, LineDict):
        errors.append(
            PackError(
                path,
                block.line,
                _("a `{kind}` block holds a YAML mapping").format(kind=block.kind),
            )
        )
        return None
    errors.extend(
        PackError(path, block.body_line + line - 1, message)
        for line, message in silent_cuts(block.body)
    )
    builder = {"exercise": build_exercise, "derivation": build_derivation, "plot": build_plot}
    built, problems = builder[block.kind](data, path, block.body_line)
    errors.extend(PackError(path, line, message) for line, message in problems)
    return built


def _read_text(path: Path, errors: list[PackError]) -> str | None:
    try:
        raw = path.read_bytes()
    except OSError as error:
        errors.append(
            PackError(path, 1, _("cannot read: {error}").format(error=error.strerror or error))
        )
        return None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        errors.append(
            PackError(
                path, line, _("not UTF-8 text (byte {byte:#04x})").format(byte=raw[error.start])
            )
        )
        return None


def _toml_line(error: tomllib.TOMLDecodeError) -> int:
    # tomllib's message ends with "(at line N, column M)"
    import re

    match = re.search(r"line (\d+)", str(error))
    return int(match.group(1)) if match else 1


def _toml_key_lines(text: str) -> dict[str, int]:
    """The line of each top-level key in a flat TOML file (tomllib keeps none)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.startswith("["):
            break
        key = line.split("=", 1)[0].strip().strip('"')
        if "=" in line and key and key not in lines:
            lines[key] = number
    return lines
