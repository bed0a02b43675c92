"""Reading a learner's number and comparing numbers within a tolerance.

Learners type `1.29`, `-0.5`, `1.29e0`, `nan`, or paste what torch printed,
`tensor(1.2914, grad_fn=<NllLossBackward0>)`. All of these read; anything
else is refused with a message saying what to type, so a typo is never
graded as a wrong idea. Kept free of torch: the app can read an answer
before it reaches the grading worker.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Protocol

from tutor.i18n import _

_NUMBER = r"[+-]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|nan|inf(?:inity)?)"
_WRAPPER = r"(?:torch\.)?tensor|(?:np\.|numpy\.)?(?:array|float(?:16|32|64)?)"
# what follows the number inside torch's repr: grad_fn=<…>, dtype=…, device=…, requires_grad=…
_EXTRA = r"(?:\s*,\s*[a-z_]+\s*=\s*(?:<[^<>]*>|[\w.'\":]+))*"
_PATTERNS = [
    re.compile(rf"^(?P<n>{_NUMBER})$", re.IGNORECASE),
    re.compile(rf"^(?:{_WRAPPER})\(\s*(?P<n>{_NUMBER})\s*{_EXTRA}\s*,?\s*\)$", re.IGNORECASE),
    re.compile(
        rf"^(?:(?:{_WRAPPER})\(\s*)?\[\s*(?P<n>{_NUMBER})\s*\](?:\s*{_EXTRA}\s*\))?$",
        re.IGNORECASE,
    ),
]
_LOOKALIKES = {"−": "-", "–": "-", "\u2009": "", "\u00a0": "", "×10^": "e", "x10^": "e"}
# A Chinese IME's full-width forms (`１．２９`, `－０．５`, `（`): their ASCII twins, as NFKC
# maps them; NFKC itself would also turn `10⁻⁴` into `10-4`, so only this block.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_IDEOGRAPHIC_POINT = re.compile(r"(?<=\d)。(?=\d)")  # `1。29`: the IME's full stop as a point


@dataclass(frozen=True)
class ReadNumber:
    """A number as the learner wrote it: its value and the place of its last digit.

    `last_place` is the power of ten of the last digit written (`1.29` → -2,
    `1290` → 0), or None for nan/inf; it tells a rounded answer from a wrong one.
    """

    value: float
    text: str
    last_place: int | None


@dataclass(frozen=True)
class NotANumber:
    """Text that is not one number; `message` says what to type instead."""

    message: str


def read_number(answer: str) -> ReadNumber | NotANumber:
    """Read one number, in any of the forms a learner or torch writes it."""
    text = _IDEOGRAPHIC_POINT.sub(".", (answer or "").translate(_FULL_WIDTH)).strip()
    for bad, good in _LOOKALIKES.items():
        text = text.replace(bad, good)
    text = text.strip()
    if text.startswith("="):
        text = text[1:].strip()
    if not text:
        return NotANumber(_("Type a number, e.g. 1.29, -0.5 or 1.3e-4."))
    if len(text) > 200:
        return NotANumber(_("That is too long for one number."))
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            return _make(match.group("n"))
    if re.fullmatch(r"[+-]?\d+,\d+", text):
        return NotANumber(
            _("Use a dot for decimals: {number}.").format(number=text.replace(",", "."))
        )
    if re.search(r"\d\s*/\s*\d|log|exp|\*|\^|\(", text):
        return NotANumber(
            _("Give the value as a decimal number, not an expression (read: {text!r}).").format(
                text=text[:40]
            )
        )
    if re.search(r"\d", text) and re.search(r"[,\s;]", text):
        return NotANumber(_("Give one number only."))
    return NotANumber(
        _(
            "{text!r} is not a number. Type a number such as 1.29 or -0.5, "
            "or paste what torch printed, e.g. tensor(1.2914)."
        ).format(text=text[:40])
    )


def _make(token: str) -> ReadNumber:
    value = float(token)
    if not math.isfinite(value):
        return ReadNumber(value, token.lower(), None)
    mantissa, _e, exponent = token.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return ReadNumber(value, token, int(exponent or 0) - decimals)


class ToleranceLike(Protocol):
    rel: float | None
    abs: float | None
    sig: int | None


def within(value: float, reference: float, tolerance: ToleranceLike) -> bool:
    """True when `value` passes any of the tolerance's bounds (nan matches nan, inf its sign)."""
    if math.isnan(reference) or math.isnan(value):
        return math.isnan(reference) and math.isnan(value)
    if math.isinf(reference) or math.isinf(value):
        return value == reference
    diff = abs(value - reference)
    if diff <= 1e-12 * max(1.0, abs(reference)):
        return True
    rel, absolute, sig = tolerance.rel, tolerance.abs, tolerance.sig
    if rel is None and absolute is None and sig is None:
        rel = 1e-3
    if rel is not None and diff <= rel * abs(reference):
        return True
    if absolute is not None and diff <= absolute:
        return True
    return sig is not None and diff <= sig_step(reference, sig) * (1 + 1e-9)


def sig_step(reference: float, sig: int) -> float:
    """Half a unit in the `sig`-th significant figure of `reference`."""
    if reference == 0:
        return 0.5 * 10.0 ** (1 - sig)
    return 0.5 * 10.0 ** (math.floor(math.log10(abs(reference))) - sig + 1)


def rounded_from(read: ReadNumber, reference: float) -> bool:
    """The learner's number is the reference rounded at the last digit they wrote."""
    if read.last_place is None or not math.isfinite(reference):
        return False
    return abs(read.value - reference) <= 0.5 * 10.0**read.last_place * (1 + 1e-9)


def describe(tolerance: ToleranceLike) -> str:
    """The tolerance in words, for feedback and validate messages."""
    parts = []
    if tolerance.rel is not None:
        parts.append(_("relative {value:g}").format(value=tolerance.rel))
    if tolerance.abs is not None:
        parts.append(_("absolute {value:g}").format(value=tolerance.abs))
    if tolerance.sig is not None:
        parts.append(_("{count} significant figures").format(count=tolerance.sig))
    return _(" or ").join(parts) or _("relative {value:g}").format(value=0.001)
