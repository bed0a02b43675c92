"""The `ce-tutor` command: parse arguments, call the layers below, print.

Every command is thin. Errors a user can act on are printed as one line and
exit with 2 (a bad call) or 1 (`validate` found problems); never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from tutor import __version__
from tutor.cli_i18n import TranslatedGroup, speak_in_click
from tutor.i18n import _, ngettext, set_language
from tutor.pack.cache import load_pack_cached
from tutor.pack.discovery import pack_root
from tutor.pack.errors import PackError, PackNotFound
from tutor.pack.model import Exercise, Lesson, Pack
from tutor.progress.identity import cache_dir, default_learner

CLASS_WAIT_S = 60.0  # how long the app waits at start for a class's service that is away
_VALUE_OPTIONS = {"--learner", "--pack", "--db", "--grading-socket", "--lang", "--lesson"}


class _TutorGroup(TranslatedGroup):
    """A group whose first positional word may be a pack folder: `ce-tutor PACK_DIR`."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        skip_next = False
        for index, token in enumerate(args):
            if skip_next:
                skip_next = False
                continue
            if token in _VALUE_OPTIONS:
                skip_next = True
                continue
            if token.startswith("-"):
                continue
            if token not in self.commands:
                ctx.meta["pack_dir"] = token
                args = args[:index] + args[index + 1 :]
            break
        return super().parse_args(ctx, args)


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"ce-tutor: {message}", err=True)
    sys.exit(code)


def _open_pack(pack_dir: str | None) -> Pack:
    """Load a pack for use; a broken pack is refused with its problems."""
    root = pack_root(pack_dir)  # a folder, or an installed pack's id
    try:
        pack, errors = load_pack_cached(root, cache_dir())
    except PackNotFound as error:
        _fail(str(error))
    if errors:
        for error in errors[:20]:
            click.echo(str(error), err=True)
        more = _(" (and {count} more)").format(count=len(errors) - 20) if len(errors) > 20 else ""
        _fail(
            _("the pack at {root} has problems{more}; run `ce-tutor validate {root}`").format(
                root=root, more=more
            )
        )
    return pack


def _find(pack: Pack, reference: str) -> tuple[Lesson, Exercise]:
    lesson_id, _slash, exercise_id = reference.partition("/")
    lesson = pack.lesson(lesson_id)
    if lesson is None:
        known = ", ".join(lesson.id for lesson in pack.lessons)
        _fail(
            _("no lesson `{lesson}` in pack `{pack}` (lessons: {known})").format(
                lesson=lesson_id, pack=pack.id, known=known
            )
        )
    exercise = lesson.exercise(exercise_id)
    if exercise is None:
        known = ", ".join(e.id for e in lesson.exercises) or "none"
        _fail(
            _("no exercise `{exercise}` in lesson `{lesson}` (exercises: {known})").format(
                exercise=exercise_id, lesson=lesson_id, known=known
            )
        )
    return lesson, exercise


