"""No words reach an author or a learner without `_()`: an AST scan of where messages are made.

`validate`'s problems and the graders' findings are made in a few shapes;
a literal or f-string with words in one of them, not wrapped in `_()`
(or `N_()`), would be shown in English under a Chinese locale:

- `PackError(path, line, MESSAGE)`; `Verdict(..., feedback=MESSAGE)`;
  `Finding(check, MESSAGE)`; `fields.problem(key, MESSAGE)`, and the
  `what` a `Fields` names in its messages;
- `raise SomeError(MESSAGE)` (the pack's and graders' errors are shown as
  they are: `str(error)` ends up in a problem or a verdict);
- a problem as `(line, MESSAGE)` (a tuple whose first item is not text);
- `return MESSAGE` from a function that returns text (`-> str`,
  `-> str | None`): the problem and mismatch describers.

Scanned: `tutor/pack/`, `tutor/grading/`, `tutor/numeric/` (parameter
generators and torch expressions: what `validate` says of them, and why a
learner's numbers could not be drawn) and `tutor/symbolic/` (formulas).
Not `grading/sandbox/`, whose child process has no learner language (the
grader words what it reports).
A string made only of placeholders and punctuation (`f"{a}: {b}"`) still
counts when its punctuation is one Chinese writes otherwise (`:` → `：`).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import tutor

SOURCE = Path(tutor.__file__).resolve().parent
FOLDERS = ("pack", "grading", "numeric", "symbolic")
SCANNED = sorted(path for folder in FOLDERS for path in (SOURCE / folder).glob("*.py"))
MARKERS = {"_", "N_", "ngettext"}
# a call's argument that is a message: name -> (position, keyword); `problem` and `sub` are
# the methods of `Fields` (a problem; the "exercise `x`" that messages name)
CONSTRUCTORS = {
    "PackError": (2, "message"),
    "Verdict": (2, "feedback"),
    "Finding": (1, "feedback"),
    "problem": (1, "message"),
    "Fields": (2, "what"),
    "sub": (1, "what"),
    "math_problems": (1, "what"),
    "raw_math": (1, "what"),
    "pack_code_problem": (2, "what"),
}
WORDS = re.compile(r"[A-Za-z]{2,}")
JOINERS = re.compile(r"[:;]\s|\(|\)")  # punctuation Chinese writes full-width
# text that is not a message: (file, the start of the string, why)
NOT_MESSAGES = {
    ("cache.py", "no cache encoding for "): "a TypeError the cache catches itself",
    ("discovery.py", "entry point "): "a pack source's label: the entry point's own name",
    ("code.py", "<your code>"): "a filename in a traceback",
    ("code.py", "<pack code>"): "a filename in a traceback",
    ("code_checks.py", "<pack code>"): "a filename in a traceback",
    ("pack_checks.py", "<lesson example>"): "a filename in a traceback",
    ("errors.py", "{}:{}: {}"): "`path:line: message`, the form editors and CI read",
    ("client.py", "unreachable"): "an AssertionError: a bug, not a message",
    ("number.py", "nan"): "a number as Python writes it",
    ("predict.py", "right"): "how an answer matched (a key), worded elsewhere",
    ("predict.py", "several"): "how an answer matched (a key), worded elsewhere",
    ("predict.py", "wrong-class"): "how an answer matched (a key), worded elsewhere",
    ("pack_checks.py", "{} exercises"): "a count's key: KIND_WORDS, translated in summary()",
    ("pack_checks.py", "python examples"): "a count's key, translated in summary()",
    ("pack_checks.py", "derivations"): "a count's key, translated in summary()",
    ("pack_checks.py", "plots"): "a count's key, translated in summary()",
    ("definitions.py", "{} is not a valid value for reduction"): "torch's own words, mirrored",
    ("definitions.py", "ignore_index is not supported"): "torch's own words, mirrored",
    ("reader.py", "plain"): "a notation's key",
    ("layout.py", "_{} _({})"): "math notation, not words",
    ("render.py", "√({})"): "math notation, not words",
    ("render.py", "{}̂ hat({})"): "math notation, not words",
    ("render.py", "{}({})"): "math notation, not words",
    ("render.py", "({})"): "math notation, not words",
    ("tree.py", "{}({})"): "math notation, not words",
    ("tree.py", "({})"): "math notation, not words",
}


def _literal_text(node: ast.AST) -> str | None:
    """The words of a literal, f-string, `+` of them, or `"…".format(…)`; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            part.value if isinstance(part, ast.Constant) else "{}" for part in node.values
        )
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _literal_text(node.left), _literal_text(node.right)
        if left is not None or right is not None:
            return (left or "{}") + (right or "{}")
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "format"
    ):
        return _literal_text(node.func.value)
    if isinstance(node, ast.IfExp):
        texts = [_literal_text(node.body), _literal_text(node.orelse)]
        return " ".join(text for text in texts if text is not None) or None
    return None


