"""One gradebook for the course in both languages (issue 18, Deliver 4).

A learner's work in `ce-tutor-builtin-zh` is their work in `ce-tutor-builtin`
(and back): attempts, places, choices picked, mistakes; an instructor's
`progress` and `export` show one learner once; rows an earlier version kept
under the Chinese pack's own id are brought in, not lost.
"""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from click.testing import CliRunner

from tutor.app.session import LearnerSession
from tutor.cli import cli
from tutor.grading import grade
from tutor.grading.choice import learner_order
from tutor.pack.discovery import builtin_pack_dir, builtin_zh_pack_dir
from tutor.pack.loader import load_pack
from tutor.pack.model import ChoiceExercise, NumberExercise
from tutor.progress.store import Attempt, Position, ProgressStore

ENGLISH = load_pack(builtin_pack_dir())[0]
CHINESE = load_pack(builtin_zh_pack_dir())[0]


def _shuffled_choice(pack):
    """The first choice exercise whose choices are shuffled and that names a mistake."""
    for lesson in pack.lessons:
        for exercise in lesson.exercises:
            if (
                isinstance(exercise, ChoiceExercise)
                and exercise.shuffle
                and not exercise.multiple
                and any(c.tag for c in exercise.choices)
            ):
                return lesson, exercise
    raise AssertionError("no shuffled choice exercise with a tagged choice")


ZH_LESSON, ZH_CHOICE = _shuffled_choice(CHINESE)
EN_LESSON = ENGLISH.lesson(ZH_LESSON.id)
EN_CHOICE = EN_LESSON.exercise(ZH_CHOICE.id)
RIGHT = next(i for i, c in enumerate(ZH_CHOICE.choices) if c.correct)
WRONG = next(i for i, c in enumerate(ZH_CHOICE.choices) if c.tag)


def _pick(pack, lesson, exercise, learner: str, written: int) -> str:
    """The position this learner sees a choice at (their own order), as they would type it."""
    return str(learner_order(pack, lesson, exercise, learner).index(written) + 1)


def _answer(session: LearnerSession, lesson, exercise, written: int) -> Attempt:
    pack = session.pack
    typed = _pick(pack, lesson, exercise, session.learner, written)
    verdict = grade(pack, lesson, exercise, typed, session.learner)
    return session.record_attempt(lesson, exercise, typed, verdict)


def test_the_gradebook_id_is_the_originals_for_a_translation() -> None:
    assert ENGLISH.gradebook_id == ENGLISH.id == "ce-tutor-builtin"
    assert CHINESE.gradebook_id == "ce-tutor-builtin"


def test_a_choice_solved_in_chinese_is_solved_in_english_with_the_answer_in_english(
    location,
) -> None:
    with ProgressStore(location) as store:
        zh = LearnerSession(store, CHINESE, "ada")
        row = _answer(zh, ZH_LESSON, ZH_CHOICE, RIGHT)
        assert row.status == "correct" and row.pack_id == "ce-tutor-builtin"
        zh.save_position(ZH_LESSON, 1)

        en = LearnerSession(store, ENGLISH, "ada")
        assert en.states()[(EN_LESSON.id, EN_CHOICE.id)].solved
        history = en.history(EN_LESSON, EN_CHOICE)
        assert history.solved and history.attempts == 1
        assert history.last.answer == EN_CHOICE.choices[RIGHT].text  # English, not Chinese
        assert en.resume_point() == Position(EN_LESSON.id, 1)
        assert en.lesson_progress(EN_LESSON)[0] == 1


def test_a_mistake_made_in_english_is_reviewed_in_chinese(location) -> None:
    with ProgressStore(location) as store:
        en = LearnerSession(store, ENGLISH, "grace")
        assert _answer(en, EN_LESSON, EN_CHOICE, WRONG).status == "incorrect"
        zh = LearnerSession(store, CHINESE, "grace")
        [mistake] = zh.mistakes()
        assert mistake.tag == ZH_CHOICE.choices[WRONG].tag
        assert mistake.answer == ZH_CHOICE.choices[WRONG].text
        [line] = [x for x in zh.overview(ZH_LESSON) if x.exercise.id == ZH_CHOICE.id]
        assert line.attempts == 1 and not line.solved
        assert line.last.answer == ZH_CHOICE.choices[WRONG].text