pack_option = click.option(
    "--pack",
    "pack_dir",
    metavar="P",
    help="A lesson pack folder or an installed pack's id (default: the built-in pack).",
)
learner_option = click.option(
    "--learner", metavar="L", help="Whose numbers and progress (default: the OS user)."
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print JSON.")


@click.group(cls=_TutorGroup, invoke_without_command=True)
@click.version_option(__version__, prog_name="ce-tutor")
@click.option(
    "--lang",
    metavar="LANG",
    is_eager=True,
    expose_value=False,
    callback=lambda _ctx, _param, value: set_language(value),
    help="The language to speak, such as zh_CN or en (default: LANGUAGE, LC_ALL, LC_MESSAGES, LANG).",
)
@learner_option
@click.option("--no-mouse", is_flag=True, help="Do not capture the mouse (less traffic over SSH).")
@click.option(
    "--db",
    metavar="URL",
    envvar="CE_TUTOR_DB",
    help="The progress store: a postgresql:// URL or a SQLite file (env CE_TUTOR_DB).",
)
@click.option(
    "--grading-socket",
    metavar="PATH",
    envvar="CE_TUTOR_GRADING_SOCKET",
    help="The class's grading service (`ce-tutor serve`); default: /run/ce-tutor/grading.sock "
    "if it exists, else a private service for this session.",
)
@click.option(
    "--lesson",
    "lesson_id",
    metavar="ID",
    help="Open on this lesson (or give its file as PACK_DIR): an author's preview.",
)
@click.option(
    "--watch",
    "watching",
    is_flag=True,
    help="Show the pack again, on the same step, whenever one of its files is saved.",
)
@click.pass_context
def cli(
    ctx: click.Context,
    learner: str | None,
    no_mouse: bool,
    db: str | None,
    grading_socket: str | None,
    lesson_id: str | None,
    watching: bool,
) -> None:
    """A terminal tutor for entropy, KL divergence and cross-entropy.

    Run `ce-tutor` for the built-in lessons, or `ce-tutor PACK_DIR` for another pack.
    """
    from tutor.class_config import ClassConfigError, load_class_config

    try:
        config = load_class_config()
    except ClassConfigError as error:
        _fail(str(error))
    ctx.meta["db"] = _database_url(ctx, db, config)
    ctx.meta["grading_socket"] = grading_socket
    ctx.meta["class_config"] = config
    if ctx.invoked_subcommand is not None:
        if lesson_id is not None or watching:
            _fail(_("--lesson and --watch go after the command: `ce-tutor validate --watch`"))
        return
    _need_a_terminal()
    pack_dir = ctx.meta.get("pack_dir") or (str(config.pack) if config and config.pack else None)
    pack_dir, lesson_file = _lesson_file(pack_dir)
    from tutor.app.editor import EditorChoice
    from tutor.app.grading_link import GradingLink
    from tutor.app.tutor_app import TutorApp
    from tutor.class_config import class_socket

    socket_path = class_socket(grading_socket, config)
    if socket_path is None and _shared_account_learner():
        # never a private service under a shared account: its learner code would run as
        # the account every classmate's session runs as; the class's service or nothing
        from tutor.class_config import CLASS_SOCKET

        socket_path = CLASS_SOCKET
    if socket_path is not None and watching:
        # the class's service sends the pack it serves; a learner has no files to watch
        _fail(_("--watch is for an author's own pack; in a class the service sends the pack"))
    if socket_path is None:
        pack = _open_pack(pack_dir)
        store = _open_progress(ctx.meta["db"])
        learner = learner or default_learner()
        link = GradingLink(pack, learner, socket_path=socket_path)
    else:
        # a class: the service sends the pack (answers removed) and this learner's progress,
        # and records everything; the app opens no store and reads no pack file
        joined = _join_class(socket_path, pack_dir)
        pack, store, learner = joined.pack, joined.progress, joined.learner
        link = GradingLink(pack, learner, client=joined.client, socket_path=socket_path)
    # in a class the admin picks the editor (or none), never the learner's $EDITOR
    editor = EditorChoice.learners() if socket_path is None else EditorChoice.of_class(config)
    if lesson_file is not None:
        lesson_id = _lesson_of_file(pack, lesson_file)
    if lesson_id is not None:
        _need_lesson(pack, lesson_id)
    app = TutorApp(
        pack,
        learner=learner,
        store=store,
        grading=link,
        editor=editor,
        lesson=lesson_id,
        watch=watching,
    )
    app.run(mouse=not no_mouse)
    if app.return_code:
        sys.exit(app.return_code)


def _lesson_file(pack_dir: str | None) -> tuple[str | None, Path | None]:
    """`ce-tutor lessons/03-kl.md`: the pack's folder, and the lesson file to open on."""
    if pack_dir is None or not pack_dir.endswith(".md") or not Path(pack_dir).is_file():
        return pack_dir, None
    lesson_file = Path(pack_dir).resolve()
    return str(lesson_file.parent), lesson_file


def _lesson_of_file(pack: Pack, lesson_file: Path) -> str:
    for lesson in pack.lessons:
        if lesson.path.resolve() == lesson_file:
            return lesson.id
    _fail(_("{file} is not a lesson of {pack} (pack.toml does not list it)").format(
        file=lesson_file, pack=pack.id))  # fmt: skip
    raise AssertionError  # _fail exits


def _need_lesson(pack: Pack, lesson_id: str) -> None:
    """`--lesson ID` names a lesson of the pack, or the call is refused with did-you-mean."""
    if pack.lesson(lesson_id) is None:
        from tutor.pack.errors import did_you_mean

        hint = did_you_mean(lesson_id, [lesson.id for lesson in pack.lessons])
        _fail(_("no lesson `{id}` in {pack}{hint}").format(id=lesson_id, pack=pack.id, hint=hint))


def _join_class(socket_path: Path, pack_dir: str | None):
    """The pack and progress from the class's service, waiting a minute for it if it is away."""
    import time

    from tutor.app.class_progress import open_class
    from tutor.grading.protocol import GradingFailed

    deadline = time.monotonic() + CLASS_WAIT_S
    said = False
    while True:
        try:
            return open_class(socket_path, pack_dir)
        except GradingFailed as error:
            if error.kind != "service" or time.monotonic() > deadline:
                _fail(str(error))
            if not said:
                click.echo(_("{error}; waiting for it…").format(error=error), err=True)
                said = True
            time.sleep(2.0)


def _shared_account_learner() -> bool:
    """A learner of a shared account (set-up B): their key's forced command gave a token."""
    import os

    from tutor.progress.identity import TOKEN_ENV

    return bool(os.environ.get(TOKEN_ENV))


def _need_a_terminal() -> None:
    """The TUI reads keys from a terminal; without one (`ssh -T`, a pipe) it would never end."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        _fail(
            _("the tutor needs a terminal: connect with `ssh -t` (stdin and stdout must be a tty)")
        )


def _database_url(ctx: click.Context, db: str | None, config) -> str | None:
    """`--db` (never with a password: argv is public), `CE_TUTOR_DB`, else the class config's."""
    from click.core import ParameterSource

    from tutor.class_config import ARGV_PASSWORD, config_path, password_in_url

    if ctx.get_parameter_source("db") is ParameterSource.COMMANDLINE and password_in_url(db):
        _fail(ARGV_PASSWORD.format(path=config_path()))
    if db is None and config is not None and config.db:
        return config.db
    if db is None and config is not None:
        return _service_db_env()  # what `class init` gave the service (root's alone)
    return db


def _service_db_env() -> str | None:
    """CE_TUTOR_DB from /etc/ce-tutor/db.env, when this account may read it (root)."""
    import shlex

    from tutor.class_setup import DB_ENV

    try:
        text = DB_ENV.read_text(encoding="utf-8")
    except OSError:
        return None
    for line in text.splitlines():
        name, _sep, value = line.strip().partition("=")
        if name == "CE_TUTOR_DB" and value:
            return shlex.split(value)[0] if value[0] in "\"'" else value
    return None


@cli.command("list")
@pack_option
@json_option
def list_command(pack_dir: str | None, as_json: bool) -> None:
    """List the pack's lessons and exercises."""
    pack = _open_pack(pack_dir)
    if as_json:
        data = {
            "pack": {
                "id": pack.id,
                "title": pack.title,
                "version": pack.version,
                "root": str(pack.root),
            },
            "lessons": [
                {
                    "id": lesson.id,
                    "title": lesson.title,
                    "exercises": [{"id": e.id, "type": e.type} for e in lesson.exercises],
                }
                for lesson in pack.lessons
            ],
        }
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(f"{pack.title} ({pack.id} {pack.version})")
    for lesson in pack.lessons:
        click.echo(f"\n{lesson.id}: {lesson.title}")
        for exercise in lesson.exercises:
            click.echo(f"  {lesson.id}/{exercise.id}  [{exercise.type}]")


@cli.command()
@click.argument("reference", metavar="LESSON/EXERCISE")
@pack_option
@learner_option
@json_option
def show(reference: str, pack_dir: str | None, learner: str | None, as_json: bool) -> None:
    """Show an exercise: its prompt, type, your parameters and choices."""
    from tutor.grading.presentation import present_exercise

    pack = _open_pack(pack_dir)
    lesson, exercise = _find(pack, reference)
    shown = present_exercise(pack, lesson, exercise, learner or default_learner())
    if as_json:
        click.echo(json.dumps(shown, indent=2, ensure_ascii=False))
        return
    click.echo(f"{lesson.id}/{exercise.id} [{exercise.type}]\n")
    click.echo(shown["prompt"])
    for number, choice in enumerate(shown.get("choices", []), start=1):
        click.echo(f"  {number}. {choice}")
    if shown.get("starter"):
        click.echo("\n" + shown["starter"])
    if shown.get("code"):
        click.echo("\n" + shown["code"])
    for name, meaning in shown.get("symbols", {}).items():
        click.echo(f"  {name}: {meaning}")


@cli.command()
@click.argument("reference", metavar="LESSON/EXERCISE")
@click.option("--answer", metavar="TEXT", help="The answer (a choice, number, formula, output).")
@click.option(
    "--code-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    metavar="F",
    help="A Python file with the function, for code exercises.",
)
@pack_option
@learner_option
@json_option
def grade(
    reference: str,
    answer: str | None,
    code_file: Path | None,
    pack_dir: str | None,
    learner: str | None,
    as_json: bool,
) -> None:
    """Grade one answer and print the verdict (exit 0 whenever a verdict is given)."""
    from tutor.grading import GraderNotAvailable
    from tutor.grading import grade as grade_answer

    if (answer is None) == (code_file is None):
        _fail(_("give exactly one of --answer TEXT or --code-file F"))
    pack = _open_pack(pack_dir)
    lesson, exercise = _find(pack, reference)
    if code_file is not None:
        try:
            answer = code_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            _fail(_("cannot read {path}: {error}").format(path=code_file, error=error))
    try:
        verdict = grade_answer(pack, lesson, exercise, answer, learner or default_learner())
    except GraderNotAvailable as error:
        _fail(str(error))
    if as_json:
        click.echo(json.dumps(verdict.to_json(), indent=2, ensure_ascii=False))
        return
    mark = "✓" if verdict.correct else "✗"
    click.echo(f"{mark} {verdict.status.value}: {verdict.feedback}")
    if verdict.mistake:
        click.echo("  " + _("mistake: {tag}").format(tag=verdict.mistake))
    if verdict.read_as:
        click.echo("  " + _("read as: {answer}").format(answer=verdict.read_as))


@cli.command()
@click.argument("pack_dir", required=False, metavar="[PACK_DIR]")
@click.option("--quick", is_flag=True, help="Check the structure only; skip the engines.")
@click.option(
    "--no-cache", "fresh", is_flag=True, help="Check every block again, even those found clean."
)
@click.option(
    "--lesson", "lesson_id", metavar="ID", help="Check one lesson (or give its file as PACK_DIR)."
)
@click.option(
    "--watch", "watching", is_flag=True, help="Check again whenever a file of the pack is saved."
)
@click.pass_context
def validate(
    ctx: click.Context,
    pack_dir: str | None,
    quick: bool,
    fresh: bool,
    lesson_id: str | None,
    watching: bool,
) -> None:
    """Check a pack (default: the built-in pack); print every problem as file:line: message.

    Beyond the structure, every exercise, example and derivation is checked
    by the engines: formulas against torch, numbers by both engines, code
    references and known-wrong variants in the sandbox, printed outputs re-run.
    Problems and the closing line go to stdout, progress to stderr.
    """
    root = pack_root(pack_dir)
    lesson_file = root.resolve() if root.suffix == ".md" and root.is_file() else None
    if lesson_file is not None:
        root = lesson_file.parent
    code = _validate_once(
        ctx, root, quick, fresh, lesson_id, {lesson_file} if lesson_file else None
    )
    if not watching:
        if code:
            sys.exit(code)
        return
    from contextlib import suppress

    from tutor.pack.watch import watch

    click.echo(_("watching {root}: each save is checked again (Ctrl-C stops)").format(root=root),
               err=True)  # fmt: skip
    if not quick:  # while the author edits: a save then pays its own blocks' checks only
        import threading

        from tutor.grading.pack_checks import warm_engines

        threading.Thread(target=warm_engines, name="warm-engines", daemon=True).start()
    with suppress(KeyboardInterrupt):
        watch(root, lambda files: _validate_once(ctx, root, quick, fresh, lesson_id, files))


def _validate_once(
    ctx: click.Context,
    root: Path,
    quick: bool,
    fresh: bool,
    lesson_id: str | None,
    files: set[Path] | None,
) -> int:
    """One `validate` of the pack (of its lessons in `files`, when given); the exit code."""
    from tutor.grading.pack_checks import check_pack
    from tutor.pack.loader import load_pack
    from tutor.pack.translation import translation_problems

    try:
        pack, errors = load_pack(root)
    except PackNotFound as error:
        _fail(str(error), code=1)
    errors = errors + translation_problems(pack)
    only = _lessons_to_check(pack, lesson_id, files)
    if only is not None:
        paths = {lesson.path.resolve() for lesson in pack.lessons if lesson.id in only}
        paths |= files or set()
        errors = [e for e in errors if Path(e.path).resolve() in paths]
    checked = _("structure only (--quick)")
    if not quick:
        report = check_pack(
            pack,
            progress=lambda lesson: click.echo(
                _("checking {lesson} …").format(lesson=lesson), err=True
            ),
            cache_dir=None if fresh else cache_dir(),
            lessons=only,
        )
        errors = sorted(set(errors + report.errors))
        checked = report.summary()
    if ctx.meta.get("db"):
        errors = sorted(set(errors + _orphaned_work(pack, ctx.meta["db"])))
    for error in errors:
        click.echo(str(error))
    named = f"{pack.id} ({root})"
    if errors:
        count = len(errors)
        click.echo(
            ngettext("{count} problem in {pack}", "{count} problems in {pack}", count).format(
                count=count, pack=named
            )
        )
        return 1
    click.echo(_("{pack}: clean — checked {checked}").format(pack=named, checked=checked))
    return 0


def _lessons_to_check(
    pack: Pack, lesson_id: str | None, files: set[Path] | None
) -> set[str] | None:
    """The lesson ids `--lesson` or the given lesson files name (None: the whole pack)."""
    if files is not None and not any(path.name == "pack.toml" for path in files):
        found = {le.id for le in pack.lessons if le.path.resolve() in files}
        return found or {""}  # files the pack does not list: their loader problems only
    if lesson_id is None:
        return None
    _need_lesson(pack, lesson_id)
    return {lesson_id}


def _orphaned_work(pack: Pack, db: str) -> list[PackError]:
    """`validate --db`: answers in the store to lesson or exercise ids the pack no longer has."""
    from tutor.progress.gradebook import LessonOutline
    from tutor.progress.orphans import describe, orphans

    lessons = [LessonOutline(le.id, tuple(e.id for e in le.exercises)) for le in pack.lessons]
    with _open_progress(db) as store:
        _adopt_course_rows(store, pack)
        found = orphans(store.attempts(pack_id=pack.gradebook_id), lessons, pack.gradebook_id)
    paths = {lesson.id: lesson.path for lesson in pack.lessons}
    manifest = pack.root / "pack.toml"
    return [
        PackError(paths.get(orphan.lesson_id, manifest), 1, describe(orphan, lessons))
        for orphan in found
    ]


@cli.command()
@click.argument("name", required=False)
@click.option(
    "--list", "list_all", is_flag=True, help="Name the built-in derivations, one per line."
)
@click.option(
    "--ascii",
    "ascii_only",
    is_flag=True,
    help="ASCII math (default: Unicode when the terminal has it).",
)
def derive(name: str | None, list_all: bool, ascii_only: bool) -> None:
    """Print a built-in derivation, each step proved equal to the one before."""
    from tutor.symbolic.derivations import BUILTIN_DERIVATIONS, prove, render_derivation

    if list_all or name is None:
        for known in BUILTIN_DERIVATIONS:
            click.echo(known)
        return
    derivation = BUILTIN_DERIVATIONS.get(name)
    if derivation is None:
        from tutor.pack.errors import did_you_mean

        _fail(
            f"no derivation `{name}`{did_you_mean(name, BUILTIN_DERIVATIONS)}; see `ce-tutor derive --list`"
        )
    ascii_only = ascii_only or not _terminal_is_utf8()
    results = prove(derivation)
    click.echo(render_derivation(derivation, results, ascii=ascii_only), nl=False)
    if not all(result.status.ok for result in results):
        sys.exit(1)


def _terminal_is_utf8() -> bool:
    encoding = getattr(sys.stdout, "encoding", None) or ""
    return encoding.lower().replace("-", "") == "utf8"


def _open_progress(db: str | None):
    """The progress store (`--db`, `CE_TUTOR_DB`, else the data folder); errors as one line."""
    from tutor.progress.store import StoreError, open_store

    try:
        return open_store(url=db)
    except StoreError as error:
        _fail(str(error))


def _class_pack(ctx: click.Context, pack_dir: str | None) -> str | None:
    """`--pack`, else the class config's pack: one place names the class's pack."""
    config = ctx.meta.get("class_config")
    if pack_dir is None and config is not None and config.pack is not None:
        return str(config.pack)
    return pack_dir


def _instructor_store(db: str | None):
    """The store an instructor asked for, never a new empty one made by a typo.

    Said on stderr, so a gradebook read from the wrong store is noticed.
    """
    from tutor.progress.store import store_location

    location = store_location(None, db)
    if isinstance(location, Path) and not location.exists():
        _fail(
            _("no progress store at {path} (nothing created); check --db or CE_TUTOR_DB").format(
                path=location
            )
        )
    store = _open_progress(db)
    click.echo(_("reading {store}").format(store=store.where), err=True)
    return store


def _gradebook(pack: Pack, db: str | None, learner: str | None):
    """Grade rows and positions for one pack (and one learner if given)."""
    from tutor.progress.gradebook import LessonOutline, grade_rows

    lessons = [LessonOutline(le.id, tuple(e.id for e in le.exercises)) for le in pack.lessons]
    records = pack.gradebook_id  # one gradebook for the course in every language
    with _instructor_store(db) as store:
        _adopt_course_rows(store, pack)
        attempts = store.attempts(learner=learner, pack_id=records)
        learners = [learner] if learner else store.learners(records)
        positions = {
            key: step
            for key, step in store.positions(records).items()
            if learner is None or key[0] == learner
        }
    return lessons, grade_rows(attempts, lessons, records, pack.version, learners), positions


def _adopt_course_rows(store, pack: Pack) -> None:
    """Rows an earlier version kept under a translation's own id, folded in (said on stderr)."""
    from tutor.grading.gradebook_rows import adopt_course_rows

    changed = adopt_course_rows(store, pack)
    if changed:
        click.echo(
            _("{count} earlier row(s) brought into the gradebook of {pack}").format(
                count=changed, pack=pack.gradebook_id
            ),
            err=True,
        )


@cli.command()
@pack_option
@click.option("--learner", metavar="L", help="Only this learner (default: everyone).")
@json_option
@click.pass_context
def progress(ctx: click.Context, pack_dir: str | None, learner: str | None, as_json: bool) -> None:
    """The class's progress: learners × lessons (exercises solved, score, attempts, step)."""
    from dataclasses import asdict

    from tutor.progress.gradebook import lesson_summaries, progress_table

    pack = _open_pack(_class_pack(ctx, pack_dir))
    lessons, rows, positions = _gradebook(pack, ctx.meta.get("db"), learner)
    summaries = lesson_summaries(rows, lessons, positions)
    if as_json:
        click.echo(json.dumps([asdict(s) for s in summaries], indent=2, ensure_ascii=False))
        return
    if not summaries:
        click.echo(_("No progress recorded yet for {pack}.").format(pack=pack.id))
        return
    learners = len({s.learner for s in summaries})
    learners_text = _("{count} learner(s)").format(count=learners)
    shared = ""
    if pack.gradebook_id != pack.id:  # a translation: its rows are the original's, both languages
        shared = " · " + _("one gradebook with {original}").format(original=pack.gradebook_id)
    click.echo(f"{pack.id} {pack.version} · {learners_text}{shared}\n")
    click.echo(progress_table(summaries), nl=False)


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "lms"]),
    required=True,
    help="csv or json (a row per learner and exercise), or lms (a row per learner, a column "
    "per exercise, with the total).",
)
@click.option(
    "--out", type=click.Path(dir_okay=False, path_type=Path), metavar="F", help="Write to F."
)
@pack_option
@click.option("--learner", metavar="L", help="Only this learner (default: everyone).")
@click.pass_context
def export(
    ctx: click.Context, fmt: str, out: Path | None, pack_dir: str | None, learner: str | None
) -> None:
    """The gradebook: one row per learner and exercise (score earned, attempts, mistakes)."""
    from tutor.progress.gradebook import to_csv, to_json, to_lms

    pack = _open_pack(_class_pack(ctx, pack_dir))
    lessons, rows, _positions = _gradebook(pack, ctx.meta.get("db"), learner)
    text = {"csv": to_csv, "json": to_json, "lms": to_lms}[fmt](rows)
    _name_orphaned_rows(rows, lessons)
    if out is None:
        click.echo(text, nl=False)
        return
    try:
        out.write_text(text, encoding="utf-8")
    except OSError as error:
        _fail(_("cannot write {path}: {error}").format(path=out, error=error.strerror or error))
    click.echo(_("{count} row(s) written to {path}").format(count=len(rows), path=out), err=True)


