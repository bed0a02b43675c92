"""Grading a choice exercise: which option(s) the learner picked.

Each learner sees the choices in an order of their own (`choice_order`,
seeded like their numbers), so the right one is not always first. A position
the learner gives (`2`, `b`) is read in *their* order; what is recorded is
the choice itself, by its text (`recorded_answer`), never a position.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

from tutor.grading.verdict import Status, Verdict
from tutor.i18n import _, ngettext
from tutor.pack.model import ChoiceExercise, Exercise, Lesson, Pack


def choice_order(exercise: ChoiceExercise, seed: int) -> list[int]:
    """The written index of the choice at each shown position, for one learner's seed.

    Sorted by a hash of the seed and each choice's text: stable across
    sessions, machines and Python versions, and adding a choice leaves the
    others in the same relative order. `shuffle: false` keeps the order as written.
    """
    indices = list(range(len(exercise.choices)))
    if not exercise.shuffle:
        return indices

    def key(index: int) -> bytes:
        text = f"{seed}\x1f{exercise.choices[index].text}\x1f{index}"
        return hashlib.sha256(text.encode("utf-8")).digest()

    return sorted(indices, key=key)


def learner_order(pack: Pack, lesson: Lesson, exercise: Exercise, learner: str) -> list[int]:
    """`choice_order` for a learner's own seed (the one that draws their numbers)."""
    from tutor.grading import learner_seed

    if not isinstance(exercise, ChoiceExercise):
        return []
    return choice_order(exercise, learner_seed(pack, lesson, exercise, learner))


def read_choice(
    exercise: ChoiceExercise, answer: str, order: list[int] | None = None
) -> list[int] | str:
    """The written (0-based) indices picked, or a message saying why the answer is unreadable.

    Accepts 1-based numbers (`2`), letters (`b`), several separated by commas
    or spaces for `multiple` exercises (`1,3`), or a choice's exact text (one
    per line for several: the recorded form). Numbers and letters are
    positions in the learner's `order` (as written when None), read first, so
    a choice whose text is `1` is still picked by its position, as the app shows it.
    """
    text = ime_normal(answer).strip()
    if not text:
        return _("no choice given")
    count = len(exercise.choices)
    picks = _positions(text, count)
    if picks is not None and order is not None:
        picks = sorted(order[p] for p in picks)
    if picks is None:
        by_text = {_same(c.text): i for i, c in enumerate(exercise.choices)}
        lines = [line.strip().casefold() for line in text.splitlines() if line.strip()]
        if lines and all(line in by_text for line in lines):
            picks = sorted({by_text[line] for line in lines})
            if len(picks) > 1 and not exercise.multiple:
                return _("pick exactly one choice")
            return picks
        last = chr(ord("a") + count - 1)
        return _(
            "`{text}` is not one of the choices: give 1–{count}, a–{last}, or a choice's text"
        ).format(text=text, count=count, last=last)
    if len(picks) > 1 and not exercise.multiple:
        return _("pick exactly one choice")
    return picks


def _positions(text: str, count: int) -> list[int] | None:
    """`2`, `b`, `1,3`, `a c` as 0-based positions, or None if any token is not one."""
    picks: set[int] = set()
    for token in re.split(r"[,\s、;]+|\)\s*\(", text):
        token = token.strip("()")  # `(1)` as a Chinese IME writes `（1）`
        if token.isdigit() and 1 <= int(token) <= count:
            picks.add(int(token) - 1)
        elif len(token) == 1 and token.isalpha() and 0 <= ord(token.lower()) - ord("a") < count:
            picks.add(ord(token.lower()) - ord("a"))
        else:
            return None
    return sorted(picks)


def ime_normal(text: str) -> str:
    """Full-width forms as ASCII (NFKC: `，` `（）` `１` `Ａ`), `、` `；` between picks as commas."""
    return unicodedata.normalize("NFKC", text).replace("、", ",")


