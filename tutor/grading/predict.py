"""Grading a predict exercise: what does the snippet print, or which exception does it raise?

The snippet is pack code: it runs in the sandbox (with the learner's drawn
`params`, and `torch`, `nn`, `F` defined), and its real output is the key.
A prediction matches when it reads the same after normalising whitespace,
optionally without the `grad_fn=…`/`requires_grad=True` part or the
`tensor(…)` wrapper, with each number right to the precision printed. When
the snippet raises, a prediction names that one outcome: the exception's
class alone (`ValueError`), the class with its message as Python prints it
(`ValueError: Expected input batch_size …`, at least a long enough part of
it), or the message alone; output printed before the raise may precede it.
A hedge (`ValueError or RuntimeError`), an extra outcome (`tensor(0.4) ValueError`)
or a wrong message is not correct, and the right message under the wrong
class is told so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from tutor.grading.memo import Memo
from tutor.grading.sandbox import RunResult, RunStatus, Sandbox, default_sandbox
from tutor.grading.verdict import Status, Verdict
from tutor.i18n import _
from tutor.pack.model import PredictExercise

MIN_MESSAGE = 12  # a quoted message shorter than this is not enough to count


class SnippetError(Exception):
    """The snippet could not be run to an outcome (a limit, a crash): a pack problem."""


@dataclass(frozen=True)
class Outcome:
    """What the snippet really did: its output, and the exception it raised, if any."""

    stdout: str
    raised_type: str | None = None
    raised_message: str = ""

    @property
    def shown(self) -> str:
        """The outcome as the tutor shows it once the learner may see it."""
        text = self.stdout.rstrip("\n")
        if self.raised_type:
            line = f"{self.raised_type}: {self.raised_message}".rstrip(": ")
            text = f"{text}\n{line}" if text else line
        return text


_outcomes: Memo = Memo(256)  # (code, params, seed) -> Outcome


def run_snippet_outcome(exercise: PredictExercise, seed: int, sandbox: Sandbox) -> Outcome:
    cached = cached_outcome(exercise, seed)
    if cached is not None:
        return cached
    run = sandbox.run_snippet(exercise.code, snippet_env(exercise, seed), filename="<snippet>")
    return record_outcome(exercise, seed, run)


def snippet_env(exercise: PredictExercise, seed: int) -> dict:
    """The learner's drawn parameters, defined for the snippet."""
    if not exercise.params:
        return {}
    from tutor.numeric.params import draw_params

    return draw_params(exercise.params, seed)


def _outcome_key(exercise: PredictExercise, seed: int) -> tuple:
    return (exercise.code, tuple(exercise.params.items()), seed if exercise.params else 0)


def cached_outcome(exercise: PredictExercise, seed: int) -> Outcome | None:
    """The snippet's outcome for this seed, if it has run in this process."""
    return _outcomes.get(_outcome_key(exercise, seed))


def record_outcome(exercise: PredictExercise, seed: int, run: RunResult) -> Outcome:
    """The outcome of the snippet's run for this seed (remembered); SnippetError if it did not run."""
    if run.status is not RunStatus.OK:
        raise SnippetError(
            _("the snippet of `{id}` did not run: {why}").format(id=exercise.id, why=run.message)
        )
    raised = run.raised
    outcome = Outcome(run.stdout, raised.type if raised else None, raised.message if raised else "")
    _outcomes.put(_outcome_key(exercise, seed), outcome)
    return outcome


def grade_predict(
    exercise: PredictExercise, answer: str, seed: int, *, sandbox: Sandbox | None = None
) -> Verdict:
    """Run the snippet, then match the learner's prediction against what really happened."""
    if not answer.strip():
        return Verdict(
            Status.UNREADABLE, feedback=_("Write what the code prints, or the exception.")
        )
    outcome = run_snippet_outcome(exercise, seed, sandbox or default_sandbox())
    details = {"actual": outcome.shown}
    if matches(answer, outcome) or any(_same_prediction(answer, alt) for alt in exercise.accept):
        return Verdict(
            Status.CORRECT, score=exercise.points, feedback=_("Correct."), details=details
        )
    if outcome.raised_type:
        verdict = _exception_verdict(answer, outcome, details)
        if verdict is not None:
            return verdict
    for known in exercise.misconceptions:
        if known.answer and _same_prediction(answer, known.answer):
            return Verdict(
                Status.INCORRECT,
                feedback=known.feedback.strip(),
                mistake=known.tag,
                details=details,
            )
    return Verdict(
        Status.INCORRECT, feedback=_("That is not what this code does."), details=details
    )


def matches(answer: str, outcome: Outcome) -> bool:
    """Does the prediction describe the outcome (one outcome, and this one)?"""
    if outcome.raised_type:
        return _judge_raise(answer, outcome) == "right"
    return same_output(answer, outcome.stdout)


# "ValueError", "torch.OutOfMemoryError", "raises a ValueError", "ValueError: msg", "ValueError('msg')"
_RAISE = re.compile(
    r"(?:(?:it\s+)?(?:raises|throws|raise|throw)\s+(?:an?\s+)?)?(?:[A-Za-z_]\w*\.)*"
    r"(?P<cls>[A-Za-z_]\w*(?:Error|Exception|Warning|Interrupt|Exit|Iteration))"
    r"(?:\s*(?::|\()\s*(?P<msg>.*?)\s*\)?)?\s*[.!]?",
    flags=re.IGNORECASE | re.DOTALL,
)
_CLASS_WORD = re.compile(r"\b[A-Za-z_]\w*(?:Error|Exception|Warning)\b")