def _name_orphaned_rows(rows, lessons) -> None:
    """On stderr: the exported rows whose exercise the pack no longer has (a renamed id)."""
    known = {(lesson.id, exercise) for lesson in lessons for exercise in lesson.exercises}
    lost = sorted({(r.lesson_id, r.exercise_id) for r in rows} - known)
    if lost:
        count = sum((r.lesson_id, r.exercise_id) not in known for r in rows)
        names = ", ".join(f"{lesson}/{exercise}" for lesson, exercise in lost)
        click.echo(
            _(
                "{count} row(s) are for exercises this pack no longer has (renamed or removed): "
                "{names}"
            ).format(count=count, names=names),
            err=True,
        )


@cli.command("new-pack")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), metavar="DIR")
@click.option(
    "--id", "pack_id", metavar="ID", help="The pack's id (it keys the gradebook: keep it for good)."
)
def new_pack(directory: Path, pack_id: str | None) -> None:
    """Write a small pack that validates clean, to start from."""
    from tutor.pack.starter import StarterExists, folder_pack_id, write_starter_pack

    if pack_id is None and sys.stdin.isatty():
        pack_id = click.prompt(
            _("pack id (lowercase, digits, -; it keys every learner's grades, keep it)"),
            default=folder_pack_id(directory),
        )
    try:
        files = write_starter_pack(directory, pack_id)
    except (StarterExists, ValueError) as error:
        _fail(str(error))
    except OSError as error:
        _fail(
            _("cannot write {path}: {error}").format(path=directory, error=error.strerror or error)
        )
    for path in files:
        click.echo(_("wrote {path}").format(path=path))
    if pack_id is None:
        click.echo(
            _(
                "pack id `{id}`, from the folder's name: it keys every learner's grades, so "
                "change it in pack.toml now (or give --id) and never after"
            ).format(id=folder_pack_id(directory)),
            err=True,
        )
    click.echo(_("next: edit the lesson, then `ce-tutor validate {path}`").format(path=directory))