def test_a_number_answer_and_a_hint_carry_over(location) -> None:
    lesson, exercise = next(
        (le, e) for le in CHINESE.lessons for e in le.exercises if isinstance(e, NumberExercise)
    )
    with ProgressStore(location) as store:
        zh = LearnerSession(store, CHINESE, "ada")
        zh.use_hint(lesson, exercise)
        zh.record_attempt(lesson, exercise, "0.1", _verdict("incorrect"))
        en = LearnerSession(store, ENGLISH, "ada")
        english = ENGLISH.lesson(lesson.id).exercise(exercise.id)
        assert en.history(ENGLISH.lesson(lesson.id), english).last.answer == "0.1"
        assert en.hints_used(ENGLISH.lesson(lesson.id), english) == 1


def _verdict(status: str):
    from tutor.grading.verdict import Status, Verdict

    return Verdict(Status(status))


# ---------------------------------------------------------------- the instructor's view


def _both_languages(db) -> None:
    with ProgressStore(db) as store:
        _answer(LearnerSession(store, CHINESE, "ada"), ZH_LESSON, ZH_CHOICE, RIGHT)
        _answer(LearnerSession(store, ENGLISH, "bob"), EN_LESSON, EN_CHOICE, WRONG)
        LearnerSession(store, ENGLISH, "ada").save_position(EN_LESSON, 2)


def _run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.mark.parametrize("pack", ["ce-tutor-builtin", "ce-tutor-builtin-zh"])
def test_export_has_one_row_per_learner_and_exercise_in_either_language(tmp_path, pack) -> None:
    db = tmp_path / "class.sqlite3"
    _both_languages(db)
    rows = list(csv.DictReader(io.StringIO(_run("--db", str(db), "export", "--format", "csv",
                                                "--pack", pack))))  # fmt: skip
    assert {r["pack_id"] for r in rows} == {"ce-tutor-builtin"}
    exercises = sum(len(le.exercises) for le in ENGLISH.lessons)
    assert len(rows) == 2 * exercises  # ada and bob, each once
    mine = {(r["learner"], r["exercise_id"]): r for r in rows if r["exercise_id"] == EN_CHOICE.id}
    assert mine[("ada", EN_CHOICE.id)]["solved"] == "1"
    assert mine[("bob", EN_CHOICE.id)]["mistakes"] == f"{EN_CHOICE.choices[WRONG].tag}:1"
    lms = list(csv.reader(io.StringIO(_run("--db", str(db), "export", "--format", "lms",
                                           "--pack", pack))))  # fmt: skip
    assert [line[0] for line in lms[1:]] == ["ada", "bob"]


def test_progress_is_the_same_from_either_language(tmp_path) -> None:
    db = tmp_path / "class.sqlite3"
    _both_languages(db)
    english, chinese = (
        json.loads(_run("--db", str(db), "progress", "--json", "--pack", pack))
        for pack in ("ce-tutor-builtin", "ce-tutor-builtin-zh")
    )
    assert english == chinese
    ada = [s for s in english if s["learner"] == "ada" and s["lesson_id"] == EN_LESSON.id]
    assert ada[0]["solved"] == 1 and ada[0]["step"] == 2
    assert {s["learner"] for s in english} == {"ada", "bob"}
    table = _run("--db", str(db), "progress", "--pack", "ce-tutor-builtin-zh")
    assert table.startswith("ce-tutor-builtin-zh ")  # the pack opened, and whose rows it shows
    assert "one gradebook with ce-tutor-builtin" in table.splitlines()[0]
    assert "one gradebook" not in _run("--db", str(db), "progress", "--pack", "ce-tutor-builtin")


# ---------------------------------------------------------------- rows kept apart before


def _old_rows(store: ProgressStore, pack_id: str, lesson, exercise) -> None:
    """A wrong then the right choice, as an earlier version recorded them: by their text alone."""
    for written in (WRONG, RIGHT):
        choice = exercise.choices[written]
        status = "correct" if choice.correct else "incorrect"
        store.record_attempt(
            Attempt(
                "ada",
                pack_id,
                "0.1.0",
                lesson.id,
                exercise.id,
                choice.text,
                status,
                float(choice.correct),
                mistake=choice.tag,
                created_at=100.0,
            )  # fmt: skip
        )


