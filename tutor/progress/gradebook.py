"""The instructor's view: attempts folded into one row per learner and exercise.

Pure functions over `Attempt`s and the pack's lesson list, so `ce-tutor
progress`, `ce-tutor export` and the tests share them, on either database.
Unreadable answers (a typo the reader could not parse) and the app's
"solution shown" and "hint" rows are not attempts, as in
`ProgressStore.exercise_states`; a solution row still marks the exercise's
`solution_shown`, and a hint row counts towards `hints_used`.

`best_score` is the best verdict; `score` is what the exercise earns once
hints and a shown solution are counted (`tutor.progress.scoring`, the rule
the learner's app shows too): the LMS export's points and `progress`'s cell.
"""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone

from tutor.cells import cell_width, ljust, rjust
from tutor.i18n import _
from tutor.progress.scoring import earned, mean_score, percent
from tutor.progress.store import NOT_ATTEMPTS, SOLUTION_STATUS, Attempt


@dataclass(frozen=True)
class LessonOutline:
    """What the gradebook needs to know of a lesson: its id and exercise ids, in order."""

    id: str
    exercises: tuple[str, ...]


@dataclass
class GradeRow:
    """One learner on one exercise: the export's row."""

    learner: str
    pack_id: str
    pack_version: str
    lesson_id: str
    exercise_id: str
    attempts: int = 0
    solved: bool = False
    best_score: float = 0.0
    score: float = 0.0  # what it earns: best_score less what hints and the solution cost
    hints_used: int = 0
    solution_shown: bool = False
    mistakes: Counter = field(default_factory=Counter)
    last_attempt: float | None = None

    def add(self, attempt: Attempt) -> None:
        self.attempts += 1
        self.solved = self.solved or attempt.status == "correct"
        self.best_score = max(self.best_score, attempt.score)
        self.score = max(self.score, earned(attempt))
        self.hints_used = max(self.hints_used, attempt.hints_used)
        self.solution_shown = self.solution_shown or attempt.solution_shown
        if attempt.mistake:
            self.mistakes[attempt.mistake] += 1
        self.last_attempt = max(self.last_attempt or 0.0, attempt.created_at)
        self.pack_version = attempt.pack_version


@dataclass(frozen=True)
class LessonSummary:
    """One learner on one lesson: a cell of `ce-tutor progress`."""

    learner: str
    lesson_id: str
    solved: int
    exercises: int
    score: float  # mean score earned over the lesson's exercises, 0..1 (tutor.progress.scoring)
    attempts: int
    step: int | None  # where they are in the lesson (0-based), None if never opened


def grade_rows(
    attempts: Iterable[Attempt],
    lessons: Sequence[LessonOutline],
    pack_id: str,
    pack_version: str,
    learners: Iterable[str] = (),
) -> list[GradeRow]:
    """One row per learner and exercise of the pack, attempted or not.

    Exercises that have attempts but are no longer in the pack (renamed,
    removed) keep their rows after the pack's own, so no grade disappears.
    """
    rows: dict[tuple[str, str, str], GradeRow] = {}
    everyone = set(learners)
    for attempt in attempts:
        if attempt.pack_id != pack_id:
            continue
        everyone.add(attempt.learner)
        if attempt.status == "unreadable":
            continue
        key = (attempt.learner, attempt.lesson_id, attempt.exercise_id)
        if key not in rows:
            rows[key] = GradeRow(
                attempt.learner, pack_id, pack_version, attempt.lesson_id, attempt.exercise_id
            )
        if attempt.status in NOT_ATTEMPTS:
            rows[key].solution_shown |= attempt.status == SOLUTION_STATUS
            rows[key].hints_used = max(rows[key].hints_used, attempt.hints_used)
        else:
            rows[key].add(attempt)
    order = [(lesson.id, exercise) for lesson in lessons for exercise in lesson.exercises]
    known = set(order)
    result = []
    for learner in sorted(everyone):
        for lesson_id, exercise_id in order:
            key = (learner, lesson_id, exercise_id)
            result.append(
                rows.get(key) or GradeRow(learner, pack_id, pack_version, lesson_id, exercise_id)
            )
        extra = sorted(k for k in rows if k[0] == learner and k[1:] not in known)
        result.extend(rows[key] for key in extra)
    return result