@cli.command()
@json_option
@click.option(
    "--learners", default=100, show_default=True, metavar="N", help="Class size to simulate."
)
@click.option(
    "--quick", is_flag=True, help="Fewer repetitions and a class of 3: about two minutes."
)
def bench(as_json: bool, learners: int, quick: bool) -> None:
    """Measure this machine: first frame, grading times, memory, a class of N learners."""
    from tutor.bench.run import Plan, goals_met, run_bench
    from tutor.bench.run import as_json as figures_json

    # --quick seats 3 learners unless --learners says otherwise
    plan = Plan(learners=3 if quick and learners == Plan.learners else learners, quick=quick)
    from tutor.bench.report import print_table, run_with_progress

    # the progress bar goes to stderr, so `--json` output stays one object
    figures, notes = run_with_progress(plan) if sys.stderr.isatty() else run_bench(plan)
    if as_json:
        click.echo(json.dumps({**figures_json(figures), "notes": notes}, indent=2))
        if not goals_met(figures, plan):
            sys.exit(1)  # as the table's run does: the JSON is written first, whole
        return
    if not print_table(figures, notes, plan):
        sys.exit(1)


@cli.command()
@click.option(
    "--socket",
    "socket_path",
    type=click.Path(path_type=Path),
    metavar="PATH",
    help="Where to listen (default: /run/ce-tutor/grading.sock as root, else in the data folder).",
)
@click.option(
    "--pack",
    "pack_dirs",
    multiple=True,
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    metavar="DIR",
    help="A pack to serve besides the installed ones (repeat for several).",
)
@click.option(
    "--sandboxes",
    default=3,
    show_default=True,
    type=click.IntRange(1, 8),
    help="Fork servers running learners' code side by side.",
)
@click.option(
    "--mode",
    default="666",
    show_default=True,
    metavar="OCTAL",
    help="The socket's permissions: who on this machine may connect.",
)
@click.option(
    "--group",
    metavar="GROUP",
    help="The socket's group (with --mode 660: only the class's group may connect).",
)
@click.option(
    "--shared-account",
    "shared_accounts",
    multiple=True,
    metavar="USER",
    help="An account shared by several learners (set-up B): its learners are told apart "
    "by the token of their ssh key (see docs/class-trust.md).",
)
@click.option(
    "--learner-tokens",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="FILE",
    help="`TOKEN LEARNER` per line, readable by root only (default: "
    "/etc/ce-tutor/learner-tokens when it exists).",
)
@click.pass_context
def serve(
    ctx: click.Context,
    socket_path: Path | None,
    pack_dirs: tuple[Path, ...],
    sandboxes: int,
    mode: str,
    group: str | None,
    shared_accounts: tuple[str, ...],
    learner_tokens: Path | None,
) -> None:
    """Run one grading service for a whole class (learners connect with --grading-socket).

    Each learner's app then stays a light Textual process: torch, sympy and
    the sandbox live once, here. The service also keeps the class's
    progress store (`--db`, `CE_TUTOR_DB`, else the data folder's file): it
    records every answer, hint and solution under the name the kernel gives
    the learner, and the learners' apps never open the store. Runs in the
    foreground until Ctrl-C or SIGTERM.
    """
    import os

    from tutor.class_config import CLASS_SOCKET
    from tutor.grading.classroom import open_classroom
    from tutor.grading.protocol import GradingFailed
    from tutor.grading.sandbox import configure_default_sandbox
    from tutor.grading.service import serve_shared
    from tutor.pack.discovery import installed_packs
    from tutor.progress.identity import data_dir

    try:
        permissions = int(mode, 8)
    except ValueError:
        _fail(_("--mode takes octal permissions such as 660, not {mode}").format(mode=repr(mode)))
    config = ctx.meta.get("class_config")
    if socket_path is None and config is not None:
        socket_path = config.grading_socket  # the one the learners' apps wait for
    if socket_path is None:
        socket_path = CLASS_SOCKET if os.geteuid() == 0 else data_dir() / "grading.sock"
    if config is not None and config.pack is not None and config.pack not in pack_dirs:
        pack_dirs = (*pack_dirs, config.pack)  # the class's pack, named once in the config
    if not shared_accounts and config is not None and config.shared_account:
        shared_accounts = (config.shared_account,)  # set-up B, as `class init` wrote it
    gid = _group_id(group)
    for root in pack_dirs:
        _open_pack(str(root))  # a broken pack is refused now, not in front of the class
    packs = [*(source.root for source in installed_packs()), *pack_dirs]
    try:
        classroom = open_classroom(
            _open_progress(ctx.meta.get("db")), list(shared_accounts), learner_tokens
        )
    except GradingFailed as error:
        _fail(str(error))
    request_log = _request_log(config)
    configure_default_sandbox(sandboxes)
    click.echo(_("serving {count} pack(s) at {socket}").format(count=len(packs), socket=socket_path),
               err=True)  # fmt: skip
    click.echo(_("recording the class's progress in {store}").format(store=classroom.store.where),
               err=True)  # fmt: skip
    try:
        serve_shared(
            socket_path,
            packs,
            mode=permissions,
            classroom=classroom,
            group=gid,
            request_log=request_log,
            class_pack=config.pack if config is not None else None,
        )
    except GradingFailed as error:
        _fail(str(error))
    finally:
        classroom.store.close()
        if request_log is not None:
            request_log.close()