def _old_chinese_rows(store: ProgressStore) -> None:
    """As an earlier version recorded them: under the Chinese id, a choice by its Chinese text."""
    _old_rows(store, "ce-tutor-builtin-zh", ZH_LESSON, ZH_CHOICE)
    store.save_position("ada", "ce-tutor-builtin-zh", ZH_LESSON.id, 3)


def test_rows_under_the_chinese_id_are_brought_in_by_the_english_gradebook(tmp_path) -> None:
    db = tmp_path / "old.sqlite3"
    with ProgressStore(db) as store:
        _old_chinese_rows(store)
        store.save_position("ada", "ce-tutor-builtin", ZH_LESSON.id, 1)  # older than the zh one?
    result = CliRunner().invoke(
        cli, ["--db", str(db), "export", "--format", "json", "--pack", "ce-tutor-builtin"]
    )
    assert result.exit_code == 0, result.output
    assert "3 earlier row(s) brought into the gradebook of ce-tutor-builtin" in result.stderr
    [row] = [r for r in json.loads(result.stdout) if r["exercise_id"] == ZH_CHOICE.id]
    assert row["learner"] == "ada" and row["solved"] and row["attempts"] == 2
    assert row["pack_id"] == "ce-tutor-builtin"
    with ProgressStore(db) as store:
        assert store.pack_ids() == {"ce-tutor-builtin"}  # nothing left behind
        en = LearnerSession(store, ENGLISH, "ada")
        assert en.history(EN_LESSON, EN_CHOICE).last.answer == EN_CHOICE.choices[RIGHT].text
        assert [m.answer for m in en.mistakes()] == [EN_CHOICE.choices[WRONG].text]
        assert store.position("ada", "ce-tutor-builtin", ZH_LESSON.id) in (1, 3)
    # a second read brings nothing more and says nothing
    again = CliRunner().invoke(cli, ["--db", str(db), "progress", "--pack", "ce-tutor-builtin"])
    assert again.exit_code == 0 and "brought" not in again.stderr


def test_the_app_opening_either_language_brings_the_old_rows_in(location) -> None:
    with ProgressStore(location) as store:
        _old_chinese_rows(store)
        en = LearnerSession(store, ENGLISH, "ada")
        history = en.history(EN_LESSON, EN_CHOICE)
        assert history.solved and history.attempts == 2
        assert history.last.answer == EN_CHOICE.choices[RIGHT].text
        assert en.resume_point() == Position(EN_LESSON.id, 3)
        assert store.pack_ids() == {"ce-tutor-builtin"}
        assert {a.answer.split("] ", 1)[0] for a in store.attempts()} == {
            f"[{RIGHT + 1}",
            f"[{WRONG + 1}",
        }


def test_choices_an_english_learner_picked_before_read_back_in_chinese(location) -> None:
    """An earlier version recorded a choice by its English text alone: Chinese cannot read that."""
    with ProgressStore(location) as store:
        _old_rows(store, "ce-tutor-builtin", EN_LESSON, EN_CHOICE)
        zh = LearnerSession(store, CHINESE, "ada")
        history = zh.history(ZH_LESSON, ZH_CHOICE)
        assert history.solved and history.last.answer == ZH_CHOICE.choices[RIGHT].text
        assert [m.answer for m in zh.mistakes()] == [ZH_CHOICE.choices[WRONG].text]
        recorded = [a.answer for a in store.attempts()]
        assert recorded == [f"[{i + 1}] {EN_CHOICE.choices[i].text}" for i in (WRONG, RIGHT)]


def test_a_draft_kept_under_the_chinese_id_is_found_in_english(location) -> None:
    with ProgressStore(location) as store:
        store.save_draft("ada", "ce-tutor-builtin-zh", ZH_LESSON.id, ZH_CHOICE.id, "0.69")
        LearnerSession(store, ENGLISH, "ada")
        assert store.drafts("ada", "ce-tutor-builtin") == {(ZH_LESSON.id, ZH_CHOICE.id): "0.69"}
        assert store.pack_ids() == {"ce-tutor-builtin"}