def lesson_summaries(
    rows: Sequence[GradeRow],
    lessons: Sequence[LessonOutline],
    positions: dict[tuple[str, str], int],
) -> list[LessonSummary]:
    """Fold grade rows into learner × lesson cells, in learner then lesson order."""
    by_key: dict[tuple[str, str], list[GradeRow]] = {}
    for row in rows:
        by_key.setdefault((row.learner, row.lesson_id), []).append(row)
    learners = sorted({row.learner for row in rows} | {learner for learner, _ in positions})
    summaries = []
    for learner in learners:
        for lesson in lessons:
            cells = [
                r for r in by_key.get((learner, lesson.id), []) if r.exercise_id in lesson.exercises
            ]
            total = len(lesson.exercises)
            summaries.append(
                LessonSummary(
                    learner=learner,
                    lesson_id=lesson.id,
                    solved=sum(r.solved for r in cells),
                    exercises=total,
                    score=mean_score((r.score for r in cells), total),
                    attempts=sum(r.attempts for r in cells),
                    step=positions.get((learner, lesson.id)),
                )
            )
    return summaries


# ------------------------------------------------------------------ formats

CSV_COLUMNS = (
    "learner",
    "pack_id",
    "pack_version",
    "lesson_id",
    "exercise_id",
    "solved",
    "best_score",
    "score",
    "attempts",
    "hints_used",
    "solution_shown",
    "mistakes",
    "last_attempt",
)


def _iso(timestamp: float | None) -> str:
    if timestamp is None:
        return ""
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat(timespec="seconds")


def _mistakes_text(mistakes: Counter) -> str:
    """`tag:count;tag:count`, most frequent first: one spreadsheet cell, easy to split."""
    return ";".join(f"{tag}:{count}" for tag, count in mistakes.most_common())


def to_csv(rows: Sequence[GradeRow]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.learner,
                row.pack_id,
                row.pack_version,
                row.lesson_id,
                row.exercise_id,
                int(row.solved),
                f"{row.best_score:g}",
                f"{row.score:g}",
                row.attempts,
                row.hints_used,
                int(row.solution_shown),
                _mistakes_text(row.mistakes),
                _iso(row.last_attempt),
            ]
        )
    return out.getvalue()


def to_lms(rows: Sequence[GradeRow]) -> str:
    """One row per learner, one column per exercise (the score it earned): what an LMS imports.

    `total` is the sum of the scores and `out_of` the number of exercises, so
    a spreadsheet needs no pivot. A score counts hints and a shown solution
    (`tutor.progress.scoring`), as the learner's app shows it.
    """
    exercises = list(dict.fromkeys((row.lesson_id, row.exercise_id) for row in rows))
    scores: dict[str, dict[tuple[str, str], float]] = {}
    for row in rows:
        scores.setdefault(row.learner, {})[(row.lesson_id, row.exercise_id)] = row.score
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["learner", "total", "out_of", *(f"{lesson}/{ex}" for lesson, ex in exercises)])
    for learner, mine in scores.items():
        points = [mine.get(key, 0.0) for key in exercises]
        writer.writerow([learner, f"{sum(points):g}", len(exercises), *(f"{p:g}" for p in points)])
    return out.getvalue()


def to_json(rows: Sequence[GradeRow]) -> str:
    records = []
    for row in rows:
        record = asdict(row)
        record["mistakes"] = dict(row.mistakes.most_common())
        record["last_attempt"] = _iso(row.last_attempt) or None
        records.append(record)
    return json.dumps(records, indent=2, ensure_ascii=False) + "\n"


def progress_table(summaries: Sequence[LessonSummary]) -> str:
    """A plain table that fits 80 columns: one line per learner and lesson."""
    header = (_("learner"), _("lesson"), _("done"), _("score"), _("attempts"), _("at step"))
    lines = [header]
    previous = None
    for s in summaries:
        done = f"{s.solved}/{s.exercises}" + (
            " ✓" if s.exercises and s.solved == s.exercises else ""
        )
        lines.append(
            (
                s.learner if s.learner != previous else "",
                s.lesson_id,
                done if s.exercises else "—",
                percent(s.score) if s.exercises else "—",
                str(s.attempts),
                str(s.step + 1) if s.step is not None else "—",
            )
        )
        previous = s.learner
    # by display width: a Chinese learner's name takes two cells a character
    widths = [max(cell_width(line[i]) for line in lines) for i in range(len(header))]
    right = {2, 3, 4, 5}
    text = []
    for line in lines:
        cells = [
            rjust(cell, widths[i]) if i in right else ljust(cell, widths[i])
            for i, cell in enumerate(line)
        ]
        text.append("  ".join(cells).rstrip())
    return "\n".join(text) + "\n"