def recorded_answer(exercise: ChoiceExercise, answer: str, order: list[int] | None) -> str:
    """What the gradebook keeps of an answer: each picked choice as `[n] text`, one per line.

    `n` is the choice's place as written (1-based), the same in a translation
    (its choices are the original's, in the same order: `validate` checks it),
    so an answer recorded in one language reads back in the other; the text
    keeps the record readable and finds the choice again if the author moves
    it. A position as shown means nothing once every learner has an order of
    their own; an unreadable answer is kept as typed.
    """
    picks = read_choice(exercise, answer, order)
    if isinstance(picks, str):
        return answer
    return _record(exercise, picks)


_RECORDED = re.compile(r"\[(\d+)\] ?(.*)")


def recorded_picks(exercise: ChoiceExercise, recorded: str) -> list[int] | None:
    """The written indices a recorded answer names, in this pack's language; None if unreadable.

    Reads `recorded_answer`'s form (by this pack's text first, else by the
    written place: the same choice in another language) and the plain texts
    one per line that earlier versions recorded. Never a learner's typed
    input: a position typed is in their shown order (`read_choice`).
    """
    by_text = {_same(c.text): i for i, c in enumerate(exercise.choices)}
    picks = []
    for line in filter(None, (line.strip() for line in recorded.splitlines())):
        marked = _RECORDED.fullmatch(line)
        if _same(line) in by_text:
            picks.append(by_text[_same(line)])
        elif marked and _same(marked.group(2)) in by_text:
            picks.append(by_text[_same(marked.group(2))])
        elif marked and 1 <= int(marked.group(1)) <= len(exercise.choices):
            picks.append(int(marked.group(1)) - 1)
        else:
            return None
    return sorted(set(picks)) or None


def local_answer(exercise: ChoiceExercise, recorded: str) -> str:
    """A recorded answer in this pack's words (its choices' texts, one per line), as
    `read_choice` reads it; an unreadable one as it is."""
    picks = recorded_picks(exercise, recorded)
    if picks is None:
        return recorded
    return "\n".join(exercise.choices[i].text for i in picks)


def upgraded_record(exercise: ChoiceExercise, recorded: str) -> str | None:
    """`recorded_answer`'s form of an answer an earlier version kept as plain choice texts;
    None when it is not one (already in that form, unreadable, or typed)."""
    by_text = {_same(c.text) for c in exercise.choices}
    lines = [line.strip() for line in recorded.splitlines() if line.strip()]
    if not lines or not all(_same(line) in by_text for line in lines):
        return None
    return _record(exercise, recorded_picks(exercise, recorded) or [])


def _record(exercise: ChoiceExercise, picks: list[int]) -> str:
    return "\n".join(f"[{i + 1}] {exercise.choices[i].text}" for i in picks)


def _same(text: str) -> str:
    return ime_normal(text).strip().casefold()


def grade_choice(exercise: ChoiceExercise, answer: str, order: list[int] | None = None) -> Verdict:
    """A verdict for positions in the learner's `order` (as written when None), or texts."""
    picks = read_choice(exercise, answer, order)
    if isinstance(picks, str):
        return Verdict(Status.UNREADABLE, feedback=picks)
    chosen = [exercise.choices[i] for i in picks]
    right = {i for i, choice in enumerate(exercise.choices) if choice.correct}
    shown_at = {written: shown for shown, written in enumerate(order or [])}
    read_as = ", ".join(
        f"{shown_at.get(i, i) + 1}. {exercise.choices[i].text}"
        for i in sorted(picks, key=lambda i: shown_at.get(i, i))
    )
    if set(picks) == right:
        feedback = " ".join(c.feedback for c in chosen if c.feedback) or _("Correct.")
        return Verdict(Status.CORRECT, score=exercise.points, feedback=feedback, read_as=read_as)
    wrong = [c for c in chosen if not c.correct]
    if wrong:
        feedback = " ".join(c.feedback for c in wrong if c.feedback) or _("Not this one.")
        tag = next((c.tag for c in wrong if c.tag), None)
    else:
        missing = len(right - set(picks))
        feedback = ngettext(
            "Right so far, but {count} more choice is correct.",
            "Right so far, but {count} more choices are correct.",
            missing,
        ).format(count=missing)
        tag = None
    return Verdict(Status.INCORRECT, feedback=feedback, mistake=tag, read_as=read_as)