def test_the_later_place_wins_when_both_ids_hold_one(location) -> None:
    import time

    with ProgressStore(location) as store:
        store.save_position("ada", "ce-tutor-builtin", "a-lesson", 5)
        time.sleep(0.05)
        store.save_position("ada", "ce-tutor-builtin-zh", "a-lesson", 2)
        store.save_position("ada", "ce-tutor-builtin-zh", "b-lesson", 1)
        store.save_position("bob", "ce-tutor-builtin", "a-lesson", 4)
        time.sleep(0.05)
        store.save_position("bob", "ce-tutor-builtin-zh", "a-lesson", 9)
        store.save_position("bob", "ce-tutor-builtin", "a-lesson", 6)  # bob's later place
        store.fold_rows("ce-tutor-builtin", ["ce-tutor-builtin-zh"])
        assert store.positions("ce-tutor-builtin") == {
            ("ada", "a-lesson"): 2,
            ("ada", "b-lesson"): 1,
            ("bob", "a-lesson"): 6,
        }
        assert store.positions("ce-tutor-builtin-zh") == {}


# ---------------------------------------------------------------- a class


class _Service:
    """What the class's records ask of the service: the packs, found; an answer, graded."""

    def __init__(self, *packs) -> None:
        self.packs = {str(p.root): p for p in packs}

    def pack_at(self, request):
        return self.packs[request["pack"]]

    def _find(self, request):
        pack = self.pack_at(request)
        lesson = pack.lesson(request["lesson"])
        return pack, lesson, lesson.exercise(request["exercise"])

    def grade_only(self, pack, lesson, exercise, answer, learner):
        return grade(pack, lesson, exercise, answer, learner)


def test_a_class_records_both_languages_under_one_id(tmp_path) -> None:
    from tutor.grading.classroom import Classroom

    service = _Service(ENGLISH, CHINESE)
    with ProgressStore(tmp_path / "class.sqlite3") as store:
        _old_chinese_rows(store)  # a class that served the Chinese pack before
        classroom = Classroom(store, identities=None)
        where = {"learner": "ada", "lesson": ZH_LESSON.id, "exercise": ZH_CHOICE.id}
        typed = _pick(CHINESE, ZH_LESSON, ZH_CHOICE, "ada", WRONG)
        reply = classroom.answer(service, {**where, "pack": str(CHINESE.root), "answer": typed})
        assert reply["attempt"]["pack_id"] == "ce-tutor-builtin"
        assert reply["attempt"]["answer"].startswith(f"[{WRONG + 1}] ")
        classroom.position(service, {**where, "pack": str(CHINESE.root), "step": 2})
        mine = classroom.my_progress(service, {"learner": "ada", "pack": str(ENGLISH.root)})
        assert len(mine["attempts"]) == 3  # two from before, one now
        assert {a["pack_id"] for a in mine["attempts"]} == {"ce-tutor-builtin"}
        assert mine["last"] == [ZH_LESSON.id, 2]
        assert store.pack_ids() == {"ce-tutor-builtin"}


class _Client:
    """A learner's app's client, its requests answered by the class's records in this process."""

    def __init__(self, classroom, service: _Service) -> None:
        self.classroom, self.service = classroom, service

    def _ask(self, op, pack, **request):
        reply = op(self.service, {"learner": "ada", "pack": str(pack), **request})
        return json.loads(json.dumps(reply))  # as it crosses the socket

    def class_pack(self, pack):
        from tutor.pack.served import served_pack

        return json.loads(json.dumps(served_pack(self.service.pack_at({"pack": str(pack)}))))

    def my_progress(self, pack):
        return self._ask(self.classroom.my_progress, pack)

    def hint(self, pack, lesson, exercise):
        return self._ask(self.classroom.hint, pack, lesson=lesson, exercise=exercise)

    def save_position(self, pack, lesson, step):
        self._ask(self.classroom.position, pack, lesson=lesson, step=step)

    def save_draft(self, pack, lesson, exercise, text):
        self._ask(self.classroom.draft, pack, lesson=lesson, exercise=exercise, text=text)