def _request_log(config):
    """The class config's request log, opened for the service (None: no log)."""
    if config is None or config.request_log is None:
        return None
    from tutor.grading.request_log import RequestLog

    try:
        return RequestLog(config.request_log)
    except OSError as error:
        _fail(_("cannot write the request log {path}: {error}").format(
            path=config.request_log, error=error.strerror or error))  # fmt: skip


@cli.group("class")
def class_group() -> None:
    """The admin's commands for a class (reads the class config)."""


@class_group.command("log")
@click.option("--learner", metavar="L", help="Only this learner's requests.")
@click.option("--follow", is_flag=True, help="Keep printing new requests (Ctrl-C stops).")
@click.pass_context
def class_log(ctx: click.Context, learner: str | None, follow: bool) -> None:
    """The service's request log: who asked what, the outcome, how long, every refusal."""
    from tutor.grading.request_log import follow as follow_log
    from tutor.grading.request_log import read_entries

    config = ctx.meta.get("class_config")
    if config is None or config.request_log is None:
        _fail(_("no request log: set request_log in the class config (see the README)"))
    path = config.request_log
    if not path.exists():
        _fail(
            _("no request log at {path} yet (the service writes it when it answers)").format(
                path=path
            )
        )
    try:
        for entry in read_entries(path, learner):
            click.echo(entry.line())
        if follow:
            for entry in follow_log(path, learner, stop=lambda: False):
                click.echo(entry.line())
    except PermissionError:
        _fail(_("{path} is root's: run this as root").format(path=path))