def _judge_raise(answer: str, outcome: Outcome) -> str:
    """ "right", "wrong-message", "wrong-class" (the message is right), "several" or "wrong"."""
    text = _spaces(answer)
    tail = text
    if outcome.stdout.strip():
        for found in _CLASS_WORD.finditer(text):  # printed output, then the exception
            head = text[: found.start()]
            if head.strip() and same_output(head, outcome.stdout):
                tail = text[found.start() :]
                break
    said = _RAISE.fullmatch(tail)
    if said is None:
        if _message_matches(tail, outcome.raised_message):
            return "right"
        return "several" if _CLASS_WORD.search(tail) else "wrong"
    right_class = said["cls"].casefold() == (outcome.raised_type or "").casefold()
    message = said["msg"]
    if not message:
        return "right" if right_class else "wrong"
    right_message = _message_matches(message, outcome.raised_message)
    if right_class:
        return "right" if right_message else "wrong-message"
    return "wrong-class" if right_message else "wrong"


def _message_matches(said: str, message: str) -> bool:
    """The whole message, or a part of it long enough to be a real quote (MIN_MESSAGE)."""
    said = _spaces(said).strip(" .'\"`").casefold()
    wanted = _spaces(message).strip(" .").casefold()
    if not said or not wanted:
        return False
    return said == wanted or (len(said) >= MIN_MESSAGE and said in wanted)


WRONG_CLASS = "right-message-wrong-exception"


def _exception_verdict(answer: str, outcome: Outcome, details: dict) -> Verdict | None:
    """Feedback for a prediction about an exception that is not right, or None (generic)."""
    judged = _judge_raise(answer, outcome)
    if judged == "several":
        feedback = _(
            "A prediction names one outcome: what the code prints, or the one exception it "
            "raises (its name, or `Name: message` as Python prints it), nothing else."
        )
        return Verdict(Status.UNREADABLE, feedback=feedback, details=details)
    if judged == "wrong-class":
        feedback = _("Right message, but the exception is {name}.").format(name=outcome.raised_type)
        # a mistake of its own in the gradebook, whatever the pack's misconceptions say
        return Verdict(Status.INCORRECT, feedback=feedback, mistake=WRONG_CLASS, details=details)
    if judged == "wrong-message":
        feedback = _(
            "The exception is right, but that is not its message: quote the message as "
            "Python prints it, or give the exception's name alone."
        )
        return Verdict(Status.INCORRECT, feedback=feedback, details=details)
    return None


def _same_prediction(answer: str, known: str) -> bool:
    """A misconception's answer is itself a prediction (an output or an exception name)."""
    if re.fullmatch(r"\s*\w*(Error|Exception|Warning)\s*", known):
        said = _RAISE.fullmatch(_spaces(answer))
        return said is not None and said["cls"].casefold() == known.strip().casefold()
    return same_output(answer, known)


_NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|[-+]?(?:nan|inf)\b")
_AUTOGRAD = re.compile(r",\s*(grad_fn=<\w+>|requires_grad=True)")


def same_output(answer: str, actual: str) -> bool:
    """Equal output, up to whitespace, autograd annotations, `tensor(…)` and printed precision."""
    want, got = _canonical(actual), _canonical(answer)
    if _tokens_match(got, want):
        return True
    return _tokens_match(_unwrap(got), _unwrap(want))


def _canonical(text: str) -> str:
    text = _AUTOGRAD.sub("", text)
    text = _spaces(text)
    text = re.sub(r"\s*([\[\](),:=])\s*", r"\1", text)
    return text.strip()


def _unwrap(text: str) -> str:
    return re.sub(r"tensor\((.*?)\)", r"\1", text)


def _spaces(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _tokens_match(answer: str, actual: str) -> bool:
    a_parts, a_nums = _split(answer)
    w_parts, w_nums = _split(actual)
    if a_parts != w_parts or len(a_nums) != len(w_nums):
        return False
    return all(_number_matches(a, w) for a, w in zip(a_nums, w_nums, strict=True))


def _split(text: str) -> tuple[list[str], list[str]]:
    return _NUMBER.split(text), _NUMBER.findall(text)


def _number_matches(said: str, printed: str) -> bool:
    """Right to the precision torch printed (or to the learner's own, if not coarser than 2 places)."""
    try:
        s, p = Decimal(said), Decimal(printed)
    except InvalidOperation:
        return False
    if s.is_nan() or p.is_nan():
        return s.is_nan() and p.is_nan()
    if s.is_infinite() or p.is_infinite():
        return s == p
    printed_unit = Decimal(1).scaleb(p.as_tuple().exponent)
    said_unit = Decimal(1).scaleb(s.as_tuple().exponent)
    if abs(s - p) <= printed_unit / 2:
        return True
    # Fewer digits than printed: fine if correctly rounded and still two decimals or more.
    return said_unit <= Decimal("0.01") and said_unit > printed_unit and abs(s - p) <= said_unit / 2
