"""What the learner's terminal can show: Unicode or only ASCII.

Python coerces a C/POSIX locale to UTF-8 for itself (PEP 538/540), which
hides the fact that the *terminal* was declared non-UTF-8; so the original
locale is inferred from UTF-8 mode being switched on implicitly.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping

ASCII_VARIABLE = "CE_TUTOR_ASCII"
# Said in English and ASCII whatever the language: this terminal can show nothing else.
LOCALE_HINT = (
    "This terminal's locale is not UTF-8 (LANG=C or unset), so the lessons' Chinese "
    "shows as '?'. Start with LANG=C.UTF-8 (or zh_CN.UTF-8). Over SSH the server "
    "never sees your LANG unless asked: `ssh -o SendEnv=LANG` with `AcceptEnv LANG LC_*` "
    "in the server's sshd_config, or LANG set in the account's forced command."
)


def unicode_terminal(environ: Mapping[str, str] | None = None, coerced: bool | None = None) -> bool:
    """True when the terminal shows UTF-8; `CE_TUTOR_ASCII=1` forces ASCII.

    `coerced`: Python switched to UTF-8 itself (default: read from this process).
    """
    env = os.environ if environ is None else environ
    forced = env.get(ASCII_VARIABLE, "").strip().lower()
    if forced in {"1", "yes", "true", "on"}:
        return False
    if forced in {"0", "no", "false", "off"}:
        return True
    return "utf8" in declared_locale(environ, coerced).lower().replace("-", "")


def declared_locale(environ: Mapping[str, str] | None = None, coerced: bool | None = None) -> str:
    """The locale the user's environment declares (LC_ALL, LC_CTYPE, LANG), "" if none.

    When Python coerced a C locale it set LC_CTYPE=C.UTF-8 itself, so the
    declaration is LC_ALL or LANG: LANG=C is an ASCII terminal, while
    LANG=zh_CN.UTF-8 on a server that lacks that locale (common over SSH)
    is still a UTF-8 terminal.
    """
    env = os.environ if environ is None else environ
    if coerced is None:
        coerced = environ is None and _locale_was_coerced(env)
    names = ("LC_ALL", "LANG") if coerced else ("LC_ALL", "LC_CTYPE", "LANG")
    return next((env[name] for name in names if env.get(name)), "")


def pack_needs_unicode(pack) -> bool:
    """Does the pack speak a script that ASCII cannot spell (Chinese, Japanese, Korean)?"""
    from tutor.app.cjk import has_cjk

    texts = [pack.title, *(lesson.title for lesson in pack.lessons)]
    texts += [lesson.summary or "" for lesson in pack.lessons]
    return any(has_cjk(text) for text in texts)


def _locale_was_coerced(env: Mapping[str, str]) -> bool:
    """UTF-8 mode on without being asked for means the locale was C or POSIX."""
    asked = "PYTHONUTF8" in env or "utf8" in getattr(sys, "_xoptions", {})
    return bool(sys.flags.utf8_mode) and not asked


_ASCII = {
    "—": "--", "–": "-", "−": "-", "‖": "||", "’": "'", "‘": "'", "“": '"', "”": '"',
    "…": "...", "·": ".", "⋅": ".", "×": "x", "→": "->", "←": "<-", "⇒": "=>", "≤": "<=",
    "≥": ">=", "≠": "!=", "≈": "~=", "∞": "inf", "Σ": "sum", "∑": "sum", "Π": "prod",
    "∈": " in ", "∂": "d", "∇": "grad", "±": "+-", "√": "sqrt", "▶": ">", "✓": "ok",
    "✗": "x", "●": "*", "○": ".", "█": "#", "░": "-", "ᵀ": "^T", "𝔼": "E", "ℓ": "l",
    "α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "ε": "eps", "η": "eta",
    "θ": "theta", "λ": "lambda", "μ": "mu", "π": "pi", "ρ": "rho", "σ": "sigma",
    "τ": "tau", "φ": "phi", "ψ": "psi", "ω": "omega", "\u00a0": " ",
}  # fmt: skip
_TABLE = str.maketrans(_ASCII)


def asciify(text: str) -> str:
    """Text for a terminal that is not UTF-8: punctuation and letters spelled in ASCII."""
    if text.isascii():
        return text
    import unicodedata

    text = unicodedata.normalize("NFKD", text.translate(_TABLE))
    return "".join(c if c.isascii() else ("" if unicodedata.combining(c) else "?") for c in text)