def _roster_config(ctx: click.Context):
    config = ctx.meta.get("class_config")
    if config is None:
        _fail(_("not a class machine: write the class config first (see the README)"))
    return config


def _carry_out(plan, dry_run: bool) -> None:
    from tutor.roster import RosterError

    for line in plan.describe():
        click.echo(_("would {action}").format(action=line) if dry_run else line)
    if plan.empty:
        click.echo(_("nothing to change"))
        return
    if not dry_run:
        try:
            plan.apply()
        except (RosterError, OSError, KeyError) as error:
            _fail(str(error))


@class_group.command("init")
@click.option("--pack", "pack_dir", type=click.Path(file_okay=False, path_type=Path),
              metavar="DIR", help="The class's pack (default: the built-in course).")  # fmt: skip
@click.option("--group", default="students", show_default=True,
              help="Set-up A: the learners' accounts' group.")  # fmt: skip
@click.option("--shared-account", metavar="USER", help="Set-up B: one account for everyone.")
@click.option("--socket", "socket_path", type=click.Path(path_type=Path), metavar="PATH",
              help="The service's socket (default: /run/ce-tutor/grading.sock).")  # fmt: skip
@click.option("--request-log", type=click.Path(path_type=Path), metavar="FILE",
              help="The request log (default: /var/log/ce-tutor/requests.jsonl).")  # fmt: skip