def _unwrapped(node: ast.AST | None) -> str | None:
    """The text of `node` when it is words not passed through a marker, else None."""
    if node is None:
        return None
    text = _literal_text(node)
    if text is None:
        return None
    if not (WORDS.search(text.replace("{}", "")) or JOINERS.search(text)):
        return None
    return text


def _argument(call: ast.Call, index: int, keyword: str) -> ast.AST | None:
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    return call.args[index] if len(call.args) > index else None


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _is_key(node: ast.AST) -> bool:
    return isinstance(node, ast.Constant) and re.fullmatch(r"[a-z-]+", str(node.value)) is not None


def _returns_text(function: ast.FunctionDef) -> bool:
    returns = function.returns
    return (
        returns is not None
        and re.fullmatch(r"str( \| None)?|Optional\[str\]", ast.unparse(returns)) is not None
    )


def messages_not_translated(path: Path) -> list[tuple[int, str]]:
    """(line, text) of each message in `path` made in one of the shapes above without `_()`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: list[tuple[int, ast.AST | None]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _name(node.func) in CONSTRUCTORS:
            found.append((node.lineno, _argument(node, *CONSTRUCTORS[_name(node.func)])))
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            message, *others = node.exc.args or [None]
            found.append((node.lineno, message))
            # after the message: a kind (`"request"`) is a key, a sentence is a message too
            found += [(node.lineno, other) for other in others if not _is_key(other)]
        elif isinstance(node, ast.Tuple) and len(node.elts) == 2:
            first = node.elts[0]  # a problem's line, not text: `("label", "text")` is a pair
            if _literal_text(first) is None:
                found.append((node.lineno, node.elts[1]))
        elif isinstance(node, ast.FunctionDef) and _returns_text(node):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Return):
                    found.append((inner.lineno, inner.value))
    shown = []
    for line, value in found:
        text = _unwrapped(value)
        if text is None:
            continue
        if any(path.name == name and text.startswith(start) for name, start in NOT_MESSAGES):
            continue
        shown.append((line, text))
    return sorted(set(shown))


def test_every_message_an_author_or_learner_reads_goes_through_the_catalog() -> None:
    found = [
        f"{path.relative_to(SOURCE.parent)}:{line}: {text!r}"
        for path in SCANNED
        for line, text in messages_not_translated(path)
    ]
    assert not found, "not wrapped in _():\n" + "\n".join(found)


def test_the_scan_finds_each_shape(tmp_path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def check(path, line, e) -> str | None:\n"
        "    errors.append(PackError(path, line, f'bad key `{e}`'))\n"
        "    errors.append(PackError(path, line, _('bad key `{e}`').format(e=e)))\n"
        "    problems.append((line, 'a step is a mapping'))\n"
        "    problems.append((line, _('a step is a mapping')))\n"
        "    verdict = Verdict(Status.UNREADABLE, feedback='No code was given.')\n"
        "    finding = Finding('mutated', 'Your code changed its input')\n"
        "    kind = ('label', 'not a message')\n"
        "    message = f'{a}: {b}'\n"
        "    if e:\n"
        "        raise PackCodeError(f'{e} failed: {line}')\n"
        "    raise YamlProblem(line, 'bad YAML: ' + e)\n"
        "    return 'no lesson ' + line\n"
    )
    found = [line for line, _text in messages_not_translated(sample)]
    assert found == [2, 4, 6, 7, 11, 12, 13]


def test_validate_speaks_of_the_authors_code_in_chinese_too() -> None:
    """A learner's verdict said to the author: "你的代码…" becomes "它…", as "Your code" → "it"."""
    from tutor import i18n
    from tutor.grading.code_checks import in_author_words
    from tutor.grading.verdict import Status, Verdict

    verdict = Verdict(Status.INCORRECT, feedback="Your code raised an error.")
    assert in_author_words(verdict) == "it raised an error."
    with i18n.speaking("zh_CN"):
        said = Verdict(Status.INCORRECT, feedback=i18n._("Your code raised an error."))
        assert in_author_words(said) == "它抛出了异常。"
