"""`ce-tutor progress`, `ce-tutor export` and `ce-tutor new-pack`, through the CLI."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from tutor.cli import cli
from tutor.progress.gradebook import GradeRow, LessonOutline, grade_rows, lesson_summaries
from tutor.progress.store import Attempt, ProgressStore

PACK = "ce-tutor-builtin"
LESSON = "two-target-forms"


def _record(store: ProgressStore, learner: str, exercise: str, status: str, score: float, **kw):
    store.record_attempt(
        Attempt(learner, PACK, "0.1.0", LESSON, exercise, "x", status, score, **kw)
    )


@pytest.fixture
def class_store(location: str) -> str:
    """Two learners' work on the built-in pack, on SQLite or PostgreSQL."""
    with ProgressStore(location) as store:
        _record(
            store,
            "alice",
            "moco-zero-labels",
            "incorrect",
            0.0,
            mistake="one-hot-zero",
            created_at=1_700_000_000.0,
        )
        _record(
            store,
            "alice",
            "moco-zero-labels",
            "incorrect",
            0.0,
            mistake="one-hot-zero",
            created_at=1_700_000_100.0,
        )
        _record(
            store,
            "alice",
            "moco-zero-labels",
            "correct",
            1.0,
            hints_used=1,
            created_at=1_700_000_200.0,
        )
        _record(store, "alice", "moco-zero-labels", "unreadable", 0.0)
        _record(store, "bob", "moco-zero-labels", "solution", 0.0, created_at=1_700_000_300.0)
        _record(
            store,
            "bob",
            "prob-target-shape",
            "incorrect",
            0.0,
            mistake="indices-vs-probabilities",
            created_at=1_700_000_400.0,
        )
        store.save_position("alice", PACK, LESSON, 3)
        store.save_position("carol", PACK, "information", 0)  # opened a lesson, no answers
        # another pack's attempt must not leak into this gradebook
        store.record_attempt(Attempt("alice", "other", "1", LESSON, "x", "1", "correct", 1.0))
    return location


def run(*args: str) -> str:
    """The CLI with `--db URL` given as CE_TUTOR_DB: a password never goes on the command line."""
    words, env = list(args), {}
    if words[:1] == ["--db"]:
        env["CE_TUTOR_DB"], words = words[1], words[2:]
    result = CliRunner().invoke(cli, words, catch_exceptions=False, env=env)
    assert result.exit_code == 0, result.output
    if words[0] in ("progress", "export"):
        assert result.stderr.startswith("reading "), result.stderr  # which store was read
    return result.stdout


def test_export_csv_has_one_row_per_learner_and_exercise(class_store: str) -> None:
    rows = list(csv.DictReader(io.StringIO(run("--db", class_store, "export", "--format", "csv"))))
    exercises = json.loads(run("list", "--json"))
    count = sum(len(lesson["exercises"]) for lesson in exercises["lessons"])
    assert len(rows) == 3 * count  # alice, bob, carol × every exercise of the pack
    by_key = {(r["learner"], r["exercise_id"]): r for r in rows}
    alice = by_key[("alice", "moco-zero-labels")]
    assert alice["solved"] == "1" and alice["best_score"] == "1"
    assert alice["score"] == "0.75"  # a hint seen before the right answer costs a quarter
    assert alice["attempts"] == "3"  # the unreadable answer is not an attempt
    assert alice["mistakes"] == "one-hot-zero:2"
    assert alice["hints_used"] == "1"
    assert alice["last_attempt"] == "2023-11-14T22:16:40+00:00"
    bob = by_key[("bob", "moco-zero-labels")]
    assert (bob["attempts"], bob["solution_shown"], bob["solved"]) == ("0", "1", "0")
    assert by_key[("bob", "prob-target-shape")]["mistakes"] == "indices-vs-probabilities:1"
    assert by_key[("carol", "moco-zero-labels")]["attempts"] == "0"
    assert {r["pack_id"] for r in rows} == {PACK}


def test_export_json_to_a_file_and_for_one_learner(class_store: str, tmp_path: Path) -> None:
    out = tmp_path / "grades.json"
    run("--db", class_store, "export", "--format", "json", "--learner", "bob", "--out", str(out))
    records = json.loads(out.read_text(encoding="utf-8"))
    assert {r["learner"] for r in records} == {"bob"}
    shape = next(r for r in records if r["exercise_id"] == "prob-target-shape")
    assert shape["mistakes"] == {"indices-vs-probabilities": 1}
    assert shape["attempts"] == 1 and shape["solved"] is False


def test_progress_table_shows_done_score_attempts_and_step(class_store: str) -> None:
    text = run("--db", class_store, "progress")
    assert "3 learner(s)" in text
    lines = text.splitlines()
    # the two-target-forms row right under "alice"'s block: 1 solved, 3 attempts, step 4
    start = next(i for i, line in enumerate(lines) if line.startswith("alice"))
    block = lines[start : start + 12]
    lesson, done, score, attempts, step = next(
        line for line in block if f" {LESSON} " in line
    ).split()
    total = int(done.split("/")[1])
    # solved after one hint: it earns 3/4 (tutor/progress/scoring.py)
    assert (done, score, attempts, step) == (f"1/{total}", f"{0.75 / total:.0%}", "3", "4")
    assert all(len(line) <= 80 for line in lines)
    data = json.loads(run("--db", class_store, "progress", "--learner", "carol", "--json"))
    assert {d["learner"] for d in data} == {"carol"}
    assert next(d for d in data if d["lesson_id"] == "information")["step"] == 0