@click.option("--editor", metavar="CMD",
              help="ctrl+o's editor (default: rnano or rvim if installed, else built-in).")  # fmt: skip
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("/"),
              hidden=True, help="Write under this folder instead of / (tests).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.pass_context
def class_init(
    ctx: click.Context,
    pack_dir: Path | None,
    group: str,
    shared_account: str | None,
    socket_path: Path | None,
    request_log: Path | None,
    editor: str | None,
    root: Path,
    dry_run: bool,
) -> None:
    """Make this machine a class server: class config, service unit, sshd block (as root)."""
    import os

    from tutor.class_config import CLASS_SOCKET, DEFAULT_CONFIG, ClassConfig, editor_escape
    from tutor.class_setup import REQUEST_LOG, ClassSetup, plan_init
    from tutor.doctor import Outcome, check_class_pack, check_install_reachable
    from tutor.roster import NAME

    for name in (group, shared_account):
        if name is not None and not NAME.match(name):
            _fail(_("`{name}` is not a usable group or account name").format(name=name))
    if editor and editor_escape(tuple(editor.split())):
        _fail(
            _("{why}: learners would get a shell").format(why=editor_escape(tuple(editor.split())))
        )
    if os.geteuid() != 0 and not dry_run and root == Path("/"):
        _fail(_("class init writes /etc: run it as root (or with --dry-run)"))
    ce_tutor = Path(sys.executable).with_name("ce-tutor")
    usable = check_install_reachable()
    if usable.outcome is not Outcome.OK:
        _fail(f"{usable.detail}; {usable.fix}")
    if pack_dir is not None:
        pack_dir = pack_dir.resolve()
        _open_pack(str(pack_dir))  # a broken pack is refused now, not in front of the class
    setup = ClassSetup(
        ce_tutor=str(ce_tutor),
        pack=pack_dir,
        group=group,
        shared_account=shared_account,
        socket=socket_path or CLASS_SOCKET,
        request_log=request_log or REQUEST_LOG,
        editor=editor,
        db=ctx.meta.get("db"),
    )
    plan = plan_init(setup, root)
    pack_check = check_class_pack(ClassConfig(path=DEFAULT_CONFIG, pack=pack_dir))
    if pack_check is not None and pack_check.outcome is not Outcome.OK:
        # it holds every answer: the service's alone
        plan.commands += [["chown", "-R", "root:", str(pack_dir)],
                          ["chmod", "-R", "go-rwx", str(pack_dir)]]  # fmt: skip
    live = root == Path("/") and Path("/run/systemd/system").is_dir()
    if live:
        plan.then += [["systemctl", "daemon-reload"],
                          ["systemctl", "enable", "--now", "ce-tutor"],
                          ["systemctl", "reload", "ssh"]]  # fmt: skip
    else:
        plan.notes.append(
            "then: systemctl daemon-reload; systemctl enable --now ce-tutor; systemctl reload ssh"
        )
    _carry_out(plan, dry_run)


@class_group.command("add")
@click.argument("learners_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
                metavar="FILE.csv")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.pass_context
def class_add(ctx: click.Context, learners_file: Path, dry_run: bool) -> None:
    """Add learners from `name,public key` rows: accounts (set-up A) or keys and tokens (B)."""
    from tutor.roster import RosterError, plan_accounts, plan_shared, read_learners

    config = _roster_config(ctx)
    try:
        learners = read_learners(learners_file.read_text(encoding="utf-8"), str(learners_file))
        if config.shared_account:
            ce_tutor = str(Path(sys.executable).with_name("ce-tutor"))
            plan = plan_shared(learners, config.shared_account, ce_tutor)
        else:
            plan = plan_accounts(learners, config.group)
    except (RosterError, KeyError) as error:
        _fail(str(error))
    _carry_out(plan, dry_run)


@class_group.command("remove")
@click.argument("learner", metavar="NAME")
@click.option("--dry-run", is_flag=True, help="Print what would change; change nothing.")
@click.pass_context
def class_remove(ctx: click.Context, learner: str, dry_run: bool) -> None:
    """Take a learner out of the class (their login goes; their grades stay)."""
    from tutor.roster import RosterError, plan_remove_account, plan_remove_shared

    config = _roster_config(ctx)
    try:
        if config.shared_account:
            plan = plan_remove_shared(learner, config.shared_account)
        else:
            plan = plan_remove_account(learner, config.group)
    except (RosterError, KeyError) as error:
        _fail(str(error))
    _carry_out(plan, dry_run)


@class_group.command("list")
@click.pass_context
def class_list(ctx: click.Context) -> None:
    """The class's learners, as the machine knows them."""
    from tutor.grading.peer import TOKENS_FILE
    from tutor.roster import accounts_in, read_tokens

    config = _roster_config(ctx)
    if config.shared_account:
        names = sorted(set(read_tokens(TOKENS_FILE).values()))
    else:
        names = accounts_in(config.group)
    for name in names:
        click.echo(name)


def _class_store(ctx: click.Context):
    """The class's store (`--db`, CE_TUTOR_DB, the class config's `db`), never a new empty one."""
    return _instructor_store(ctx.meta.get("db"))