def test_an_app_in_class_opens_either_language_on_the_same_record(tmp_path) -> None:
    from tutor.app.class_progress import ClassProgress
    from tutor.app.local_state import Drafts
    from tutor.grading.classroom import Classroom

    service = _Service(ENGLISH, CHINESE)
    with ProgressStore(tmp_path / "class.sqlite3") as store:
        classroom = Classroom(store, identities=None)
        where = {"learner": "ada", "lesson": EN_LESSON.id, "exercise": EN_CHOICE.id}
        typed = _pick(ENGLISH, EN_LESSON, EN_CHOICE, "ada", RIGHT)
        classroom.answer(service, {**where, "pack": str(ENGLISH.root), "answer": typed})

        progress = ClassProgress(_Client(classroom, service))
        served = progress.open_pack(CHINESE.root)  # the served pack: no answers, same record
        assert served.gradebook_id == "ce-tutor-builtin"
        drafts = Drafts(progress, "ada", served.gradebook_id)
        session = LearnerSession(progress, served, "ada", drafts)
        lesson = served.lesson(ZH_LESSON.id)
        history = session.history(lesson, lesson.exercise(ZH_CHOICE.id))
        assert history.solved and history.last.answer == ZH_CHOICE.choices[RIGHT].text
        assert session.use_hint(lesson, lesson.exercise(ZH_CHOICE.id)) == 1
        session.save_position(lesson, 1)
        drafts.put(ZH_LESSON.id, ZH_CHOICE.id, "0.69")
        assert {a.pack_id for a in store.attempts()} == {"ce-tutor-builtin"}
        assert store.last_position("ada", "ce-tutor-builtin") == Position(ZH_LESSON.id, 1)
        assert store.drafts("ada", "ce-tutor-builtin") == {(ZH_LESSON.id, ZH_CHOICE.id): "0.69"}


# ---------------------------------------------------------------- validate


def _translation(tmp_path, edit) -> str:
    root = tmp_path / "zh"
    shutil.copytree(builtin_zh_pack_dir(), root)
    lesson = root / ZH_LESSON.path.name
    lesson.write_text(edit(lesson.read_text(encoding="utf-8")), encoding="utf-8")
    return str(root)


def test_validate_names_an_exercise_id_the_original_does_not_have(tmp_path) -> None:
    line = ZH_CHOICE.location.line
    root = _translation(
        tmp_path, lambda text: text.replace(f"id: {ZH_CHOICE.id}\n", f"id: {ZH_CHOICE.id}-zh\n")
    )
    result = CliRunner().invoke(cli, ["validate", "--quick", root])
    assert result.exit_code == 1
    assert f"{ZH_LESSON.path.name}:{line}: exercise `{ZH_CHOICE.id}-zh` is not in lesson" in (
        result.output
    )
    assert f"(did you mean `{ZH_CHOICE.id}`?)" in result.output


def test_validate_names_choices_that_differ_from_the_originals(tmp_path) -> None:
    right = ZH_CHOICE.choices[RIGHT].text

    def drop_right(text: str) -> str:  # the right choice's `correct: true` removed
        start = text.index(f"id: {ZH_CHOICE.id}\n")
        at = text.index(f"text: {right}", start)
        marked = text.index("correct: true", at)
        return text[:marked] + "correct: false" + text[marked + len("correct: true") :]

    result = CliRunner().invoke(cli, ["validate", "--quick", _translation(tmp_path, drop_right)])
    assert f"{ZH_LESSON.path.name}:{ZH_CHOICE.location.line}: exercise `{ZH_CHOICE.id}`: the " \
        "choices differ from the original's" in result.output  # fmt: skip


def test_validate_names_a_lesson_id_the_original_does_not_have(tmp_path) -> None:
    root = _translation(tmp_path, lambda text: text.replace(f"id: {ZH_LESSON.id}\n",
                                                           f"id: {ZH_LESSON.id}-zh\n", 1))  # fmt: skip
    result = CliRunner().invoke(cli, ["validate", "--quick", root])
    assert result.exit_code == 1
    assert f"{ZH_LESSON.path.name}:1: lesson `{ZH_LESSON.id}-zh` is not in `ce-tutor-builtin`" in (
        result.output
    )


def test_validate_says_when_the_original_is_not_installed(tmp_path) -> None:
    root = tmp_path / "zh"
    shutil.copytree(builtin_zh_pack_dir(), root)
    manifest = root / "pack.toml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace('"ce-tutor-builtin"', '"no-such-course"'), encoding="utf-8")
    line = text.splitlines().index('translates = "ce-tutor-builtin"') + 1
    result = CliRunner().invoke(cli, ["validate", "--quick", str(root)])
    assert result.exit_code == 1
    assert f"pack.toml:{line}: this pack translates `no-such-course`, which is not installed" in (
        result.output
    )


def test_the_chinese_course_validates_clean_against_the_english(tmp_path) -> None:
    from tutor.pack.translation import translation_problems

    assert translation_problems(CHINESE) == []