def test_progress_on_an_empty_store_says_so(tmp_path: Path) -> None:
    ProgressStore(tmp_path / "empty.sqlite3").close()
    text = run("--db", str(tmp_path / "empty.sqlite3"), "progress")
    assert text.startswith("No progress recorded yet")


@pytest.mark.parametrize("command", [["progress"], ["export", "--format", "csv"]])
def test_a_mistyped_store_path_is_refused_and_nothing_is_created(
    tmp_path: Path, command: list[str]
) -> None:
    typo = tmp_path / "progres.sqlite3"
    result = CliRunner().invoke(cli, command, env={"CE_TUTOR_DB": str(typo)})
    assert result.exit_code == 2, result.output
    assert f"no progress store at {typo}" in result.stderr
    assert not typo.exists()


def test_progress_and_export_read_the_class_configs_pack(
    class_store: str, tmp_path: Path, monkeypatch
) -> None:
    """One place names the class's pack: the class config, for the instructor's commands too."""
    import shutil

    from tutor.pack.discovery import builtin_pack_dir

    course = tmp_path / "course"
    shutil.copytree(builtin_pack_dir(), course)
    toml = (course / "pack.toml").read_text()
    (course / "pack.toml").write_text(toml.replace('id = "ce-tutor-builtin"', 'id = "course"'))
    config = tmp_path / "class.toml"
    config.write_text(f'pack = "{course}"\n')
    monkeypatch.setenv("CE_TUTOR_CLASS_CONFIG", str(config))
    assert run("--db", class_store, "progress").startswith("No progress recorded yet for course")
    with ProgressStore(class_store) as store:
        store.record_attempt(Attempt("dan", "course", "0.1.0", LESSON, "moco-zero-labels", "1",
                                     "correct", 1.0))  # fmt: skip
    rows = list(csv.DictReader(io.StringIO(run("--db", class_store, "export", "--format", "csv"))))
    assert {r["learner"] for r in rows} == {"dan"}


def test_the_db_option_reads_ce_tutor_db(class_store: str, monkeypatch) -> None:
    monkeypatch.setenv("CE_TUTOR_DB", class_store)
    rows = list(csv.DictReader(io.StringIO(run("export", "--format", "csv"))))
    assert {r["learner"] for r in rows} == {"alice", "bob", "carol"}


def test_a_bad_store_is_one_line_and_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"not a database" * 100)
    result = CliRunner().invoke(cli, ["--db", str(bad), "progress"])
    assert result.exit_code == 2
    assert "not a usable progress database" in result.output
    assert "Traceback" not in result.output


def test_summaries_average_best_scores_over_the_lesson() -> None:
    lessons = [LessonOutline("l", ("a", "b", "c", "d"))]
    attempts = [
        Attempt("x", "p", "1", "l", "a", "", "correct", 1.0),
        Attempt("x", "p", "1", "l", "b", "", "incorrect", 0.5),
        Attempt("x", "p", "1", "l", "b", "", "incorrect", 0.25),
        Attempt("x", "p", "1", "gone", "old", "", "correct", 1.0),  # a lesson since removed
    ]
    rows = grade_rows(attempts, lessons, "p", "1")
    assert [r.exercise_id for r in rows] == ["a", "b", "c", "d", "old"]
    assert isinstance(rows[-1], GradeRow) and rows[-1].solved
    (summary,) = lesson_summaries(rows, lessons, {})
    assert (summary.solved, summary.attempts, summary.score) == (1, 3, pytest.approx(0.375))


def test_new_pack_writes_a_pack_that_validates_clean(tmp_path: Path) -> None:
    root = tmp_path / "My Course"
    output = run("new-pack", str(root))
    assert "01-first-lesson.md" in output
    result = CliRunner().invoke(cli, ["validate", str(root)])
    assert result.exit_code == 0, result.output
    assert "clean" in result.output
    listed = json.loads(run("list", "--pack", str(root), "--json"))
    assert listed["pack"]["id"] == "my-course"
    assert [e["type"] for e in listed["lessons"][0]["exercises"]] == ["choice", "number"]


def test_new_pack_refuses_a_folder_with_files(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    result = CliRunner().invoke(cli, ["new-pack", str(tmp_path)])
    assert result.exit_code == 2 and "not empty" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_export_lms_has_a_row_per_learner_a_column_per_exercise_and_the_total(
    class_store: str,
) -> None:
    rows = list(csv.reader(io.StringIO(run("--db", class_store, "export", "--format", "lms"))))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["learner", "total", "out_of"]
    assert f"{LESSON}/moco-zero-labels" in header
    assert [r[0] for r in body] == ["alice", "bob", "carol"]
    for row in body:
        points = [float(x) for x in row[3:]]
        assert len(points) == int(row[2]) == len(header) - 3
        assert float(row[1]) == pytest.approx(sum(points))
    long = list(csv.DictReader(io.StringIO(run("--db", class_store, "export", "--format", "csv"))))
    alice = next(r for r in body if r[0] == "alice")
    earned = {f"{r['lesson_id']}/{r['exercise_id']}": float(r["score"]) for r in long
              if r["learner"] == "alice"}  # fmt: skip
    assert {h: float(v) for h, v in zip(header[3:], alice[3:], strict=True)} == earned