@class_group.command("backup")
@click.argument("destination", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@click.pass_context
def class_backup(ctx: click.Context, destination: Path) -> None:
    """Copy the whole gradebook into a new SQLite file, consistently, while the class runs."""
    from tutor.progress.store import StoreError

    with _class_store(ctx) as store:
        try:
            attempts, positions = store.backup_to(destination)
        except StoreError as error:
            _fail(str(error))
    click.echo(_("{attempts} attempt(s) and {positions} place(s) backed up to {path}").format(
        attempts=attempts, positions=positions, path=destination))  # fmt: skip


@class_group.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE")
@click.option("--dry-run", is_flag=True, help="Say what would change; change nothing.")
@click.pass_context
def class_restore(ctx: click.Context, source: Path, dry_run: bool) -> None:
    """Replace the gradebook with a backup (the current one is backed up first)."""
    from tutor.progress.store import ProgressStore, StoreError

    with _class_store(ctx) as store:
        try:
            if dry_run:
                with ProgressStore(source) as backup:
                    attempts, positions = backup.snapshot()
                now = store.snapshot()
                click.echo(_("would replace {attempts} attempt(s) and {positions} place(s) with "
                             "{new_attempts} and {new_positions} from {path}").format(
                    attempts=len(now[0]), positions=len(now[1]), new_attempts=len(attempts),
                    new_positions=len(positions), path=source))  # fmt: skip
                return
            saved = _safety_copy(store, "before-restore")
            attempts, positions = store.restore_from(source)
        except StoreError as error:
            _fail(str(error))
    click.echo(_("restored {attempts} attempt(s) and {positions} place(s) from {path}; the "
                 "gradebook before is in {saved}").format(
        attempts=attempts, positions=positions, path=source, saved=saved))  # fmt: skip


@class_group.command("reset")
@click.argument("learner", metavar="LEARNER")
@click.option("--exercise", "reference", metavar="LESSON[/EXERCISE]",
              help="Only this lesson or exercise (default: everything of the learner).")  # fmt: skip
@click.option("--dry-run", is_flag=True, help="Say what would be deleted; delete nothing.")
@click.pass_context
def class_reset(ctx: click.Context, learner: str, reference: str | None, dry_run: bool) -> None:
    """Forget a learner's work (all, one lesson's, or one exercise's), after a backup."""
    from tutor.progress.store import StoreError

    lesson_id, _sep, exercise_id = (reference or "").partition("/")
    with _class_store(ctx) as store:
        rows = [
            a for a in store.attempts(learner=learner)
            if (not lesson_id or a.lesson_id == lesson_id)
            and (not exercise_id or a.exercise_id == exercise_id)
        ]  # fmt: skip
        what = (_("{learner}'s {part}").format(learner=learner, part=reference) if reference
                else _("{learner}'s work").format(learner=learner))  # fmt: skip
        if not rows and learner not in store.learners():
            _fail(_("no learner {learner} in {store}").format(learner=learner, store=store.where))
        if dry_run:
            click.echo(_("would delete {count} row(s) of {what} (a backup is made first)").format(
                count=len(rows), what=what))  # fmt: skip
            return
        try:
            saved = _safety_copy(store, f"before-reset-{learner}")
            deleted = store.forget(learner, lesson_id or None, exercise_id or None)
        except StoreError as error:
            _fail(str(error))
    click.echo(_("deleted {count} row(s) of {what}; the gradebook before is in {path}").format(
        count=deleted, what=what, path=saved))  # fmt: skip


def _safety_copy(store, why: str) -> Path:
    """A backup next to the store (SQLite) or in the current folder (PostgreSQL)."""
    import time

    stamp = time.strftime("%Y%m%d-%H%M%S")
    folder = store.path.parent if store.path is not None else Path.cwd()
    copy = folder / f"progress-{why}-{stamp}.sqlite3"
    for n in range(2, 100):  # two resets in one second: each keeps its copy
        if not copy.exists():
            break
        copy = folder / f"progress-{why}-{stamp}-{n}.sqlite3"
    store.backup_to(copy)
    return copy


def _group_id(group: str | None) -> int | None:
    if group is None:
        return None
    import grp

    try:
        return grp.getgrnam(group).gr_gid
    except KeyError:
        _fail(_("--group {group}: no such group").format(group=group))


@cli.command()
@click.option("--ascii", "ascii_only", is_flag=True, help="Marks as OK/FAIL instead of ✓/✗.")
@click.option("--class", "as_class", is_flag=True,
              help="Also check as a learner account and as sshd applies it to them (as root).")  # fmt: skip
@click.option("--learner", "class_learner", metavar="NAME",
              help="With --class: the account to check as (default: one of the class).")  # fmt: skip
@click.option("--sshd-config", type=click.Path(dir_okay=False, path_type=Path), hidden=True)
@click.option("--unit", type=click.Path(dir_okay=False, path_type=Path), hidden=True)
@click.pass_context
def doctor(
    ctx: click.Context,
    ascii_only: bool,
    as_class: bool,
    class_learner: str | None,
    sshd_config: Path | None,
    unit: Path | None,
) -> None:
    """Check this installation before teaching: torch, sandbox, terminal, data folder, store."""
    from tutor.doctor import print_checks, run_checks

    config = ctx.meta.get("class_config")
    if as_class and config is None:
        _fail(_("not a class machine: no class config (ce-tutor class init writes it)"))
    checks = run_checks(
        db=ctx.meta.get("db"),
        grading_socket=ctx.meta.get("grading_socket"),
        config=config,
    )
    if as_class:
        from tutor.doctor_class import class_checks

        checks += class_checks(config, class_learner, sshd_config, unit)
    if not print_checks(checks, ascii_only=ascii_only or not _terminal_is_utf8()):
        sys.exit(1)


def main() -> None:
    speak_in_click()
    try:
        cli()
    except KeyboardInterrupt:
        sys.exit(130)


__all__ = ["PackError", "cli", "main"]
